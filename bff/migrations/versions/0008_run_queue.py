"""one run queue: the reconciler's batch lease, rescoring flag, ML job deletion after a
purge; the embedding resend columns go

Revision ID: 0008_run_queue
Revises: 0007_run_analysis_group_hints
Create Date: 2026-12-04

- training_runs.claimed_by: the token of the reconciler pass that holds the run (with
  next_attempt_at, the lease): one UPDATE claims every due run, and answers are written only
  while the token is still the pass's own.
- training_runs.rescore_due: set in the transaction that changes a workshop's hidden test
  set; the reconciler scores such runs again (nothing re-hashes test sets on every pass).
  scored_test_set stays (unused) so a downgrade finds it.
- training_runs.worker: the ML API process (hostname:pid) that runs or ran the job.
- workshops.ml_jobs_deleted_at: when the ML API confirmed a purged workshop's jobs deleted;
  workshops purged before this revision count as done (their purge markers did the job).
- photos.embed_next_at, photos.embed_sends and ix_photos_embed_pending go: the ML API's
  queue is durable, so a photo is handed over once (embedded_at) and never re-sent.
  ix_photos_not_embedded (partial: embedded_at IS NULL) finds the photos still to send.

Plain ADD/DROP COLUMN, no batch (see 0007): a batch on SQLite copies the table and drops the
old one, which would cascade (foreign_keys=ON) from `workshops` to every row of the workshop.
"""
import sqlalchemy as sa
from alembic import op

revision = '0008_run_queue'
down_revision = '0007_run_analysis_group_hints'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('training_runs', sa.Column('claimed_by', sa.String(length=32), nullable=True))
    op.add_column('training_runs', sa.Column('rescore_due', sa.Boolean(), nullable=False,
                                             server_default=sa.false()))
    op.add_column('training_runs', sa.Column('worker', sa.String(length=64), nullable=True))
    op.create_index('ix_training_runs_rescore_due', 'training_runs', ['next_attempt_at'], unique=False,
                    sqlite_where=sa.text('rescore_due'), postgresql_where=sa.text('rescore_due'))
    op.add_column('workshops', sa.Column('ml_jobs_deleted_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE workshops SET ml_jobs_deleted_at = purged_at WHERE purged_at IS NOT NULL")
    op.drop_index('ix_photos_embed_pending', table_name='photos')
    op.drop_column('photos', 'embed_sends')
    op.drop_column('photos', 'embed_next_at')
    op.create_index('ix_photos_not_embedded', 'photos', ['created_at'], unique=False,
                    sqlite_where=sa.text('embedded_at IS NULL'), postgresql_where=sa.text('embedded_at IS NULL'))


def downgrade() -> None:
    op.drop_index('ix_photos_not_embedded', table_name='photos')
    op.add_column('photos', sa.Column('embed_next_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('photos', sa.Column('embed_sends', sa.Integer(), nullable=False, server_default=sa.text('0')))
    op.create_index('ix_photos_embed_pending', 'photos', ['embedded_at', 'embed_next_at'], unique=False)
    op.drop_column('workshops', 'ml_jobs_deleted_at')
    op.drop_index('ix_training_runs_rescore_due', table_name='training_runs')
    op.drop_column('training_runs', 'worker')
    op.drop_column('training_runs', 'rescore_due')
    op.drop_column('training_runs', 'claimed_by')
