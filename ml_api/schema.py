"""The ML API's GraphQL schema (docs/design.md, "ML API GraphQL"); resolvers stay thin and
call the service object in ``info.context.service``."""

from __future__ import annotations

import graphene
import numpy as np
from graphene.types.generic import GenericScalar

from pictolab.contract.jobs import JobErrorCode
from pictolab.contract.jobs import JobStatus as JobStatusValue
from pictolab.contract.storage_keys import analysis_key
from pictolab.graphql import ApiError

from .backbones import BackboneUnavailable, UnknownBackbone, get_spec
from .data import ImageLoadError, key_for_uri
from .engine import evaluate
from .hints import group_hints
from .jobs import SUCCEEDED, QueueFull, ShuttingDown
from .training_request import MAX_EXAMPLES, InvalidRequest, validate_run_id


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
    epochs = graphene.Int(description="DEEP: number of epochs (default 5)")
    image_size = graphene.Int(description="DEEP: training/serving image size in px (default: the backbone's)")


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

    @staticmethod
    def from_status(status: dict) -> TrainingJob:
        return TrainingJob(
            run_id=status["runId"], status=status["status"], progress=float(status.get("progress") or 0.0),
            epoch=status.get("epoch"), epochs=status.get("epochs"), train_accuracy=status.get("trainAccuracy"),
            error=status.get("error"), error_code=status.get("errorCode"), model_uri=status.get("modelUri"), mode=status.get("mode"),
            backbone=status.get("backbone"), heartbeat_at=status.get("heartbeat"),
            updated_at=status.get("updatedAt"), attempt=status.get("attempt"),
            resumed_from_epoch=status.get("resumedFromEpoch"), epochs_run=status.get("epochsRun"),
            interrupted=bool(status.get("interrupted")), worker=_worker(status))

    analysis = graphene.Field(lambda: RunAnalysis, description="confusing photos and per-class sureness; "
                                                       "null until the run succeeded")

    @staticmethod
    def resolve_analysis(root, info):
        if root.status != SUCCEEDED:
            return None
        data = _service(info).storage.get_json_or_none(analysis_key(root.run_id))
        return None if data is None else RunAnalysis.from_json(data)


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


class PhotoHintsInput(graphene.InputObjectType):
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


class Health(graphene.ObjectType):
    device = graphene.String(required=True)
    device_name = graphene.String()
    backbone = graphene.String(required=True)
    ready = graphene.Boolean(required=True)
    # This replica's load: the BFF sends each new run to the least-loaded replica.
    queued = graphene.Int(required=True, description="jobs accepted here, waiting for a worker")
    running = graphene.Int(required=True, description="jobs training here now")
    capacity = graphene.Int(required=True, description="jobs this replica trains at once")
    worker = graphene.String(required=True, description="this replica, hostname:pid (as TrainingJob.worker)")


# ---- helpers ------------------------------------------------------------------------------
def _worker(status: dict) -> str | None:
    if status.get("worker"):
        return status["worker"]
    owner = status.get("owner") or {}  # a status written before `worker` existed
    return f"{owner['host']}:{owner['pid']}" if owner.get("host") and owner.get("pid") else None


def _service(info):
    return info.context.service


def _run_id(value) -> str:
    try:
        return validate_run_id(value)
    except InvalidRequest as exc:
        raise ApiError(str(exc), "BAD_USER_INPUT") from None


def _finished_model(service, run_id: str):
    status = service.jobs.read_status(run_id)
    if status is None:
        raise ApiError(f"unknown run {run_id}", "NOT_FOUND")
    if status.get("status") != SUCCEEDED:
        raise ApiError(f"run {run_id} has not succeeded (status {status.get('status')})", "FAILED_PRECONDITION")
    return service.model(run_id)


def _key(service, uri: str, where: str) -> str:
    try:
        return key_for_uri(service.storage, uri)
    except ValueError as exc:
        raise ApiError(f"{where}: {exc}", "BAD_USER_INPUT") from None


# ---- operations ---------------------------------------------------------------------------
class Query(graphene.ObjectType):
    training_job = graphene.Field(
        TrainingJob, run_id=graphene.ID(required=True),
        wait_seconds=graphene.Float(description="long poll: answer when the status changes from "
                                                "`seenStatus` (or progress moves), at most this long "
                                                "(capped at 5 s; ml_api/job_wait.py)"),
        seen_status=JobStatus(description="the status the caller last saw (default: the current one)"))
    health = graphene.Field(Health, required=True)

    @staticmethod
    def resolve_training_job(root, info, run_id, wait_seconds=None, seen_status=None):
        service = _service(info)
        if wait_seconds:
            seen = getattr(seen_status, "value", seen_status)
            status = service.waiter.wait(_run_id(run_id), float(wait_seconds), seen)
        else:
            status = service.jobs.read_status(_run_id(run_id))
        if status is None:
            raise ApiError(f"unknown run {run_id}", "NOT_FOUND")
        return TrainingJob.from_status(status)

    @staticmethod
    def resolve_health(root, info):
        service = _service(info)
        return Health(device=service.device.type, device_name=service.device_name,
                      backbone=service.settings.ml_backbone, ready=service.ready, **service.jobs.load())


