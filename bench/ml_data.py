"""Photo-like benchmark images for the ML API benches: random crops of photos that ship
with scikit-image (textures and objects, no people), resized to what the BFF stores
(JPEG, long side 1024 px, quality 85)."""

from __future__ import annotations

import io
import uuid

import numpy as np
from PIL import Image

SOURCES = ("brick", "grass", "gravel", "coffee", "rocket")


def _source(name: str) -> Image.Image:
    from skimage import data

    return Image.fromarray(getattr(data, name)()).convert("RGB")


def photo_jpegs(n_classes: int, per_class: int, *, size=(1024, 768), seed: int = 0) -> list[tuple[bytes, str]]:
    rng = np.random.default_rng(seed)
    out = []
    for name in SOURCES[:n_classes]:
        source = _source(name)
        w, h = source.size
        for _ in range(per_class):
            cw, ch = int(w * rng.uniform(0.5, 0.9)), int(h * rng.uniform(0.5, 0.9))
            x, y = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
            image = source.crop((x, y, x + cw, y + ch)).resize(size, Image.BICUBIC)
            if rng.random() < 0.5:
                image = image.transpose(Image.FLIP_LEFT_RIGHT)
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=85)
            out.append((buffer.getvalue(), name))
    return out


def store(storage, photos: list[tuple[bytes, str]], workshop: str | None = None) -> list[dict]:
    """Write photos under fresh keys (so their embeddings are not cached yet); returns examples."""
    workshop = workshop or uuid.uuid4().hex
    examples = []
    for data, label in photos:
        key = f"photos/{workshop}/{uuid.uuid4().hex}.jpg"
        storage.put_bytes(key, data, "image/jpeg")
        examples.append({"uri": storage.uri(key), "label": label})
    return examples


# ---- the ML API in this process -------------------------------------------------------------
def ml_service(data_dir, device: str = "auto", slots: int = 1):
    """The ML API's real job machinery in this process (no HTTP): its queue (a SQLite file in
    ``data_dir``), ``slots`` workers pulling from it and the storage folder
    ``data_dir/storage``. Returns the :class:`ml_api.service.MlService`; call its
    ``shutdown()`` at the end."""
    from pathlib import Path

    from ml_api import create_app

    data_dir = Path(data_dir)
    app = create_app({"data_dir": str(data_dir), "storage_url": (data_dir / "storage").as_uri(), "ml_device": device,
                      "ml_gpu_concurrency": slots, "log_level": "WARNING", "ML_HANDLE_SIGNALS": False,
                      "ML_LOAD_BACKBONE": False, "ML_POLL_SECONDS": 0.2})
    return app.extensions["ml_api"]


def train_and_wait(service, data: dict, timeout: float = 1800, poll: float = 0.005) -> dict:
    """Queue a run (``startTraining``'s input) and wait for its row to finish; returns the
    row. Raises RuntimeError when it failed."""
    import time

    run_id = data["runId"]
    service.start_training(data)
    deadline = time.monotonic() + timeout
    while (row := service.queue.get(run_id))["status"] not in ("SUCCEEDED", "FAILED"):
        if time.monotonic() > deadline:
            raise TimeoutError(f"run {run_id} not finished after {timeout} s")
        time.sleep(poll)
    if row["status"] != "SUCCEEDED":
        raise RuntimeError(f"run {run_id} failed: {row['error']}")
    return row


def insert_succeeded_run(database_url: str, run_id: str, request: dict, model_uri: str) -> None:
    """A finished run's row, as its job would have left it, for a model written by hand (the
    benches that measure serving, not training). Inserted SUCCEEDED, so no worker takes it."""
    from ml_api.queue import PRIORITY, SUCCEEDED, TRAIN, jobs, open_engine, utcnow

    engine = open_engine(database_url)
    now = utcnow()
    try:
        with engine.begin() as conn:
            conn.execute(jobs.insert().values(
                id=run_id, kind=TRAIN, priority=PRIORITY[TRAIN], status=SUCCEEDED,
                payload={"request": request, "testExamples": []}, queued_at=now, started_at=now, finished_at=now,
                updated_at=now, attempt=1, interrupted=False, progress=1.0, model_uri=model_uri))
    finally:
        engine.dispose()
