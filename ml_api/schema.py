"""The ML API's GraphQL schema (docs/design.md, "ML API GraphQL"); resolvers stay thin and
call the service object in ``info.context.service``."""

from __future__ import annotations

import graphene
from graphene.types.generic import GenericScalar
import numpy as np

from pictolab.graphql import ApiError

from .backbones import BackboneUnavailable
from .data import ImageLoadError, key_for_uri
from .jobs import SUCCEEDED, QueueFull, ShuttingDown
from .training_request import InvalidRequest, validate_run_id


class TrainingMode(graphene.Enum):
    QUICK = "QUICK"
    DEEP = "DEEP"


class JobStatus(graphene.Enum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


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
    error = graphene.String()
    model_uri = graphene.String()
    mode = TrainingMode()
    backbone = graphene.String()
    heartbeat_at = graphene.String()
    updated_at = graphene.String()
    attempt = graphene.Int(description="1 for the first attempt, +1 per resume after an interruption")
    resumed_from_epoch = graphene.Int(description="DEEP: the checkpoint epoch this attempt started from")
    epochs_run = graphene.Int(description="DEEP: epochs trained by this attempt")
    interrupted = graphene.Boolean()

    @staticmethod
    def from_status(status: dict) -> TrainingJob:
        return TrainingJob(
            run_id=status["runId"], status=status["status"], progress=float(status.get("progress") or 0.0),
            epoch=status.get("epoch"), epochs=status.get("epochs"), train_accuracy=status.get("trainAccuracy"),
            error=status.get("error"), model_uri=status.get("modelUri"), mode=status.get("mode"),
            backbone=status.get("backbone"), heartbeat_at=status.get("heartbeat"),
            updated_at=status.get("updatedAt"), attempt=status.get("attempt"),
            resumed_from_epoch=status.get("resumedFromEpoch"), epochs_run=status.get("epochsRun"),
            interrupted=bool(status.get("interrupted")))


class PredictInput(graphene.InputObjectType):
    run_id = graphene.ID(required=True)
    image_uri = graphene.String(required=True)


class LabelScore(graphene.ObjectType):
    label = graphene.String(required=True)
    confidence = graphene.Float(required=True)


class Prediction(graphene.ObjectType):
    label = graphene.String(required=True)
    confidence = graphene.Float(required=True)
    scores = graphene.List(graphene.NonNull(LabelScore), required=True)


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


class Health(graphene.ObjectType):
    device = graphene.String(required=True)
    device_name = graphene.String()
    backbone = graphene.String(required=True)
    ready = graphene.Boolean(required=True)


# ---- helpers ------------------------------------------------------------------------------
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
    training_job = graphene.Field(TrainingJob, run_id=graphene.ID(required=True))
    health = graphene.Field(Health, required=True)

    @staticmethod
    def resolve_training_job(root, info, run_id):
        status = _service(info).jobs.read_status(_run_id(run_id))
        if status is None:
            raise ApiError(f"unknown run {run_id}", "NOT_FOUND")
        return TrainingJob.from_status(status)

    @staticmethod
    def resolve_health(root, info):
        service = _service(info)
        return Health(device=service.device.type, device_name=service.device_name,
                      backbone=service.settings.ml_backbone, ready=service.ready)


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
            probabilities = model.probabilities(service.storage, [(input.image_uri, key)], use_cache=False,
                                                max_pixels=service.settings.max_image_pixels)[0]
        except ImageLoadError as exc:
            raise ApiError(str(exc), "BAD_USER_INPUT") from None
        order = np.argsort(-probabilities, kind="stable")
        scores = [LabelScore(label=model.classes[i], confidence=float(probabilities[i])) for i in order]
        return Prediction(label=scores[0].label, confidence=scores[0].confidence, scores=scores)


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
            probabilities = model.probabilities(service.storage, items, use_cache=True,
                                                max_pixels=service.settings.max_image_pixels)
        except ImageLoadError as exc:
            raise ApiError(str(exc), "BAD_USER_INPUT") from None
        predicted = probabilities.argmax(1)
        truth = np.array([labels.index(e.label) for e in input.examples])
        confusion = np.zeros((len(labels), len(labels)), dtype=int)
        np.add.at(confusion, (truth, predicted), 1)
        per_class = []
        for i, label in enumerate(labels):
            count = int(confusion[i].sum())
            per_class.append({"label": label, "count": count,
                              "accuracy": float(confusion[i, i] / count) if count else None})
        misclassified = [Misclassified(uri=e.uri, label=e.label, predicted=labels[p])
                         for e, p, t in zip(input.examples, predicted, truth) if p != t]
        return Evaluation(run_id=run_id, accuracy=float((predicted == truth).mean()), labels=labels,
                          per_class=per_class, confusion=confusion.tolist(), misclassified=misclassified)


class Mutation(graphene.ObjectType):
    start_training = StartTraining.Field(required=True)
    predict = Predict.Field(required=True)
    evaluate = Evaluate.Field(required=True)


def build_schema() -> graphene.Schema:
    return graphene.Schema(query=Query, mutation=Mutation)
