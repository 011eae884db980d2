"""A TF.js Layers model written by hand: the Keras functional topology as JSON (what
``tf.loadLayersModel`` reads from ``model.json``) and float32 little-endian weights in the
manifest's order. No TensorFlow is needed to write one.

Only the layers an EfficientNet-Lite-style network needs: InputLayer, ZeroPadding2D,
Conv2D, DepthwiseConv2D, Activation, Add, GlobalAveragePooling2D, Dense. Every convolution
is ``padding: "valid"`` behind an explicit ZeroPadding2D, so the padding is exactly the
PyTorch module's and does not depend on how a runtime interprets "same".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

KERAS_VERSION = "2.15.0"  # what the config dialect follows; TF.js reads any 2.x


@dataclass
class WeightGroup:
    """Weights stored in one file: (name, float32 array) in order."""

    weights: list[tuple[str, np.ndarray]] = field(default_factory=list)

    def add(self, name: str, array: np.ndarray) -> None:
        self.weights.append((name, np.ascontiguousarray(array, dtype="<f4")))

    def specs(self) -> list[dict]:
        return [{"name": name, "shape": list(array.shape), "dtype": "float32"} for name, array in self.weights]

    def data(self) -> bytes:
        return b"".join(array.tobytes() for _, array in self.weights)


class LayersGraph:
    """Build a functional model layer by layer; each method returns the new layer's name,
    which is the tensor the next layer takes."""

    def __init__(self, name: str):
        self.name = name
        self.layers: list[dict] = []
        self._names: set[str] = set()
        self.input_name: str | None = None

    def _add(self, class_name: str, name: str, config: dict, inputs: list[str]) -> str:
        if name in self._names:
            raise ValueError(f"duplicate layer name {name!r}")
        self._names.add(name)
        self.layers.append({
            "class_name": class_name, "name": name,
            "config": {"name": name, "trainable": False, "dtype": "float32", **config},
            "inbound_nodes": [[[source, 0, 0, {}] for source in inputs]] if inputs else [],
        })
        return name

    def input(self, name: str, shape: tuple[int, int, int]) -> str:
        self.input_name = self._add("InputLayer", name, {"batch_input_shape": [None, *shape], "sparse": False}, [])
        return self.input_name

    def zero_padding(self, name: str, x: str, top: int, bottom: int, left: int, right: int) -> str:
        return self._add("ZeroPadding2D", name, {"padding": [[top, bottom], [left, right]],
                                                 "data_format": "channels_last"}, [x])

    def conv2d(self, name: str, x: str, weights: WeightGroup, kernel: np.ndarray, bias: np.ndarray,
               strides: tuple[int, int]) -> str:
        """``kernel`` in PyTorch's layout (out, in, kh, kw)."""
        out_channels, _, kh, kw = kernel.shape
        weights.add(f"{name}/kernel", np.transpose(kernel, (2, 3, 1, 0)))  # -> (kh, kw, in, out)
        weights.add(f"{name}/bias", bias)
        return self._add("Conv2D", name, {
            "filters": int(out_channels), "kernel_size": [int(kh), int(kw)], "strides": list(strides),
            "padding": "valid", "data_format": "channels_last", "dilation_rate": [1, 1],
            "activation": "linear", "use_bias": True}, [x])

    def depthwise_conv2d(self, name: str, x: str, weights: WeightGroup, kernel: np.ndarray, bias: np.ndarray,
                         strides: tuple[int, int]) -> str:
        """``kernel`` in PyTorch's grouped layout (channels, 1, kh, kw)."""
        _, _, kh, kw = kernel.shape
        weights.add(f"{name}/depthwise_kernel", np.transpose(kernel, (2, 3, 0, 1)))  # -> (kh, kw, in, 1)
        weights.add(f"{name}/bias", bias)
        return self._add("DepthwiseConv2D", name, {
            "kernel_size": [int(kh), int(kw)], "strides": list(strides), "padding": "valid",
            "depth_multiplier": 1, "data_format": "channels_last", "dilation_rate": [1, 1],
            "activation": "linear", "use_bias": True}, [x])

    def activation(self, name: str, x: str, activation: str) -> str:
        return self._add("Activation", name, {"activation": activation}, [x])

    def add(self, name: str, a: str, b: str) -> str:
        return self._add("Add", name, {}, [a, b])

    def global_average_pooling(self, name: str, x: str) -> str:
        return self._add("GlobalAveragePooling2D", name, {"data_format": "channels_last"}, [x])

    def dense(self, name: str, x: str, weights: WeightGroup, kernel: np.ndarray, bias: np.ndarray,
              activation: str = "linear") -> str:
        """``kernel`` in PyTorch's nn.Linear layout (out, in)."""
        weights.add(f"{name}/kernel", np.transpose(kernel))  # -> (in, out)
        weights.add(f"{name}/bias", bias)
        return self._add("Dense", name, {"units": int(kernel.shape[0]), "activation": activation,
                                         "use_bias": True}, [x])

    def topology(self, output: str) -> dict:
        return {
            "class_name": "Model",
            "config": {"name": self.name, "layers": self.layers,
                       "input_layers": [[self.input_name, 0, 0]], "output_layers": [[output, 0, 0]]},
            "keras_version": KERAS_VERSION, "backend": "tensorflow",
        }


def model_json(topology: dict, groups: list[tuple[list[str], WeightGroup]], generated_by: str) -> dict:
    """The ``model.json`` TF.js reads: ``groups`` = [(paths relative to model.json, weights)]."""
    return {"format": "layers-model", "generatedBy": generated_by, "convertedBy": None,
            "modelTopology": topology,
            "weightsManifest": [{"paths": paths, "weights": group.specs()} for paths, group in groups]}
