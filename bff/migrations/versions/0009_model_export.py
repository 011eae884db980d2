"""issue 18 (model export)

Revision ID: 0009_model_export
Revises: 0008_run_queue
Create Date: 2026-12-04

Placeholder in the chain (no-op until its work lands), so parallel work can add columns
without splitting Alembic's head.
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0009_model_export'
down_revision = '0008_run_queue'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
