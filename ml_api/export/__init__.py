"""A run's model as a Teachable Machine image model: TF.js Layers ``model.json`` + weights,
TM's ``metadata.json`` and ``model.zip`` (what TM's "Download my model" gives), written to
storage under the run's folder (``pictolab.contract.storage_keys.export_key``).

Written from the PyTorch weights (ml_api/export/convert.py), with no TensorFlow. A QUICK
export's backbone weights live in one shared file per backbone (named by its content hash),
which every QUICK ``model.json`` references by the same relative URL, so a browser loads it
once for every group. The zip instead holds one self-contained ``weights.bin``.

Idempotent: a second call with the same labels and reactions reads what is there; new ones (a
renamed class, a changed reaction) rewrite the export. ``model.json`` is written last, so its
presence means a complete export.

``metadata.json`` also has a ``"pictolab"`` key, ``{"classIds": [...], "reactions": [...]}`` in
label order (each reaction ``{"emoji", "sound", "words"}`` or null): the model page plays the
group's reactions from it. TM's loaders (``@teachablemachine/image``, ml5, TM2Scratch) read
only the keys they know, so an extra key is safe.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pictolab.contract.storage_keys import (
    export_key,
    export_prefix,
    model_key,
    shared_export_key,
)
from pictolab.storage import ObjectNotFound, Storage

from ..checkpoint import load_object
from .convert import INPUT_SIZE, ConvertedModel, ExportUnsupported, convert

__all__ = [
    "SHARED_URL_DIR",
    "TM_FIELDS",
    "ExportError",
    "ExportNotFound",
    "ExportUnsupported",
    "ModelExportResult",
    "export_run",
]

# model.json sits at <exportUrl>model.json, i.e. /m/<token>/; shared files at /m/_shared/.
SHARED_URL_DIR = "../_shared/"
# The package and version fields Teachable Machine's image projects write; tools reading a
# TM model (TM2Scratch, ml5, tmImage) find the same keys here.
TM_FIELDS = {"tfjsVersion": "4.22.0", "tmVersion": "2.4.10", "packageVersion": "0.8.5",
             "packageName": "@teachablemachine/image"}
GENERATED_BY = "PictoLab model export"

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


class ExportError(Exception):
    """Bad input for an export (e.g. a class without a name)."""


class ExportNotFound(ExportError):
    """No finished model for this run (unknown, not finished, or purged)."""


@dataclass
class ModelExportResult:
    run_id: str
    mode: str
    backbone: str
    labels: list[str]
    class_ids: list[str]
    model_name: str
    time_stamp: str
    shared_weights_key: str | None
    bytes: int
    seconds: float
    created: bool
    keys: dict[str, str] = field(default_factory=dict)


def _run_lock(run_id: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(run_id, threading.Lock())


def _weights_name(backbone_id: str, data: bytes) -> str:
    return f"{backbone_id}-{hashlib.sha256(data).hexdigest()[:16]}.bin"


def metadata(labels: list[str], model_name: str, time_stamp: str, class_ids: list[str] | None = None,
             reactions: list[dict | None] | None = None) -> dict:
    return {**TM_FIELDS, "timeStamp": time_stamp, "userMetadata": {"generatedBy": GENERATED_BY},
            "modelName": model_name, "labels": labels, "imageSize": INPUT_SIZE,
            "pictolab": {"classIds": list(class_ids or []),
                         "reactions": list(reactions) if reactions is not None else [None] * len(labels)}}


def reaction_entry(reaction: dict | None) -> dict | None:
    """One class's reaction as metadata.json holds it; None when nothing is chosen."""
    if not reaction:
        return None
    entry = {key: (str(reaction[key]) if reaction.get(key) else None) for key in ("emoji", "sound", "words")}
    return entry if any(entry.values()) else None


def _zip(model: ConvertedModel, meta: dict, backbone_bytes: bytes, head_bytes: bytes) -> bytes:
    """TM's download: model.json, metadata.json and one weights.bin in the same folder."""
    from .tfjs_layers import WeightGroup, model_json

    everything = WeightGroup(model.backbone.weights + model.head.weights)
    manifest = model_json(model.topology(), [(["weights.bin"], everything)], GENERATED_BY)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("model.json", json.dumps(manifest), compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("metadata.json", json.dumps(meta, ensure_ascii=False), compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("weights.bin", backbone_bytes + head_bytes, compress_type=zipfile.ZIP_STORED)
    return buffer.getvalue()


def _existing(storage: Storage, run_id: str) -> tuple[dict, dict] | None:
    try:
        manifest = json.loads(storage.get_bytes(export_key(run_id, "model.json")))
        meta = json.loads(storage.get_bytes(export_key(run_id, "metadata.json")))
    except (ObjectNotFound, ValueError):
        return None
    return manifest, meta


def _keys(run_id: str) -> dict[str, str]:
    return {name: export_key(run_id, name) for name in ("model.json", "weights.bin", "metadata.json", "model.zip")}


def export_run(storage: Storage, run_id: str, labels_by_class: dict[str, str], model_name: str,
               exists: Callable[[], bool] = lambda: True,
               reactions_by_class: dict[str, dict | None] | None = None) -> ModelExportResult:
    """Write (or find) the export of ``run_id``'s finished model. ``labels_by_class`` names
    each of the run's class ids (the ML API only knows ids): the labels go into
    metadata.json in the model's output order, and so do ``reactions_by_class``'s reactions. ``exists`` says whether the run's job is still
    in the queue (the BFF's purge deletes the job before the objects): looked at before and
    after the writes, so an export that raced a purge keeps nothing. Raises ExportNotFound,
    ExportError or ExportUnsupported."""
    started = time.perf_counter()
    with _run_lock(run_id):
        if not exists():
            raise ExportNotFound(f"run {run_id} was purged")
        try:
            saved = load_object(storage, model_key(run_id))
        except ObjectNotFound:
            raise ExportNotFound(f"run {run_id} has no finished model") from None
        class_ids = list(saved["classes"])
        missing = [class_id for class_id in class_ids if not labels_by_class.get(class_id)]
        if missing:
            raise ExportError(f"no label for the model's classes {', '.join(missing)}")
        labels = [str(labels_by_class[class_id]) for class_id in class_ids]
        reactions = [reaction_entry((reactions_by_class or {}).get(class_id)) for class_id in class_ids]
        found = _existing(storage, run_id)
        if (found is not None and found[1].get("labels") == labels and found[1].get("modelName") == model_name
                and found[1].get("pictolab") == {"classIds": class_ids, "reactions": reactions}):
            manifest, meta = found
            shared = [path for group in manifest["weightsManifest"] for path in group["paths"]
                      if path.startswith(SHARED_URL_DIR)]
            return ModelExportResult(
                run_id=run_id, mode=saved["mode"], backbone=saved["backbone"], labels=labels,
                class_ids=class_ids, model_name=model_name, time_stamp=meta.get("timeStamp", ""),
                shared_weights_key=shared_export_key(shared[0][len(SHARED_URL_DIR):]) if shared else None,
                bytes=0, seconds=time.perf_counter() - started, created=False, keys=_keys(run_id))

        from .tfjs_layers import model_json

        model = convert(saved)
        time_stamp = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        meta = metadata(labels, model_name, time_stamp, class_ids, reactions)
        backbone_bytes, head_bytes = model.backbone.data(), model.head.data()
        shared_key = None
        groups = []
        if model.backbone.weights:
            name = _weights_name(model.backbone_id, backbone_bytes)
            shared_key = shared_export_key(name)
            if not storage.exists(shared_key):  # content-addressed: written once, never changed
                storage.put_bytes(shared_key, backbone_bytes)
            groups.append(([SHARED_URL_DIR + name], model.backbone))
        groups.append((["weights.bin"], model.head))
        manifest = model_json(model.topology(), groups, GENERATED_BY)
        archive = _zip(model, meta, backbone_bytes, head_bytes)
        files = {
            "weights.bin": head_bytes,
            "metadata.json": json.dumps(meta, ensure_ascii=False).encode(),
            "model.zip": archive,
            "model.json": json.dumps(manifest).encode(),  # last: marks the export complete
        }
        for name, data in files.items():
            storage.put_bytes(export_key(run_id, name), data)
        if not exists():
            # A purge raced this export: keep nothing of the run (the shared file is no one's).
            storage.delete_prefix(export_prefix(run_id))
            raise ExportNotFound(f"run {run_id} was purged")
        return ModelExportResult(
            run_id=run_id, mode=model.mode, backbone=model.backbone_id, labels=labels, class_ids=class_ids,
            model_name=model_name, time_stamp=time_stamp, shared_weights_key=shared_key,
            bytes=sum(len(d) for d in files.values()) + (len(backbone_bytes) if shared_key else 0),
            seconds=time.perf_counter() - started, created=True, keys=_keys(run_id))
