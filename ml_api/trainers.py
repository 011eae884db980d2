"""The training function of each mode, handed to :class:`ml_api.job_kinds.JobKinds` by whoever
builds it (``service``): the job manager runs jobs without importing the trainers, which
would make it depend on everything they import (and once made a cycle with ``deep``).

A trainer takes a :class:`ml_api.workers.JobContext` and returns ``{"train_accuracy",
"model_key", "timings"?}``; it raises :class:`ml_api.interrupts.JobInterrupted` to stop early.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .deep import train_deep
from .quick import train_quick

Trainer = Callable[[Any], dict[str, Any]]

# Keyed by TrainingRequest.mode (ml_api.training_request.MODES).
TRAINERS: Mapping[str, Trainer] = {"QUICK": train_quick, "DEEP": train_deep}
