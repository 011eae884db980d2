"""A saved PictoLab model (ml_api.models) as a TF.js Layers graph.

The exported network takes what Teachable Machine's library and ml5 feed a TM image model:
one 224 x 224 RGB photo, channels last, scaled to [-1, 1]; it ends in a softmax over the
run's classes in the saved model's order. On the way:

- every BatchNorm is folded into the convolution before it (inference only, as the ML API
  itself serves the frozen backbone);
- the backbone's own input normalisation is folded into the first convolution, so the model
  takes [-1, 1] whatever its preset;
- QUICK's head standardises the frozen features ((f - mean) / std) before its linear layer:
  folded into one Dense layer;
- PyTorch's explicit ("static same") padding becomes a ZeroPadding2D before a "valid" conv.

The backbone part of a QUICK export is the same for every run of a backbone: its weights go
into their own group (one shared file); the run's own Dense layer into another.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ..backbones import frozen_backbones, get_spec
from ..heads import LinearHead
from ..models import MODEL_FORMAT, DeepClassifier
from ..presets import get_preset
from .tfjs_layers import LayersGraph, WeightGroup

INPUT_SIZE = 224  # what TM, TM2Scratch and ml5 feed an image model, whatever the run trained at
SUPPORTED_BACKBONES = ("efficientnet_lite0",)


class ExportUnsupported(ValueError):
    """This model cannot be written as a TF.js Layers model (e.g. a backbone we do not convert)."""


@dataclass
class ConvertedModel:
    graph: LayersGraph
    output: str
    backbone: WeightGroup  # QUICK: the shared file; DEEP: empty (all weights are the run's own)
    head: WeightGroup  # the run's own weights
    mode: str
    backbone_id: str
    class_ids: list[str]

    def topology(self) -> dict:
        return self.graph.topology(self.output)


def _numpy(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().to("cpu", torch.float32).numpy()


def _conv_parts(conv: nn.Conv2d) -> tuple[np.ndarray, np.ndarray, tuple[int, int], tuple[int, int, int, int]]:
    """kernel (out, in/groups, kh, kw), bias, strides, padding (top, bottom, left, right)."""
    if tuple(conv.dilation) != (1, 1):
        raise ExportUnsupported("dilated convolutions are not converted")
    top = bottom = int(conv.padding[0])
    left = right = int(conv.padding[1])
    static = getattr(conv, "static_padding", None)
    if isinstance(static, nn.ZeroPad2d):
        pad_left, pad_right, pad_top, pad_bottom = static.padding
        top, bottom, left, right = top + pad_top, bottom + pad_bottom, left + pad_left, right + pad_right
    elif static is None and type(conv) is not nn.Conv2d:
        # Conv2dDynamicSamePadding pads at run time by the input's size: not a fixed graph.
        raise ExportUnsupported(f"{type(conv).__name__} pads dynamically")
    kernel = _numpy(conv.weight)
    bias = _numpy(conv.bias) if conv.bias is not None else np.zeros(kernel.shape[0], np.float32)
    strides = tuple(int(s) for s in conv.stride)
    if len(strides) == 1:
        strides = (strides[0], strides[0])
    return kernel, bias, strides, (top, bottom, left, right)


def _fold_input_affine(kernel: np.ndarray, bias: np.ndarray, scale: np.ndarray, shift: np.ndarray,
                       padded: bool) -> tuple[np.ndarray, np.ndarray]:
    """conv(scale * t + shift) as a conv of t: the scale multiplies the kernel's input channels;
    the shift adds a constant per output channel, exact only where the window holds no
    padding (padding is 0 in the network's space, not in t's), so it is refused then."""
    kernel = kernel * scale[None, :, None, None]
    if np.any(shift != 0):
        if padded:
            raise ExportUnsupported("input normalisation with an offset cannot fold into a padded first conv")
        bias = bias + (kernel.sum((2, 3)) / scale[None, :] * shift[None, :]).sum(1)
    return kernel.astype(np.float32), bias.astype(np.float32)


class _Builder:
    def __init__(self, graph: LayersGraph, weights: WeightGroup):
        self.graph, self.weights = graph, weights

    def conv(self, name: str, x: str, conv: nn.Conv2d, *, depthwise: bool = False,
             input_affine: tuple[np.ndarray, np.ndarray] | None = None) -> str:
        kernel, bias, strides, (top, bottom, left, right) = _conv_parts(conv)
        padded = any((top, bottom, left, right))
        if input_affine is not None:
            kernel, bias = _fold_input_affine(kernel, bias, *input_affine, padded=padded)
        if padded:
            x = self.graph.zero_padding(f"{name}_pad", x, top, bottom, left, right)
        if depthwise:
            if conv.groups != conv.in_channels or conv.out_channels != conv.in_channels:
                raise ExportUnsupported(f"{name}: only depthwise convolutions with multiplier 1")
            return self.graph.depthwise_conv2d(name, x, self.weights, kernel, bias, strides)
        if conv.groups != 1:
            raise ExportUnsupported(f"{name}: grouped convolutions are not converted")
        return self.graph.conv2d(name, x, self.weights, kernel, bias, strides)


def _check_fused(*modules: nn.Module) -> None:
    for module in modules:
        if isinstance(module, nn.BatchNorm2d):
            raise ExportUnsupported("a BatchNorm was left unfused: fold it before converting")


def efficientnet_lite_features(graph: LayersGraph, weights: WeightGroup, features: nn.Module, x: str,
                               input_affine: tuple[np.ndarray, np.ndarray]) -> str:
    """The backbone (``ml_api.backbones._EfficientNetLiteFeatures``, BatchNorms already
    fused) up to and including global average pooling; returns the pooled features' layer."""
    net = features.net
    if getattr(net._global_params, "relu_fn", None) != "relu6":
        raise ExportUnsupported("only the ReLU6 (Lite) EfficientNets are converted")
    build = _Builder(graph, weights)
    _check_fused(net._bn0, net._bn1)
    x = build.conv("stem_conv", x, net._conv_stem, input_affine=input_affine)
    x = graph.activation("stem_relu6", x, "relu6")
    for index, block in enumerate(net._blocks):
        if block.has_se:
            raise ExportUnsupported("squeeze-and-excitation blocks are not converted")
        name = f"block{index}"
        inputs = x
        if block._block_args.expand_ratio != 1:
            _check_fused(block._bn0)
            x = build.conv(f"{name}_expand", x, block._expand_conv)
            x = graph.activation(f"{name}_expand_relu6", x, "relu6")
        _check_fused(block._bn1, block._bn2)
        x = build.conv(f"{name}_dw", x, block._depthwise_conv, depthwise=True)
        x = graph.activation(f"{name}_dw_relu6", x, "relu6")
        x = build.conv(f"{name}_project", x, block._project_conv)
        args = block._block_args
        stride = block._depthwise_conv.stride
        if block.id_skip and tuple(stride) in ((1, 1), (1,)) and args.input_filters == args.output_filters:
            x = graph.add(f"{name}_add", x, inputs)  # (drop connect is training-only)
    x = build.conv("head_conv", x, net._conv_head)
    x = graph.activation("head_relu6", x, "relu6")
    return graph.global_average_pooling("avg_pool", x)


