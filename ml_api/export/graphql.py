"""``exportModel``: the ML API's mutation writing a run's Teachable-Machine-style export
(ml_api.export). Kept beside the exporter so ml_api/schema.py only mounts it."""

from __future__ import annotations

import logging

import graphene

from pictolab.contract.errors import BadInput, FailedPrecondition, NotFound

from ..training_request import InvalidRequest, validate_run_id
from . import ExportError, ExportNotFound, ExportUnsupported, export_run

log = logging.getLogger(__name__)


class ExportReactionInput(graphene.InputObjectType):
    emoji = graphene.String()
    sound = graphene.String()
    words = graphene.String()


class ExportLabelInput(graphene.InputObjectType):
    class_id = graphene.String(required=True, description="a class id as startTraining got it")
    name = graphene.String(required=True, description="the name children see, written into metadata.json")
    reaction = graphene.Field(ExportReactionInput, description="the group's reaction to this class, played by "
                              "the model page (metadata.json's pictolab.reactions)")


class ExportModelInput(graphene.InputObjectType):
    run_id = graphene.ID(required=True)
    labels = graphene.List(graphene.NonNull(ExportLabelInput), required=True,
                           description="a name for every class of the run (more are ignored)")
    model_name = graphene.String(description="metadata.json's modelName (default: pictolab-<runId>)")


class ModelExportFile(graphene.ObjectType):
    name = graphene.String(required=True)
    key = graphene.String(required=True)


class ModelExport(graphene.ObjectType):
    run_id = graphene.ID(required=True)
    mode = graphene.String(required=True)
    backbone = graphene.String(required=True)
    labels = graphene.List(graphene.NonNull(graphene.String), required=True, description="in output order")
    class_ids = graphene.List(graphene.NonNull(graphene.String), required=True, description="in output order")
    model_name = graphene.String(required=True)
    time_stamp = graphene.String(required=True)
    files = graphene.List(graphene.NonNull(ModelExportFile), required=True,
                          description="model.json, weights.bin, metadata.json, model.zip: their storage keys")
    shared_weights_key = graphene.String(description="QUICK: the backbone weights every export shares")
    bytes = graphene.Float(required=True, description="bytes written by this call (0 when it was there)")
    seconds = graphene.Float(required=True)
    created = graphene.Boolean(required=True, description="false: the export was already there")


class ExportModel(graphene.Mutation):
    """Write (or find) a succeeded run's export; idempotent."""

    class Arguments:
        input = ExportModelInput(required=True)

    Output = ModelExport

    @staticmethod
    def mutate(root, info, input):
        service = info.context.service
        try:
            run_id = validate_run_id(input.run_id)
        except InvalidRequest as exc:
            raise BadInput(str(exc)) from None
        # The same check predict makes: NOT_FOUND (unknown or purged), FAILED_PRECONDITION.
        service.finished_model(run_id)
        labels = {label.class_id: label.name.strip() for label in input.labels}
        reactions = {label.class_id: dict(label.reaction) if label.reaction else None for label in input.labels}
        try:
            result = export_run(service.storage, run_id, labels, input.model_name or f"pictolab-{run_id[:8]}",
                                exists=lambda: service.queue.get(run_id) is not None,
                                reactions_by_class=reactions)
        except ExportNotFound as exc:
            raise NotFound(str(exc)) from None
        except ExportUnsupported as exc:
            raise FailedPrecondition(str(exc)) from None
        except ExportError as exc:
            raise BadInput(str(exc)) from None
        if result.created:
            log.info("model exported", extra={"runId": run_id, "mode": result.mode, "bytes": result.bytes,
                                              "seconds": round(result.seconds, 3)})
        return ModelExport(
            run_id=run_id, mode=result.mode, backbone=result.backbone, labels=result.labels,
            class_ids=result.class_ids, model_name=result.model_name, time_stamp=result.time_stamp,
            files=[ModelExportFile(name=name, key=key) for name, key in result.keys.items()],
            shared_weights_key=result.shared_weights_key, bytes=float(result.bytes),
            seconds=result.seconds, created=result.created)
