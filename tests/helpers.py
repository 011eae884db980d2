"""Helpers shared by every test package (plain functions and constants; the fixtures are in
``conftest.py``). Test modules import these from here, never from a ``conftest`` module, which
pytest imports itself (importing it again can run it twice under another name).

Under ``CI=true`` nothing may skip: a missing tool is a failure there. Outside CI a test may
skip for a missing system tool, saying how to install it (see :func:`require_tool`).
"""

from __future__ import annotations

import os
import shutil
import socket
import time

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
POSTGRES_URL = os.environ.get("PICTOLAB_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def require(condition: bool, why: str) -> None:
    """Skip locally (with how to fix it), fail under CI."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {why}")
    pytest.skip(why)


def require_tool(name: str, install_hint: str) -> str:
    path = shutil.which(name)
    require(path is not None, f"{name} not found; install it with: {install_hint}")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, host: str = "127.0.0.1", timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout}s")


def assert_readiness_shape(response, service: str) -> dict:
    """Every service's ``/readyz`` answers in one shape (pictolab.health); returns its checks."""
    body = response.get_json() if hasattr(response, "get_json") else response.json()
    assert set(body) == {"status", "service", "checks"}, body
    assert body["service"] == service
    assert body["checks"], "a readiness answer without checks checks nothing"
    for name, check in body["checks"].items():
        assert set(check) == {"ok", "detail"} and isinstance(check["ok"], bool), (name, check)
        assert isinstance(check["detail"], str) and check["detail"], (name, check)
    ready = all(check["ok"] for check in body["checks"].values())
    assert body["status"] == ("ready" if ready else "not ready")
    assert response.status_code == (200 if ready else 503)
    return body["checks"]
