"""instructor accounts, workshop owners, invitations; admin sessions belong to an instructor

Revision ID: 0011_instructors
Revises: 0010_workshop_networks
Create Date: 2026-12-04

The upgrade creates the first org admin (email "admin"; it signs in with
PICTOLAB_ADMIN_PASSWORD, so no hash is stored) and makes it the owner of every existing
workshop, so nothing disappears from the instructors' screens. Admin sessions are recreated
with an owner: every instructor signs in once more after the upgrade.
"""
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = '0011_instructors'
down_revision = '0010_workshop_networks'
branch_labels = None
depends_on = None

FIRST_ADMIN_EMAIL = "admin"


def upgrade() -> None:
    instructors = op.create_table(
        'instructors',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('password_hash', sa.String(length=200), nullable=True),
        sa.Column('is_org_admin', sa.Boolean(), nullable=False),
        sa.Column('uses_admin_password', sa.Boolean(), nullable=False),
        sa.Column('failed_logins', sa.Integer(), nullable=False),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('email'),
    )
    op.create_index('uq_instructors_first_admin', 'instructors', ['uses_admin_password'], unique=True,
                    sqlite_where=sa.text('uses_admin_password'),
                    postgresql_where=sa.text('uses_admin_password'))
    op.create_table(
        'workshop_owners',
        sa.Column('workshop_id', sa.String(length=32), nullable=False),
        sa.Column('instructor_id', sa.String(length=32), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['instructor_id'], ['instructors.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('workshop_id', 'instructor_id'),
    )
    op.create_index('ix_workshop_owners_instructor_id', 'workshop_owners', ['instructor_id'], unique=False)
    op.create_table(
        'instructor_invitations',
        sa.Column('id_hash', sa.String(length=64), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('is_org_admin', sa.Boolean(), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id_hash'),
    )
    op.create_index('ix_instructor_invitations_email', 'instructor_invitations', ['email'], unique=False)

    # The first org admin owns every workshop made before accounts existed.
    now = datetime.now(UTC)
    first_admin = uuid.uuid4().hex
    op.bulk_insert(instructors, [{
        'id': first_admin, 'email': FIRST_ADMIN_EMAIL, 'password_hash': None, 'is_org_admin': True,
        'uses_admin_password': True, 'failed_logins': 0, 'locked_until': None, 'created_at': now,
        'password_changed_at': None}])
    op.get_bind().execute(
        sa.text("INSERT INTO workshop_owners (workshop_id, instructor_id, created_at) "
                "SELECT id, :owner, :now FROM workshops"),
        {"owner": first_admin, "now": now})

    # Sessions from before have no owner: recreated (empty) rather than altered, which on
    # SQLite would copy the table anyway.
    op.drop_table('admin_sessions')
    op.create_table(
        'admin_sessions',
        sa.Column('id_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('instructor_id', sa.String(length=32), nullable=False),
        sa.Column('user_agent', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(['instructor_id'], ['instructors.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id_hash'),
    )
    op.create_index('ix_admin_sessions_instructor_id', 'admin_sessions', ['instructor_id'], unique=False)


def downgrade() -> None:
    op.drop_table('admin_sessions')
    op.create_table(
        'admin_sessions',
        sa.Column('id_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id_hash'),
    )
    op.drop_table('instructor_invitations')
    op.drop_table('workshop_owners')
    op.drop_table('instructors')
