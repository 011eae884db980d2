"""The ML API's GraphQL schema (docs/design.md, "ML API GraphQL"); resolvers stay thin and
call the service object in ``info.context.service``."""

from __future__ import annotations

import graphene
import numpy as np
from graphene.types.generic import GenericScalar

from pictolab.contract.errors import BadInput, FailedPrecondition, NotFound
from pictolab.contract.jobs import JobErrorCode
from pictolab.contract.jobs import JobStatus as JobStatusValue

from .backbones import BackboneUnavailable, UnknownBackbone, get_spec
from .data import ImageLoadError, key_for_uri
from .engine import evaluate
from .export.graphql import ExportModel
from .job_kinds import evaluation_json
from .queue import SUCCEEDED, ScopeDeleted, iso
from .training_request import MAX_EXAMPLES, InvalidRequest, parse_examples, validate_run_id


class TrainingMode(graphene.Enum):
    QUICK = "QUICK"
    DEEP = "DEEP"


JobStatus = graphene.Enum.from_enum(JobStatusValue)
JobErrorCodeEnum = graphene.Enum.from_enum(JobErrorCode, description="Why a FAILED job failed")


class ExampleInput(graphene.InputObjectType):
    uri = graphene.String(required=True)
    label = graphene.String(required=True)


class StartTrainingInput(graphene.InputObjectType):
    run_id = graphene.ID(required=True)
    classes = graphene.List(graphene.NonNull(graphene.String), required=True)
    examples = graphene.List(graphene.NonNull(ExampleInput), required=True)
    mode = TrainingMode(default_value="QUICK")
    backbone = graphene.String()
    epochs = graphene.Int(description="DEEP: number of epochs (default: PICTOLAB_ML_DEEP_EPOCHS)")
    image_size = graphene.Int(description="DEEP: training/serving image size in px (default: the backbone's)")
    scope = graphene.String(description="what the run belongs to (the BFF's workshop id): deleteJobs(scope) "
                                        "deletes it")
    test_examples = graphene.List(graphene.NonNull(ExampleInput),
                                  description="the hidden test photos: the job scores its model on them "
                                              "right after training (TrainingJob.evaluation)")


class TrainingJob(graphene.ObjectType):
    run_id = graphene.ID(required=True)
    status = JobStatus(required=True)
    progress = graphene.Float(required=True)
    epoch = graphene.Int()
    epochs = graphene.Int()
    train_accuracy = graphene.Float()
    error = graphene.String(description="What went wrong, in words (names the photo or the cause)")
    error_code = JobErrorCodeEnum(description="What went wrong, as a code: branch on this, not on `error`")
    model_uri = graphene.String()
    mode = TrainingMode()
    backbone = graphene.String()
    heartbeat_at = graphene.String()
    updated_at = graphene.String()
    attempt = graphene.Int(description="1 for the first attempt, +1 per resume after an interruption")
    resumed_from_epoch = graphene.Int(description="DEEP: the checkpoint epoch this attempt started from")
    epochs_run = graphene.Int(description="DEEP: epochs trained by this attempt")
    interrupted = graphene.Boolean()
    worker = graphene.String(description="the replica (hostname:pid) that runs or ran the job")

    evaluation = graphene.Field(lambda: Evaluation, description="the model on the testExamples; null until "
                                                                "SUCCEEDED, and without testExamples")
    evaluation_error = graphene.String(description="SUCCEEDED, but the testExamples could not be scored: why")
    analysis = graphene.Field(lambda: RunAnalysis, description="confusing photos and per-class sureness; "
                                                       "null until the run succeeded")

    @staticmethod
    def from_row(row: dict) -> TrainingJob:
        result = row.get("result") or {}
        evaluation = result.get("evaluation")
        analysis = result.get("analysis")
        return TrainingJob(
            run_id=row["id"], status=row["status"], progress=float(row.get("progress") or 0.0),
            epoch=row.get("epoch"), epochs=row.get("epochs"), train_accuracy=row.get("train_accuracy"),
            error=row.get("error"), error_code=row.get("error_code"), model_uri=row.get("model_uri"),
            mode=(row.get("payload") or {}).get("request", {}).get("mode"),
            backbone=(row.get("payload") or {}).get("request", {}).get("backbone"),
            heartbeat_at=iso(row.get("heartbeat_at")), updated_at=iso(row.get("updated_at")),
            attempt=row.get("attempt"), resumed_from_epoch=row.get("resumed_from_epoch"),
            epochs_run=row.get("epochs_run"), interrupted=bool(row.get("interrupted")), worker=row.get("worker"),
            evaluation=Evaluation.from_json(row["id"], evaluation) if evaluation and row["status"] == SUCCEEDED
            else None,
            evaluation_error=result.get("evaluationError") if row["status"] == SUCCEEDED else None,
            analysis=RunAnalysis.from_json(analysis) if analysis and row["status"] == SUCCEEDED else None)


