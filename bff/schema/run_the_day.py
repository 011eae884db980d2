"""Running the day (bff/run_the_day.py): setScoresHidden, announce, reissueCard,
deleteTestPhoto and the live groupActivity table for instructors; keepPhoto and answerTry
for groups."""

from __future__ import annotations

import base64
from datetime import datetime

import graphene
from flask import current_app

from .. import run_the_day
from ..models import Photo as PhotoModel
from .predict import Heatmap
from .scoreboard import ClassCount
from .types import Group, Photo, Workshop

_STUCK_MINUTES = int(run_the_day.STUCK_AFTER.total_seconds() // 60)


def _get(db, model, id):
    return db.get(model, id) if isinstance(id, str) and len(id) <= 64 else None


class GroupActivityRow(graphene.ObjectType):
    """One group on the instructors' live table."""

    group = graphene.Field(Group, required=True)
    number = graphene.Int(required=True, description="The number on the group's card")
    photos_per_class = graphene.List(graphene.NonNull(ClassCount), required=True)
    photo_count = graphene.Int(required=True)
    trained = graphene.Boolean(required=True, description="A run succeeded")
    best_score = graphene.Float(description="Best accuracy on the hidden test photos (null: none yet)")
    latest_status = graphene.String(description="The latest run's status (null: never trained)")
    last_activity_at = graphene.DateTime(description="Its latest upload, run, login or try answer")
    # The descriptions name run_the_day.STUCK_AFTER, the one threshold both flags use.
    idle = graphene.Boolean(required=True,
                            description=f"Nothing new for more than {_STUCK_MINUTES} minutes in an open phase")
    stuck = graphene.Boolean(required=True,
                             description=f"A run queued or running for more than {_STUCK_MINUTES} minutes")
    attention = graphene.Boolean(required=True, description="idle or stuck: the ⚠ on the table")
    tries_right = graphene.Int(required=True, description="Tries the children said the AI got right")
    tries_wrong = graphene.Int(required=True)

    def resolve_photos_per_class(row, info):
        return [ClassCount(class_id=c.id, count=row.photos_per_class.get(c.id, 0))
                for c in row.group.workshop.classes]

    def resolve_photo_count(row, info):
        return sum(row.photos_per_class.values())


class TryLogRow(graphene.ObjectType):
    class_id = graphene.ID(description="The class the AI named (null: not said)")
    right = graphene.Int(required=True)
    wrong = graphene.Int(required=True)


class LastTry(graphene.ObjectType):
    """A group's latest try, for the projector: the photo, the answer, where the AI looked."""

    group = graphene.Field(Group, required=True)
    photo_url = graphene.String(required=True, description="The sanitised photo as a data: URL (JPEG)")
    class_id = graphene.ID()
    label = graphene.String()
    confidence = graphene.Float()
    heatmap = graphene.Field(Heatmap)
    at = graphene.DateTime()


class RunTheDayQuery:
    last_try = graphene.Field(LastTry, group_id=graphene.ID(required=True),
                              description="Admin: the group's latest try (null: none yet)")

    def resolve_last_try(root, info, group_id):
        ctx = info.context
        group = ctx.group_for_admin(group_id)
        kept = run_the_day.last_try(ctx.storage, group)
        if kept is None:
            return None
        heatmap = kept.get("heatmap")
        at = kept.get("at")
        return LastTry(group=group, photo_url="data:image/jpeg;base64," + base64.b64encode(kept["photo"]).decode(),
                       class_id=kept.get("classId"), label=kept.get("label"), confidence=kept.get("confidence"),
                       heatmap=Heatmap(**heatmap) if heatmap else None,
                       at=datetime.fromisoformat(at) if at else None)


    group_activity = graphene.List(graphene.NonNull(GroupActivityRow), required=True,
                                   workshop_id=graphene.ID(required=True),
                                   description="Admin: one row per group, in card order, with ⚠ for who is stuck")
    try_log = graphene.List(graphene.NonNull(TryLogRow), required=True, workshop_id=graphene.ID(required=True),
                            description="Admin: the children's answers to \"was it right?\", per class")

    def resolve_group_activity(root, info, workshop_id):
        ctx = info.context
        return run_the_day.group_activity(ctx.db, ctx.workshop_for_admin(workshop_id))

    def resolve_try_log(root, info, workshop_id):
        ctx = info.context
        log = run_the_day.try_log(ctx.db, ctx.workshop_for_admin(workshop_id))
        return [TryLogRow(class_id=class_id or None, right=v["right"], wrong=v["wrong"]) for class_id, v in log.items()]


class RunTheDayMutation:
    set_scores_hidden = graphene.Field(Workshop, workshop_id=graphene.ID(required=True),
                                       hidden=graphene.Boolean(required=True),
                                       description="Admin: while hidden, no score reaches any group")
    announce = graphene.Field(Workshop, workshop_id=graphene.ID(required=True), message=graphene.String(),
                              freeze=graphene.Boolean(),
                              description="Admin: a message on every iPad (freeze: over the whole screen); "
                                          "null message lifts it")
    reissue_card = graphene.String(required=True, group_id=graphene.ID(required=True),
                                   description="Admin: a new login URL; the old card stops working at once")
    delete_test_photo = graphene.Boolean(id=graphene.ID(required=True),
                                         description="Admin: remove a hidden test photo; runs are scored again")
    keep_photo = graphene.Field(Photo, id=graphene.ID(required=True),
                                description="The group keeps a photo its AI doubts; it is not flagged again")
    answer_try = graphene.Boolean(correct=graphene.Boolean(required=True), class_id=graphene.ID(),
                                  description="The group says whether its AI's answer was right (the class log)")

    def resolve_set_scores_hidden(root, info, workshop_id, hidden):
        ctx = info.context
        workshop = run_the_day.set_scores_hidden(ctx.db, ctx.workshop_for_admin(workshop_id), hidden,
                                                 actor=ctx.admin_actor)
        ctx.db.commit()
        return workshop

    def resolve_announce(root, info, workshop_id, message=None, freeze=None):
        ctx = info.context
        workshop = run_the_day.announce(ctx.db, ctx.workshop_for_admin(workshop_id), message, freeze,
                                       actor=ctx.admin_actor)
        ctx.db.commit()
        return workshop

    def resolve_reissue_card(root, info, group_id):
        ctx = info.context
        group = ctx.group_for_admin(group_id)
        url = run_the_day.reissue_card(ctx.db, ctx.settings, group, actor=ctx.admin_actor)
        ctx.db.commit()
        return url

    def resolve_delete_test_photo(root, info, id):
        ctx = info.context
        run_the_day.delete_test_photo(ctx.db, ctx.storage, ctx.photo_for_admin(id), actor=ctx.admin_actor)
        # The reconciler scores the finished runs on the new set at once, not at its next tick.
        reconciler = current_app.extensions.get("pictolab.reconciler")
        if reconciler is not None:
            reconciler.wake()
        return True

    def resolve_keep_photo(root, info, id):
        ctx = info.context
        group = ctx.require_group()
        return run_the_day.keep_photo(ctx.db, group, _get(ctx.db, PhotoModel, id))

    def resolve_answer_try(root, info, correct, class_id=None):
        ctx = info.context
        group = ctx.require_group()
        run_the_day.record_try_answer(ctx.db, group, correct, class_id)
        return True
