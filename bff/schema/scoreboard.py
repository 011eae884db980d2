"""scoreboard (groups in COMPETE, instructors always), experimentLog and groupDetail
(instructors), admin moderation of photos."""

from __future__ import annotations

import graphene
from sqlalchemy import select

from pictolab.contract.errors import FailedPrecondition, NotFound

from .. import instructors, photos, scoreboard, training
from ..models import Group as GroupModel
from ..models import Phase
from ..models import Photo as PhotoModel
from ..models import TrainingRun as TrainingRunModel
from .training import RunStatus, TrainingMode, TrainingRun
from .types import Group, Photo


class ScoreboardRow(graphene.ObjectType):
    rank = graphene.Int(required=True)
    group = graphene.Field(Group, required=True)
    test_accuracy = graphene.Float(description="Best finished run on the hidden test photos; null: none yet")
    photo_count = graphene.Int(required=True)
    status = graphene.String(required=True, description="Latest run's status, or NOT_TRAINED")
    run_id = graphene.ID(description="The run behind the score")

    def resolve_run_id(row, info):
        return row.best_run.id if row.best_run else None


class ExperimentRow(graphene.ObjectType):
    run_id = graphene.ID(required=True)
    group = graphene.Field(Group, required=True)
    mode = graphene.Field(TrainingMode, required=True)
    status = graphene.Field(RunStatus, required=True)
    photo_count = graphene.Int(required=True)
    class_count = graphene.Int(required=True)
    train_accuracy = graphene.Float()
    test_accuracy = graphene.Float()
    created_at = graphene.DateTime(required=True)


class Misclassified(graphene.ObjectType):
    photo_id = graphene.ID()
    label = graphene.ID(required=True, description="True class id")
    predicted = graphene.ID(required=True, description="Predicted class id")
    url = graphene.String()

    def resolve_url(row, info):
        return f"/media/photos/{row.photo_id}" if row.photo_id else None


class RunDetail(TrainingRun):
    labels = graphene.List(graphene.NonNull(graphene.ID), description="Class ids in confusion-matrix order")
    confusion = graphene.List(graphene.NonNull(graphene.List(graphene.NonNull(graphene.Int))),
                              description="Rows: true class, columns: predicted class")
    misclassified = graphene.List(graphene.NonNull(Misclassified))

    def resolve_misclassified(run, info):
        return [Misclassified(photo_id=m.get("photoId"), label=m["label"], predicted=m["predicted"])
                for m in (run.misclassified or [])]


class ClassCount(graphene.ObjectType):
    class_id = graphene.ID(required=True)
    count = graphene.Int(required=True)


class GroupDetail(graphene.ObjectType):
    group = graphene.Field(Group, required=True)
    photos_per_class = graphene.List(graphene.NonNull(ClassCount), required=True)
    runs = graphene.List(graphene.NonNull(RunDetail), required=True, description="Newest first")


def _experiment_row(run: TrainingRunModel, group: GroupModel) -> ExperimentRow:
    return ExperimentRow(run_id=run.id, group=group, mode=run.mode.value, status=run.status.value,
                         photo_count=run.photo_count, class_count=run.class_count,
                         train_accuracy=run.train_accuracy, test_accuracy=run.test_accuracy,
                         created_at=run.created_at)


class ScoreboardQuery:
    scoreboard = graphene.List(graphene.NonNull(ScoreboardRow), required=True, workshop_id=graphene.ID(),
                               description="Groups: their own workshop's ranking, in COMPETE only. "
                                           "Instructors: any workshop (default: the newest), always.")
    experiment_log = graphene.List(graphene.NonNull(ExperimentRow), required=True,
                                   workshop_id=graphene.ID(required=True),
                                   description="Admin: every run of the workshop, oldest first")
    group_detail = graphene.Field(GroupDetail, group_id=graphene.ID(required=True), description="Admin")
    admin_photos = graphene.List(graphene.NonNull(Photo), required=True, workshop_id=graphene.ID(required=True),
                                 group_id=graphene.ID(), class_id=graphene.ID(),
                                 description="Admin: the groups' photos, for moderation")

    def resolve_scoreboard(root, info, workshop_id=None):
        ctx = info.context
        if ctx.is_admin:
            if workshop_id is not None:
                workshop = ctx.workshop_for_admin(workshop_id)
            else:
                workshop = instructors.newest_open_workshop(ctx.db, ctx.instructor)
                if workshop is None:
                    return []
        else:
            group = ctx.require_group()
            if workshop_id is not None and workshop_id != group.workshop_id:
                raise NotFound("Unknown workshop.")
            workshop = group.workshop
            if workshop.phase != Phase.COMPETE:
                raise FailedPrecondition("The ranking opens when the competition starts.",
                                         phase=workshop.phase.value)
            if workshop.scores_hidden:
                return scoreboard.hidden_scoreboard(ctx.db, workshop)
        return scoreboard.scoreboard(ctx.db, workshop)

    def resolve_experiment_log(root, info, workshop_id):
        ctx = info.context
        workshop = ctx.workshop_for_admin(workshop_id)
        groups = {g.id: g for g in workshop.groups}
        return [_experiment_row(run, groups[run.group_id]) for run in scoreboard.experiment_log(ctx.db, workshop)]

    def resolve_group_detail(root, info, group_id):
        ctx = info.context
        group = ctx.group_for_admin(group_id)
        counts = training.photo_counts(ctx.db, group)
        runs = list(ctx.db.scalars(select(TrainingRunModel).where(TrainingRunModel.group_id == group.id)
                                   .order_by(TrainingRunModel.created_at.desc())))
        return GroupDetail(group=group, runs=runs,
                           photos_per_class=[ClassCount(class_id=c.id, count=counts.get(c.id, 0))
                                             for c in group.workshop.classes])

    def resolve_admin_photos(root, info, workshop_id, group_id=None, class_id=None):
        ctx = info.context
        workshop = ctx.workshop_for_admin(workshop_id)
        query = select(PhotoModel).where(PhotoModel.workshop_id == workshop.id, PhotoModel.group_id.is_not(None))
        if group_id is not None:
            query = query.where(PhotoModel.group_id == group_id)
        if class_id is not None:
            query = query.where(PhotoModel.class_id == class_id)
        return list(ctx.db.scalars(query.order_by(PhotoModel.created_at, PhotoModel.id)))


class ModerationMutation:
    admin_delete_photo = graphene.Boolean(id=graphene.ID(required=True),
                                          description="Admin: delete any photo (moderation)")

    def resolve_admin_delete_photo(root, info, id):
        ctx = info.context
        photo = ctx.photo_for_admin(id)
        photos.delete_photo(ctx.db, ctx.storage, photo, actor=ctx.admin_actor)
        return True