class PredictInput(graphene.InputObjectType):
    run_id = graphene.ID(required=True)
    image_uri = graphene.String(required=True)


class LabelScore(graphene.ObjectType):
    label = graphene.String(required=True)
    confidence = graphene.Float(required=True)


class Heatmap(graphene.ObjectType):
    """Where the model looked for the predicted class (ml_api.explain): row-major from the
    top-left over the whole photo as sent, values in [0, 1], at least 7 x 7; 0 outside the
    centre crop the model sees."""

    width = graphene.Int(required=True)
    height = graphene.Int(required=True)
    values = graphene.List(graphene.NonNull(graphene.Float), required=True)


class Prediction(graphene.ObjectType):
    label = graphene.String(required=True)
    confidence = graphene.Float(required=True)
    scores = graphene.List(graphene.NonNull(LabelScore), required=True)
    heatmap = graphene.Field(Heatmap, description="QUICK: class activation map; DEEP: Grad-CAM")


class ConfusingPhoto(graphene.ObjectType):
    uri = graphene.String(required=True)
    label = graphene.String(required=True, description="the class the group put it in")
    predicted = graphene.String(required=True, description="the class a model trained without it chose")
    confidence = graphene.Float(required=True)


class ClassSureness(graphene.ObjectType):
    label = graphene.String(required=True)
    count = graphene.Int(required=True)
    sure = graphene.Float(description="mean cross-validated probability of the class on its own photos; "
                                      "null with a single photo")
    accuracy = graphene.Float(description="cross-validated accuracy on the class's photos")


class RunAnalysis(graphene.ObjectType):
    """The run's own training photos, cross-validated on frozen embeddings (ml_api.analysis)."""

    method = graphene.String(required=True)
    folds = graphene.Int(required=True)
    threshold = graphene.Float(required=True, description="confidence from which a photo counts as confusing")
    confusing = graphene.List(graphene.NonNull(ConfusingPhoto), required=True)
    per_class = graphene.List(graphene.NonNull(ClassSureness), required=True)

    @staticmethod
    def from_json(data: dict) -> RunAnalysis:
        return RunAnalysis(method=data["method"], folds=data["folds"], threshold=data["threshold"],
                           confusing=[ConfusingPhoto(**row) for row in data["confusing"]],
                           per_class=[ClassSureness(**row) for row in data["perClass"]])


class EvaluateInput(graphene.InputObjectType):
    run_id = graphene.ID(required=True)
    examples = graphene.List(graphene.NonNull(ExampleInput), required=True)


class Misclassified(graphene.ObjectType):
    uri = graphene.String(required=True)
    label = graphene.String(required=True)
    predicted = graphene.String(required=True)


class Evaluation(graphene.ObjectType):
    run_id = graphene.ID(required=True)
    accuracy = graphene.Float(required=True)
    labels = graphene.List(graphene.NonNull(graphene.String), required=True)
    # A JSON list, so `evaluate { accuracy perClass confusion }` (the contract's words) is a
    # complete query: [{label, accuracy, count}] in `labels` order.
    per_class = GenericScalar(required=True, description="[{label, accuracy, count}] in `labels` order")
    confusion = graphene.List(graphene.NonNull(graphene.List(graphene.NonNull(graphene.Int))), required=True,
                              description="rows: true label, columns: predicted, in `labels` order")
    misclassified = graphene.List(graphene.NonNull(Misclassified), required=True)

    @staticmethod
    def from_json(run_id: str, data: dict) -> Evaluation:
        return Evaluation(run_id=run_id, accuracy=data["accuracy"], labels=data["labels"],
                          per_class=data["perClass"], confusion=data["confusion"],
                          misclassified=[Misclassified(**row) for row in data["misclassified"]])


