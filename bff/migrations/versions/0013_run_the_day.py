"""running the day: hidden scores and announcements on workshops, kept photos

Revision ID: 0013_run_the_day
Revises: 0012_play
Create Date: 2026-12-04

workshops.scores_hidden (no score reaches a group until the reveal), workshops.announcement,
announcement_freeze, announcement_at (the instructors' message on every iPad), and
photos.kept_at (a photo its group kept although its AI doubted it: not flagged again).
"""
import sqlalchemy as sa
from alembic import op

revision = '0013_run_the_day'
down_revision = '0012_play'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN, never a batch: on SQLite a batch may copy `workshops` and drop the old
    # table, and the drop cascades (foreign_keys=ON) to every group, photo and run.
    op.add_column('workshops', sa.Column('scores_hidden', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('workshops', sa.Column('announcement', sa.String(length=200), nullable=True))
    op.add_column('workshops', sa.Column('announcement_freeze', sa.Boolean(), nullable=False,
                                         server_default=sa.false()))
    op.add_column('workshops', sa.Column('announcement_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('photos', sa.Column('kept_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN, not a batch: a batch on SQLite copies the table and drops the old
    # one, and dropping `workshops` or `photos` would cascade (foreign_keys=ON) to their rows.
    op.drop_column('photos', 'kept_at')
    op.drop_column('workshops', 'announcement_at')
    op.drop_column('workshops', 'announcement_freeze')
    op.drop_column('workshops', 'announcement')
    op.drop_column('workshops', 'scores_hidden')
