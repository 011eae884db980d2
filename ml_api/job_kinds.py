"""What each kind of queued job does (:mod:`ml_api.queue`), run by a worker
(:mod:`ml_api.workers`) that holds its claim.

- ``TRAIN``: train (QUICK or DEEP, resuming a DEEP run from its checkpoint), analyse the
  run's own photos, then score the model on the hidden test photos the request carried while
  it is loaded: the row says SUCCEEDED with its evaluation in one step.
- ``HINTS``: one group's photo hints (:mod:`ml_api.hints`), the result in the row.
- ``EMBED``: a batch of photos' frozen embeddings, cached for their runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from pictolab.contract.jobs import JobErrorCode
from pictolab.contract.storage_keys import checkpoint_key, embeddings_prefix, run_prefix

from .backbones import BackboneUnavailable, UnknownBackbone, get_spec
from .data import ImageLoadError, key_for_uri
from .embeddings import embed_images
from .engine import evaluate
from .hints import group_hints
from .interrupts import JobInterrupted
from .models import LoadedModel
from .queue import FAILED, SUCCEEDED
from .training_request import TrainingRequest, request_from_json
from .workers import JobContext, JobLost

log = logging.getLogger(__name__)


def evaluation_json(result, examples: list[dict]) -> dict[str, Any]:
    """An :class:`ml_api.engine.Evaluation` of ``examples`` ([{uri, label}]) as the row (and
    ``TrainingJob.evaluation`` / ``evaluate``) gives it."""
    return {"accuracy": result.accuracy, "labels": result.labels, "perClass": result.per_class,
            "confusion": result.confusion,
            "misclassified": [{"uri": examples[i]["uri"], "label": examples[i]["label"],
                               "predicted": result.predicted[i]} for i in result.misclassified]}


class JobKinds:
    """The handlers, bound to the process's trainers, model cache and settings."""

    def __init__(self, *, trainers: Mapping[str, Callable[[JobContext], dict]],
                 model: Callable[[str], LoadedModel], default_backbone: str,
                 analyse: Callable[[JobContext, dict], dict] | None = None):
        self.trainers = dict(trainers)
        self.model = model  # run id -> the loaded model (the process's LRU)
        self.default_backbone = default_backbone
        self.analyse = analyse

    def handlers(self) -> dict[str, Callable]:
        return {"TRAIN": self.train, "HINTS": self.hints, "EMBED": self.embed}

    # ---- TRAIN --------------------------------------------------------------------------
    def train(self, job: JobContext) -> None:
        claim = job.claim
        run_id = claim.id
        try:
            job.request = request_from_json(claim.payload["request"], job.pool.storage)
            request: TrainingRequest = job.request
            log.info("training started", extra={"runId": run_id, "mode": request.mode,
                                                "attempt": claim.row["attempt"], "worker": claim.row["worker"]})
            result = self.trainers[request.mode](job)
            job.check()
            analysis = self._analysis(job, result)
            job.check()
            evaluation, evaluation_error = self._evaluate(job, claim.payload.get("testExamples") or [])
            job.check()
            finished = job.queue.finish(
                claim, SUCCEEDED, progress=1.0, train_accuracy=result["train_accuracy"],
                model_uri=job.pool.storage.uri(result["model_key"]), error=None, error_code=None,
                result={"analysis": analysis, "evaluation": evaluation, "evaluationError": evaluation_error,
                        "timings": result.get("timings"), "skippedExamples": result.get("skipped", 0)},
                **_progress_columns(job.fields()))
            if not finished:
                raise JobLost(run_id, purged=job.queue.owns(claim) == "gone")
            if request.mode == "DEEP":
                self._delete_checkpoint(job)
            log.info("training succeeded", extra={"runId": run_id, "timings": result.get("timings")})
        except JobLost as lost:
            self._lost(job, lost)
        except JobInterrupted:  # this process is stopping: give the run back, resumable
            if job.queue.release(claim, **job.fields()):
                log.info("training interrupted; released for another worker", extra={"runId": run_id})
        except ImageLoadError as exc:
            log.warning("training failed: bad image", extra={"runId": run_id, "uri": exc.uri})
            self._fail(job, str(exc), JobErrorCode.PHOTO_UNREADABLE)
        except (BackboneUnavailable, UnknownBackbone) as exc:
            log.error("training failed: backbone unavailable", extra={"runId": run_id, "error": str(exc)})
            self._fail(job, str(exc), JobErrorCode.BACKBONE_UNAVAILABLE)
        except Exception as exc:
            log.exception("training failed", extra={"runId": run_id})
            self._fail(job, f"internal error: {exc.__class__.__name__}: {exc}", JobErrorCode.TRAINING_FAILED)

    def _analysis(self, job: JobContext, result: dict) -> dict | None:
        """Confusing photos and per-class "how sure"; a failure costs the analysis, never the run."""
        if self.analyse is None:
            return None
        try:
            return self.analyse(job, result)
        except JobInterrupted:
            raise
        except Exception:
            log.warning("run analysis failed", exc_info=True, extra={"runId": job.claim.id})
            return None

    def _evaluate(self, job: JobContext, examples: list[dict]) -> tuple[dict | None, str | None]:
        """The model on the hidden test photos; (evaluation, None), (None, None) without test
        photos, or (None, why) when they cannot be scored (the run still succeeded)."""
        if not examples:
            return None, None
        storage = job.pool.storage
        try:
            model = self.model(job.claim.id)
            uris = [e["uri"] for e in examples]
            items = [(uri, key_for_uri(storage, uri)) for uri in uris]
            result = evaluate(model, job.storage, items, [e["label"] for e in examples], use_cache=True,
                              max_pixels=job.max_image_pixels)
        except JobInterrupted:
            raise
        except ImageLoadError as exc:
            return None, f"a hidden test photo cannot be read: {exc}"
        except Exception as exc:
            log.warning("scoring on the test photos failed", exc_info=True, extra={"runId": job.claim.id})
            return None, f"scoring failed: {exc.__class__.__name__}: {exc}"
        return evaluation_json(result, examples), None

    def _fail(self, job: JobContext, message: str, code: JobErrorCode) -> None:
        if not job.queue.finish(job.claim, FAILED, error=message, error_code=code.value, **_progress_columns(job.fields())):
            self._lost(job, JobLost(job.claim.id, purged=job.queue.owns(job.claim) == "gone"))

    def _delete_checkpoint(self, job: JobContext) -> None:
        try:
            job.pool.storage.delete(checkpoint_key(job.claim.id))  # superseded by model.pt (written first)
        except Exception:  # the run succeeded; a stale checkpoint is only clutter
            log.warning("could not delete the superseded checkpoint", exc_info=True, extra={"runId": job.claim.id})

    def _lost(self, job: JobContext, lost: JobLost) -> None:
        """Purged: remove whatever the run wrote (its folder, the embeddings cached for its
        workshop's photos). Taken over: the new owner uses our checkpoint; touch nothing."""
        if not lost.purged:
            log.info("training stopped: another worker holds the run now", extra={"runId": job.claim.id})
            return
        storage = job.pool.storage
        try:
            removed = storage.delete_prefix(run_prefix(job.claim.id))
            uris = [e["uri"] for e in (job.claim.payload.get("request") or {}).get("examples", [])]
            uris += [e["uri"] for e in job.claim.payload.get("testExamples") or []]
            folders = sorted({key.rsplit("/", 1)[0] for key in (_key_or_none(storage, uri) for uri in uris)
                              if key and "/" in key})
            for folder in folders:
                removed += storage.delete_prefix(embeddings_prefix(folder))
            log.info("purged run stopped and its data removed", extra={"runId": job.claim.id, "objects": removed})
        except Exception:  # the BFF's purge deletes these prefixes too
            log.warning("could not clean up a purged run", exc_info=True, extra={"runId": job.claim.id})

    # ---- HINTS --------------------------------------------------------------------------
    def hints(self, job: JobContext) -> None:
        payload = job.claim.payload
        storage = job.pool.storage
        try:
            examples = payload["examples"]
            items = [(e["uri"], key_for_uri(storage, e["uri"])) for e in examples]
            labels = [e["label"] for e in examples]
            backbone = payload.get("backbone") or self.default_backbone
            get_spec(backbone).check_available()
            photos, pairs = group_hints(job.storage, items, labels, list(payload["classes"]), backbone, job.device,
                                        max_pixels=job.max_image_pixels)
            job.check()
            result = {"signature": job.claim.row.get("signature"),
                      "photos": [{"uri": h.uri, "codes": list(h.codes), "brightness": h.brightness,
                                  "sharpness": h.sharpness, "duplicateOf": list(h.duplicate_of)} for h in photos],
                      "classPairs": [{"a": p.a, "b": p.b, "overlap": p.overlap, "code": p.code} for p in pairs]}
            job.queue.finish(job.claim, SUCCEEDED, progress=1.0, result=result)
        except JobInterrupted:
            if not job.lost:
                job.queue.release(job.claim)
        except (ImageLoadError, BackboneUnavailable, UnknownBackbone, ValueError) as exc:
            # A photo deleted or unreadable since it was asked for: the caller asks again
            # with its new photo set; nothing to retry here.
            job.queue.finish(job.claim, FAILED, error=str(exc), error_code=JobErrorCode.PHOTO_UNREADABLE.value)
        except Exception as exc:
            log.exception("photo hints failed", extra={"jobId": job.claim.id})
            job.queue.finish(job.claim, FAILED, error=f"{exc.__class__.__name__}: {exc}",
                             error_code=JobErrorCode.TRAINING_FAILED.value)

    # ---- EMBED --------------------------------------------------------------------------
    def embed(self, jobs: list[JobContext]) -> None:
        """One batch of photos, one backbone at a time. A photo gone since is done (nothing to
        embed); an undecodable one is left to its run, which names it."""
        storage = jobs[0].pool.storage
        by_backbone: dict[str, list[JobContext]] = {}
        for job in jobs:
            by_backbone.setdefault(job.claim.payload.get("backbone") or self.default_backbone, []).append(job)
        for backbone, group in by_backbone.items():
            self._embed(storage, backbone, group)

    def _embed(self, storage, backbone: str, jobs: list[JobContext]) -> None:
        items = []
        for job in jobs:
            uri = job.claim.payload["uri"]
            try:
                items.append((uri, key_for_uri(storage, uri)))
            except ValueError:
                job.queue.finish(job.claim, FAILED, error=f"{uri!r} is outside the configured storage")
                return
        try:
            embed_images(storage, items, backbone, jobs[0].device, max_pixels=jobs[0].max_image_pixels, missing=[])
        except ImageLoadError:
            if len(jobs) > 1:  # one bad photo must not keep the others out: one at a time then
                for job in jobs:
                    self._embed(storage, backbone, [job])
                return
            log.warning("background embedding skipped an unreadable photo", extra={"uri": items[0][0]})
            jobs[0].queue.finish(jobs[0].claim, FAILED, error="unreadable photo",
                                 error_code=JobErrorCode.PHOTO_UNREADABLE.value)
            return
        except Exception:
            log.exception("background embedding failed")
            for job in jobs:
                job.queue.finish(job.claim, FAILED, error="embedding failed")
            return
        for job in jobs:
            job.queue.finish(job.claim, SUCCEEDED, progress=1.0)


def _key_or_none(storage, uri: str) -> str | None:
    try:
        return key_for_uri(storage, uri)
    except ValueError:
        return None


def _progress_columns(fields: dict[str, Any]) -> dict[str, Any]:
    from .queue import PROGRESS_FIELDS

    return {PROGRESS_FIELDS[name]: value for name, value in fields.items()
            if name in PROGRESS_FIELDS and name not in ("progress", "trainAccuracy")}
