"""Play with a trained AI (bff/play.py): friends' AIs, class reactions, the reflection question."""

from __future__ import annotations

import graphene

from .. import play
from .predict import Reaction
from .types import Group, Workshop

ReflectionAnswer = graphene.Enum("ReflectionAnswer", [(a, a) for a in play.REFLECTION_ANSWERS],
                                 description="Why the AI got it wrong: too few photos, the classes look "
                                             "alike, the background")


def answer_value(answer) -> str:
    return str(getattr(answer, "value", answer))


class ReflectionCount(graphene.ObjectType):
    answer = graphene.Field(ReflectionAnswer, required=True)
    count = graphene.Int(required=True, description="Runs answered with it")
    groups = graphene.Int(required=True, description="Groups that answered with it at least once")


class PlayQuery:
    friends = graphene.List(graphene.NonNull(Group), required=True,
                            description="The other groups of your workshop whose AI you may try (empty while "
                                        "the instructors have it off)")
    reflection_tally = graphene.List(graphene.NonNull(ReflectionCount), required=True,
                                     workshop_id=graphene.ID(required=True),
                                     description="Admin: the reflection answers of the workshop, counted")

    def resolve_friends(root, info):
        ctx = info.context
        return play.friends(ctx.db, ctx.require_group())

    def resolve_reflection_tally(root, info, workshop_id):
        ctx = info.context
        workshop = ctx.workshop_for_admin(workshop_id)
        return [ReflectionCount(**row) for row in play.reflection_tally(ctx.db, workshop)]


class PlayMutation:
    set_friends_ais = graphene.Field(Workshop, name="setFriendsAIs", workshop_id=graphene.ID(required=True),
                                     enabled=graphene.Boolean(required=True),
                                     description="Admin: may groups try each other's AIs (default: on in COMPETE)")
    set_class_reaction = graphene.Field(
        Reaction, class_id=graphene.ID(required=True), emoji=graphene.String(), sound=graphene.String(),
        words=graphene.String(),
        description="How your AI reacts when it picks this class (all empty: no reaction); null when removed")
    answer_reflection = graphene.Field(ReflectionAnswer, run_id=graphene.ID(required=True),
                                       answer=ReflectionAnswer(required=True),
                                       description="Why do you think your AI got it wrong? (one of your runs)")

    def resolve_set_friends_ais(root, info, workshop_id, enabled):
        ctx = info.context
        workshop = ctx.workshop_for_admin(workshop_id)
        play.set_friends_ais(ctx.db, workshop, enabled, actor=ctx.actor)
        ctx.db.commit()
        return workshop

    def resolve_set_class_reaction(root, info, class_id, emoji=None, sound=None, words=None):
        ctx = info.context
        group = ctx.require_group()
        row = play.set_class_reaction(ctx.db, group, class_id, emoji=emoji, sound=sound, words=words)
        result = None if row is None else Reaction(emoji=row.emoji, sound=row.sound, words=row.words)
        ctx.db.commit()
        return result

    def resolve_answer_reflection(root, info, run_id, answer):
        ctx = info.context
        group = ctx.require_group()
        row = play.answer_reflection(ctx.db, group, run_id, answer_value(answer))
        ctx.db.commit()
        return row.answer
