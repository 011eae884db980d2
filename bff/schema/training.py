"""train / trainingRuns for groups."""

from __future__ import annotations

import graphene
from flask import current_app
from sqlalchemy import select

from pictolab.contract.errors import NotFound

from .. import insights, training
from ..models import RunErrorCode
from ..models import RunStatus as RunStatusModel
from ..models import TrainingMode as TrainingModeModel
from ..models import TrainingRun as TrainingRunModel
from .predict import Heatmap

TrainingMode = graphene.Enum.from_enum(TrainingModeModel, description="QUICK: seconds; DEEP: fine-tuning")
RunStatus = graphene.Enum("RunStatus", [(s.value, s.value) for s in RunStatusModel])


class ClassAccuracy(graphene.ObjectType):
    class_id = graphene.ID(required=True)
    accuracy = graphene.Float()
    count = graphene.Int(required=True)


class ConfusingPhoto(graphene.ObjectType):
    """One of the group's own photos that its AI, trained without it, puts in another class."""

    photo_id = graphene.ID(required=True)
    class_id = graphene.ID(required=True, description="The class the group put it in")
    predicted_class_id = graphene.ID(required=True, description="The class the AI thought it was")
    confidence = graphene.Float(required=True)
    heatmap = graphene.Field(Heatmap, description="Where the run's model looks on this photo, for the class it "
                                                  "answers now (heatmapClassId; it trained with the photo): one "
                                                  "ML API predict, asked only when selected; null if it fails")
    heatmap_class_id = graphene.ID(description="The class the heatmap is for (null with no heatmap)")

    def _explained(item, info) -> dict | None:
        # One predict for both fields (and then the in-process cache in bff/insights.py).
        if not hasattr(item, "_explanation"):
            item._explanation = _explain(item, info)
        return item._explanation

    def resolve_heatmap(item, info):
        explained = ConfusingPhoto._explained(item, info)
        return Heatmap(**explained["heatmap"]) if explained else None

    def resolve_heatmap_class_id(item, info):
        explained = ConfusingPhoto._explained(item, info)
        return explained["classId"] if explained else None


def _explain(item, info) -> dict | None:
    ctx = info.context
    run = getattr(item, "_run", None)
    if run is None:
        return None
    # Only the run's own group (or an instructor) ever gets its photo explained.
    if not ctx.is_admin:
        group = ctx.group
        if group is None or group.id != run.group_id:
            return None

    def may_ask() -> bool:  # bounded per request, whatever a query selects
        ctx.heatmap_asks = getattr(ctx, "heatmap_asks", 0) + 1
        return ctx.heatmap_asks <= insights.MAX_HEATMAP_ASKS_PER_REQUEST

    return insights.confusing_photo_heatmap(ctx.db, ctx.storage, current_app.extensions["pictolab.ml"], run,
                                            item.photo_id, may_ask)


class ClassHeatmap(graphene.ObjectType):
    """One of the group's photos of a class, and where the run's model looks on it."""

    class_id = graphene.ID(required=True)
    photo_id = graphene.ID(required=True)
    heatmap = graphene.Field(Heatmap, description="null if the ML API drew none (or is busy)")
    heatmap_class_id = graphene.ID(description="The class the model answers for this photo")

    # The same explanation as a confusing photo's (one predict, cached per run and photo).
    resolve_heatmap = ConfusingPhoto.resolve_heatmap
    resolve_heatmap_class_id = ConfusingPhoto.resolve_heatmap_class_id


