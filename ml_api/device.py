"""Which torch device the ML API uses, and how it is described in ``health``."""

from __future__ import annotations

import ctypes
import logging
import os
import platform
import shutil
import subprocess
import warnings

import torch

log = logging.getLogger(__name__)


class DeviceUnavailable(RuntimeError):
    """``PICTOLAB_ML_DEVICE=cuda`` but CUDA cannot be used here; the message says why, with
    torch's CUDA version and the driver's (see :func:`cuda_report`)."""


def resolve_device(setting: str) -> torch.device:
    """``auto`` picks CUDA when it works; ``cuda`` insists on it (DeviceUnavailable otherwise);
    ``cpu`` never uses it."""
    if setting == "cpu":
        return torch.device("cpu")
    if setting not in ("cuda", "auto"):
        raise ValueError(f"unknown ML device setting {setting!r} (auto|cuda|cpu)")
    problem = _cuda_problem()
    if problem is None:
        return torch.device("cuda")
    if setting == "cuda":
        raise DeviceUnavailable(f"PICTOLAB_ML_DEVICE=cuda but CUDA is not usable: {problem}; {cuda_report()}")
    if torch.version.cuda and _driver_release():  # a GPU node whose CUDA failed: worth a line
        log.warning("CUDA is not usable (%s; %s); using the CPU", problem, cuda_report())
    return torch.device("cpu")


def _cuda_problem() -> str | None:
    """None when a CUDA kernel runs; else why not. ``is_available()`` alone is not enough: a
    driver older than the torch build needs is reported by a warning, or only at first use."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        available = torch.cuda.is_available()
    if not available:
        said = "; ".join(str(w.message).strip() for w in caught)
        return f"torch sees no CUDA device ({said})" if said else "torch sees no CUDA device"
    try:
        _cuda_smoke_test()
    except RuntimeError as exc:  # e.g. "CUDA driver version is insufficient for CUDA runtime version"
        return f"a CUDA kernel failed: {exc}"
    return None


def _cuda_smoke_test() -> None:
    torch.ones(1, device="cuda").add_(1).item()


def cuda_report() -> str:
    """torch's CUDA build and the driver's versions, for the log and ``/readyz``."""
    build = torch.version.cuda or "none (a CPU-only build)"
    driver_cuda = _driver_cuda_version()
    release = _driver_release()
    if driver_cuda is None and release is None:
        driver = "no NVIDIA driver found"
    else:
        driver = f"NVIDIA driver {release or 'of unknown release'}" + \
            (f" supporting CUDA up to {driver_cuda}" if driver_cuda else "")
    return f"torch {torch.__version__} is built for CUDA {build}; {driver}"


def _driver_cuda_version() -> str | None:
    """The newest CUDA version the installed driver supports (cuDriverGetVersion), or None."""
    version = 0
    getter = getattr(torch._C, "_cuda_getDriverVersion", None)  # private: present in some builds only
    try:
        if getter is not None:
            version = int(getter())
        else:
            out = ctypes.c_int(0)
            if ctypes.CDLL("libcuda.so.1").cuDriverGetVersion(ctypes.byref(out)) == 0:
                version = out.value
    except (OSError, RuntimeError, AttributeError, ValueError):
        return None
    return f"{version // 1000}.{version % 1000 // 10}" if version > 0 else None


def _driver_release() -> str | None:
    """The NVIDIA kernel driver's release (e.g. 550.54.15), or None when there is none."""
    try:
        with open("/proc/driver/nvidia/version") as fh:
            for word in fh.readline().split():
                if word[:1].isdigit() and word.count(".") >= 1:
                    return word
    except OSError:
        pass
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return None
    try:
        out = subprocess.run([smi, "--query-gpu=driver_version", "--format=csv,noheader"], capture_output=True,
                             text=True, timeout=10, check=True).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return None
    return out[0] if out else None


def device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return _cpu_model() or platform.processor() or "CPU"


def _cpu_model() -> str | None:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return f"{line.split(':', 1)[1].strip()} ({usable_cpus()} cores)"
    except OSError:
        pass
    return None


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def configure_torch(device: torch.device) -> None:
    """Process-wide torch knobs: intra-op threads = the cores this process may use (a
    container's CPU set, not the host's), cuDNN autotuning and TF32 on the GPU."""
    torch.set_num_threads(max(1, usable_cpus()))
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True


def autocast(device: torch.device):
    """bf16 autocast on CUDA; a no-op context on the CPU (bf16 on CPU is slower than fp32 here)."""
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=device.type == "cuda")


def memory_format(device: torch.device):
    return torch.channels_last if device.type == "cuda" else torch.contiguous_format


def to_device(batch: torch.Tensor, device: torch.device) -> torch.Tensor:
    """Host -> device copy of an input batch: pinned + non_blocking on CUDA (the copy overlaps
    the previous batch's compute), channels_last where the convolutions want it."""
    if device.type == "cuda":
        batch = batch.pin_memory()
    return batch.to(device, non_blocking=True, memory_format=memory_format(device))