class StartTraining(graphene.Mutation):
    class Arguments:
        input = StartTrainingInput(required=True)

    Output = TrainingJob

    @staticmethod
    def mutate(root, info, input):
        data = {"runId": input.run_id, "classes": list(input.classes),
                "examples": [{"uri": e.uri, "label": e.label} for e in input.examples],
                "mode": input.mode.value if hasattr(input.mode, "value") else input.mode,
                "backbone": input.backbone, "epochs": input.epochs, "imageSize": input.image_size}
        try:
            return TrainingJob.from_status(_service(info).jobs.start(data))
        except InvalidRequest as exc:
            raise ApiError(str(exc), "BAD_USER_INPUT") from None
        except BackboneUnavailable as exc:
            raise ApiError(str(exc), "FAILED_PRECONDITION") from None
        except (ShuttingDown, QueueFull) as exc:  # the BFF retries UNAVAILABLE later
            raise ApiError(str(exc), "UNAVAILABLE") from None


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
            raise ApiError(str(exc), "BAD_USER_INPUT") from None
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
            raise ApiError("evaluate needs at least one example", "BAD_USER_INPUT")
        items = [(e.uri, _key(service, e.uri, f"examples[{i}]")) for i, e in enumerate(input.examples)]
        model = _finished_model(service, run_id)
        labels = model.classes
        for i, example in enumerate(input.examples):
            if example.label not in labels:
                raise ApiError(f"examples[{i}]: label {example.label!r} is not one of the run's classes",
                               "BAD_USER_INPUT")
        try:
            # Test photos are scored again and again (scoreboard): cache their embeddings.
            result = evaluate(model, service.storage, items, [e.label for e in input.examples], use_cache=True,
                              max_pixels=service.settings.max_image_pixels)
        except ImageLoadError as exc:
            raise ApiError(str(exc), "BAD_USER_INPUT") from None
        misclassified = [Misclassified(uri=input.examples[i].uri, label=input.examples[i].label,
                                       predicted=result.predicted[i]) for i in result.misclassified]
        return Evaluation(run_id=run_id, accuracy=result.accuracy, labels=result.labels,
                          per_class=result.per_class, confusion=result.confusion, misclassified=misclassified)


class PhotoHintsMutation(graphene.Mutation):
    """Hints for one group's photos (ml_api.hints); embeddings are cached for later runs."""

    class Arguments:
        input = PhotoHintsInput(required=True)

    Output = PhotoHints

    @staticmethod
    def mutate(root, info, input):
        service = _service(info)
        if not input.examples:
            raise ApiError("photoHints needs at least one example", "BAD_USER_INPUT")
        if len(input.examples) > MAX_EXAMPLES:
            raise ApiError(f"at most {MAX_EXAMPLES} examples", "BAD_USER_INPUT")
        labels = [e.label for e in input.examples]
        classes = list(input.classes) if input.classes else list(dict.fromkeys(labels))
        if len(set(classes)) != len(classes):
            raise ApiError("classes must be unique", "BAD_USER_INPUT")
        for i, label in enumerate(labels):
            if label not in classes:
                raise ApiError(f"examples[{i}]: label {label!r} is not one of the classes", "BAD_USER_INPUT")
        items = [(e.uri, _key(service, e.uri, f"examples[{i}]")) for i, e in enumerate(input.examples)]
        backbone = input.backbone or service.settings.ml_backbone
        try:
            get_spec(backbone).check_available()
            photos, pairs = group_hints(service.storage, items, labels, classes, backbone, service.device,
                                        max_pixels=service.settings.max_image_pixels)
        except UnknownBackbone as exc:
            raise ApiError(str(exc), "BAD_USER_INPUT") from None
        except BackboneUnavailable as exc:
            raise ApiError(str(exc), "FAILED_PRECONDITION") from None
        except ImageLoadError as exc:
            raise ApiError(str(exc), "BAD_USER_INPUT") from None
        return PhotoHints(
            photos=[PhotoHint(uri=h.uri, codes=h.codes, brightness=h.brightness, sharpness=h.sharpness,
                              duplicate_of=h.duplicate_of) for h in photos],
            class_pairs=[ClassPairHint(a=p.a, b=p.b, overlap=p.overlap, code=p.code) for p in pairs])


class EmbedPhotosInput(graphene.InputObjectType):
    uris = graphene.List(graphene.NonNull(graphene.String), required=True)
    backbone = graphene.String(description="default: the ML API's default backbone")


class EmbedPhotosResult(graphene.ObjectType):
    cached = graphene.List(graphene.NonNull(graphene.String), required=True,
                           description="the uris whose embeddings are cached (or that are gone): done")
    accepted = graphene.Int(required=True, description="uris queued (or already queued) for embedding")
    queued = graphene.Int(required=True, description="photos waiting in this replica's queue")


class EmbedPhotos(graphene.Mutation):
    """Eager embeddings (ml_api/embed_queue.py): enqueue stored photos for background
    embedding and answer at once; send again later to learn which are cached."""

    class Arguments:
        input = EmbedPhotosInput(required=True)

    Output = EmbedPhotosResult

    @staticmethod
    def mutate(root, info, input):
        service = _service(info)
        if len(input.uris) > MAX_EXAMPLES:
            raise ApiError(f"at most {MAX_EXAMPLES} uris", "BAD_USER_INPUT")
        backbone = input.backbone or service.settings.ml_backbone
        try:
            get_spec(backbone)
        except UnknownBackbone as exc:
            raise ApiError(str(exc), "BAD_USER_INPUT") from None
        items = [(uri, _key(service, uri, f"uris[{i}]")) for i, uri in enumerate(input.uris)]
        return EmbedPhotosResult(**service.embedder.submit(items, backbone))


class Mutation(graphene.ObjectType):
    start_training = StartTraining.Field(required=True)
    embed_photos = EmbedPhotos.Field(required=True)
    predict = Predict.Field(required=True)
    evaluate = Evaluate.Field(required=True)
    photo_hints = PhotoHintsMutation.Field(required=True)


def build_schema() -> graphene.Schema:
    return graphene.Schema(query=Query, mutation=Mutation)
