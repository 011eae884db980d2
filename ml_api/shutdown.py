"""Graceful stop under gunicorn: on SIGTERM (Kubernetes, host maintenance) running DEEP jobs
checkpoint and the run is left resumable, within gunicorn's graceful_timeout.

gunicorn's worker installs its own SIGTERM/SIGINT/SIGQUIT handlers *before* it loads the
app, so create_app chains ours in front of them: we ask the jobs to stop, then let
gunicorn's handler do its usual work (stop accepting, finish requests, exit). The job
threads are joined at interpreter exit, after they wrote their checkpoint.
"""

from __future__ import annotations

import signal
import threading

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT)


def install_stop_handlers(on_stop) -> bool:
    if threading.current_thread() is not threading.main_thread():
        return False  # signal handlers can only be set from the main thread
    for signum in STOP_SIGNALS:
        previous = signal.getsignal(signum)

        def handler(sig, frame, previous=previous):
            on_stop()
            if callable(previous):
                previous(sig, frame)
            elif previous == signal.SIG_DFL:
                signal.signal(sig, signal.SIG_DFL)
                signal.raise_signal(sig)

        signal.signal(signum, handler)
    return True
