"""issue 17 (per-workshop allowed networks)

Revision ID: 0010_workshop_networks
Revises: 0009_model_export
Create Date: 2026-12-04

Placeholder in the chain (no-op until its work lands), so parallel work can add columns
without splitting Alembic's head.
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0010_workshop_networks'
down_revision = '0009_model_export'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
