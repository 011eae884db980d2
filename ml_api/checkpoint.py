"""torch objects <-> storage (checkpoints and saved models are plain ``torch.save`` dicts)."""

from __future__ import annotations

import io
from typing import Any

import torch

from pictolab.storage import Storage


def save_object(storage: Storage, key: str, obj: dict[str, Any]) -> None:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    storage.put_bytes(key, buffer.getvalue())


def load_object(storage: Storage, key: str) -> dict[str, Any]:
    """Loads with ``weights_only=True``: only tensors and plain containers, never code."""
    return torch.load(io.BytesIO(storage.get_bytes(key)), map_location="cpu", weights_only=True)
