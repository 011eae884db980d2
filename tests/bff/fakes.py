"""A fake ML API client for the BFF's unit tests: the public methods of
:class:`bff.ml_client.MLClient`, answering from memory like the ML API's job queue, with
switches for the failures the reconciler must survive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bff.ml_client import MLError, MLUnavailable
from bff.models import utcnow


def evaluation_of(run_id: str, examples: list[dict[str, str]], accuracy: float = 1.0) -> dict:
    """An Evaluation of ``examples`` where every photo is predicted right."""
    labels = sorted({e["label"] for e in examples})
    index = {label: i for i, label in enumerate(labels)}
    confusion = [[0] * len(labels) for _ in labels]
    for example in examples:
        confusion[index[example["label"]]][index[example["label"]]] += 1
    return {"runId": run_id, "accuracy": accuracy, "labels": labels, "confusion": confusion,
            "perClass": [{"label": label, "accuracy": 1.0, "count": confusion[i][i]}
                         for i, label in enumerate(labels)],
            "misclassified": []}


class FakeMLClient:
    """Jobs live in ``jobs`` (run id -> the ``trainingJob`` dict); ``calls`` records every call.

    ``unavailable = True`` makes every call raise MLUnavailable (the ML API is down);
    ``start_error = MLError(...)`` makes startTraining refuse the run.
    """

    def __init__(self, clock=lambda: datetime.now(UTC)):
        self.clock = clock
        self.jobs: dict[str, dict[str, Any]] = {}
        self.calls: list[tuple[str, str]] = []
        self.unavailable = False
        self.start_error: MLError | None = None
        self.accuracy = 1.0
        # startTraining's inputs by run id (examples, testExamples, scope, ...).
        self.started: dict[str, dict[str, Any]] = {}
        # embedPhotos: every batch sent, as (scope, uris).
        self.embed_batches: list[tuple[str | None, list[str]]] = []
        # photoHints: uri -> codes, the class pairs to answer (set by a test), the jobs by key,
        # and how many asks a new signature stays QUEUED before it SUCCEEDS (0: at once).
        self.hint_codes: dict[str, list[str]] = {}
        self.class_pairs: list[dict[str, Any]] = []
        self.hint_requests: list[list[dict[str, str]]] = []
        self.hint_jobs: dict[str, dict[str, Any]] = {}
        self.hint_asks_before_done = 0
        # deleteJobs: the scopes deleted (later starts with them are refused).
        self.deleted_scopes: list[str] = []

    def _call(self, name: str, run_id: str = "") -> None:
        self.calls.append((name, run_id))
        if self.unavailable:
            raise MLUnavailable("ML API unreachable: ConnectionError (fake)")

    def calls_of(self, name: str) -> int:
        return sum(1 for called, _ in self.calls if called == name)

    def set_job(self, run_id: str, **fields: Any) -> dict[str, Any]:
        """Change what ``trainingJob(s)`` answers (``heartbeatAt`` may be a datetime)."""
        job = self.jobs.setdefault(run_id, {"runId": run_id, "status": "QUEUED", "progress": 0.0})
        if isinstance(fields.get("heartbeatAt"), datetime):
            fields["heartbeatAt"] = fields["heartbeatAt"].isoformat()
        job.update(fields)
        return dict(job)

    def succeed(self, run_id: str, **fields: Any) -> dict[str, Any]:
        """The job trained and scored itself on the test set it was sent, as the ML API's
        worker does (evaluation null when it was sent none)."""
        tests = self.started.get(run_id, {}).get("testExamples") or []
        evaluation = evaluation_of(run_id, tests, self.accuracy) if tests else None
        return self.set_job(run_id, **{"status": "SUCCEEDED", "progress": 1.0, "trainAccuracy": 1.0,
                                       "evaluation": evaluation, "evaluationError": None, **fields})

    # ---- MLClient's public methods ------------------------------------------------------
    def start_training(self, run_id: str, classes: list[str], examples: list[dict[str, str]],
                       mode: str = "QUICK", epochs: int | None = None, scope: str | None = None,
                       test_examples: list[dict[str, str]] | None = None) -> dict:
        self._call("start_training", run_id)
        if self.start_error is not None:
            raise self.start_error
        if scope is not None and scope in self.deleted_scopes:
            raise MLError("this workshop's jobs were deleted", "BAD_USER_INPUT")
        # Idempotent by run id, as the ML API is: an existing job comes back unchanged.
        if run_id not in self.jobs:
            self.started[run_id] = {"classes": list(classes), "examples": list(examples), "mode": mode,
                                    "scope": scope, "testExamples": list(test_examples or [])}
            self.set_job(run_id, classes=list(classes), mode=mode, heartbeatAt=self.clock())
        return dict(self.jobs[run_id])

    def training_job(self, run_id: str) -> dict | None:
        self._call("training_job", run_id)
        job = self.jobs.get(run_id)
        return dict(job) if job is not None else None

    def training_jobs(self, run_ids: list[str]) -> dict[str, dict]:
        self._call("training_jobs", ",".join(run_ids))
        return {run_id: dict(self.jobs[run_id]) for run_id in run_ids if run_id in self.jobs}

    def embed_photos(self, uris: list[str], scope: str | None = None) -> dict:
        self._call("embed_photos", scope or "")
        self.embed_batches.append((scope, list(uris)))
        return {"accepted": len(uris), "queued": sum(len(batch) for _, batch in self.embed_batches)}

    def embedded_uris(self) -> list[str]:
        return [uri for _, batch in self.embed_batches for uri in batch]

    def predict(self, run_id: str, image_uri: str) -> dict:
        self._call("predict", run_id)
        label = self.jobs[run_id]["classes"][0]
        # A 7 x 7 map whose mass is in the left column (the real one: ml_api/explain.py).
        heatmap = {"width": 7, "height": 7, "values": [1.0 if i % 7 == 0 else 0.0 for i in range(49)]}
        return {"label": label, "confidence": 1.0, "scores": [{"label": label, "confidence": 1.0}],
                "heatmap": heatmap}

    def photo_hints(self, key: str, signature: str, classes: list[str], examples: list[dict[str, str]],
                    scope: str | None = None) -> dict:
        """Coalesced per key like the ML API: the same signature returns the job as it is, a
        new one replaces it (QUEUED for ``hint_asks_before_done`` asks, then SUCCEEDED)."""
        self._call("photo_hints", key)
        job = self.hint_jobs.get(key)
        if job is None or job["signature"] != signature:
            self.hint_requests.append(examples)
            job = self.hint_jobs[key] = {"key": key, "signature": signature, "status": "QUEUED", "error": None,
                                         "result": None, "asks": 0, "examples": examples}
        if job["status"] == "QUEUED":
            if job["asks"] >= self.hint_asks_before_done:
                job["status"] = "SUCCEEDED"
                job["result"] = {
                    "photos": [{"uri": e["uri"], "codes": self.hint_codes.get(e["uri"], []), "duplicateOf": []}
                               for e in job["examples"]],
                    "classPairs": list(self.class_pairs)}
            job["asks"] += 1
        return {k: job[k] for k in ("key", "signature", "status", "error", "result")}

    def evaluate(self, run_id: str, examples: list[dict[str, str]]) -> dict:
        self._call("evaluate", run_id)
        return evaluation_of(run_id, examples, self.accuracy)

    def delete_jobs(self, scope: str) -> int:
        self._call("delete_jobs", scope)
        self.deleted_scopes.append(scope)
        gone = [run_id for run_id, started in self.started.items() if started.get("scope") == scope]
        for run_id in gone:
            self.jobs.pop(run_id, None)
        return len(gone)

    def export_model(self, run_id: str, labels: list[dict[str, str]], model_name: str) -> dict:
        """The run's export, as the ML API's exportModel answers (no files are written)."""
        self._call("export_model", run_id)
        return {"runId": run_id, "mode": self.jobs.get(run_id, {}).get("mode", "QUICK"),
                "labels": [label["name"] for label in labels], "classIds": [label["classId"] for label in labels],
                "files": [], "sharedWeightsKey": None, "created": True}

    def health(self) -> dict:
        self._call("health")
        return {"device": "cpu", "deviceName": "fake", "backbone": "fake", "ready": True, "queued": 0,
                "running": 0, "capacity": 1, "worker": "fake:1", "oldestQueuedSeconds": None}


class Clock:
    """The reconciler's injected clock (``clock=``), moved by hand: ``clock.advance(...)``."""

    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


def add_photo_rows(app, summary: dict, count: int, group: int | None = 0) -> list[str]:
    """Photo rows of a workshop (no bytes: the fake never reads them), round-robin over its
    classes; ``group`` None: hidden test photos."""
    from bff.db import session_scope
    from bff.models import Photo

    ids = []
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        for i in range(count):
            photo = Photo(workshop_id=summary["id"],
                          group_id=summary["groups"][group]["id"] if group is not None else None,
                          class_id=summary["classes"][i % len(summary["classes"])]["id"], is_test=group is None,
                          storage_key=f"photos/{summary['id']}/{i:032x}-{group}-{len(ids)}.jpg",
                          content_hash=f"{summary['id']}-{i}-{group}", width=10, height=10, byte_size=10)
            db.add(photo)
            db.flush()
            ids.append(photo.id)
    return ids
