"""issue 21 (friends' AIs, reactions, reflections)

Revision ID: 0012_play
Revises: 0011_instructors
Create Date: 2026-12-04

Placeholder in the chain (no-op until its work lands), so parallel work can add columns
without splitting Alembic's head.
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0012_play'
down_revision = '0011_instructors'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