class PhotoHintsInput(graphene.InputObjectType):
    key = graphene.ID(required=True, description="what the hints are for (the BFF's group id): one job per key")
    signature = graphene.String(required=True, description="the caller's name for this photo set: the same "
                                                           "signature returns the job as it is, a new one "
                                                           "queues it again")
    scope = graphene.String(description="the BFF's workshop id: deleteJobs(scope) deletes it")
    examples = graphene.List(graphene.NonNull(ExampleInput), required=True)
    classes = graphene.List(graphene.NonNull(graphene.String),
                            description="every class of the group (default: the examples' labels)")
    backbone = graphene.String()


class PhotoHint(graphene.ObjectType):
    uri = graphene.String(required=True)
    codes = graphene.List(graphene.NonNull(graphene.String), required=True,
                          description="TOO_DARK, BLURRY, NEAR_DUPLICATE (ml_api.hints)")
    brightness = graphene.Float(required=True)
    sharpness = graphene.Float(required=True)
    duplicate_of = graphene.List(graphene.NonNull(graphene.String), required=True)


class ClassPairHint(graphene.ObjectType):
    a = graphene.String(required=True)
    b = graphene.String(required=True)
    overlap = graphene.Float(required=True, description="share of the two classes' photos nearer the other one")
    code = graphene.String(required=True, description="CLASSES_LOOK_ALIKE")


class PhotoHints(graphene.ObjectType):
    photos = graphene.List(graphene.NonNull(PhotoHint), required=True, description="in the examples' order")
    class_pairs = graphene.List(graphene.NonNull(ClassPairHint), required=True,
                                description="only the pairs that look alike")


class PhotoHintsJob(graphene.ObjectType):
    key = graphene.ID(required=True)
    signature = graphene.String(required=True, description="the photo set the job is (or will be) computed for")
    status = JobStatus(required=True)
    error = graphene.String()
    result = graphene.Field(PhotoHints, description="null until SUCCEEDED")

    @staticmethod
    def from_row(key: str, row: dict) -> PhotoHintsJob:
        data = row.get("result") if row["status"] == SUCCEEDED else None
        result = None
        if data:
            result = PhotoHints(
                photos=[PhotoHint(uri=h["uri"], codes=h["codes"], brightness=h["brightness"],
                                  sharpness=h["sharpness"], duplicate_of=h["duplicateOf"]) for h in data["photos"]],
                class_pairs=[ClassPairHint(**pair) for pair in data["classPairs"]])
        return PhotoHintsJob(key=key, signature=row.get("signature") or "", status=row["status"],
                             error=row.get("error"), result=result)


class Health(graphene.ObjectType):
    device = graphene.String(required=True)
    device_name = graphene.String()
    backbone = graphene.String(required=True)
    ready = graphene.Boolean(required=True)
    queued = graphene.Int(required=True, description="training jobs waiting for a worker (every replica)")
    running = graphene.Int(required=True, description="training jobs being trained (every replica)")
    capacity = graphene.Int(required=True, description="jobs this replica runs at once (its worker slots)")
    worker = graphene.String(required=True, description="this replica, hostname:pid (as TrainingJob.worker)")
    oldest_queued_seconds = graphene.Float(required=True, description="age of the oldest queued job (0: none): "
                                                                      "alert when it grows")


# ---- helpers ------------------------------------------------------------------------------
def _service(info):
    return info.context.service


def _run_id(value) -> str:
    try:
        return validate_run_id(value)
    except InvalidRequest as exc:
        raise BadInput(str(exc)) from None


def _finished_model(service, run_id: str):
    return service.finished_model(run_id)


def _key(service, uri: str, where: str) -> str:
    try:
        return key_for_uri(service.storage, uri)
    except ValueError as exc:
        raise BadInput(f"{where}: {exc}") from None


