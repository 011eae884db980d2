"""System tests: the real services as separate processes on loopback, real HTTP."""

from __future__ import annotations

import subprocess

import pytest

from tests.services import PICTOLAB, ServiceProcess, base_env


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
