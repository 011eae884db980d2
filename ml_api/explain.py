""""Where the AI looked": a heatmap for the predicted class over the whole photo.

- QUICK (frozen backbone + linear head on the globally average-pooled last feature map): an
  exact class activation map (CAM). The head standardises the pooled features, ``(f - m) / s``,
  then applies ``W, b``; that is affine, so it folds into ``W' = W / s`` and
  ``b' = b - W' m``, and because pooling is a mean, ``CAM(i, j) = W'_c . F(i, j) + b'_c``
  averages over the map to exactly the logit the prediction came from. One forward pass, no
  gradients.
- DEEP (fine-tuned backbone + linear head): Grad-CAM on the last conv block's map, the
  gradient of the class logit weighting the channels (Selvaraju et al. 2017).

The model sees a centre crop of the photo (presets: shorter side resized to the preset's
size, then the middle square). The map is returned over the *whole* photo as it was sent:
cells inside the crop carry the (bilinearly upsampled) activation, cells outside it are 0,
because the model never saw them. Values are in [0, 1] (positive evidence only, scaled by the
maximum), row-major from the top-left; the crop spans :data:`CROP_CELLS` cells across, so the
map is at least that size in both directions.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch.nn import functional as F

from .heads import LinearHead

# Cells across the model's crop (16 px each at 224 px): a 7x7 feature map upsampled 2x, fine
# enough for an overlay on an iPad, small enough to send as JSON with every prediction.
CROP_CELLS = 14


@dataclass(frozen=True)
class Heatmap:
    width: int
    height: int
    values: list[float]  # row-major from the top-left, each in [0, 1]

    def as_dict(self) -> dict:
        return {"width": self.width, "height": self.height, "values": self.values}


@dataclass(frozen=True)
class CropBox:
    """Where the preset's centre crop sits, in the resized photo's pixels."""

    resized_width: int
    resized_height: int
    left: int
    top: int
    size: int


def crop_box(width: int, height: int, size: int) -> CropBox:
    """The geometry of ``Resize(size)`` + ``CenterCrop(size)`` (torchvision's arithmetic:
    shorter side to ``size``, the longer truncated; the crop offset rounded)."""
    if width <= height:
        resized_width, resized_height = size, int(size * height / width)
    else:
        resized_width, resized_height = int(size * width / height), size
    return CropBox(resized_width, resized_height, left=round((resized_width - size) / 2.0),
                   top=round((resized_height - size) / 2.0), size=size)


def fold_linear_head(head: LinearHead) -> tuple[torch.Tensor, torch.Tensor]:
    """(W', b') such that ``head(f) == f @ W'.T + b'`` for raw pooled features ``f``."""
    weight = head.linear.weight.detach().float() / head.std.float()
    bias = head.linear.bias.detach().float() - weight @ head.mean.float()
    return weight, bias


def class_activation_map(feature_map: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor,
                         class_index: int) -> torch.Tensor:
    """CAM (h, w) of one image's map (C, h, w) for a linear head on its spatial mean.

    Class weights are centred across classes first: softmax ignores anything added to every
    class's logit, so only ``W_c - mean_k W_k`` says what favours class c over the others
    (for a head fitted from zero with weight decay the mean is already ~0)."""
    w = weight[class_index] - weight.mean(0)
    b = bias[class_index] - bias.mean()
    return torch.einsum("chw,c->hw", feature_map.float(), w.to(feature_map.device)) + b.to(feature_map.device)


def grad_cam(feature_map: torch.Tensor, head_fn, class_index: int) -> torch.Tensor:
    """Grad-CAM (h, w) of one image's last conv map (C, h, w): ``ReLU(sum_k alpha_k A_k)`` with
    ``alpha_k`` the spatial mean of d logit_c / d A_k. ``head_fn`` maps the map batch
    (1, C, h, w) to logits: everything after the last conv block (pool, dropout, linear).
    Only the head runs with autograd; the backbone's map comes in already computed."""
    with torch.enable_grad():
        activations = feature_map.detach().float()[None].requires_grad_(True)
        logit = head_fn(activations)[0, class_index]
        (gradients,) = torch.autograd.grad(logit, activations)
    alpha = gradients[0].mean((1, 2))
    return torch.einsum("chw,c->hw", activations[0].detach(), alpha)


def normalise(cam: torch.Tensor) -> torch.Tensor:
    """Positive evidence only, scaled so the strongest cell is 1 (all 0 when there is none)."""
    cam = cam.float().clamp_min(0)
    peak = cam.max()
    return cam / peak if peak > 0 else torch.zeros_like(cam)


def to_photo(cam: torch.Tensor, photo_width: int, photo_height: int, size: int) -> Heatmap:
    """Lay a crop's map (h, w), values in [0, 1], over the whole photo (see the module doc)."""
    box = crop_box(photo_width, photo_height, size)
    cell = box.size / CROP_CELLS
    grid_w = max(CROP_CELLS, round(box.resized_width / cell))
    grid_h = max(CROP_CELLS, round(box.resized_height / cell))
    # Cell centres in the resized photo, then as fractions of the crop.
    xs = (torch.arange(grid_w, dtype=torch.float32) + 0.5) * box.resized_width / grid_w
    ys = (torch.arange(grid_h, dtype=torch.float32) + 0.5) * box.resized_height / grid_h
    u = (xs - box.left) / box.size
    v = (ys - box.top) / box.size
    # grid_sample with align_corners=False: -1 and 1 are the crop's outer edges.
    grid = torch.stack(torch.meshgrid(2 * v - 1, 2 * u - 1, indexing="ij")[::-1], -1)[None]
    sampled = F.grid_sample(cam.float().cpu()[None, None], grid, mode="bilinear", padding_mode="border",
                            align_corners=False)[0, 0]
    inside = ((v >= 0) & (v < 1))[:, None] & ((u >= 0) & (u < 1))[None, :]
    values = torch.where(inside, sampled, torch.zeros_like(sampled)).clamp_min(0)
    peak = values.max()
    # Again after upsampling: cell centres miss the feature cells' peaks by a quarter cell.
    values = values / peak if peak > 0 else values
    return Heatmap(grid_w, grid_h, [round(float(x), 4) for x in values.flatten()])
