"""The ML API's per-app state: settings, storage, device, job manager, model LRU and the
readiness of the default backbone (loaded in a background thread so gunicorn boots fast).

With ``PICTOLAB_ML_DEVICE=cuda`` and no usable CUDA the process still starts (a crash loop
would hide the reason from ``kubectl describe``) but never becomes ready: ``device_error`` says
why in ``/readyz`` and in the log, and ``device`` is the CPU it would otherwise compute on."""

from __future__ import annotations

import logging
import threading

import torch

from pictolab.settings import Settings
from pictolab.storage import open_storage

from .analysis import analyse_run
from .backbones import BACKBONES, BackboneUnavailable, frozen_backbones
from .device import DeviceUnavailable, configure_torch, device_name, resolve_device
from .embed_queue import EmbedQueue
from .job_wait import JobWaiter
from .jobs import HEARTBEAT_SECONDS, MAX_PENDING_JOBS, STALE_AFTER_SECONDS, JobManager
from .models import LoadedModel, ModelCache, load_model
from .trainers import TRAINERS

log = logging.getLogger(__name__)


class MlService:
    def __init__(self, settings: Settings, *, heartbeat_seconds: float = HEARTBEAT_SECONDS,
                 stale_after_seconds: float = STALE_AFTER_SECONDS, max_pending: int = MAX_PENDING_JOBS,
                 embed_in_background: bool = True):
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
        self.jobs = JobManager(self.storage, self.device, trainers=TRAINERS, workers=settings.ml_gpu_concurrency,
                               default_backbone=settings.ml_backbone, max_image_pixels=settings.max_image_pixels,
                               heartbeat_seconds=heartbeat_seconds, stale_after_seconds=stale_after_seconds,
                               max_pending=max_pending, analyse=analyse_run)
        # Eager embeddings (issue 11): a background thread at low priority, waiting while a
        # child's job or a predict/evaluate runs here. ``heavy_in_flight`` is set by create_app
        # (the request limiter's count).
        self.heavy_in_flight = lambda: 0
        self.embedder = EmbedQueue(self.storage, self.device, default_backbone=settings.ml_backbone,
                                   busy=self.busy, max_pixels=settings.max_image_pixels,
                                   start=embed_in_background)
        self.waiter = JobWaiter(self.jobs)  # trainingJob(runId, waitSeconds): ml_api/job_wait.py
        self.backbone_error: str | None = None
        self._report_missing_weights()

    def busy(self) -> bool:
        """A child is waiting on this process: a job queued or running, or a heavy request."""
        load = self.jobs.load()
        return load["queued"] + load["running"] > 0 or self.heavy_in_flight() > 0

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

    def model(self, run_id: str) -> LoadedModel:
        return self.models.get(run_id, lambda: load_model(self.storage, run_id, self.device))
