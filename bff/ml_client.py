"""The BFF's client for the ML API's internal GraphQL endpoint (docs/design.md).

Transport failures (ML API down, timeouts, 5xx, a ``503 BUSY``) raise
:class:`MLUnavailable`, which every caller treats as "try again later"; errors the ML API
reports about the request itself raise :class:`MLError` with its ``code``.

``PICTOLAB_ML_API_URL`` is one URL (the ML API's Service in GKE: any replica answers for any
job and serves any model) or a comma list used only for failover: a URL that refuses the
connection or times out is skipped for the next one, and the client sticks to the URL that
answered. An answer, even a 503, is never a reason to fail over: the replica is up and
merely busy, and every replica shares the same job queue.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import requests

from pictolab.contract.errors import ErrorCode

log = logging.getLogger(__name__)

# Every operation the BFF sends to the ML API, in one place: tests/test_contract.py validates
# each against the ML API's schema, so a renamed field fails a test, not a workshop.
JOB_FIELDS = ("runId status progress epoch epochs trainAccuracy error errorCode modelUri mode backbone worker "
              "attempt heartbeatAt updatedAt interrupted resumedFromEpoch epochsRun")
# The run's cross-validated analysis (ml_api/analysis.py: confusing photos, per-class "how
# sure") and its score on the hidden test set: both null until the job succeeded (the job
# scores its model right after training, while it is still loaded).
ANALYSIS_FIELDS = ("analysis { method folds threshold confusing { uri label predicted confidence } "
                   "perClass { label count sure accuracy } }")
EVALUATION_FIELDS = "runId accuracy labels perClass confusion misclassified { uri label predicted }"
RESULT_FIELDS = f"{ANALYSIS_FIELDS} evaluation {{ {EVALUATION_FIELDS} }} evaluationError"
START_TRAINING = f"""mutation Start($input: StartTrainingInput!) {{
    startTraining(input: $input) {{ {JOB_FIELDS} {RESULT_FIELDS} }} }}"""
TRAINING_JOB = f"query Job($runId: ID!) {{ trainingJob(runId: $runId) {{ {JOB_FIELDS} {RESULT_FIELDS} }} }}"
# The reconciler's one question per pass: every run it holds, at once.
TRAINING_JOBS = f"query Jobs($runIds: [ID!]!) {{ trainingJobs(runIds: $runIds) {{ {JOB_FIELDS} {RESULT_FIELDS} }} }}"
PREDICT = """mutation Predict($input: PredictInput!) {
    predict(input: $input) { label confidence scores { label confidence } heatmap { width height values } } }"""
# Photo hints of one group's photos, a low-priority job coalesced per group (bff/hints.py).
PHOTO_HINTS = """mutation PhotoHints($input: PhotoHintsInput!) {
    photoHints(input: $input) { key signature status error
        result { photos { uri codes duplicateOf brightness sharpness } classPairs { a b overlap code } } } }"""
# Re-scoring a finished run after the hidden test set changed.
EVALUATE = f"""mutation Evaluate($input: EvaluateInput!) {{
    evaluate(input: $input) {{ {EVALUATION_FIELDS} }} }}"""
# Eager embeddings: durable low-priority rows in the ML API's queue, sent once per photo.
EMBED_PHOTOS = """mutation EmbedPhotos($input: EmbedPhotosInput!) {
    embedPhotos(input: $input) { accepted queued } }"""
# A purge: the workshop's jobs go, and nothing later is accepted for it.
DELETE_JOBS = "mutation DeleteJobs($scope: String!) { deleteJobs(scope: $scope) }"
HEALTH = ("query Health { health { device deviceName backbone ready queued running capacity worker "
          "oldestQueuedSeconds } }")
OPERATIONS = {"startTraining": START_TRAINING, "trainingJob": TRAINING_JOB, "trainingJobs": TRAINING_JOBS,
              "predict": PREDICT, "evaluate": EVALUATE, "health": HEALTH, "embedPhotos": EMBED_PHOTOS,
              "photoHints": PHOTO_HINTS, "deleteJobs": DELETE_JOBS}
# A succeeded run as a Teachable Machine image model in storage (bff/exports.py, ml_api/export).
EXPORT_MODEL = """mutation ExportModel($input: ExportModelInput!) {
    exportModel(input: $input) { runId mode labels classIds files { name key } sharedWeightsKey created } }"""
OPERATIONS["exportModel"] = EXPORT_MODEL


class MLUnavailable(Exception):
    """The ML API could not be reached, or answered "not now" (a server error, 503 BUSY)."""


# Refusals of the request itself: sending the same request again gets the same answer.
PERMANENT_CODES = frozenset({ErrorCode.PAYLOAD_TOO_LARGE, ErrorCode.GRAPHQL_VALIDATION_FAILED,
                             ErrorCode.QUERY_TOO_COMPLEX, ErrorCode.BAD_REQUEST})
# Codes that mean "try later" whatever the HTTP status (the ML API's BUSY is one of them).
RETRY_CODES = frozenset({ErrorCode.INTERNAL, ErrorCode.UNAVAILABLE, ErrorCode.BUSY})


class MLError(Exception):
    """The ML API refused or failed the operation; ``code`` is its extensions.code.
    ``permanent``: the request itself was refused (HTTP 4xx, or a code in PERMANENT_CODES):
    retrying it is pointless, the caller fails (or gives up scoring) at once."""

    def __init__(self, message: str, code: str | None, http_status: int = 200):
        super().__init__(message)
        self.code = code
        self.http_status = http_status
        self.permanent = 400 <= http_status < 500 or code in PERMANENT_CODES


def split_urls(value: str) -> list[str]:
    """PICTOLAB_ML_API_URL as a list of base URLs (one, or several for failover)."""
    urls = [part.strip().rstrip("/") for part in (value or "").split(",") if part.strip()]
    if not urls:
        raise ValueError("PICTOLAB_ML_API_URL names no URL")
    return urls


class MLClient:
    def __init__(self, base_url: str, timeout: float = 30.0):
        self.endpoints = [url + "/graphql" for url in split_urls(base_url)]
        self.timeout = timeout
        self._current = 0  # the URL that answered last: every call starts there
        self._lock = threading.Lock()
        self._local = threading.local()  # requests.Session is not thread-safe

    @property
    def endpoint(self) -> str:
        """The endpoint calls go to now (the first to try)."""
        return self.endpoints[self._current]

    @endpoint.setter
    def endpoint(self, value: str) -> None:
        self.endpoints = [value]
        self._current = 0

    @property
    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def _post(self, body: dict[str, Any], timeout: float) -> requests.Response:
        """POST to the current URL; on a refused connection or a timeout, to the next ones
        in turn. The first that answers (whatever it answers) becomes the current one."""
        endpoints, start = self.endpoints, self._current
        failures = []
        for offset in range(len(endpoints)):
            index = (start + offset) % len(endpoints)
            try:
                response = self._session.post(endpoints[index], json=body, timeout=timeout)
            except (requests.ConnectionError, requests.Timeout) as exc:
                failures.append(exc)
                continue
            except requests.RequestException as exc:
                raise MLUnavailable(f"ML API unreachable: {exc.__class__.__name__}") from exc
            if offset and endpoints is self.endpoints:
                with self._lock:
                    self._current = index
                log.warning("ML API failover", extra={"endpoint": endpoints[index]})
            return response
        raise MLUnavailable(f"ML API unreachable: {failures[-1].__class__.__name__}"
                            + (f" (all {len(endpoints)} URLs)" if len(endpoints) > 1 else "")) from failures[-1]

    def _call(self, query: str, variables: dict[str, Any], field: str, timeout: float | None = None) -> Any:
        response = self._post({"query": query, "variables": variables}, timeout or self.timeout)
        if response.status_code >= 500:
            raise MLUnavailable(f"ML API answered HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError as exc:
            if 400 <= response.status_code < 500:  # e.g. werkzeug's HTML 413: the same next time
                code = ErrorCode.PAYLOAD_TOO_LARGE if response.status_code == 413 else ErrorCode.BAD_REQUEST
                raise MLError(f"ML API refused the request (HTTP {response.status_code})", code,
                              response.status_code) from exc
            raise MLUnavailable(f"ML API answered non-JSON (HTTP {response.status_code})") from exc
        errors = body.get("errors") or []
        if errors:
            first = errors[0]
            code = (first.get("extensions") or {}).get("code")
            if code in RETRY_CODES:
                raise MLUnavailable(first.get("message", "ML API error"))
            raise MLError(first.get("message", "ML API error"), code, response.status_code)
        if response.status_code >= 400:
            raise MLError(f"ML API answered HTTP {response.status_code}", ErrorCode.BAD_REQUEST,
                          response.status_code)
        return (body.get("data") or {}).get(field)

    # ---- operations (names and shapes: docs/design.md) ---------------------------------
    def start_training(self, run_id: str, classes: list[str], examples: list[dict[str, str]],
                       mode: str = "QUICK", epochs: int | None = None, scope: str | None = None,
                       test_examples: list[dict[str, str]] | None = None) -> dict:
        """Enqueue the run (idempotent on ``run_id``: a known run comes back unchanged).
        ``scope``: the workshop id (what deleteJobs deletes by); ``test_examples``: the hidden
        test set the job scores its model on right after training."""
        payload: dict[str, Any] = {"runId": run_id, "classes": classes, "examples": examples, "mode": mode}
        if epochs is not None:
            payload["epochs"] = epochs
        if scope is not None:
            payload["scope"] = scope
        if test_examples:
            payload["testExamples"] = test_examples
        return self._call(START_TRAINING, {"input": payload}, "startTraining")

    def training_job(self, run_id: str) -> dict | None:
        """The job's status, or None when the ML API does not know the run."""
        try:
            return self._call(TRAINING_JOB, {"runId": run_id}, "trainingJob", timeout=10)
        except MLError as exc:
            if exc.code == ErrorCode.NOT_FOUND:
                return None
            raise

    def training_jobs(self, run_ids: list[str]) -> dict[str, dict]:
        """The jobs of these runs by run id, in one request; a run the ML API does not know
        is absent."""
        if not run_ids:
            return {}
        jobs = self._call(TRAINING_JOBS, {"runIds": list(run_ids)}, "trainingJobs", timeout=10) or []
        return {job["runId"]: job for job in jobs}

    def embed_photos(self, uris: list[str], scope: str | None = None) -> dict:
        """Queue photos for background embedding (durable rows in the ML API's queue: sent
        once); ``accepted``: how many were taken, ``queued``: the queue's length."""
        payload: dict[str, Any] = {"uris": list(uris)}
        if scope is not None:
            payload["scope"] = scope
        return self._call(EMBED_PHOTOS, {"input": payload}, "embedPhotos", timeout=10)

    def predict(self, run_id: str, image_uri: str) -> dict:
        return self._call(PREDICT, {"input": {"runId": run_id, "imageUri": image_uri}}, "predict")

    def photo_hints(self, key: str, signature: str, classes: list[str], examples: list[dict[str, str]],
                    scope: str | None = None) -> dict:
        """The hints job of one group (``key``) for the photo set ``signature`` names: the
        job as it is (``status``, and ``result`` once SUCCEEDED). Coalesced per key: the same
        signature returns the existing job, a new one replaces it. Answers at once."""
        payload: dict[str, Any] = {"key": key, "signature": signature, "classes": classes, "examples": examples}
        if scope is not None:
            payload["scope"] = scope
        return self._call(PHOTO_HINTS, {"input": payload}, "photoHints", timeout=10)

    def evaluate(self, run_id: str, examples: list[dict[str, str]]) -> dict:
        # Well inside the reconciler's claim on the run (training.LEASE).
        return self._call(EVALUATE, {"input": {"runId": run_id, "examples": examples}}, "evaluate", timeout=120)

    def export_model(self, run_id: str, labels: list[dict], model_name: str) -> dict:
        """Write (or find) the run's export; ``labels``: [{classId, name, reaction}] for its
        classes (``reaction``: {emoji, sound, words} or None)."""
        return self._call(EXPORT_MODEL, {"input": {"runId": run_id, "labels": labels, "modelName": model_name}},
                          "exportModel", timeout=120)

    def delete_jobs(self, scope: str) -> int:
        """Delete every job of a workshop (and refuse any later one for it); how many went."""
        return int(self._call(DELETE_JOBS, {"scope": scope}, "deleteJobs", timeout=30) or 0)

    def health(self) -> dict:
        return self._call(HEALTH, {}, "health", timeout=5)
