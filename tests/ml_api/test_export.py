"""A run exported as a Teachable Machine image model really agrees with the ML API: loaded
with the real TF.js (``loadLayersModel`` of @tensorflow/tfjs-layers, under Node), its top-1
matches what ``predict`` computes on >= 95 % of 21 photos, with probabilities within 0.05
(QUICK and DEEP); the zip is the same model; ``exportModel`` is idempotent and bad input
gets typed errors. Bigger checks: bench/export.py."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import torch

from ml_api.backbones import get_spec
from ml_api.checkpoint import load_object, save_object
from ml_api.embeddings import embed_images
from ml_api.export import export_run
from ml_api.models import MODEL_FORMAT, DeepClassifier, LoadedModel, save_quick_model
from ml_api.quick import fit_linear_head
from pictolab.contract.storage_keys import export_key, model_key, shared_export_key
from tests.ml_api.export_helpers import (
    EXPORT_MODEL,
    model_inputs,
    require_tfjs,
    tfjs_predict,
    unzip,
    url_layout,
)
from tests.ml_api.helpers import new_id, put_photos, split, texture_images

NAMES = {"brick": "れんが 🧱", "grass": "くさ", "gravel": "じゃり"}


def labels_input(names: dict[str, str]) -> list[dict]:
    return [{"classId": class_id, "name": name} for class_id, name in names.items()]


def agreement(ours: np.ndarray, reference: np.ndarray) -> tuple[float, float]:
    return float((ours.argmax(1) == reference.argmax(1)).mean()), float(np.abs(ours - reference).max())


class _Request:
    """What save_quick_model reads of a training request."""

    def __init__(self, run_id: str, classes: list[str]):
        self.run_id, self.classes = run_id, classes

    def args(self) -> dict:
        return {}


def quick_run(storage, train) -> tuple[str, dict]:
    """A QUICK model fitted as the trainer fits one (frozen embeddings, the same head fit),
    saved in the ML API's format; independent of the job queue."""
    spec = get_spec("efficientnet_lite0")
    features = embed_images(storage, [(p.uri, p.key) for p in train], spec.id, torch.device("cpu"), use_cache=False)
    classes = list(NAMES)
    fit = fit_linear_head(features, np.array([classes.index(p.label) for p in train]), len(classes))
    run_id = new_id()
    save_quick_model(storage, _Request(run_id, classes), fit.head, spec)
    return run_id, load_object(storage, model_key(run_id))


def test_quick_export_agrees_with_predict_in_tfjs(ml, tmp_path):
    require_tfjs()
    images, labels = texture_images(per_class=11, patch=224, seed=3)
    photos = put_photos(ml.storage, images, labels)
    train, held_out = split(photos, train_per_class=4)  # 12 to fit, 21 to compare on
    run_id, saved = quick_run(ml.storage, train)

    result = export_run(ml.storage, run_id, NAMES, "Lion's AI")
    assert result.created and result.mode == "QUICK"
    assert result.class_ids == list(NAMES) and result.labels == [NAMES[c] for c in NAMES]
    assert result.shared_weights_key.startswith("exports/shared/efficientnet_lite0-")
    meta = json.loads(ml.storage.get_bytes(export_key(run_id, "metadata.json")))
    assert meta["labels"] == result.labels and meta["imageSize"] == 224 and meta["modelName"] == "Lion's AI"
    assert meta["packageName"] == "@teachablemachine/image" and meta["timeStamp"] and meta["tfjsVersion"]
    # The run's own file holds the head only; the backbone is the shared file.
    assert len(ml.storage.get_bytes(export_key(run_id, "weights.bin"))) == (1280 + 1) * 3 * 4

    # What the ML API answers: evaluate's batched probabilities for all 21, checked against
    # predict's own computation (LoadedModel.explain) on a few.
    model = LoadedModel(saved, torch.device("cpu"))
    reference = model.probabilities(ml.storage, [(p.uri, p.key) for p in held_out], use_cache=False)
    for i in (0, 10, 20):
        np.testing.assert_allclose(model.explain(ml.storage, held_out[i].uri, held_out[i].key)[0], reference[i],
                                   atol=1e-4)

    inputs = model_inputs(ml.storage, held_out)
    assert inputs.shape == (21, 224, 224, 3) and inputs.min() >= -1 and inputs.max() <= 1
    export = {"sharedWeightsKey": result.shared_weights_key}
    ours = tfjs_predict(url_layout(ml.storage, run_id, export, tmp_path / "site"), inputs, tmp_path / "in")
    assert ours["inputShape"] == [None, 224, 224, 3] and ours["outputShape"] == [None, 3]
    top1, worst = agreement(ours["probabilities"], reference)
    assert top1 >= 0.95 and worst <= 0.05, (top1, worst)
    np.testing.assert_allclose(ours["probabilities"].sum(1), 1, atol=1e-4)
    assert len(set(reference.argmax(1))) > 1  # a model that tells the classes apart

    # model.zip: TM's download layout, self-contained (one weights.bin), the same model.
    archive = zipfile.ZipFile(io.BytesIO(ml.storage.get_bytes(export_key(run_id, "model.zip"))))
    assert sorted(archive.namelist()) == ["metadata.json", "model.json", "weights.bin"]
    zipped = tfjs_predict(unzip(tmp_path / "site" / "m" / "token" / "model.zip", tmp_path / "zip"), inputs[:3],
                          tmp_path / "in-zip")
    np.testing.assert_allclose(zipped["probabilities"], ours["probabilities"][:3], atol=1e-5)

    # Idempotent: asked again, nothing is rewritten; a renamed class rewrites the labels.
    again = export_run(ml.storage, run_id, NAMES, "Lion's AI")
    assert not again.created and again.labels == result.labels
    again = export_run(ml.storage, run_id, {**NAMES, "grass": "しば"}, "Lion's AI")
    assert again.created and again.labels[1] == "しば" and again.shared_weights_key == result.shared_weights_key


