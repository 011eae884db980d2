"""training_runs.scored_test_set: which hidden test set a run's score belongs to

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


def downgrade() -> None:
    with op.batch_alter_table('training_runs') as batch:
        batch.drop_column('scored_test_set')