# ---- operations ---------------------------------------------------------------------------
class Query(graphene.ObjectType):
    training_job = graphene.Field(TrainingJob, run_id=graphene.ID(required=True))
    training_jobs = graphene.Field(graphene.List(graphene.NonNull(TrainingJob)), required=True,
                                   run_ids=graphene.List(graphene.NonNull(graphene.ID), required=True),
                                   description="many at once (unknown ids are left out): the BFF asks for all "
                                               "its active runs in one call")
    health = graphene.Field(Health, required=True)

    @staticmethod
    def resolve_training_job(root, info, run_id):
        row = _service(info).queue.get(_run_id(run_id))
        if row is None:
            raise NotFound(f"unknown run {run_id}")
        return TrainingJob.from_row(row)

    @staticmethod
    def resolve_training_jobs(root, info, run_ids):
        if len(run_ids) > MAX_EXAMPLES:
            raise BadInput(f"at most {MAX_EXAMPLES} runIds")
        return [TrainingJob.from_row(row) for row in _service(info).queue.get_many([_run_id(r) for r in run_ids])]

    @staticmethod
    def resolve_health(root, info):
        service = _service(info)
        stats = service.queue.stats()
        return Health(device=service.device.type, device_name=service.device_name,
                      backbone=service.settings.ml_backbone, ready=service.ready,
                      capacity=service.settings.ml_gpu_concurrency, worker=service.worker,
                      queued=stats["queued"], running=stats["running"],
                      oldest_queued_seconds=stats["oldestQueuedSeconds"])


class StartTraining(graphene.Mutation):
    class Arguments:
        input = StartTrainingInput(required=True)

    Output = TrainingJob

    @staticmethod
    def mutate(root, info, input):
        data = {"runId": input.run_id, "classes": list(input.classes),
                "examples": [{"uri": e.uri, "label": e.label} for e in input.examples],
                "testExamples": [{"uri": e.uri, "label": e.label} for e in input.test_examples or []],
                "mode": input.mode.value if hasattr(input.mode, "value") else input.mode,
                "backbone": input.backbone, "epochs": input.epochs, "imageSize": input.image_size,
                "scope": input.scope}
        try:
            return TrainingJob.from_row(_service(info).start_training(data))
        except (InvalidRequest, ScopeDeleted) as exc:
            raise BadInput(str(exc)) from None
        except BackboneUnavailable as exc:
            raise FailedPrecondition(str(exc)) from None


class Predict(graphene.Mutation):
    class Arguments:
        input = PredictInput(required=True)

    Output = Prediction

    @staticmethod
    def mutate(root, info, input):
        service = _service(info)
        run_id = _run_id(input.run_id)
        key = _key(service, input.image_uri, "imageUri")
        model = _finished_model(service, run_id)
        try:
            probabilities, heatmap = model.explain(service.storage, input.image_uri, key,
                                                   max_pixels=service.settings.max_image_pixels)
        except ImageLoadError as exc:
            raise BadInput(str(exc)) from None
        order = np.argsort(-probabilities, kind="stable")
        scores = [LabelScore(label=model.classes[i], confidence=float(probabilities[i])) for i in order]
        return Prediction(label=scores[0].label, confidence=scores[0].confidence, scores=scores,
                          heatmap=Heatmap(**heatmap.as_dict()))


class Evaluate(graphene.Mutation):
    class Arguments:
        input = EvaluateInput(required=True)

    Output = Evaluation

    @staticmethod
    def mutate(root, info, input):
        service = _service(info)
        run_id = _run_id(input.run_id)
        if not input.examples:
            raise BadInput("evaluate needs at least one example")
        items = [(e.uri, _key(service, e.uri, f"examples[{i}]")) for i, e in enumerate(input.examples)]
        model = _finished_model(service, run_id)
        labels = model.classes
        for i, example in enumerate(input.examples):
            if example.label not in labels:
                raise BadInput(f"examples[{i}]: label {example.label!r} is not one of the run's classes")
        try:
            # Test photos are scored again and again (scoreboard): cache their embeddings.
            result = evaluate(model, service.storage, items, [e.label for e in input.examples], use_cache=True,
                              max_pixels=service.settings.max_image_pixels)
        except ImageLoadError as exc:
            raise BadInput(str(exc)) from None
        examples = [{"uri": e.uri, "label": e.label} for e in input.examples]
        return Evaluation.from_json(run_id, evaluation_json(result, examples))


