"""PICTOLAB_ML_DEVICE: ``cuda`` without usable CUDA keeps the ML API unready and says why (torch's
CUDA build, the driver's version); ``auto`` and ``cpu`` become ready. CUDA's absence or failure
is simulated, so these run the same on a CPU box and on a GPU node."""

from __future__ import annotations

import logging
import time

import pytest
import torch

from ml_api import device as device_module
from ml_api.device import DeviceUnavailable, cuda_report, resolve_device
from tests.helpers import assert_readiness_shape

TORCH_CUDA = torch.version.cuda or "none (a CPU-only build)"


def _no_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)


def _wait_ready(ml, timeout: float = 180.0):
    deadline = time.monotonic() + timeout
    while True:
        response = ml.client.get("/readyz")
        if response.status_code == 200 or time.monotonic() > deadline:
            return response
        time.sleep(0.2)


def test_cuda_without_a_gpu_stays_unready_and_says_why(make_ml, monkeypatch, caplog):
    _no_cuda(monkeypatch)
    with caplog.at_level(logging.ERROR, logger="ml_api.service"):
        ml = make_ml(ml_device="cuda")
    logged = [r.getMessage() for r in caplog.records if r.name == "ml_api.service"]
    assert any(f"built for CUDA {TORCH_CUDA}" in m and "PICTOLAB_ML_DEVICE=cuda" in m for m in logged), logged

    time.sleep(0.5)  # nothing loads in the background that could make it ready later
    response = ml.client.get("/readyz")
    assert response.status_code == 503
    checks = assert_readiness_shape(response, "ml-api")
    assert checks["device"]["ok"] is False
    assert f"built for CUDA {TORCH_CUDA}" in checks["device"]["detail"]
    assert "torch sees no CUDA device" in checks["device"]["detail"]
    assert checks["backbone"]["ok"] is False
    assert ml.client.get("/healthz").status_code == 200  # alive: not restarted in a loop
    # `health` is truthful: the process computes on the CPU and is not ready.
    health = ml.data("{ health { device ready } }")["health"]
    assert health == {"device": "cpu", "ready": False}


def test_cuda_with_a_too_old_driver_names_both_versions(make_ml, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)

    def fails():
        raise RuntimeError("CUDA driver version is insufficient for CUDA runtime version")

    monkeypatch.setattr(device_module, "_cuda_smoke_test", fails)
    monkeypatch.setattr(device_module, "_driver_cuda_version", lambda: "12.2")
    monkeypatch.setattr(device_module, "_driver_release", lambda: "535.104.05")
    ml = make_ml(ml_device="cuda")
    response = ml.client.get("/readyz")
    assert response.status_code == 503
    detail = assert_readiness_shape(response, "ml-api")["device"]["detail"]
    assert "insufficient" in detail and f"built for CUDA {TORCH_CUDA}" in detail
    assert "NVIDIA driver 535.104.05 supporting CUDA up to 12.2" in detail
    assert ml.data("{ health { device ready } }")["health"] == {"device": "cpu", "ready": False}


@pytest.mark.parametrize("setting", ["auto", "cpu"])
def test_auto_and_cpu_become_ready(make_ml, setting):
    ml = make_ml(ml_device=setting)
    response = _wait_ready(ml)
    checks = assert_readiness_shape(response, "ml-api")
    assert response.status_code == 200, checks
    assert checks["device"]["ok"] and f"PICTOLAB_ML_DEVICE={setting}" in checks["device"]["detail"]
    health = ml.data("{ health { device ready } }")["health"]
    assert health["ready"] is True and health["device"] == ml.service.device.type
    if setting == "cpu":
        assert health["device"] == "cpu"


def test_resolve_device(monkeypatch):
    _no_cuda(monkeypatch)
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device("auto") == torch.device("cpu")
    with pytest.raises(DeviceUnavailable, match="PICTOLAB_ML_DEVICE=cuda"):
        resolve_device("cuda")
    with pytest.raises(ValueError):
        resolve_device("tpu")


def test_cuda_report_without_a_driver(monkeypatch):
    monkeypatch.setattr(device_module, "_driver_cuda_version", lambda: None)
    monkeypatch.setattr(device_module, "_driver_release", lambda: None)
    assert cuda_report() == f"torch {torch.__version__} is built for CUDA {TORCH_CUDA}; no NVIDIA driver found"
