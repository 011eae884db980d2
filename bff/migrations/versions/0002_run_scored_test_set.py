"""training runs: scored_test_set (which hidden test set a score belongs to) and at most
one active run per group

Revision ID: 0002_run_scored_test_set
Revises: 0001_initial
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

revision = '0002_run_scored_test_set'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('training_runs') as batch:
        batch.add_column(sa.Column('scored_test_set', sa.String(length=64), nullable=True))
    active = sa.text("status IN ('QUEUED', 'RUNNING')")
    op.create_index('uq_training_runs_active_group', 'training_runs', ['group_id'], unique=True,
                    sqlite_where=active, postgresql_where=active)


def downgrade() -> None:
    op.drop_index('uq_training_runs_active_group', table_name='training_runs')
    with op.batch_alter_table('training_runs') as batch:
        batch.drop_column('scored_test_set')
