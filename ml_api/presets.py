"""Preprocessing presets shared by training, evaluation and inference.

A saved model records its preset *name*, so whatever serves it later preprocesses
photos exactly as training did.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torchvision import transforms


@dataclass(frozen=True)
class Preset:
    name: str
    size: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]

    def with_size(self, size: int) -> Preset:
        return Preset(self.name, size, self.mean, self.std)

    def eval_transform(self):
        """Shorter side to ``size``, centre crop: the photo's middle, where children aim."""
        return transforms.Compose([
            transforms.Resize(self.size, interpolation=transforms.InterpolationMode.BILINEAR, antialias=True),
            transforms.CenterCrop(self.size),
            transforms.ToTensor(),
            transforms.Normalize(self.mean, self.std),
        ])

    def train_transform(self):
        """DEEP augmentation: random resized crop, horizontal flip, colour jitter."""
        return transforms.Compose([
            transforms.RandomResizedCrop(self.size, scale=(0.35, 1.0), antialias=True),
            transforms.RandomHorizontalFlip(),
            transforms.ColorJitter(brightness=0.3, contrast=0.3, saturation=0.3, hue=0.03),
            transforms.ToTensor(),
            transforms.Normalize(self.mean, self.std),
        ])

    def batch(self, images, transform) -> torch.Tensor:
        return torch.stack([transform(image) for image in images])


PRESETS: dict[str, Preset] = {
    # EfficientNet-Lite was trained with inputs scaled to [-1, 1].
    "lite-224": Preset("lite-224", 224, (0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),
    # torchvision's ImageNet models.
    "imagenet-224": Preset("imagenet-224", 224, (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
}


def get_preset(name: str, size: int | None = None) -> Preset:
    preset = PRESETS[name]
    return preset.with_size(size) if size and size != preset.size else preset