def test_deep_export_folds_batchnorm_and_agrees(ml, tmp_path):
    """A DEEP model (the whole network is the run's own, BatchNorms unfused in the saved
    weights): its export agrees with the ML API's serving code for DEEP models."""
    require_tfjs()
    spec = get_spec("efficientnet_lite0")
    torch.manual_seed(0)
    net = DeepClassifier(spec.build(True), spec.feature_dim, 2)
    with torch.no_grad():  # as if fine-tuned: move BatchNorm statistics and the head
        for module in net.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.add_(torch.randn_like(module.running_mean) * 0.05)
                module.running_var.mul_(1 + torch.rand_like(module.running_var) * 0.2)
        net.head.weight.normal_(0, 0.05)
    run_id = new_id()
    saved = {"format": MODEL_FORMAT, "mode": "DEEP", "runId": run_id, "backbone": spec.id, "preset": spec.preset,
             "imageSize": 224, "classes": ["brick", "grass"], "args": {},
             "weights": {k: v.detach().clone() for k, v in net.state_dict().items()}}
    save_object(ml.storage, f"runs/{run_id}/model.pt", saved)
    result = export_run(ml.storage, run_id, {"brick": "れんが", "grass": "くさ"}, "deep")
    assert result.mode == "DEEP" and result.shared_weights_key is None
    manifest = json.loads(ml.storage.get_bytes(export_key(run_id, "model.json")))
    assert [g["paths"] for g in manifest["weightsManifest"]] == [["weights.bin"]]

    images, labels = texture_images(per_class=3, patch=224, seed=5)
    photos = put_photos(ml.storage, [i for i, lab in zip(images, labels) if lab != "gravel"],
                        [lab for lab in labels if lab != "gravel"])
    reference = LoadedModel(saved, torch.device("cpu")).probabilities(
        ml.storage, [(p.uri, p.key) for p in photos], use_cache=False)
    ours = tfjs_predict(url_layout(ml.storage, run_id, {}, tmp_path / "site"), model_inputs(ml.storage, photos),
                        tmp_path / "in")["probabilities"]
    top1, worst = agreement(ours, reference)
    assert top1 == 1.0 and worst <= 0.05, (top1, worst)


