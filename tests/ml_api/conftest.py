"""Fixtures for the ML API: a fresh app + storage folder per test (data and helpers:
tests/ml_api/helpers.py)."""

from __future__ import annotations

import pytest

from ml_api import create_app
from tests.ml_api.helpers import MlClient


@pytest.fixture
def make_ml(tmp_path):
    """Factory: a fresh ML API app on a fresh storage folder (or the given one)."""
    apps = []

    def make(storage_url: str | None = None, app_config: dict | None = None, **settings) -> MlClient:
        config = {
            **(app_config or {}),
            "ML_HANDLE_SIGNALS": False,  # the test runner owns the signal handlers
            # Lower-case keys are Settings fields (pictolab.appconfig), as for every service.
            "storage_url": storage_url or (tmp_path / "storage").as_uri(),
            "data_dir": str(tmp_path / "data"), "ml_device": "cpu", **settings,
        }
        app = create_app(config)
        apps.append(app)
        return MlClient(app)

    yield make
    for app in apps:
        app.extensions["ml_api"].shutdown(wait=True)


@pytest.fixture
def ml(make_ml) -> MlClient:
    return make_ml()
