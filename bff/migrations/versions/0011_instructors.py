"""issue 19 (instructor accounts, workshop owners)

Revision ID: 0011_instructors
Revises: 0010_workshop_networks
Create Date: 2026-12-04

Placeholder in the chain (no-op until its work lands), so parallel work can add columns
without splitting Alembic's head.
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0011_instructors'
down_revision = '0010_workshop_networks'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
