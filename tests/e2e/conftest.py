"""System tests: the real services as separate processes on loopback, real HTTP."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.services import PICTOLAB, ServiceProcess, base_env

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


@pytest.fixture
def system(tmp_path):
    """ML API + BFF processes sharing one data directory (SQLite, storage folder, secrets)."""
    env = base_env(tmp_path / "data")
    ml = ServiceProcess("ml-api", env, ready_timeout=240)
    env["PICTOLAB_ML_API_URL"] = ml.url
    bff = ServiceProcess("bff", env)
    subprocess.run([PICTOLAB, "db", "upgrade"], env=env, check=True, capture_output=True)
    try:
        ml.start()
        bff.start()
        yield {"env": env, "ml": ml, "bff": bff, "data_dir": tmp_path / "data"}
    finally:
        bff.stop(timeout=30)
        ml.stop(timeout=30)
