"""The ML API's per-app state: settings, storage, device, the job queue and this process's
workers, the model LRU and the readiness of the default backbone (loaded in a background thread so gunicorn boots fast).

With ``PICTOLAB_ML_DEVICE=cuda`` and no usable CUDA the process still starts (a crash loop
would hide the reason from ``kubectl describe``) but never becomes ready: ``device_error`` says
why in ``/readyz`` and in the log, and ``device`` is the CPU it would otherwise compute on."""

from __future__ import annotations

import logging
import threading

import torch

from pictolab.contract.errors import FailedPrecondition, NotFound
from pictolab.settings import Settings
from pictolab.storage import open_storage

from .analysis import analyse_run
from .backbones import BACKBONES, BackboneUnavailable, frozen_backbones, get_spec
from .device import DeviceUnavailable, configure_torch, device_name, resolve_device
from .embeddings import embed_batch_size
from .job_kinds import JobKinds
from .models import LoadedModel, ModelCache, load_model
from .queue import EMBED, HINTS, QUEUED, SUCCEEDED, TRAIN, JobQueue, job_id_for, open_engine
from .trainers import TRAINERS
from .training_request import InvalidRequest, parse_examples, parse_request
from .workers import WorkerPool

log = logging.getLogger(__name__)


class MlService:
    """``start_workers``: False in tests that drive the queue by hand."""

    def __init__(self, settings: Settings, *, start_workers: bool = True, poll_seconds: float | None = None):
        self.settings = settings
        self.storage = open_storage(settings.storage_url)
        self.device_error: str | None = None
        try:
            self.device = resolve_device(settings.ml_device)
        except DeviceUnavailable as exc:
            self.device_error = str(exc)
            self.device = torch.device("cpu")  # what `health` reports: the truth, not the wish
            log.error("%s", exc, extra={"mlDevice": settings.ml_device, "torchCuda": torch.version.cuda})
        configure_torch(self.device)
        self.device_name = device_name(self.device)
        self.models = ModelCache(settings.ml_model_cache_size)
        self.engine = open_engine(settings.ml_database_url)
        self.queue = JobQueue(self.engine, lease_seconds=settings.ml_lease_seconds)
        # Set by create_app: predicts and evaluates running now (the request limiter's count).
        self.heavy_in_flight = lambda: 0
        kinds = JobKinds(trainers=TRAINERS, model=self.model, default_backbone=settings.ml_backbone,
                         analyse=analyse_run)
        extra = {} if poll_seconds is None else {"poll_seconds": poll_seconds}
        self.workers = WorkerPool(
            self.queue, self.storage, self.device, handlers=kinds.handlers(), slots=settings.ml_gpu_concurrency,
            max_image_pixels=settings.max_image_pixels,
            embed_batch=embed_batch_size(self.device),
            # Background work waits while a child waits on this process for an answer. A
            # device that cannot work (no CUDA where it was asked for) takes no job at all.
            busy=lambda: self.heavy_in_flight() > 0, start=start_workers and self.device_error is None,
            **extra)
        self.backbone_error: str | None = None
        self._report_missing_weights()

    @property
    def worker(self) -> str:
        return self.queue.worker

    # ---- enqueueing (the mutations) -------------------------------------------------------
    def start_training(self, data: dict) -> dict:
        """Queue a run (idempotent on its id: an existing job is returned as it is). Raises
        InvalidRequest or BackboneUnavailable, having written nothing; ScopeDeleted for a
        purged workshop."""
        request = parse_request(data, self.storage, self.settings.ml_backbone, self.settings.ml_deep_epochs)
        tests = parse_examples(data.get("testExamples") or [], self.storage, request.classes, "testExamples")
        get_spec(request.backbone).check_available()  # a deployment problem, said at once
        payload = {"request": request.to_json(), "testExamples": [{"uri": e.uri, "label": e.label} for e in tests]}
        row, created = self.queue.enqueue(TRAIN, request.run_id, payload, scope=data.get("scope"),
                                          epochs=request.epochs if request.mode == "DEEP" else None)
        if created:
            self.workers.wake()
        return row

    def embed_photos(self, uris: list[tuple[str, str]], backbone: str, scope: str | None) -> int:
        items = [(job_id_for(EMBED, f"{key}\0{backbone}"), {"uri": uri, "backbone": backbone}) for uri, key in uris]
        accepted = self.queue.enqueue_many(EMBED, items, scope=scope)
        if accepted:
            self.workers.wake()
        return accepted

    def request_hints(self, key: str, signature: str, payload: dict, scope: str | None) -> dict:
        row = self.queue.request_coalesced(HINTS, job_id_for(HINTS, key), signature, payload, scope=scope)
        if row["status"] == QUEUED:
            self.workers.wake()
        return row

    # ---- state --------------------------------------------------------------------------
    def _report_missing_weights(self) -> None:
        """Say at start-up which backbones cannot be selected here (never download them)."""
        for spec in BACKBONES.values():
            try:
                spec.check_available()
            except BackboneUnavailable as exc:
                log.warning("backbone %s unavailable: %s", spec.id, exc, extra={"backbone": spec.id})

    @property
    def ready(self) -> bool:
        return self.device_error is None and frozen_backbones.is_loaded(self.settings.ml_backbone, self.device)

    def load_default_backbone_in_background(self) -> threading.Thread | None:
        if self.device_error is not None:
            return None  # never ready on this device: loading would only spend memory
        thread = threading.Thread(target=self._load_default_backbone, name="load-backbone", daemon=True)
        thread.start()
        return thread

    def _load_default_backbone(self) -> None:
        try:
            frozen_backbones.get(self.settings.ml_backbone, self.device)
            log.info("backbone loaded", extra={"backbone": self.settings.ml_backbone, "device": str(self.device)})
        except Exception as exc:  # noqa: BLE001 (reported by /readyz and logged: the pod stays unready)
            self.backbone_error = f"{exc.__class__.__name__}: {exc}"
            log.error("cannot load the default backbone %s: %s", self.settings.ml_backbone, exc)

    def finished_model(self, run_id: str) -> LoadedModel:
        """The model of a run that succeeded; NotFound for a run the queue does not know (or
        a purged one), FailedPrecondition for one still training or failed."""
        row = self.queue.get(run_id)
        if row is None:
            raise NotFound(f"unknown run {run_id}")
        if row["status"] != SUCCEEDED:
            raise FailedPrecondition(f"run {run_id} has not succeeded (status {row['status']})")
        return self.model(run_id)

    def model(self, run_id: str) -> LoadedModel:
        return self.models.get(run_id, lambda: load_model(self.storage, run_id, self.device))

    def shutdown(self, wait: bool = True) -> None:
        self.workers.shutdown(wait=wait)
        self.engine.dispose()


__all__ = ["InvalidRequest", "MlService"]
