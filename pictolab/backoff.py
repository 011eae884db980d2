"""The one retry delay every loop uses: the BFF's run reconciler, embedding sender and purge
retries, the photo-hint worker and the supervisor's restarts.

Each caller keeps its own first delay and cap (they back off from different things), but the
shape is the same everywhere: ``first`` after the first failure, multiplied by ``factor``
after each further one, never above ``cap``.
"""

from __future__ import annotations


def backoff_seconds(attempt: int, first: float, cap: float, factor: float = 2.0) -> float:
    """Seconds to wait after the ``attempt``-th failure in a row (1-based; 0 or less counts as
    the first). Multiplies step by step and stops at ``cap``, so a loop that failed for days
    gets ``cap``, not a float overflow."""
    delay = first
    for _ in range(max(0, attempt - 1)):
        if delay >= cap:
            break
        delay *= factor
    return min(cap, delay)
