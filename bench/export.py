"""Take your AI home: export time, file sizes, agreement with the ML API on more photos than
the test, and how long the model page takes to load and run a first prediction.

    .venv/bin/python bench/export.py [--photos 60] [--skip-page]

1. QUICK: a head fitted on frozen EfficientNet-Lite0 embeddings of scikit-image texture crops
   (as the trainer fits it), exported twice: cold (the shared backbone file written) and
   warm (another run: the shared file is there); DEEP: a whole network, BatchNorms unfolded
   in the saved weights (pretrained backbone, statistics and head moved as fine-tuning would).
2. Both exports loaded with the real TF.js (frontend/scripts/tfjs-predict.mjs: @tensorflow/
   tfjs-layers under Node, WebAssembly backend) on --photos held-out photos: top-1 agreement
   with the ML API's own computation and the largest probability difference.
3. The model page: the real BFF + frontend server on loopback (`pictolab bff|frontend`), the
   page at the export link in headless Debian Chromium with a fake camera, cold and warm
   (reload): time to the model loaded and to the first prediction.
Prints a table and writes bench/results/export.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np
import torch

RESULTS = REPO / "bench" / "results" / "export.json"


def quick_model(storage, train, classes, device: torch.device | None = None):
    from ml_api.backbones import get_spec
    from ml_api.checkpoint import load_object
    from ml_api.embeddings import embed_images
    from ml_api.models import save_quick_model
    from ml_api.quick import fit_linear_head
    from pictolab.contract.storage_keys import model_key
    from tests.ml_api.helpers import new_id

    class Request:
        def __init__(self, run_id):
            self.run_id, self.classes = run_id, classes

        def args(self):
            return {}

    spec = get_spec("efficientnet_lite0")
    features = embed_images(storage, [(p.uri, p.key) for p in train], spec.id, device or torch.device("cpu"),
                            use_cache=False)
    fit = fit_linear_head(features, np.array([classes.index(p.label) for p in train]), len(classes))
    run_id = new_id()
    save_quick_model(storage, Request(run_id), fit.head, spec)
    return run_id, load_object(storage, model_key(run_id))


def deep_model(storage, classes):
    from ml_api.backbones import get_spec
    from ml_api.checkpoint import save_object
    from ml_api.models import MODEL_FORMAT, DeepClassifier
    from tests.ml_api.helpers import new_id

    spec = get_spec("efficientnet_lite0")
    torch.manual_seed(0)
    net = DeepClassifier(spec.build(True), spec.feature_dim, len(classes))
    with torch.no_grad():
        for module in net.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.add_(torch.randn_like(module.running_mean) * 0.05)
                module.running_var.mul_(1 + torch.rand_like(module.running_var) * 0.2)
        net.head.weight.normal_(0, 0.05)
    run_id = new_id()
    saved = {"format": MODEL_FORMAT, "mode": "DEEP", "runId": run_id, "backbone": spec.id, "preset": spec.preset,
             "imageSize": 224, "classes": classes, "args": {}, "weights": net.state_dict()}
    save_object(storage, f"runs/{run_id}/model.pt", saved)
    return run_id, saved


def sizes(storage, run_id: str, shared_key: str | None) -> dict:
    from pictolab.contract.storage_keys import export_key

    out = {name: len(storage.get_bytes(export_key(run_id, name)))
           for name in ("model.json", "weights.bin", "metadata.json", "model.zip")}
    out["shared backbone"] = len(storage.get_bytes(shared_key)) if shared_key else 0
    return out


def agreement(storage, run_id, saved, result, photos, workdir: Path) -> dict:
    from ml_api.models import LoadedModel
    from tests.ml_api.export_helpers import model_inputs, tfjs_predict, url_layout

    model = LoadedModel(saved, torch.device("cpu"))
    reference = model.probabilities(storage, [(p.uri, p.key) for p in photos], use_cache=False)
    export = {"sharedWeightsKey": result.shared_weights_key}
    ours = tfjs_predict(url_layout(storage, run_id, export, workdir / "site"), model_inputs(storage, photos),
                        workdir / "in")
    probabilities = ours["probabilities"]
    return {"photos": len(photos), "top1Agreement": float((probabilities.argmax(1) == reference.argmax(1)).mean()),
            "maxProbabilityDiff": float(np.abs(probabilities - reference).max()),
            "tfjsLoadMs": round(ours["loadedMs"], 1), "tfjsPredictMsPerPhoto": round(ours["predictMs"] / len(photos), 1),
            "tfjsBackend": ours["backend"]}


def page_timings(runs: int = 2) -> dict:
    from playwright.sync_api import sync_playwright

    from tests.frontend.helpers import CHROMIUM, CHROMIUM_ARGS, Stack, build_frontend
    from tests.frontend.test_model_page_browser import exported_run

    build_frontend()
    with tempfile.TemporaryDirectory() as tmp:
        stack = Stack(Path(tmp) / "data", classes="🍎 りんご,✏️ えんぴつ,👟 くつ", groups=1, with_ml=False)
        try:
            url = f"{stack.url}/m/{exported_run(stack)}/"
            args = [*CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
            rows = []
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args, headless=True)
                context = browser.new_context(permissions=["camera"])
                page = context.new_page()
                for attempt in range(runs):
                    started = time.perf_counter()
                    page.goto(url) if attempt == 0 else page.reload()
                    page.wait_for_function("() => window.pictolabModel && window.pictolabModel.ready", timeout=300_000)
                    loaded = time.perf_counter() - started
                    page.get_by_text("カメラで ためす", exact=False).click()
                    page.wait_for_function("() => window.pictolabModel.predictions >= 1", timeout=300_000)
                    first = time.perf_counter() - started
                    rows.append({"cache": "cold" if attempt == 0 else "warm", "modelReadyS": round(loaded, 2),
                                 "firstPredictionS": round(first, 2),
                                 "backend": page.evaluate("() => window.pictolabModel.backend")})
                browser.close()
            return {"runs": rows}
        finally:
            stack.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=60, help="held-out photos to compare on")
    parser.add_argument("--skip-page", action="store_true", help="no browser part")
    options = parser.parse_args()

    from ml_api.export import export_run
    from pictolab.storage import open_storage
    from tests.ml_api.helpers import put_photos, split, texture_images

    per_class = 8 + -(-options.photos // 3)
    results: dict = {"machine": platform.processor() or platform.machine(), "torchThreads": torch.get_num_threads()}
    with tempfile.TemporaryDirectory() as tmp:
        storage = open_storage(Path(tmp, "storage").as_uri())
        images, labels = texture_images(per_class=per_class, patch=224, seed=11)
        photos = put_photos(storage, images, labels)
        train, held_out = split(photos, train_per_class=8)
        held_out = held_out[:options.photos]
        classes = ["brick", "grass", "gravel"]
        names = {"brick": "れんが", "grass": "くさ", "gravel": "じゃり"}

        exports = {}
        for label in ("QUICK (cold: shared file written)", "QUICK (warm)"):
            run_id, saved = quick_model(storage, train, classes)
            started = time.perf_counter()
            result = export_run(storage, run_id, names, "bench")
            exports[label] = {"seconds": round(time.perf_counter() - started, 3),
                              "sizes": sizes(storage, run_id, result.shared_weights_key)}
        started = time.perf_counter()
        again = export_run(storage, run_id, names, "bench")
        exports["QUICK (again: idempotent)"] = {"seconds": round(time.perf_counter() - started, 3),
                                                "sizes": {}, "created": again.created}
        results["quickAgreement"] = agreement(storage, run_id, saved, result, held_out, Path(tmp, "q"))

        deep_id, deep_saved = deep_model(storage, classes)
        started = time.perf_counter()
        deep_result = export_run(storage, deep_id, names, "bench")
        exports["DEEP"] = {"seconds": round(time.perf_counter() - started, 3),
                           "sizes": sizes(storage, deep_id, None)}
        results["deepAgreement"] = agreement(storage, deep_id, deep_saved, deep_result, held_out, Path(tmp, "d"))
        results["exports"] = exports

    if not options.skip_page:
        results["modelPage"] = page_timings()

    print(f"{'export':36} {'seconds':>8} {'model.json':>11} {'weights.bin':>12} {'shared':>11} {'model.zip':>11}")
    for label, row in results["exports"].items():
        s = row["sizes"]
        print(f"{label:36} {row['seconds']:8.3f} {s.get('model.json', 0):11,} {s.get('weights.bin', 0):12,} "
              f"{s.get('shared backbone', 0):11,} {s.get('model.zip', 0):11,}")
    for mode in ("quickAgreement", "deepAgreement"):
        a = results[mode]
        print(f"{mode}: {a['photos']} photos, top-1 {a['top1Agreement']:.1%}, max |dp| {a['maxProbabilityDiff']:.2e}, "
              f"TF.js ({a['tfjsBackend']}) load {a['tfjsLoadMs']} ms, {a['tfjsPredictMsPerPhoto']} ms/photo")
    for row in results.get("modelPage", {}).get("runs", []):
        print(f"model page ({row['cache']}, {row['backend']}): model ready {row['modelReadyS']} s, "
              f"first prediction {row['firstPredictionS']} s")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
