"""Helpers for tests (and benches) that talk HTTP to real processes: a cookie-keeping GraphQL
``Browser``, ``wait_until``, ``create_workshop`` through the real CLI. Fixtures live in
conftest.py; tests import these names from here."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from typing import Any

import requests

from tests.services import PICTOLAB

PREFLIGHT = {"Apollo-Require-Preflight": "true"}


class Browser:
    """One device (an iPad, the instructors' laptop): its own cookie jar, GraphQL over HTTP."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.http = requests.Session()

    def execute(self, query: str, **variables: Any) -> dict[str, Any]:
        response = self.http.post(self.base_url + "/graphql", json={"query": query, "variables": variables},
                                  timeout=60)
        assert response.status_code == 200, response.text
        return response.json()

    def data(self, query: str, **variables: Any) -> dict[str, Any]:
        body = self.execute(query, **variables)
        assert not body.get("errors"), body["errors"]
        return body["data"]

    def error_code(self, query: str, **variables: Any) -> str:
        body = self.execute(query, **variables)
        assert body.get("errors"), body
        return body["errors"][0]["extensions"]["code"]

    def upload_raw(self, query: str, variables: dict[str, Any], jpeg: bytes) -> dict[str, Any]:
        """A GraphQL multipart request with one file (``variables.file``); the whole body."""
        operations = {"query": query, "variables": {**variables, "file": None}}
        response = self.http.post(
            self.base_url + "/graphql", headers=PREFLIGHT, timeout=60,
            data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
            files={"0": ("photo.jpg", jpeg, "image/jpeg")})
        assert response.status_code == 200, response.text
        return response.json()

    def upload(self, query: str, variables: dict[str, Any], jpeg: bytes) -> dict[str, Any]:
        body = self.upload_raw(query, variables, jpeg)
        assert not body.get("errors"), body["errors"]
        return body["data"]


def wait_until(condition: Callable[[], Any], timeout: float = 180.0, interval: float = 0.25, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what or condition}")


def create_workshop(env: dict[str, str], title: str, classes: list[str], groups: int) -> dict[str, Any]:
    """`pictolab workshop create --json`, the real CLI."""
    out = subprocess.run([PICTOLAB, "workshop", "create", "--title", title, "--classes", ",".join(classes),
                          "--groups", str(groups), "--json"], env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout)
