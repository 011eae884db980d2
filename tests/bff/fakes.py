"""A fake ML API client for the reconciler's unit tests: the public methods of
:class:`bff.ml_client.MLClient` (start_training, training_job, predict, evaluate, health),
answering from memory, with switches for the failures the reconciler must survive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bff.ml_client import MLError, MLUnavailable
from bff.models import utcnow


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
        # embedPhotos: uris queued (not yet cached) and cached (confirmed on the next send).
        self.embed_queued: list[str] = []
        self.embedded: set[str] = set()
        self.waits: list[tuple[str, float, str | None]] = []
        # photoHints: uri -> codes, and the class pairs to answer (set by a test).
        self.hint_codes: dict[str, list[str]] = {}
        self.class_pairs: list[dict[str, Any]] = []
        self.hint_requests: list[list[dict[str, str]]] = []

    def _call(self, name: str, run_id: str = "") -> None:
        self.calls.append((name, run_id))
        if self.unavailable:
            raise MLUnavailable("ML API unreachable: ConnectionError (fake)")

    def calls_of(self, name: str) -> int:
        return sum(1 for called, _ in self.calls if called == name)

    def set_job(self, run_id: str, **fields: Any) -> dict[str, Any]:
        """Change what ``trainingJob`` answers (``heartbeatAt`` may be a datetime)."""
        job = self.jobs.setdefault(run_id, {"runId": run_id, "status": "QUEUED", "progress": 0.0})
        if isinstance(fields.get("heartbeatAt"), datetime):
            fields["heartbeatAt"] = fields["heartbeatAt"].isoformat()
        job.update(fields)
        return dict(job)

    # ---- MLClient's public methods ------------------------------------------------------
    def start_training(self, run_id: str, classes: list[str], examples: list[dict[str, str]],
                       mode: str = "QUICK", epochs: int | None = None) -> dict:
        self._call("start_training", run_id)
        if self.start_error is not None:
            raise self.start_error
        # Idempotent by run id, as the ML API is: a known run is resumed (a fresh heartbeat).
        job = self.jobs.get(run_id)
        if job is None:
            job = self.set_job(run_id, classes=list(classes), examples=len(examples), mode=mode)
        return self.set_job(run_id, heartbeatAt=self.clock())

    def training_job(self, run_id: str) -> dict | None:
        self._call("training_job", run_id)
        job = self.jobs.get(run_id)
        return dict(job) if job is not None else None

    def wait_job(self, run_id: str, wait_seconds: float, seen: str | None = None) -> dict | None:
        """Answers at once (nothing runs in the fake); records the wait."""
        self._call("wait_job", run_id)
        self.waits.append((run_id, wait_seconds, seen))
        job = self.jobs.get(run_id)
        return dict(job) if job is not None else None

    def embed_photos(self, uris: list[str]) -> dict:
        """Like the ML API: queued on the first send, embedded by ``embed_all()``, confirmed
        (``cached``) on a later send."""
        self._call("embed_photos")
        cached = [uri for uri in uris if uri in self.embedded]
        self.embed_queued += [uri for uri in uris if uri not in self.embedded and uri not in self.embed_queued]
        return {"cached": cached, "accepted": len(uris) - len(cached), "queued": len(self.embed_queued)}

    def embed_all(self) -> None:
        self.embedded.update(self.embed_queued)
        self.embed_queued.clear()

    def predict(self, run_id: str, image_uri: str) -> dict:
        self._call("predict", run_id)
        label = self.jobs[run_id]["classes"][0]
        # A 7 x 7 map whose mass is in the left column (the real one: ml_api/explain.py).
        heatmap = {"width": 7, "height": 7, "values": [1.0 if i % 7 == 0 else 0.0 for i in range(49)]}
        return {"label": label, "confidence": 1.0, "scores": [{"label": label, "confidence": 1.0}],
                "heatmap": heatmap}

    def photo_hints(self, classes: list[str], examples: list[dict[str, str]]) -> dict:
        self._call("photo_hints")
        self.hint_requests.append(examples)
        return {"photos": [{"uri": e["uri"], "codes": self.hint_codes.get(e["uri"], []), "duplicateOf": []}
                           for e in examples],
                "classPairs": list(self.class_pairs)}

    def evaluate(self, run_id: str, examples: list[dict[str, str]]) -> dict:
        self._call("evaluate", run_id)
        labels = sorted({e["label"] for e in examples})
        index = {label: i for i, label in enumerate(labels)}
        confusion = [[0] * len(labels) for _ in labels]
        for example in examples:  # every photo predicted right
            confusion[index[example["label"]]][index[example["label"]]] += 1
        return {"runId": run_id, "accuracy": self.accuracy, "labels": labels, "confusion": confusion,
                "perClass": [{"label": label, "accuracy": 1.0, "count": confusion[i][i]}
                             for i, label in enumerate(labels)],
                "misclassified": []}

    def health(self) -> dict:
        self._call("health")
        return {"device": "cpu", "deviceName": "fake", "backbone": "fake", "ready": True}

    def load(self, timeout: float = 1.0) -> dict:
        """One replica's load (bff/ml_replicas.py asks it before placing a run)."""
        self._call("load")
        return {"queued": 0, "running": 0, "capacity": 1, "worker": "fake:1", "ready": True}


class Clock:
    """The reconciler's injected clock (``clock=``), moved by hand: ``clock.advance(...)``."""

    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta
