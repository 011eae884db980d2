"""Run an exported model with the real TF.js (frontend/scripts/tfjs-predict.mjs under Node)
and lay its files out as the BFF serves them; shared by the export tests and bench/export.py."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import torch

from ml_api.data import load_image
from ml_api.presets import get_preset
from pictolab.contract.storage_keys import export_key, shared_export_key
from tests.helpers import require

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
SCRIPT = FRONTEND / "scripts" / "tfjs-predict.mjs"
EXPORT_MODEL = """mutation($input: ExportModelInput!) { exportModel(input: $input) {
    runId mode backbone labels classIds modelName timeStamp files { name key } sharedWeightsKey bytes created } }"""


def require_tfjs() -> str:
    node = shutil.which("node")
    require(node is not None, "node (Node.js 20+) is needed to run TF.js: apt-get install nodejs")
    require((FRONTEND / "node_modules" / "@tensorflow" / "tfjs-layers").is_dir(),
            "TF.js is not installed: cd frontend && npm ci")
    return node


def model_inputs(storage, photos, size: int = 224) -> np.ndarray:
    """The photos as the ML API's predict sees them (same decoding, resize and centre crop,
    scaled to [-1, 1]), channels last: exactly what TM's library feeds a model."""
    preset = get_preset("lite-224").with_size(size)
    transform = preset.eval_transform()
    batch = torch.stack([transform(load_image(storage, p.uri, p.key, min_size=size)) for p in photos])
    return batch.permute(0, 2, 3, 1).contiguous().numpy().astype("<f4")


def tfjs_predict(model_json: str | Path, inputs: np.ndarray, workdir: Path, backend: str = "wasm") -> dict:
    """{"probabilities": (N, C) array, "loadedMs", "predictMs", "inputShape", ...}."""
    node = require_tfjs()
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "inputs.bin"
    inputs.tofile(path)
    done = subprocess.run([node, str(SCRIPT), str(model_json), str(path), str(len(inputs)), str(inputs.shape[1])],
                          cwd=FRONTEND, capture_output=True, text=True, timeout=300, check=False,
                          env={"PATH": "/usr/bin:/bin", "TFJS_BACKEND": backend})
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["probabilities"] = np.asarray(result["probabilities"], dtype=np.float64)
    return result


def url_layout(storage, run_id: str, export: dict, dest: Path, token: str = "token") -> Path:
    """The files where the BFF serves them: <dest>/m/<token>/model.json and the shared
    weights at <dest>/m/_shared/, so model.json's relative paths resolve as in a browser."""
    folder = dest / "m" / token
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("model.json", "weights.bin", "metadata.json", "model.zip"):
        (folder / name).write_bytes(storage.get_bytes(export_key(run_id, name)))
    if export.get("sharedWeightsKey"):
        shared = dest / "m" / "_shared"
        shared.mkdir(parents=True, exist_ok=True)
        name = export["sharedWeightsKey"].rsplit("/", 1)[1]
        (shared / name).write_bytes(storage.get_bytes(shared_export_key(name)))
    return folder / "model.json"


def unzip(path: Path, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path) as archive:
        archive.extractall(dest)
    return dest / "model.json"
