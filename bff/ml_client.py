"""The BFF's client for the ML API's internal GraphQL endpoint (docs/design.md).

Transport failures (ML API down, timeouts, 5xx) raise :class:`MLUnavailable`, which the
training orchestrator treats as "try again later"; errors the ML API reports about the
request itself raise :class:`MLError` with its ``code``.
"""

from __future__ import annotations

import threading
from typing import Any

import requests

from pictolab.contract.errors import ErrorCode

# Every operation the BFF sends to the ML API, in one place: tests/test_contract.py validates
# each against the ML API's schema, so a renamed field fails a test, not a workshop.
JOB_FIELDS = "runId status progress epoch epochs trainAccuracy error errorCode modelUri mode heartbeatAt updatedAt"
START_TRAINING = f"""mutation Start($input: StartTrainingInput!) {{
    startTraining(input: $input) {{ {JOB_FIELDS} }} }}"""
# The run's cross-validated analysis (ml_api/analysis.py: confusing photos, per-class "how
# sure"): the ML API answers null until the job succeeded and reads it from storage only then,
# so asking on every poll costs nothing before; the reconciler stores it once at success.
ANALYSIS_FIELDS = ("analysis { method folds threshold confusing { uri label predicted confidence } "
                   "perClass { label count sure accuracy } }")
TRAINING_JOB = f"query Job($runId: ID!) {{ trainingJob(runId: $runId) {{ {JOB_FIELDS} {ANALYSIS_FIELDS} }} }}"
PREDICT = """mutation Predict($input: PredictInput!) {
    predict(input: $input) { label confidence scores { label confidence } heatmap { width height values } } }"""
# Photo hints of one group's photos (bff/hints.py, ml_api/hints.py).
PHOTO_HINTS = """mutation PhotoHints($input: PhotoHintsInput!) {
    photoHints(input: $input) { photos { uri codes duplicateOf } classPairs { a b overlap code } } }"""
EVALUATE = """mutation Evaluate($input: EvaluateInput!) {
    evaluate(input: $input) { runId accuracy labels perClass confusion misclassified { uri label predicted } } }"""
# Long poll: answers when the job's status changes (ml_api/job_wait.py; RunReconciler's watch).
WAIT_JOB = (f"query WaitJob($runId: ID!, $wait: Float, $seen: JobStatus) {{ "
            f"trainingJob(runId: $runId, waitSeconds: $wait, seenStatus: $seen) {{ {JOB_FIELDS} }} }}")
# Eager embeddings (bff/embedding_requests.py, ml_api/embed_queue.py).
EMBED_PHOTOS = """mutation EmbedPhotos($input: EmbedPhotosInput!) {
    embedPhotos(input: $input) { cached accepted queued } }"""
HEALTH = "query Health { health { device deviceName backbone ready } }"
# One replica's load, asked before each new run is placed (bff/ml_replicas.py).
LOAD = "query Load { health { queued running capacity worker ready } }"
OPERATIONS = {"startTraining": START_TRAINING, "trainingJob": TRAINING_JOB, "predict": PREDICT,
              "evaluate": EVALUATE, "health": HEALTH, "load": LOAD, "waitJob": WAIT_JOB,
              "embedPhotos": EMBED_PHOTOS, "photoHints": PHOTO_HINTS}


class MLUnavailable(Exception):
    """The ML API could not be reached or answered with a server error."""


# Refusals of the request itself: sending the same request again gets the same answer.
PERMANENT_CODES = frozenset({ErrorCode.PAYLOAD_TOO_LARGE, ErrorCode.GRAPHQL_VALIDATION_FAILED,
                             "QUERY_TOO_COMPLEX", "BAD_REQUEST"})


class MLError(Exception):
    """The ML API refused or failed the operation; ``code`` is its extensions.code.
    ``permanent``: the request itself was refused (HTTP 4xx, or a code in PERMANENT_CODES):
    retrying it is pointless, the caller fails (or gives up scoring) at once."""

    def __init__(self, message: str, code: str | None, http_status: int = 200):
        super().__init__(message)
        self.code = code
        self.http_status = http_status
        self.permanent = 400 <= http_status < 500 or code in PERMANENT_CODES


