"""issue 22 (run queue): drop the embedding resend columns, rescoring flag

Revision ID: 0008_run_queue
Revises: 0007_run_analysis_group_hints
Create Date: 2026-12-04

Placeholder in the chain (no-op until its work lands), so parallel work can add columns
without splitting Alembic's head.
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0008_run_queue'
down_revision = '0007_run_analysis_group_hints'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
