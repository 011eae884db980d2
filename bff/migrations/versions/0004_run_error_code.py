"""training runs: error_code, the typed reason next to the error text

Revision ID: 0004_run_error_code
Revises: 0003_admin_sessions
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa

revision = '0004_run_error_code'
down_revision = '0003_admin_sessions'
branch_labels = None
depends_on = None

# Runs that failed before this revision carry only the text; the code they showed was read
# from it, so the same reading fills the column once. New runs get the code the ML API sent.
BACKFILL = """
UPDATE training_runs SET error_code = CASE
    WHEN status = 'SUCCEEDED' THEN 'NOT_SCORED'
    WHEN lower(error) LIKE '%purged%' THEN 'WORKSHOP_OVER'
    WHEN lower(error) LIKE '%image%' OR lower(error) LIKE '%photo%' THEN 'PHOTO_UNREADABLE'
    ELSE 'TRAINING_FAILED' END
WHERE error IS NOT NULL
"""


def upgrade() -> None:
    with op.batch_alter_table('training_runs') as batch:
        batch.add_column(sa.Column('error_code', sa.String(length=32), nullable=True))
    op.execute(BACKFILL)


def downgrade() -> None:
    with op.batch_alter_table('training_runs') as batch:
        batch.drop_column('error_code')
