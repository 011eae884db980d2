"""model export: each training run's unguessable export link token

Revision ID: 0009_model_export
Revises: 0008_run_queue
Create Date: 2026-12-04

- training_runs.export_token: the random part of the run's export URL (/m/<token>/,
  bff/exports.py), unique. Runs made before this revision get one here, so every succeeded
  run of a workshop still running can be taken home too.

Plain ADD/DROP COLUMN, no batch (see 0007): a batch on SQLite copies the table and drops the
old one, which would cascade (foreign_keys=ON) from `workshops` to every row of the workshop.
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = '0009_model_export'
down_revision = '0008_run_queue'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('training_runs', sa.Column('export_token', sa.String(length=64), nullable=True))
    conn = op.get_bind()
    for run_id in conn.execute(sa.text("SELECT id FROM training_runs")).scalars().all():
        conn.execute(sa.text("UPDATE training_runs SET export_token = :token WHERE id = :id"),
                     {"token": secrets.token_urlsafe(32), "id": run_id})
    op.create_index('ix_training_runs_export_token', 'training_runs', ['export_token'], unique=True)


def downgrade() -> None:
    op.drop_index('ix_training_runs_export_token', table_name='training_runs')
    op.drop_column('training_runs', 'export_token')
