"""train / trainingRuns for groups."""

from __future__ import annotations

import graphene
from flask import current_app
from sqlalchemy import select

from .. import training
from ..models import RunErrorCode
from ..models import RunStatus as RunStatusModel
from ..models import TrainingMode as TrainingModeModel
from ..models import TrainingRun as TrainingRunModel

TrainingMode = graphene.Enum.from_enum(TrainingModeModel, description="QUICK: seconds; DEEP: fine-tuning")
RunStatus = graphene.Enum("RunStatus", [(s, s) for s in ("QUEUED", "RUNNING", "SUCCEEDED", "FAILED")])


class ClassAccuracy(graphene.ObjectType):
    class_id = graphene.ID(required=True)
    accuracy = graphene.Float()
    count = graphene.Int(required=True)


class TrainingRun(graphene.ObjectType):
    id = graphene.ID(required=True)
    status = graphene.Field(RunStatus, required=True)
    progress = graphene.Float(required=True, description="0..1")
    mode = graphene.Field(TrainingMode, required=True)
    epoch = graphene.Int()
    train_accuracy = graphene.Float()
    test_accuracy = graphene.Float(description="Accuracy on the hidden test photos (null until scored)")
    per_class_accuracy = graphene.List(graphene.NonNull(ClassAccuracy))
    photo_count = graphene.Int(required=True)
    error = graphene.String(description="What went wrong: the ML API's words for instructors, a sentence "
                                        "a group can act on for groups")
    error_code = graphene.String(description="NOT_SCORED, WORKSHOP_OVER, PHOTO_UNREADABLE or TRAINING_FAILED")
    created_at = graphene.DateTime(required=True)
    finished_at = graphene.DateTime()

    def resolve_status(run, info):
        return run.status.value

    def resolve_error_code(run, info):
        return error_code(run)

    def resolve_error(run, info):
        # Instructors get the ML API's own words (they name the photo and the cause); a group
        # gets a sentence it can act on, never storage paths or exception names.
        if run.error is None or info.context.is_admin:
            return run.error
        return group_error_message(run)

    def resolve_mode(run, info):
        return run.mode.value

    def resolve_per_class_accuracy(run, info):
        return [ClassAccuracy(class_id=c["classId"], accuracy=c["accuracy"], count=c["count"])
                for c in (run.per_class_accuracy or [])]


GROUP_ERRORS = {
    RunErrorCode.NOT_SCORED.value:
        "Your AI is ready, but it could not be tested on the secret photos yet. Ask your teacher.",
    RunErrorCode.WORKSHOP_OVER.value: "This workshop is over.",
    RunErrorCode.PHOTO_UNREADABLE.value:
        "One of your photos could not be read. Delete it or take a new one, then train again.",
    RunErrorCode.TRAINING_FAILED.value: "Training did not work this time. Please try again, or ask your teacher.",
}


def error_code(run: TrainingRunModel) -> str | None:
    """What went wrong, as a stable code the app translates (ja/en): the code stored with
    the error (bff.models.RunErrorCode, mapped from the ML API's errorCode), never read
    from the error text."""
    if run.error is None:
        return None
    return run.error_code or RunErrorCode.TRAINING_FAILED.value


def group_error_message(run: TrainingRunModel) -> str:
    return GROUP_ERRORS.get(error_code(run), GROUP_ERRORS[RunErrorCode.TRAINING_FAILED.value])


def mode_value(mode) -> TrainingModeModel:
    return TrainingModeModel(getattr(mode, "value", mode) or "QUICK")


class TrainingQuery:
    training_runs = graphene.List(graphene.NonNull(TrainingRun), required=True,
                                  description="The group's training runs, newest first")

    def resolve_training_runs(root, info):
        ctx = info.context
        group = ctx.require_group()
        return list(ctx.db.scalars(select(TrainingRunModel).where(TrainingRunModel.group_id == group.id)
                                   .order_by(TrainingRunModel.created_at.desc())))


class TrainingMutation:
    train = graphene.Field(TrainingRun, mode=TrainingMode(default_value=TrainingModeModel.QUICK.value),
                           description="Train the group's classifier on its photos (one run at a time)")

    def resolve_train(root, info, mode=TrainingModeModel.QUICK.value):
        ctx = info.context
        group = ctx.require_group()
        # Recorded QUEUED and the reconciler woken: it hands the run to the ML API at once (and
        # retries with backoff while the ML API is down), so the tap itself never waits.
        run = training.request_training(ctx.db, ctx.settings, group, mode_value(mode))
        reconciler = current_app.extensions.get("pictolab.reconciler")
        if reconciler is not None and run.status == RunStatusModel.QUEUED:
            reconciler.wake()
        return run
