"""QUICK mode: a linear head (with weight decay) fitted full-batch on cached frozen embeddings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F

from .backbones import get_spec
from .data import present_examples
from .embeddings import embed_images
from .heads import LinearHead
from .models import save_quick_model
from .timing import PhaseTimer

DEFAULT_WEIGHT_DECAY = 1e-2
LBFGS_MAX_ITER = 200


def feature_scale(x: torch.Tensor) -> torch.Tensor:
    """One scale for every feature: the root mean square of the per-feature standard deviations.

    Not per-feature standardisation: with the statistics of 20-40 photos, dividing each of
    1280 features by its own std blows up the noise of features that barely vary in the
    training set, and cost 0.2-12 accuracy points against a plain linear probe on the raw
    features (bench/accuracy.py, docs/benchmarks.md). A single scale keeps the features'
    relative sizes (what the probe sees) and still makes the weight decay independent of the
    backbone's feature magnitude. Stored as the head's ``std`` buffer (the same value
    repeated), so the saved format and older models are unchanged."""
    rms = x.std(0, unbiased=False).pow(2).mean().sqrt().clamp_min(1e-6)
    return rms.expand(x.shape[1]).clone()


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
        head.std.copy_(feature_scale(x))
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
    """Runs a QUICK job (see :class:`ml_api.workers.JobContext`); returns the saved model's fields."""
    request = job.request
    timer = PhaseTimer()
    items = [(e.uri, e.key) for e in request.examples]
    missing: list[int] = []  # photos deleted since the run was requested: skipped
    features = embed_images(job.storage, items, request.backbone, job.device, timer=timer,
                            max_pixels=job.max_image_pixels,
                            on_progress=lambda p: job.report(progress=0.9 * p), missing=missing)
    examples = present_examples(request, missing)
    labels = np.array([request.classes.index(e.label) for e in examples])
    with timer.phase("fit"):
        fit = fit_linear_head(features, labels, len(request.classes))
    with timer.phase("save"):
        model_key = save_quick_model(job.storage, request, fit.head, get_spec(request.backbone))
    return {"model_key": model_key, "train_accuracy": fit.train_accuracy, "timings": timer.as_dict(),
            "skipped": len(missing),
            # for the run's analysis (ml_api.analysis): the photos and features it trained on
            "examples": examples, "features": features}
