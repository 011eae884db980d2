"""The BFF's client for the ML API's internal GraphQL endpoint (docs/design.md).

Transport failures (ML API down, timeouts, 5xx) raise :class:`MLUnavailable`, which the
training orchestrator treats as "try again later"; errors the ML API reports about the
request itself raise :class:`MLError` with its ``code``.
"""

from __future__ import annotations

import threading
from typing import Any

import requests

JOB_FIELDS = "runId status progress epoch epochs trainAccuracy error modelUri mode heartbeatAt updatedAt"


class MLUnavailable(Exception):
    """The ML API could not be reached or answered with a server error."""


class MLError(Exception):
    """The ML API refused or failed the operation; ``code`` is its extensions.code."""

    def __init__(self, message: str, code: str | None):
        super().__init__(message)
        self.code = code


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
            raise MLUnavailable(f"ML API answered non-JSON (HTTP {response.status_code})") from exc
        errors = body.get("errors") or []
        if errors:
            first = errors[0]
            code = (first.get("extensions") or {}).get("code")
            if code in ("INTERNAL", "UNAVAILABLE"):
                raise MLUnavailable(first.get("message", "ML API error"))
            raise MLError(first.get("message", "ML API error"), code)
        if response.status_code >= 400:
            raise MLError(f"ML API answered HTTP {response.status_code}", "BAD_REQUEST")
        return (body.get("data") or {}).get(field)

    # ---- operations (names and shapes: docs/design.md) ---------------------------------
    def start_training(self, run_id: str, classes: list[str], examples: list[dict[str, str]],
                       mode: str = "QUICK", epochs: int | None = None) -> dict:
        query = f"""mutation Start($input: StartTrainingInput!) {{
            startTraining(input: $input) {{ {JOB_FIELDS} }} }}"""
        payload: dict[str, Any] = {"runId": run_id, "classes": classes, "examples": examples, "mode": mode}
        if epochs is not None:
            payload["epochs"] = epochs
        return self._call(query, {"input": payload}, "startTraining")

    def training_job(self, run_id: str) -> dict | None:
        """The job's status, or None when the ML API does not know the run."""
        query = f"query Job($runId: ID!) {{ trainingJob(runId: $runId) {{ {JOB_FIELDS} }} }}"
        try:
            return self._call(query, {"runId": run_id}, "trainingJob", timeout=10)
        except MLError as exc:
            if exc.code == "NOT_FOUND":
                return None
            raise

    def predict(self, run_id: str, image_uri: str) -> dict:
        query = """mutation Predict($input: PredictInput!) {
            predict(input: $input) { label confidence scores { label confidence } } }"""
        return self._call(query, {"input": {"runId": run_id, "imageUri": image_uri}}, "predict")

    def evaluate(self, run_id: str, examples: list[dict[str, str]]) -> dict:
        query = """mutation Evaluate($input: EvaluateInput!) {
            evaluate(input: $input) { runId accuracy labels perClass
                                      confusion misclassified { uri label predicted } } }"""
        # Well inside the reconciler's claim on the run (training.LEASE).
        return self._call(query, {"input": {"runId": run_id, "examples": examples}}, "evaluate", timeout=120)

    def health(self) -> dict:
        return self._call("query { health { device deviceName backbone ready } }", {}, "health", timeout=5)
