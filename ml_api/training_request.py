"""A validated ``startTraining`` input (kept in its job's row: ml_api.queue)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pictolab.storage import Storage

from .backbones import UnknownBackbone, get_spec
from .data import Example, key_for_uri

MODES = ("QUICK", "DEEP")
DEFAULT_DEEP_EPOCHS = 5
MAX_EPOCHS = 100
MIN_IMAGE_SIZE, MAX_IMAGE_SIZE = 64, 512
MAX_EXAMPLES = 2000
RUN_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class InvalidRequest(ValueError):
    """The input is wrong; nothing was written."""


@dataclass(frozen=True)
class TrainingRequest:
    run_id: str
    classes: tuple[str, ...]
    examples: tuple[Example, ...]
    mode: str = "QUICK"
    backbone: str = "efficientnet_lite0"
    epochs: int = DEFAULT_DEEP_EPOCHS
    image_size: int | None = None  # DEEP only; None = the backbone preset's size
    extra: dict = field(default_factory=dict)

    def args(self) -> dict[str, Any]:
        return {"mode": self.mode, "backbone": self.backbone, "epochs": self.epochs,
                "imageSize": self.image_size}

    def to_json(self) -> dict[str, Any]:
        return {"runId": self.run_id, "classes": list(self.classes),
                "examples": [{"uri": e.uri, "label": e.label} for e in self.examples], **self.args()}


def validate_run_id(run_id: Any) -> str:
    if not isinstance(run_id, str) or not RUN_ID_RE.match(run_id):
        raise InvalidRequest("runId must be 1-64 characters of letters, digits, '-' or '_'")
    return run_id


def parse_examples(raw_examples, storage: Storage, classes, where: str) -> list[Example]:
    """[{uri, label}] -> Examples; each label one of ``classes``, each uri inside the storage."""
    raw_examples = list(raw_examples)
    if len(raw_examples) > MAX_EXAMPLES:
        raise InvalidRequest(f"at most {MAX_EXAMPLES} {where} per run")
    examples = []
    for position, example in enumerate(raw_examples):
        label, uri = example.get("label"), example.get("uri")
        if label not in classes:
            raise InvalidRequest(f"{where}[{position}]: label {label!r} is not one of the classes")
        try:
            key = key_for_uri(storage, uri)
        except ValueError as exc:
            raise InvalidRequest(f"{where}[{position}]: {exc}") from None
        examples.append(Example(uri=uri, key=key, label=label))
    return examples


def parse_request(data: Mapping[str, Any], storage: Storage, default_backbone: str,
                  default_epochs: int = DEFAULT_DEEP_EPOCHS) -> TrainingRequest:
    """Check everything that can be checked without reading photos; raise InvalidRequest."""
    run_id = validate_run_id(data.get("runId"))
    classes = list(data.get("classes") or [])
    if len(classes) < 2:
        raise InvalidRequest(f"at least 2 classes are needed, got {len(classes)}")
    if any(not isinstance(c, str) or not c for c in classes):
        raise InvalidRequest("class labels must be non-empty strings")
    if len(set(classes)) != len(classes):
        raise InvalidRequest("class labels must be unique")
    examples = parse_examples(data.get("examples") or [], storage, classes, "examples")
    counts = {c: 0 for c in classes}
    for example in examples:
        counts[example.label] += 1
    empty = [c for c, n in counts.items() if n == 0]
    if empty:
        raise InvalidRequest(f"every class needs at least one example; none for: {', '.join(map(str, empty))}")
    mode = data.get("mode") or "QUICK"
    if mode not in MODES:
        raise InvalidRequest(f"mode must be one of {', '.join(MODES)}")
    backbone = data.get("backbone") or default_backbone
    try:
        get_spec(backbone)
    except UnknownBackbone as exc:
        raise InvalidRequest(str(exc)) from None
    epochs = data.get("epochs")
    epochs = default_epochs if epochs is None else epochs
    if not isinstance(epochs, int) or not 1 <= epochs <= MAX_EPOCHS:
        raise InvalidRequest(f"epochs must be between 1 and {MAX_EPOCHS}")
    image_size = data.get("imageSize")
    if image_size is not None and (not isinstance(image_size, int)
                                   or not MIN_IMAGE_SIZE <= image_size <= MAX_IMAGE_SIZE or image_size % 32):
        raise InvalidRequest(f"imageSize must be a multiple of 32 between {MIN_IMAGE_SIZE} and {MAX_IMAGE_SIZE}")
    return TrainingRequest(run_id=run_id, classes=tuple(classes), examples=tuple(examples), mode=mode,
                           backbone=backbone, epochs=epochs, image_size=image_size)


def request_from_json(data: Mapping[str, Any], storage: Storage) -> TrainingRequest:
    """A stored request.json (already validated when it was written)."""
    return parse_request(data, storage, data.get("backbone") or "efficientnet_lite0")
