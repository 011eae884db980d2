"""ML training jobs as both services see them.

The ML API keeps a job's status in ``runs/<runId>/status.json`` (see :mod:`.storage_keys`)
and answers it as the ``TrainingJob`` GraphQL type: ``runId status progress epoch epochs
trainAccuracy error errorCode modelUri mode backbone heartbeat updatedAt attempt
resumedFromEpoch epochsRun interrupted``. A FAILED job has a human ``error`` (it names the
photo or the cause, for instructors) and a typed ``errorCode`` (a :class:`JobErrorCode`):
callers branch on the code, never on the message.
"""

from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)
TERMINAL = (JobStatus.SUCCEEDED, JobStatus.FAILED)


class JobErrorCode(StrEnum):
    """Why a job failed (``errorCode`` in its status)."""

    #: A training photo is missing or cannot be decoded; ``error`` names it.
    PHOTO_UNREADABLE = "PHOTO_UNREADABLE"
    #: The backbone's weights are not on the ML API's machine (a deployment problem).
    BACKBONE_UNAVAILABLE = "BACKBONE_UNAVAILABLE"
    #: The workshop was purged while the run was active. Set by the BFF: a purged ML job
    #: writes nothing more (its status file is gone), so the ML API never reports it.
    PURGED = "PURGED"
    #: Anything else (an unexpected exception, a refused request).
    TRAINING_FAILED = "TRAINING_FAILED"