def input_affine_for(preset_name: str) -> tuple[np.ndarray, np.ndarray]:
    """(scale, shift) per channel turning t in [-1, 1] into the backbone's input
    ((p - mean) / std for p = (t + 1) / 2 in [0, 1])."""
    preset = get_preset(preset_name)
    mean, std = np.asarray(preset.mean, np.float64), np.asarray(preset.std, np.float64)
    return (0.5 / std).astype(np.float32), ((0.5 - mean) / std).astype(np.float32)


def fold_linear_head(head: LinearHead) -> tuple[np.ndarray, np.ndarray]:
    """W ((f - mean) / std) + b = (W / std) f + (b - W (mean / std)), as one (out, in) kernel."""
    weight = _numpy(head.linear.weight).astype(np.float64)
    bias = _numpy(head.linear.bias).astype(np.float64)
    mean, std = _numpy(head.mean).astype(np.float64), _numpy(head.std).astype(np.float64)
    kernel = weight / std[None, :]
    return kernel.astype(np.float32), (bias - kernel @ mean).astype(np.float32)


def convert(saved: dict) -> ConvertedModel:
    """A saved model dict (``torch.load`` of ``model.pt``) as a TF.js Layers graph."""
    if saved.get("format") != MODEL_FORMAT:
        raise ExportUnsupported(f"unsupported model format {saved.get('format')!r}")
    backbone_id = saved["backbone"]
    if backbone_id not in SUPPORTED_BACKBONES:
        raise ExportUnsupported(f"models on the {backbone_id} backbone cannot be exported yet "
                                f"(supported: {', '.join(SUPPORTED_BACKBONES)})")
    spec = get_spec(backbone_id)
    class_ids = list(saved["classes"])
    mode = saved["mode"]
    graph = LayersGraph(f"pictolab_{mode.lower()}_{backbone_id}")
    x = graph.input("image", (INPUT_SIZE, INPUT_SIZE, 3))
    backbone, head_weights = WeightGroup(), WeightGroup()
    affine = input_affine_for(saved["preset"])
    with torch.no_grad():
        if mode == "QUICK":
            # The ML API's own frozen, fused network: the same numbers its predictions use.
            features = frozen_backbones.get(backbone_id, torch.device("cpu"))
            pooled = efficientnet_lite_features(graph, backbone, features, x, affine)
            head = LinearHead(spec.feature_dim, len(class_ids))
            head.load_state_dict(saved["head"])
            kernel, bias = fold_linear_head(head)
        else:
            net = DeepClassifier(spec.build(False), spec.feature_dim, len(class_ids))
            net.load_state_dict(saved["weights"])
            net.eval()
            features = spec.fuse_for_inference(net.features)
            pooled = efficientnet_lite_features(graph, head_weights, features, x, affine)
            kernel, bias = _numpy(net.head.weight), _numpy(net.head.bias)
    output = graph.dense("classes", pooled, head_weights, kernel, bias, activation="softmax")
    return ConvertedModel(graph=graph, output=output, backbone=backbone, head=head_weights, mode=mode,
                          backbone_id=backbone_id, class_ids=class_ids)
