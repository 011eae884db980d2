"""issue 23 (hidden scores, announcements, kept photos)

Revision ID: 0013_run_the_day
Revises: 0012_play
Create Date: 2026-12-04

Placeholder in the chain (no-op until its work lands), so parallel work can add columns
without splitting Alembic's head.
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0013_run_the_day'
down_revision = '0012_play'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
