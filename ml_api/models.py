"""The saved model format (at pictolab.contract.storage_keys.model_key) and the in-memory LRU
that serves it.

A saved model is a ``torch.save`` dict with everything needed to serve it on any replica:
``format, mode, backbone, preset, imageSize, classes, args`` and either ``head`` (QUICK: the
linear head with the feature mean/std as buffers) or ``weights`` (DEEP: the whole network).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np
import torch
from torch import nn

from pictolab.contract.storage_keys import model_key
from pictolab.storage import Storage

from .backbones import BackboneSpec, frozen_backbones, get_spec
from .checkpoint import load_object, save_object
from .data import load_image
from .device import autocast, memory_format, to_device
from .embeddings import embed_images
from .heads import LinearHead
from .presets import get_preset

MODEL_FORMAT = "pictolab-model/1"
# Whole photos through a DEEP model's full network at prediction time: not the embedding
# batch (ml_api.embeddings), which runs the frozen backbone only and differs per device.
PREDICT_BATCH = 32


class DeepClassifier(nn.Module):
    """A backbone's feature network plus a new linear head, fine-tuned together (DEEP)."""

    def __init__(self, features: nn.Module, feature_dim: int, n_classes: int, dropout: float = 0.2):
        super().__init__()
        self.features = features
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(feature_dim, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.dropout(self.features(x)))


def _common_fields(request, spec: BackboneSpec, mode: str, image_size: int) -> dict:
    return {"format": MODEL_FORMAT, "mode": mode, "runId": request.run_id, "backbone": spec.id,
            "preset": spec.preset, "imageSize": image_size, "classes": list(request.classes),
            "args": request.args()}


def save_quick_model(storage: Storage, request, head: LinearHead, spec: BackboneSpec) -> str:
    key = model_key(request.run_id)
    save_object(storage, key, {**_common_fields(request, spec, "QUICK", get_preset(spec.preset).size),
                               "head": head.state_dict()})
    return key


def save_deep_model(storage: Storage, request, model: DeepClassifier, spec: BackboneSpec, image_size: int) -> str:
    key = model_key(request.run_id)
    weights = {name: tensor.detach().cpu() for name, tensor in model.state_dict().items()}
    save_object(storage, key, {**_common_fields(request, spec, "DEEP", image_size), "weights": weights})
    return key


class LoadedModel:
    """A model ready to serve: ``probabilities(storage, [(uri, key)])`` -> (N, classes)."""

    def __init__(self, saved: dict, device: torch.device):
        if saved.get("format") != MODEL_FORMAT:
            raise ValueError(f"unsupported model format {saved.get('format')!r}")
        self.mode: str = saved["mode"]
        self.classes: list[str] = list(saved["classes"])
        self.spec = get_spec(saved["backbone"])
        self.preset = get_preset(saved["preset"], saved["imageSize"])
        self.device = device
        if self.mode == "QUICK":
            head = LinearHead(self.spec.feature_dim, len(self.classes))
            head.load_state_dict(saved["head"])
            self.head = head.to(device).eval()
            frozen_backbones.get(self.spec.id, device)  # fail now, not on first photo
        else:
            net = DeepClassifier(self.spec.build(False), self.spec.feature_dim, len(self.classes))
            net.load_state_dict(saved["weights"])
            self.net = net.to(device, memory_format=memory_format(device)).eval()
            self.transform = self.preset.eval_transform()

    @torch.inference_mode()
    def probabilities(self, storage: Storage, items: Sequence[tuple[str, str]], *, use_cache: bool,
                      max_pixels: int = 50_000_000) -> np.ndarray:
        if self.mode == "QUICK":
            features = embed_images(storage, items, self.spec.id, self.device, use_cache=use_cache,
                                    max_pixels=max_pixels)
            logits = self.head(torch.as_tensor(features, device=self.device))
            return torch.softmax(logits.float(), 1).cpu().numpy()
        out = []
        for start in range(0, len(items), PREDICT_BATCH):
            images = [load_image(storage, uri, key, min_size=self.preset.size, max_pixels=max_pixels)
                      for uri, key in items[start:start + PREDICT_BATCH]]
            batch = to_device(self.preset.batch(images, self.transform), self.device)
            with autocast(self.device):
                logits = self.net(batch)
            out.append(torch.softmax(logits.float(), 1).cpu().numpy())
        return np.concatenate(out) if out else np.zeros((0, len(self.classes)), np.float32)

    def explain(self, storage: Storage, uri: str, key: str, *, max_pixels: int = 50_000_000):
        """One photo's class probabilities (C,) and the heatmap of its predicted class
        (:class:`ml_api.explain.Heatmap`, over the whole photo). The same preprocessing and
        forward pass as :meth:`probabilities`, keeping the last conv block's map that the
        pooling would drop: QUICK gets the exact CAM, DEEP Grad-CAM (see ml_api.explain)."""
        from .explain import class_activation_map, fold_linear_head, grad_cam, normalise, to_photo

        image = load_image(storage, uri, key, min_size=self.preset.size, max_pixels=max_pixels)
        batch = to_device(self.preset.batch([image], self.preset.eval_transform()), self.device)
        with torch.no_grad(), autocast(self.device):
            if self.mode == "QUICK":
                feature_map = frozen_backbones.get(self.spec.id, self.device).forward_features(batch)
            else:
                feature_map = self.net.features.forward_features(batch)
        feature_map = feature_map[0].float()
        if self.mode == "QUICK":
            with torch.no_grad():
                logits = self.head(feature_map.mean((1, 2))[None])[0]
            predicted = int(logits.argmax())
            weight, bias = fold_linear_head(self.head)
            cam = class_activation_map(feature_map, weight, bias, predicted)
        else:
            def head_fn(maps: torch.Tensor) -> torch.Tensor:  # DeepClassifier.forward after the conv blocks
                return self.net.head(self.net.dropout(maps.mean((2, 3))))

            with torch.no_grad():
                logits = head_fn(feature_map[None])[0]
            predicted = int(logits.argmax())
            cam = grad_cam(feature_map, head_fn, predicted)
        probabilities = torch.softmax(logits.float(), 0).cpu().numpy()
        return probabilities, to_photo(normalise(cam), image.width, image.height, self.preset.size)


def load_model(storage: Storage, run_id: str, device: torch.device) -> LoadedModel:
    return LoadedModel(load_object(storage, model_key(run_id)), device)


class ModelCache:
    """The N most recently used models of this process, keyed by run id (an LRU)."""

    def __init__(self, capacity: int):
        self.capacity = capacity
        self._models: OrderedDict[str, LoadedModel] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, run_id: str, load: Callable[[], LoadedModel]) -> LoadedModel:
        with self._lock:
            model = self._models.get(run_id)
            if model is not None:
                self._models.move_to_end(run_id)
                return model
        model = load()  # outside the lock: other runs' predictions go on meanwhile
        with self._lock:
            self._models[run_id] = model
            self._models.move_to_end(run_id)
            while len(self._models) > self.capacity:
                self._models.popitem(last=False)
        return model

    def __len__(self) -> int:
        return len(self._models)

    def __contains__(self, run_id: str) -> bool:
        return run_id in self._models