class PhotoHintsMutation(graphene.Mutation):
    """Hints for one group's photos (ml_api.hints), as a low-priority job coalesced per
    ``key``: answers at once with the job; ask again until its result is there."""

    class Arguments:
        input = PhotoHintsInput(required=True)

    Output = PhotoHintsJob

    @staticmethod
    def mutate(root, info, input):
        service = _service(info)
        if not input.examples:
            raise BadInput("photoHints needs at least one example")
        labels = [e.label for e in input.examples]
        classes = list(input.classes) if input.classes else list(dict.fromkeys(labels))
        if len(set(classes)) != len(classes):
            raise BadInput("classes must be unique")
        raw = [{"uri": e.uri, "label": e.label} for e in input.examples]
        backbone = input.backbone or service.settings.ml_backbone
        try:
            parse_examples(raw, service.storage, classes, "examples")
            get_spec(backbone)
            row = service.request_hints(input.key, input.signature,
                                        {"examples": raw, "classes": classes, "backbone": backbone}, input.scope)
        except (InvalidRequest, UnknownBackbone, ScopeDeleted) as exc:
            raise BadInput(str(exc)) from None
        return PhotoHintsJob.from_row(input.key, row)


class EmbedPhotosInput(graphene.InputObjectType):
    uris = graphene.List(graphene.NonNull(graphene.String), required=True)
    backbone = graphene.String(description="default: the ML API's default backbone")
    scope = graphene.String(description="the BFF's workshop id: deleteJobs(scope) deletes these jobs")


class EmbedPhotosResult(graphene.ObjectType):
    accepted = graphene.Int(required=True, description="uris queued now (those sent before are left as they are)")
    queued = graphene.Int(required=True, description="training jobs waiting for a worker")


class EmbedPhotos(graphene.Mutation):
    """Eager embeddings: one low-priority EMBED job per stored photo (and backbone); the
    rows are durable, so each photo is sent once. Answers at once."""

    class Arguments:
        input = EmbedPhotosInput(required=True)

    Output = EmbedPhotosResult

    @staticmethod
    def mutate(root, info, input):
        service = _service(info)
        if len(input.uris) > MAX_EXAMPLES:
            raise BadInput(f"at most {MAX_EXAMPLES} uris")
        backbone = input.backbone or service.settings.ml_backbone
        try:
            get_spec(backbone)
        except UnknownBackbone as exc:
            raise BadInput(str(exc)) from None
        items = [(uri, _key(service, uri, f"uris[{i}]")) for i, uri in enumerate(input.uris)]
        try:
            accepted = service.embed_photos(items, backbone, input.scope)
        except ScopeDeleted as exc:
            raise BadInput(str(exc)) from None
        return EmbedPhotosResult(accepted=accepted, queued=service.queue.stats()["queued"])


class DeleteJobs(graphene.Mutation):
    """A purge: every job of ``scope`` (the BFF's workshop id) is deleted, and the scope can
    take no job again. A worker on one of them stops and removes what it wrote."""

    class Arguments:
        scope = graphene.String(required=True)

    Output = graphene.Int

    @staticmethod
    def mutate(root, info, scope):
        if not scope or len(scope) > 64:
            raise BadInput("scope must be 1-64 characters")
        return _service(info).queue.delete_scope(scope)


class Mutation(graphene.ObjectType):
    start_training = StartTraining.Field(required=True)
    embed_photos = EmbedPhotos.Field(required=True)
    predict = Predict.Field(required=True)
    evaluate = Evaluate.Field(required=True)
    photo_hints = PhotoHintsMutation.Field(required=True)
    export_model = ExportModel.Field(required=True)  # ml_api/export: a run as a TM image model
    delete_jobs = DeleteJobs.Field(required=True)


def build_schema() -> graphene.Schema:
    return graphene.Schema(query=Query, mutation=Mutation)
