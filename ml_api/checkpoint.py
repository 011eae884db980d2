"""torch objects <-> storage (checkpoints and saved models are plain ``torch.save`` dicts)."""

from __future__ import annotations

import io
import logging
import threading
from typing import Any

import torch

from pictolab.storage import Storage

log = logging.getLogger(__name__)


def save_object(storage: Storage, key: str, obj: dict[str, Any]) -> None:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    storage.put_bytes(key, buffer.getvalue())


def load_object(storage: Storage, key: str) -> dict[str, Any]:
    """Loads with ``weights_only=True``: only tensors and plain containers, never code."""
    return torch.load(io.BytesIO(storage.get_bytes(key)), map_location="cpu", weights_only=True)


def to_cpu(obj: Any) -> Any:
    """A copy of a (nested) state dict with every tensor on the CPU, detached: a snapshot the
    training loop can keep updating its own tensors after."""
    if isinstance(obj, torch.Tensor):
        return obj.detach().to("cpu", copy=True)
    if isinstance(obj, dict):
        return {key: to_cpu(value) for key, value in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_cpu(value) for value in obj)
    return obj


class BackgroundCheckpointWriter:
    """Writes checkpoints to storage in a background thread, at most one in flight, so the
    next epoch trains while the previous checkpoint uploads (tens of MB to GCS each epoch
    would otherwise stall a GPU that finishes an epoch in a fraction of a second).

    ``save`` snapshots to CPU memory at once; ``flush`` waits for the upload. A failed
    upload is logged, not raised: a checkpoint is insurance, and the next epoch's (or the
    finished model) replaces it, so a storage hiccup must not fail a run that trains fine.
    ``flush`` returns whether the last upload made it.
    """

    def __init__(self, storage: Storage):
        self.storage = storage
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def save(self, key: str, obj: dict[str, Any]) -> None:
        snapshot = to_cpu(obj)
        self.flush()

        def write():
            try:
                save_object(self.storage, key, snapshot)
            except BaseException as exc:  # noqa: BLE001 (handed to the training thread by flush())
                self._error = exc

        self._thread = threading.Thread(target=write, name="checkpoint-writer", daemon=True)
        self._thread.start()

    def flush(self) -> bool:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            log.warning("checkpoint upload failed; training goes on", exc_info=error)
            return False
        return True
