"""QUICK mode: a linear head (with weight decay) fitted full-batch on cached frozen embeddings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .backbones import get_spec
from .embeddings import embed_images
from .timing import PhaseTimer

DEFAULT_WEIGHT_DECAY = 1e-2
LBFGS_MAX_ITER = 200


class LinearHead(nn.Module):
    """Standardise features with the training set's mean/std, then one linear layer."""

    def __init__(self, in_features: int, n_classes: int):
        super().__init__()
        self.register_buffer("mean", torch.zeros(in_features))
        self.register_buffer("std", torch.ones(in_features))
        self.linear = nn.Linear(in_features, n_classes)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.linear((features - self.mean) / self.std)


@dataclass
class FitResult:
    head: LinearHead
    train_accuracy: float
    loss: float


def fit_linear_head(features: np.ndarray, labels: np.ndarray, n_classes: int, *,
                    weight_decay: float = DEFAULT_WEIGHT_DECAY, max_iter: int = LBFGS_MAX_ITER) -> FitResult:
    """Multinomial logistic regression, full batch with L-BFGS: the whole problem (a few hundred
    examples x 1280 features) fits in one tensor, and L-BFGS converges in tens of steps.
    Deterministic without seeding (zero-initialised head, deterministic L-BFGS): no global
    RNG reset that would disturb a DEEP job training in the next thread."""
    x = torch.as_tensor(features, dtype=torch.float32)
    y = torch.as_tensor(labels, dtype=torch.long)
    head = LinearHead(x.shape[1], n_classes)
    with torch.no_grad():
        head.mean.copy_(x.mean(0))
        head.std.copy_(x.std(0, unbiased=False).clamp_min(1e-6))
        head.linear.weight.zero_()
        head.linear.bias.zero_()
    optimizer = torch.optim.LBFGS(head.linear.parameters(), lr=1.0, max_iter=max_iter,
                                  history_size=20, tolerance_grad=1e-6, line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        loss = F.cross_entropy(head(x), y) + 0.5 * weight_decay * head.linear.weight.pow(2).sum()
        loss.backward()
        return loss

    loss = optimizer.step(closure)
    head.eval()
    with torch.no_grad():
        accuracy = (head(x).argmax(1) == y).float().mean().item()
    return FitResult(head, accuracy, float(loss.detach()))


def train_quick(job) -> dict:
    """Runs a QUICK job (see :class:`ml_api.jobs.JobContext`); returns the saved model's fields."""
    from .models import save_quick_model

    request = job.request
    timer = PhaseTimer()
    items = [(e.uri, e.key) for e in request.examples]
    features = embed_images(job.storage, items, request.backbone, job.device, timer=timer,
                            max_pixels=job.max_image_pixels,
                            on_progress=lambda p: job.report(progress=0.9 * p))
    labels = np.array([request.classes.index(e.label) for e in request.examples])
    with timer.phase("fit"):
        fit = fit_linear_head(features, labels, len(request.classes))
    with timer.phase("save"):
        model_key = save_quick_model(job.storage, request, fit.head, get_spec(request.backbone))
    return {"model_key": model_key, "train_accuracy": fit.train_accuracy, "timings": timer.as_dict()}
