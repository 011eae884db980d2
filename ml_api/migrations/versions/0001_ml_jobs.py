"""the ML API's job queue: ml_jobs and the tombstones of purged scopes

Revision ID: 0001_ml_jobs
Revises:
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0001_ml_jobs'
down_revision = None
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        'ml_jobs',
        sa.Column('id', sa.String(96), primary_key=True),
        sa.Column('kind', sa.String(16), nullable=False),
        sa.Column('priority', sa.Integer(), nullable=False),
        sa.Column('scope', sa.String(64)),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('payload', JSON, nullable=False),
        sa.Column('signature', sa.String(128)),
        sa.Column('queued_at', sa.DateTime(), nullable=False),
        sa.Column('started_at', sa.DateTime()),
        sa.Column('finished_at', sa.DateTime()),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('claim', sa.String(32)),
        sa.Column('worker', sa.String(160)),
        sa.Column('lease_until', sa.DateTime()),
        sa.Column('heartbeat_at', sa.DateTime()),
        sa.Column('attempt', sa.Integer(), nullable=False),
        sa.Column('interrupted', sa.Boolean(), nullable=False),
        sa.Column('progress', sa.Float(), nullable=False),
        sa.Column('epoch', sa.Integer()),
        sa.Column('epochs', sa.Integer()),
        sa.Column('epochs_run', sa.Integer()),
        sa.Column('resumed_from_epoch', sa.Integer()),
        sa.Column('train_accuracy', sa.Float()),
        sa.Column('error', sa.Text()),
        sa.Column('error_code', sa.String(32)),
        sa.Column('model_uri', sa.Text()),
        sa.Column('result', JSON),
    )
    op.create_index('ix_ml_jobs_claimable', 'ml_jobs', ['status', 'priority', 'queued_at'])
    op.create_index('ix_ml_jobs_scope', 'ml_jobs', ['scope'])
    op.create_table(
        'ml_deleted_scopes',
        sa.Column('scope', sa.String(64), primary_key=True),
        sa.Column('deleted_at', sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('ml_deleted_scopes')
    op.drop_index('ix_ml_jobs_scope', table_name='ml_jobs')
    op.drop_index('ix_ml_jobs_claimable', table_name='ml_jobs')
    op.drop_table('ml_jobs')
