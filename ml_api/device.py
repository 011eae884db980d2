"""Which torch device the ML API uses, and how it is described in ``health``."""

from __future__ import annotations

import os
import platform

import torch


def resolve_device(setting: str) -> torch.device:
    """``auto`` picks CUDA when torch sees a GPU; ``cuda`` insists on one; ``cpu`` never uses one."""
    if setting == "cpu":
        return torch.device("cpu")
    if setting == "cuda":
        if not torch.cuda.is_available():
            raise RuntimeError("PICTOLAB_ML_DEVICE=cuda but torch sees no CUDA device")
        return torch.device("cuda")
    if setting == "auto":
        return torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")
    raise ValueError(f"unknown ML device setting {setting!r} (auto|cuda|cpu)")


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
