"""Helpers for the ML API tests (data that ships inside packages: scikit-learn's digits,
scikit-image's texture photos; GraphQL operation texts; a test client with GraphQL helpers).
Fixtures live in conftest.py; tests import these names from here."""

from __future__ import annotations

import io
import time
import uuid
from dataclasses import dataclass

import numpy as np
from PIL import Image

TERMINAL = ("SUCCEEDED", "FAILED")

JOB_FIELDS = ("runId status progress epoch epochs trainAccuracy error errorCode modelUri mode backbone "
              "heartbeatAt updatedAt attempt resumedFromEpoch epochsRun interrupted worker")
START = f"mutation($input: StartTrainingInput!) {{ startTraining(input: $input) {{ {JOB_FIELDS} }} }}"
JOB = f"query($runId: ID!) {{ trainingJob(runId: $runId) {{ {JOB_FIELDS} }} }}"
PREDICT = ("mutation($input: PredictInput!) { predict(input: $input) { label confidence "
           "scores { label confidence } } }")
EVALUATE = ("mutation($input: EvaluateInput!) { evaluate(input: $input) { runId accuracy labels "
            "perClass confusion misclassified { uri label predicted } } }")
HINTS = ("mutation($input: PhotoHintsInput!) { photoHints(input: $input) { key signature status error "
         "result { photos { uri codes brightness sharpness duplicateOf } classPairs { a b overlap code } } } }")
EMBED_PHOTOS = "mutation($input: EmbedPhotosInput!) { embedPhotos(input: $input) { accepted queued } }"


def new_id() -> str:
    return uuid.uuid4().hex


@dataclass
class Photo:
    uri: str
    key: str
    label: str

    def example(self) -> dict:
        return {"uri": self.uri, "label": self.label}


def encode(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    return buffer.getvalue()


def put_photos(storage, images, labels, *, workshop: str | None = None, fmt: str = "JPEG") -> list[Photo]:
    """Store images as the BFF would (photos/<workshop>/<photoId>.jpg) and return them."""
    workshop = workshop or new_id()
    photos = []
    for image, label in zip(images, labels):
        key = f"photos/{workshop}/{new_id()}.{'jpg' if fmt == 'JPEG' else fmt.lower()}"
        storage.put_bytes(key, encode(image, fmt), f"image/{fmt.lower()}")
        photos.append(Photo(storage.uri(key), key, label))
    return photos


# ---- real image data ------------------------------------------------------------------------------
def digit_images(classes=(0, 1, 3, 7), per_class: int = 25, size: int = 96, seed: int = 0):
    """sklearn's 8x8 handwritten digits, upscaled to photo-like RGB images, ``per_class`` each."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for digit in classes:
        indices = rng.choice(np.flatnonzero(digits.target == digit), per_class, replace=False)
        for index in indices:
            pixels = (255 - digits.images[index] * (255 / 16)).astype(np.uint8)  # dark ink on paper
            image = Image.fromarray(pixels, "L").resize((size, size), Image.BILINEAR).convert("RGB")
            images.append(image)
            labels.append(f"digit-{digit}")
    return images, labels


def texture_images(per_class: int = 25, patch: int = 128, seed: int = 0):
    """Random crops of scikit-image's brick, grass and gravel photos."""
    from skimage import data

    rng = np.random.default_rng(seed)
    images, labels = [], []
    for name in ("brick", "grass", "gravel"):
        photo = getattr(data, name)()
        for _ in range(per_class):
            y, x = rng.integers(0, photo.shape[0] - patch), rng.integers(0, photo.shape[1] - patch)
            crop = np.ascontiguousarray(photo[y:y + patch, x:x + patch])
            images.append(Image.fromarray(crop).convert("RGB"))
            labels.append(name)
    return images, labels


def split(photos: list[Photo], train_per_class: int):
    """The first ``train_per_class`` photos of each label for training, the rest held out."""
    seen: dict[str, int] = {}
    train, held_out = [], []
    for photo in photos:
        seen[photo.label] = seen.get(photo.label, 0) + 1
        (train if seen[photo.label] <= train_per_class else held_out).append(photo)
    return train, held_out


# ---- the app --------------------------------------------------------------------------------------
class MlClient:
    """The Flask test client plus GraphQL helpers."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()
        self.service = app.extensions["ml_api"]
        self.storage = self.service.storage

    def gql(self, query: str, **variables) -> dict:
        response = self.client.post("/graphql", json={"query": query, "variables": variables})
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    def data(self, query: str, **variables) -> dict:
        body = self.gql(query, **variables)
        assert not body.get("errors"), body["errors"]
        return body["data"]

    def error_code(self, query: str, **variables) -> str:
        body = self.gql(query, **variables)
        assert body.get("errors"), body
        return body["errors"][0]["extensions"]["code"]

    def start(self, run_id: str, classes, examples, **extra) -> dict:
        return self.data(START, input={"runId": run_id, "classes": list(classes), "examples": examples,
                                       **extra})["startTraining"]

    def job(self, run_id: str) -> dict:
        return self.data(JOB, runId=run_id)["trainingJob"]

    def wait(self, run_id: str, timeout: float = 240) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.job(run_id)
            if job["status"] in TERMINAL:
                return job
            time.sleep(0.1)
        raise TimeoutError(f"run {run_id} not finished after {timeout}s: {job}")

    def stored_keys(self) -> list[str]:
        return list(self.storage.list(""))

    def hints(self, key: str, signature: str, examples: list[dict], **extra) -> dict:
        """Ask for a group's photo hints: the job as it stands (QUEUED at first)."""
        return self.data(HINTS, input={"key": key, "signature": signature, "examples": examples,
                                       **extra})["photoHints"]

    def wait_hints(self, key: str, signature: str, examples: list[dict], timeout: float = 120, **extra) -> dict:
        """Ask again until the job is done, as the BFF does (the same signature never requeues)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.hints(key, signature, examples, **extra)
            if job["status"] in TERMINAL:
                return job
            time.sleep(0.1)
        raise TimeoutError(f"photo hints {key} not finished after {timeout}s: {job}")

    def rows(self, kind: str | None = None) -> list[dict]:
        return queue_rows(self.service.queue, kind)


# ---- the queue, by hand -----------------------------------------------------------------------
def queue_rows(queue, kind: str | None = None) -> list[dict]:
    """Every row of the job queue (of one kind), oldest first."""
    from sqlalchemy import select

    from ml_api.queue import jobs

    statement = select(jobs).order_by(jobs.c.queued_at, jobs.c.id)
    if kind is not None:
        statement = statement.where(jobs.c.kind == kind)
    with queue.engine.connect() as conn:
        return [dict(row) for row in conn.execute(statement).mappings()]


def run_queued(pool) -> int:
    """Claim and run jobs in this thread until nothing is claimable (a pool built with
    ``start=False``, or an app made with ``ML_WORKERS: False``): no thread races the test."""
    batches = 0
    while claims := pool._next():
        pool._run(claims)
        batches += 1
    return batches


def job_kinds(service):
    """The service's :class:`ml_api.job_kinds.JobKinds` (to swap in a fake trainer)."""
    return service.workers.handlers["TRAIN"].__self__
