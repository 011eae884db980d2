"""training runs: analysis (confusing photos, per-class "how sure"); groups: photo hints

Revision ID: 0007_run_analysis_group_hints
Revises: 0006_photo_embedding_state
Create Date: 2026-11-27

Both are JSON written by the BFF from the ML API's answers (bff/training.py stores a run's
analysis once it succeeded; bff/hints.py a group's photo hints). NULL: not known (yet): runs
that finished before this revision show no confusing photos, groups get hints at the next pass.
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0007_run_analysis_group_hints'
down_revision = '0006_photo_embedding_state'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table('training_runs') as batch:
        batch.add_column(sa.Column('analysis', JSON, nullable=True))
    with op.batch_alter_table('groups') as batch:
        batch.add_column(sa.Column('hints', JSON, nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite >= 3.35 has it), not a batch: a batch on SQLite copies the
    # table and drops the old one, and dropping `groups` would cascade (foreign_keys=ON) to
    # every training run, photo and session of every group.
    op.drop_column('groups', 'hints')
    op.drop_column('training_runs', 'analysis')
