"""photos: eager-embedding state (embedded_at, embed_next_at, embed_sends)

Revision ID: 0006_photo_embedding_state
Revises: 0004_run_error_code
Create Date: 2026-11-26

Photos stored before this revision start with embedded_at NULL: the eager-embedding loop
(bff/embedding_requests.py) hands those of open workshops to the ML API once, like new ones.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_photo_embedding_state'
down_revision = '0004_run_error_code'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('photos') as batch:
        batch.add_column(sa.Column('embedded_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('embed_next_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('embed_sends', sa.Integer(), nullable=False, server_default=sa.text('0')))
        batch.create_index('ix_photos_embed_pending', ['embedded_at', 'embed_next_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('photos') as batch:
        batch.drop_index('ix_photos_embed_pending')
        batch.drop_column('embed_sends')
        batch.drop_column('embed_next_at')
        batch.drop_column('embedded_at')
