"""QUICK mode's frozen embeddings: computed in batches, cached in storage per image.

Cache key: :func:`pictolab.contract.storage_keys.embedding_key` (image key, backbone,
sha256(content)[:32]). Keyed by content as well as key, so a replaced photo never reuses a
stale embedding; nested under the image's own key, so the BFF deletes one photo's (or one
workshop's) embeddings by prefix, for every backbone at once.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Sequence

import numpy as np
import torch

from pictolab.contract.storage_keys import embedding_key, embeddings_prefix
from pictolab.storage import ObjectNotFound, Storage, StorageError

from .backbones import frozen_backbones, get_spec
from .data import ImageMissing, content_hash, decode_image, read_image_bytes
from .device import autocast, to_device
from .presets import get_preset
from .timing import PhaseTimer

log = logging.getLogger(__name__)

# Small batches on the CPU: measured on the 2-core box, 8 images per batch embed ~3x faster per
# image than 32 (activations stay in cache); the GPU wants big batches.
CPU_EMBED_BATCH, CUDA_EMBED_BATCH = 8, 64


def embed_batch_size(device: torch.device) -> int:
    """Photos embedded in one forward pass on ``device``; the workers also claim this many
    queued embedding jobs at a time, so one claim is one batch."""
    return CUDA_EMBED_BATCH if device.type == "cuda" else CPU_EMBED_BATCH


def forget_if_photo_gone(storage: Storage, image_key: str) -> bool:
    """Called right after an embedding of ``image_key`` was cached: when the photo is gone
    (deleted by its group, or purged), delete everything cached for it. Written first, looked
    at after: either this look sees the photo gone, or the write finished before the photo
    was deleted, hence before the BFF deleted the photo's embeddings prefix (it deletes the
    photo first), which removes it. So no embedding outlives its photo, whichever job (a run,
    an evaluation, hints, a background EMBED job) wrote it."""
    if storage.exists(image_key):
        return False
    storage.delete_prefix(embeddings_prefix(image_key))
    log.info("photo deleted while embedding: its embeddings were removed", extra={"key": image_key})
    return True


def _to_npy(vector: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, vector.astype(np.float32), allow_pickle=False)
    return buffer.getvalue()


def _from_npy(data: bytes) -> np.ndarray:
    return np.load(io.BytesIO(data), allow_pickle=False)


@torch.inference_mode()
def embed_tensors(net: torch.nn.Module, batch: torch.Tensor, device: torch.device) -> np.ndarray:
    batch = to_device(batch, device)
    with autocast(device):
        features = net(batch)
    return features.float().cpu().numpy()


def embed_images(storage: Storage, items: Sequence[tuple[str, str]], backbone_id: str, device: torch.device, *,
                 use_cache: bool = True, max_pixels: int = 50_000_000, timer: PhaseTimer | None = None,
                 on_progress: Callable[[float], None] | None = None, batch_size: int | None = None,
                 missing: list[int] | None = None) -> np.ndarray:
    """Embeddings (N, D) of ``items`` = [(uri, key)], from the cache where possible.

    Raises :class:`ImageLoadError` naming the first photo that is missing or undecodable.
    With a ``missing`` list, a photo whose object is gone is skipped instead: its index is
    appended there and the result has a row for each photo that was read, in order.
    """
    timer = timer or PhaseTimer()
    batch_size = batch_size or embed_batch_size(device)
    spec = get_spec(backbone_id)
    preset = get_preset(spec.preset)
    transform = preset.eval_transform()
    result: list[np.ndarray | None] = [None] * len(items)
    pending: list[tuple[int, str, str, bytes, str]] = []  # index, uri, key, bytes, sha

    for index, (uri, key) in enumerate(items):
        with timer.phase("read"):
            try:
                data = read_image_bytes(storage, uri, key)
            except ImageMissing:
                if missing is None:
                    raise
                missing.append(index)
                continue
            sha = content_hash(data)
        if use_cache:
            with timer.phase("cache_read"):
                try:
                    result[index] = _from_npy(storage.get_bytes(embedding_key(key, backbone_id, sha)))
                    continue
                except ObjectNotFound:
                    pass
                except ValueError:  # a corrupt cache entry: recompute it
                    pass
        pending.append((index, uri, key, data, sha))

    if pending:
        with timer.phase("load_backbone"):
            net = frozen_backbones.get(backbone_id, device)
    done = len(items) - len(pending)
    for start in range(0, len(pending), batch_size):
        chunk = pending[start:start + batch_size]
        with timer.phase("decode"):
            images = [decode_image(data, uri, min_size=preset.size, max_pixels=max_pixels)
                      for _, uri, _, data, _ in chunk]
            batch = preset.batch(images, transform)
        with timer.phase("embed"):
            vectors = embed_tensors(net, batch, device)
        for (index, _, key, _, sha), vector in zip(chunk, vectors):
            result[index] = vector
            if use_cache:
                with timer.phase("cache_write"):
                    try:
                        storage.put_bytes(embedding_key(key, backbone_id, sha), _to_npy(vector))
                        forget_if_photo_gone(storage, key)
                    except (StorageError, OSError):  # a cache: the next run computes it again
                        log.warning("embedding cache write failed", exc_info=True, extra={"key": key})
        done += len(chunk)
        if on_progress:
            on_progress(done / max(1, len(items)))
    rows = [row for row in result if row is not None]  # (None: a skipped missing photo)
    return np.stack(rows).astype(np.float32) if rows else np.zeros((0, spec.feature_dim), np.float32)
