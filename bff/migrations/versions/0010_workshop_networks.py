"""Per-workshop allowed networks: workshops.allowed_networks (a JSON list of CIDR strings; NULL:
the global PICTOLAB_ALLOWED_CIDRS applies).

Revision ID: 0010_workshop_networks
Revises: 0009_model_export
Create Date: 2026-12-04

Additive only (a nullable column), so the previous release runs on it.
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0010_workshop_networks'
down_revision = '0009_model_export'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("workshops", sa.Column(
        "allowed_networks", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite >= 3.35 has it): no batch copy of the table (see 0007).
    op.drop_column("workshops", "allowed_networks")
