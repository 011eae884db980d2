"""The training engine, torchvision references style: ``train_one_epoch`` (DEEP fine-tuning)
and ``evaluate`` (a finished model of either mode on labelled photos: accuracy, per-class
accuracy, confusion matrix, the photos it got wrong). The GraphQL resolvers only validate
input and shape the answer."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch

from .device import autocast, to_device

if TYPE_CHECKING:  # models imports quick and deep imports this module: no runtime import
    from pictolab.storage import Storage

    from .models import LoadedModel

# Photos per optimiser step while fine-tuning (DEEP): a training choice, not the embedding or
# prediction batch, which only bound memory.
BATCH_SIZE = 16


def train_one_epoch(model, criterion, optimizer, images, labels, transform, device, *,
                    batch_size: int = BATCH_SIZE, should_stop=lambda: False, on_batch=None) -> dict:
    """One pass over the (shuffled) training photos. Returns loss/accuracy and whether it
    stopped early because the process is shutting down (after finishing a whole batch)."""
    model.train()
    order = list(range(len(images)))
    random.shuffle(order)
    batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    if len(batches) > 1 and len(batches[-1]) == 1:  # BatchNorm cannot train on a batch of one
        batches[-2].extend(batches.pop())
    seen = correct = 0
    total_loss = 0.0
    for number, batch_indices in enumerate(batches, 1):
        x = torch.stack([transform(images[i]) for i in batch_indices])
        x = to_device(x, device)
        y = torch.as_tensor([labels[i] for i in batch_indices], device=device)
        with autocast(device):
            logits = model(x)
            loss = criterion(logits, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        seen += len(batch_indices)
        correct += (logits.argmax(1) == y).sum().item()
        total_loss += loss.item() * len(batch_indices)
        if on_batch:
            on_batch(number / len(batches))
        if should_stop() and number < len(batches):
            return {"loss": total_loss / seen, "accuracy": correct / seen, "stopped": True}
    return {"loss": total_loss / max(1, seen), "accuracy": correct / max(1, seen), "stopped": False}


@dataclass(frozen=True)
class Evaluation:
    """What ``evaluate`` measured; rows and columns of ``confusion`` and the entries of
    ``per_class`` are in ``labels`` order (rows: true label, columns: predicted)."""

    labels: list[str]
    accuracy: float
    per_class: list[dict]  # {label, accuracy (None without examples), count}
    confusion: list[list[int]]
    predicted: list[str]  # the predicted label of each evaluated example, in order
    misclassified: list[int]  # indices of the examples whose prediction is wrong


def score(probabilities: np.ndarray, truth: Sequence[int], labels: Sequence[str]) -> Evaluation:
    """Accuracy, per-class accuracy and the confusion matrix of class probabilities (N, C)
    against the true class indices."""
    truth = np.asarray(truth, dtype=int)
    predicted = probabilities.argmax(1) if len(truth) else np.zeros(0, dtype=int)
    confusion = np.zeros((len(labels), len(labels)), dtype=int)
    np.add.at(confusion, (truth, predicted), 1)
    per_class = []
    for i, label in enumerate(labels):
        count = int(confusion[i].sum())
        per_class.append({"label": label, "count": count,
                          "accuracy": float(confusion[i, i] / count) if count else None})
    return Evaluation(labels=list(labels), accuracy=float((predicted == truth).mean()) if len(truth) else 0.0,
                      per_class=per_class, confusion=confusion.tolist(),
                      predicted=[labels[int(p)] for p in predicted], misclassified=[int(i) for i in np.flatnonzero(predicted != truth)])


def evaluate(model: LoadedModel, storage: Storage, items: Sequence[tuple[str, str]], labels: Sequence[str], *,
             use_cache: bool = True, max_pixels: int = 50_000_000) -> Evaluation:
    """Run ``model`` on ``items`` = [(uri, key)] whose true labels are ``labels`` (each one of
    ``model.classes``). Raises ImageLoadError naming the first unreadable photo."""
    probabilities = model.probabilities(storage, items, use_cache=use_cache, max_pixels=max_pixels)
    return score(probabilities, [model.classes.index(label) for label in labels], model.classes)