class MLClient:
    def __init__(self, base_url: str, timeout: float = 30.0):
        self.endpoint = base_url.rstrip("/") + "/graphql"
        self.timeout = timeout
        self._local = threading.local()  # requests.Session is not thread-safe

    @property
    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def _call(self, query: str, variables: dict[str, Any], field: str, timeout: float | None = None) -> Any:
        try:
            response = self._session.post(self.endpoint, json={"query": query, "variables": variables},
                                          timeout=timeout or self.timeout)
        except requests.RequestException as exc:
            raise MLUnavailable(f"ML API unreachable: {exc.__class__.__name__}") from exc
        if response.status_code >= 500:
            raise MLUnavailable(f"ML API answered HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError as exc:
            if 400 <= response.status_code < 500:  # e.g. werkzeug's HTML 413: the same next time
                code = ErrorCode.PAYLOAD_TOO_LARGE if response.status_code == 413 else "BAD_REQUEST"
                raise MLError(f"ML API refused the request (HTTP {response.status_code})", code,
                              response.status_code) from exc
            raise MLUnavailable(f"ML API answered non-JSON (HTTP {response.status_code})") from exc
        errors = body.get("errors") or []
        if errors:
            first = errors[0]
            code = (first.get("extensions") or {}).get("code")
            if code in (ErrorCode.INTERNAL, ErrorCode.UNAVAILABLE):
                raise MLUnavailable(first.get("message", "ML API error"))
            raise MLError(first.get("message", "ML API error"), code, response.status_code)
        if response.status_code >= 400:
            raise MLError(f"ML API answered HTTP {response.status_code}", "BAD_REQUEST", response.status_code)
        return (body.get("data") or {}).get(field)

    # ---- operations (names and shapes: docs/design.md) ---------------------------------
    def start_training(self, run_id: str, classes: list[str], examples: list[dict[str, str]],
                       mode: str = "QUICK", epochs: int | None = None) -> dict:
        payload: dict[str, Any] = {"runId": run_id, "classes": classes, "examples": examples, "mode": mode}
        if epochs is not None:
            payload["epochs"] = epochs
        return self._call(START_TRAINING, {"input": payload}, "startTraining")

    def training_job(self, run_id: str) -> dict | None:
        """The job's status, or None when the ML API does not know the run."""
        try:
            return self._call(TRAINING_JOB, {"runId": run_id}, "trainingJob", timeout=10)
        except MLError as exc:
            if exc.code == ErrorCode.NOT_FOUND:
                return None
            raise

    def wait_job(self, run_id: str, wait_seconds: float, seen: str | None = None) -> dict | None:
        """trainingJob as a long poll: answers when the status differs from ``seen`` (or
        progress moved), at the latest after ``wait_seconds`` (the ML API caps it at 5 s)."""
        try:
            return self._call(WAIT_JOB, {"runId": run_id, "wait": wait_seconds, "seen": seen}, "trainingJob",
                              timeout=wait_seconds + 10)
        except MLError as exc:
            if exc.code == ErrorCode.NOT_FOUND:
                return None
            raise

    def embed_photos(self, uris: list[str]) -> dict:
        """Queue photos for background embedding; ``cached``: the uris already done."""
        return self._call(EMBED_PHOTOS, {"input": {"uris": uris}}, "embedPhotos", timeout=10)

    def predict(self, run_id: str, image_uri: str) -> dict:
        return self._call(PREDICT, {"input": {"runId": run_id, "imageUri": image_uri}}, "predict")

    def photo_hints(self, classes: list[str], examples: list[dict[str, str]]) -> dict:
        """Hints for one group's photos (``photos`` in the examples' order, ``classPairs``);
        embeddings are usually cached already (eager embeddings), so this is quick."""
        return self._call(PHOTO_HINTS, {"input": {"classes": classes, "examples": examples}}, "photoHints",
                          timeout=60)

    def evaluate(self, run_id: str, examples: list[dict[str, str]]) -> dict:
        # Well inside the reconciler's claim on the run (training.LEASE).
        return self._call(EVALUATE, {"input": {"runId": run_id, "examples": examples}}, "evaluate", timeout=120)

    def health(self) -> dict:
        return self._call(HEALTH, {}, "health", timeout=5)

    def load(self, timeout: float = 1.0) -> dict:
        """queued, running, capacity, worker, ready: a short timeout, as a replica that does
        not answer at once is skipped for a new run (bff/ml_replicas.py)."""
        return self._call(LOAD, {}, "health", timeout=timeout)
