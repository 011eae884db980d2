"""play: friends' AIs (workshops.friends_ais), class reactions, reflection answers

Revision ID: 0012_play
Revises: 0011_instructors
Create Date: 2026-12-04

``workshops.friends_ais`` is NULL for every existing workshop: the default (on in COMPETE).
"""
import sqlalchemy as sa
from alembic import op

revision = '0012_play'
down_revision = '0011_instructors'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('workshops', sa.Column('friends_ais', sa.Boolean(), nullable=True))
    op.create_table(
        'class_reactions',
        sa.Column('group_id', sa.String(length=32), nullable=False),
        sa.Column('class_id', sa.String(length=32), nullable=False),
        sa.Column('emoji', sa.String(length=16), nullable=True),
        sa.Column('sound', sa.String(length=16), nullable=True),
        sa.Column('words', sa.String(length=60), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['class_id'], ['classes.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['group_id'], ['groups.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('group_id', 'class_id'),
    )
    op.create_index('ix_class_reactions_class_id', 'class_reactions', ['class_id'], unique=False)
    op.create_table(
        'reflection_answers',
        sa.Column('run_id', sa.String(length=32), nullable=False),
        sa.Column('workshop_id', sa.String(length=32), nullable=False),
        sa.Column('group_id', sa.String(length=32), nullable=False),
        sa.Column('answer', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['group_id'], ['groups.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('run_id'),
    )
    op.create_index('ix_reflection_answers_workshop', 'reflection_answers', ['workshop_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_reflection_answers_workshop', table_name='reflection_answers')
    op.drop_table('reflection_answers')
    op.drop_index('ix_class_reactions_class_id', table_name='class_reactions')
    op.drop_table('class_reactions')
    # Plain DROP COLUMN, not a batch (see 0007: a batch would recreate and cascade).
    op.drop_column('workshops', 'friends_ais')
