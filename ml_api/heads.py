"""Classifier heads, below both the trainers (``quick``) and the saved-model format (``models``),
so each can import them without importing the other."""

from __future__ import annotations

import torch
from torch import nn


class LinearHead(nn.Module):
    """Standardise features with the training set's mean/std, then one linear layer."""

    def __init__(self, in_features: int, n_classes: int):
        super().__init__()
        self.register_buffer("mean", torch.zeros(in_features))
        self.register_buffer("std", torch.ones(in_features))
        self.linear = nn.Linear(in_features, n_classes)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.linear((features - self.mean) / self.std)