def test_export_model_mutation_and_its_errors(ml):
    """Through the ML API's GraphQL: a trained run exports (idempotently); bad input gets
    typed errors."""
    images, labels = texture_images(per_class=2, patch=96)
    photos = put_photos(ml.storage, images, labels)
    run_id = new_id()
    ml.start(run_id, list(NAMES), [p.example() for p in photos])
    assert ml.wait(run_id)["status"] == "SUCCEEDED"

    def export(run: str, names: dict) -> dict:
        return ml.gql(EXPORT_MODEL, input={"runId": run, "labels": labels_input(names), "modelName": "AI"})

    first = export(run_id, NAMES)["data"]["exportModel"]
    assert first["created"] and first["labels"] == [NAMES[c] for c in NAMES] and first["mode"] == "QUICK"
    assert {f["name"] for f in first["files"]} == {"model.json", "weights.bin", "metadata.json", "model.zip"}
    assert not export(run_id, NAMES)["data"]["exportModel"]["created"]
    # A reaction set for a class rewrites the export; metadata.json has it in label order.
    with_reaction = [{**label, "reaction": {"emoji": "🎉", "sound": "chime", "words": "やった"}}
                     if label["classId"] == "grass" else label for label in reversed(labels_input(NAMES))]
    again = ml.gql(EXPORT_MODEL, input={"runId": run_id, "labels": with_reaction, "modelName": "AI"})
    assert again["data"]["exportModel"]["created"]
    meta = json.loads(ml.storage.get_bytes(export_key(run_id, "metadata.json")))
    assert meta["pictolab"] == {"classIds": list(NAMES), "reactions": [
        None, {"emoji": "🎉", "sound": "chime", "words": "やった"}, None]}

    def code(run: str, names: dict) -> str:
        return export(run, names)["errors"][0]["extensions"]["code"]

    assert code(new_id(), NAMES) == "NOT_FOUND"  # unknown run
    assert code("../etc", NAMES) == "BAD_USER_INPUT"
    assert code(run_id, {"brick": "a", "grass": "b"}) == "BAD_USER_INPUT"  # a class without a name

    broken = put_photos(ml.storage, [images[0], images[2]], [labels[0], labels[2]])
    ml.storage.put_bytes(broken[0].key, b"not an image")
    failed = new_id()
    ml.start(failed, ["brick", "grass"], [broken[0].example(), broken[1].example()])
    assert ml.wait(failed)["status"] == "FAILED"
    assert code(failed, NAMES) == "FAILED_PRECONDITION"  # did not succeed

    ml.storage.delete_prefix(f"runs/{run_id}/export")
    from sqlalchemy import delete

    from ml_api.queue import jobs

    with ml.service.engine.begin() as conn:  # the BFF's purge deletes the run's job first
        conn.execute(delete(jobs).where(jobs.c.id == run_id))
    assert code(run_id, NAMES) == "NOT_FOUND"
    assert not any(key.startswith(f"runs/{run_id}/export") for key in ml.stored_keys())


def test_metadata_has_the_reactions_in_label_order(ml):
    """metadata.json (and the zip's copy) lists each class's reaction in the model's output
    order; the same reactions find the export there, a changed one rewrites it."""
    from ml_api.heads import LinearHead

    run_id = new_id()
    save_object(ml.storage, f"runs/{run_id}/model.pt", {
        "format": MODEL_FORMAT, "mode": "QUICK", "runId": run_id, "backbone": "efficientnet_lite0",
        "preset": "lite-224", "imageSize": 224, "classes": ["a", "b", "c"], "args": {},
        "head": LinearHead(1280, 3).state_dict()})
    cheer = {"emoji": "🎉", "sound": "fanfare", "words": None}
    reactions = {"c": {"emoji": "⭐", "sound": None, "words": "ほし"}, "a": cheer, "b": {"emoji": None}}
    first = export_run(ml.storage, run_id, {"a": "A", "b": "B", "c": "C"}, "m", reactions_by_class=reactions)
    expected = [cheer, None, {"emoji": "⭐", "sound": None, "words": "ほし"}]
    for meta in (json.loads(ml.storage.get_bytes(export_key(run_id, "metadata.json"))),
                 json.loads(zipfile.ZipFile(io.BytesIO(ml.storage.get_bytes(export_key(run_id, "model.zip"))))
                            .read("metadata.json"))):
        assert meta["labels"] == ["A", "B", "C"]
        assert meta["pictolab"] == {"classIds": ["a", "b", "c"], "reactions": expected}
    assert first.created
    assert not export_run(ml.storage, run_id, {"a": "A", "b": "B", "c": "C"}, "m", reactions_by_class=reactions).created
    changed = export_run(ml.storage, run_id, {"a": "A", "b": "B", "c": "C"}, "m", reactions_by_class={"b": cheer})
    assert changed.created
    meta = json.loads(ml.storage.get_bytes(export_key(run_id, "metadata.json")))
    assert meta["pictolab"]["reactions"] == [None, cheer, None]


def test_shared_backbone_file_is_written_once(ml):
    """Two QUICK runs reference one shared file; the file is not under any run."""
    from ml_api.heads import LinearHead

    keys = set()
    for _ in range(2):
        run_id = new_id()
        head = LinearHead(1280, 2)
        save_object(ml.storage, f"runs/{run_id}/model.pt", {
            "format": MODEL_FORMAT, "mode": "QUICK", "runId": run_id, "backbone": "efficientnet_lite0",
            "preset": "lite-224", "imageSize": 224, "classes": ["a", "b"], "args": {}, "head": head.state_dict()})
        result = export_run(ml.storage, run_id, {"a": "A", "b": "B"}, "m")
        keys.add(result.shared_weights_key)
        manifest = json.loads(ml.storage.get_bytes(export_key(run_id, "model.json")))
        assert manifest["weightsManifest"][0]["paths"] == ["../_shared/" + result.shared_weights_key.rsplit("/", 1)[1]]
    assert len(keys) == 1
    name = keys.pop().rsplit("/", 1)[1]
    assert ml.storage.exists(shared_export_key(name))
    assert [k for k in ml.stored_keys() if k.startswith("exports/")] == [shared_export_key(name)]
