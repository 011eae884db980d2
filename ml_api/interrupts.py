"""The exception a trainer raises to stop a job early, in a module of its own: the job manager
(``jobs``) catches it and the trainers (``deep``) raise it, and neither imports the other."""

from __future__ import annotations


class JobInterrupted(Exception):
    """The process is shutting down; the job checkpointed (DEEP) and can be resumed."""
