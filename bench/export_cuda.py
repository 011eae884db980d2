"""The exported model (float32, TF.js) against the ML API as it serves on a GPU: CUDA, bf16
autocast, channels_last. Two halves, as the GPU machine has no Node.js:

    python bench/export_cuda.py --reference DIR   # on the CUDA machine
    .venv/bin/python bench/export_cuda.py --compare DIR   # here: export, run TF.js, compare

--reference fits a QUICK head on CUDA embeddings (as the trainer does there) and builds a
DEEP network (pretrained backbone, BatchNorm statistics and head moved as fine-tuning
would), saves both models as the ML API does, and writes the ML API's answers on CUDA for 21
held-out photos (``LoadedModel.explain``: predict's whole computation; and float32 on the CPU
for scale) plus the photos as the exported model takes them.
--compare exports those very models (ml_api/export), runs them with the real TF.js
(frontend/scripts/tfjs-predict.mjs) and prints top-1 agreement and the largest probability
difference against CUDA and against the CPU; writes bench/results/export_cuda.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np
import torch

RESULTS = REPO / "bench" / "results" / "export_cuda.json"
CLASSES = ["brick", "grass", "gravel"]


def reference(out: Path) -> None:
    from bench.export import deep_model, quick_model
    from ml_api.models import LoadedModel
    from pictolab.contract.storage_keys import model_key
    from pictolab.storage import open_storage
    from tests.ml_api.export_helpers import model_inputs
    from tests.ml_api.helpers import put_photos, split, texture_images

    cpu = torch.device("cpu")
    cuda = torch.device("cuda") if torch.cuda.is_available() else cpu  # (CPU only to try the script)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        storage = open_storage(Path(tmp, "storage").as_uri())
        images, labels = texture_images(per_class=11, patch=224, seed=21)
        train, held_out = split(put_photos(storage, images, labels), train_per_class=4)
        answers = {"device": torch.cuda.get_device_name(0) if cuda.type == "cuda" else "none (CPU)",
                   "photos": len(held_out)}
        arrays = {}
        for mode in ("quick", "deep"):
            run_id, saved = (quick_model(storage, train, CLASSES, device=cuda) if mode == "quick"
                             else deep_model(storage, CLASSES))
            (out / f"{mode}.pt").write_bytes(storage.get_bytes(model_key(run_id)))
            for name, device in (("cuda", cuda), ("cpu", cpu)):
                model = LoadedModel(saved, device)
                arrays[f"{mode}_{name}"] = np.stack([model.explain(storage, p.uri, p.key)[0] for p in held_out])
        np.save(out / "inputs.npy", model_inputs(storage, held_out))
        np.savez(out / "answers.npz", **arrays)
        (out / "reference.json").write_text(json.dumps(answers))
    print("wrote", sorted(p.name for p in out.iterdir()))


def compare(folder: Path) -> None:
    from ml_api.checkpoint import load_object
    from ml_api.export import export_run
    from pictolab.contract.storage_keys import model_key
    from pictolab.storage import open_storage
    from tests.ml_api.export_helpers import tfjs_predict, url_layout

    answers = np.load(folder / "answers.npz")
    inputs = np.load(folder / "inputs.npy")
    meta = json.loads((folder / "reference.json").read_text())
    results = {"gpu": meta["device"], "photos": meta["photos"], "modes": {}}
    with tempfile.TemporaryDirectory() as tmp:
        storage = open_storage(Path(tmp, "storage").as_uri())
        for mode in ("quick", "deep"):
            run_id = ("a" if mode == "quick" else "b") * 32
            storage.put_bytes(model_key(run_id), (folder / f"{mode}.pt").read_bytes())
            saved = load_object(storage, model_key(run_id))
            result = export_run(storage, run_id, {c: c for c in saved["classes"]}, mode)
            ours = tfjs_predict(url_layout(storage, run_id, {"sharedWeightsKey": result.shared_weights_key},
                                           Path(tmp, mode)), inputs, Path(tmp, f"in-{mode}"))["probabilities"]
            row = {}
            for against in ("cuda", "cpu"):
                ref = answers[f"{mode}_{against}"]
                row[against] = {"top1Agreement": float((ours.argmax(1) == ref.argmax(1)).mean()),
                                "maxProbabilityDiff": float(np.abs(ours - ref).max())}
            cuda_cpu = np.abs(answers[f"{mode}_cuda"] - answers[f"{mode}_cpu"]).max()
            row["cudaVsCpuMaxDiff"] = float(cuda_cpu)
            results["modes"][mode.upper()] = row
    print(f"{'mode':6} {'vs':5} {'top-1':>7} {'max |dp|':>10}   ({results['photos']} photos; GPU: {results['gpu']})")
    for mode, row in results["modes"].items():
        for against in ("cuda", "cpu"):
            r = row[against]
            print(f"{mode:6} {against:5} {r['top1Agreement']:7.1%} {r['maxProbabilityDiff']:10.2e}")
        print(f"{mode:6} ML API CUDA (bf16) vs CPU (fp32): max |dp| {row['cudaVsCpuMaxDiff']:.2e}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(REPO)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--reference", type=Path, help="(CUDA machine) write models, photos and answers here")
    group.add_argument("--compare", type=Path, help="(here) read them, export, run TF.js, compare")
    options = parser.parse_args()
    if options.reference:
        reference(options.reference)
    else:
        compare(options.compare)


if __name__ == "__main__":
    main()
