"""admin_sessions: instructors' sessions that logout really ends

Revision ID: 0003_admin_sessions
Revises: 0002_run_scored_test_set
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

revision = '0003_admin_sessions'
down_revision = '0002_run_scored_test_set'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('admin_sessions',
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id_hash')
    )


def downgrade() -> None:
    op.drop_table('admin_sessions')