class ClassConfidence(graphene.ObjectType):
    """How sure the AI is of one class, from the same check on the group's own photos."""

    class_id = graphene.ID(required=True)
    count = graphene.Int(required=True, description="The class's photos in the run")
    sure = graphene.Float(description="Mean probability of the right class, 0..1 (null with one photo)")
    accuracy = graphene.Float(description="Share of its photos put in the right class (null with one photo)")


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
    confusing_photos = graphene.List(
        graphene.NonNull(ConfusingPhoto), photo_id=graphene.ID(description="Only this photo (if it is listed)"),
        description="The group's photos its AI, trained without them, puts in another class (best first): "
                    "null until the run succeeded, empty when nothing confuses it")
    class_confidence = graphene.List(graphene.NonNull(ClassConfidence),
                                     description="Per class: how sure the AI is (null until the run succeeded)")

    cross_validated_accuracy = graphene.Float(
        description="Accuracy on the group's own photos, each judged by an AI trained without it (null until "
                    "the run succeeded)")
    class_heatmaps = graphene.List(
        graphene.NonNull(lambda: ClassHeatmap),
        description="One of the group's photos per class and where the run's model looks on it (what my AI "
                    "learned); null until the run succeeded")
    reflection = graphene.Field("bff.schema.play.ReflectionAnswer",
                                description="The group's answer to \"why do you think it got it wrong?\"")

    def resolve_cross_validated_accuracy(run, info):
        rows = [r for r in (insights.class_confidence(run) or []) if r.get("accuracy") is not None]
        total = sum(r["count"] for r in rows)
        return round(sum(r["accuracy"] * r["count"] for r in rows) / total, 4) if total else None

    def resolve_class_heatmaps(run, info):
        from .. import play

        ctx = info.context
        if not ctx.is_admin and (ctx.group is None or ctx.group.id != run.group_id):
            return None
        rows = play.class_photos(ctx.db, run)
        if rows is None:
            return None
        items = []
        for r in rows:
            item = ClassHeatmap(class_id=r["classId"], photo_id=r["photoId"])
            item._run = run
            items.append(item)
        return items

    def resolve_reflection(run, info):
        from ..play import reflection_of

        return reflection_of(info.context.db, run.id)

    export_url = graphene.String(
        description="Take your AI home: an unguessable link (ending in /) to the model as a Teachable Machine "
                    "image model (metadata.json, model.json, weights, model.zip; a page that runs it): no "
                    "session, any origin, until the workshop is purged. Null until the run succeeded")

    def resolve_export_url(run, info):
        from ..exports import export_url

        ctx = info.context
        if not ctx.is_admin and (ctx.group is None or ctx.group.id != run.group_id):
            return None  # another group's run (friends' AIs): its link is the group's own to share
        return export_url(ctx.settings, run)

    def resolve_confusing_photos(run, info, photo_id=None):
        rows = insights.confusing_photos(info.context.db, run)
        if rows is None:
            return None
        items = []
        for r in rows:
            if photo_id is not None and r["photoId"] != photo_id:
                continue
            item = ConfusingPhoto(photo_id=r["photoId"], class_id=r["classId"],
                                  predicted_class_id=r["predictedClassId"], confidence=r["confidence"])
            item._run = run  # for heatmap: the run's own model on the group's own photo
            items.append(item)
        return items

    def resolve_class_confidence(run, info):
        rows = insights.class_confidence(run)
        return None if rows is None else [ClassConfidence(class_id=r["classId"], count=r["count"], sure=r["sure"],
                                                          accuracy=r["accuracy"]) for r in rows]

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

    # The secret test's figures: left out of a group's answer while the instructors hide the
    # scores (bff/run_the_day.py); every field here that carries one goes through this.
    test_correct = graphene.Int(description="Hidden test photos it got right (null until scored)")
    test_total = graphene.Int(description="Hidden test photos it was asked (null until scored)")

    def resolve_test_accuracy(run, info):
        return None if _scores_hidden(run, info) else run.test_accuracy

    def resolve_test_correct(run, info):
        from ..run_the_day import secret_test_score

        score = None if _scores_hidden(run, info) else secret_test_score(run)
        return score[0] if score else None

    def resolve_test_total(run, info):
        from ..run_the_day import secret_test_score

        score = None if _scores_hidden(run, info) else secret_test_score(run)
        return score[1] if score else None

    def resolve_per_class_accuracy(run, info):
        if _scores_hidden(run, info):
            return None
        return [ClassAccuracy(class_id=c["classId"], accuracy=c["accuracy"], count=c["count"])
                for c in (run.per_class_accuracy or [])]


def _scores_hidden(run: TrainingRunModel, info) -> bool:
    from ..models import Workshop as WorkshopModel
    from ..run_the_day import scores_hidden_from

    ctx = info.context
    return scores_hidden_from(ctx.db.get(WorkshopModel, run.workshop_id), is_admin=ctx.is_admin)


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

    training_run = graphene.Field(TrainingRun, id=graphene.ID(required=True),
                                  description="One of the group's training runs (NOT_FOUND for any other)")

    def resolve_training_run(root, info, id):
        ctx = info.context
        group = ctx.require_group()
        run = ctx.db.get(TrainingRunModel, id)
        if run is None or run.group_id != group.id:
            raise NotFound("Unknown training run.")
        return run


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

    export_model = graphene.Field(
        TrainingRun, run_id=graphene.ID(required=True),
        description="Make the run's take-home files now (bff/exports.py), so the first load from Scratch is "
                    "quick; answers the run, with exportUrl. The group's own runs (an instructor: any run "
                    "of their workshops). NOT_FOUND: another group's run or a purged workshop; "
                    "FAILED_PRECONDITION: the run did not succeed")

    def resolve_export_model(root, info, run_id):
        from ..exports import check_exportable, ensure_export

        ctx = info.context
        if ctx.is_admin:
            run = ctx.run_for_admin(run_id)
        else:
            group = ctx.require_group()
            run = ctx.db.get(TrainingRunModel, run_id)
            if run is None or run.group_id != group.id:
                raise NotFound("Unknown training run.")
        ensure_export(ctx.db, check_exportable(ctx.db, run))
        return run
