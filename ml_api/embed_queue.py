"""Eager embeddings: photos' frozen-backbone embeddings computed in the background, at low
priority, soon after the BFF stores them (issue 11), so a QUICK run finds them cached.

The BFF hands photos over with ``embedPhotos(input: {uris, backbone})`` (the durable side is
``bff/embedding_requests.py``: it re-sends a photo until this API says its embedding is
cached). The mutation only enqueues and answers at once; one daemon thread per process
(:class:`EmbedQueue`) takes up to ``batch`` images at a time and embeds them with
:func:`ml_api.embeddings.embed_images`, which writes the same cache entries a run would.

Low priority: before every batch the thread asks ``busy()`` (a training job queued or
running here, or a predict/evaluate in flight) and waits while it is true, so a child's run
or "try it" never queues behind background work; the most it waits for is one batch in
progress. The cache stays a cache: whatever is lost here (a restart, a full queue) only
means the run embeds the photo itself, as before, and the BFF sends it again.

Deleted photos leave nothing behind: after a batch's cache entries are written, each
photo's object is looked up again and, if it is gone (deleted or purged meanwhile), the
photo's embeddings prefix is deleted. The BFF deletes the photo's object *before* its
embeddings prefix, so either the look sees the object gone and undoes the write, or the
write finished before the object was deleted, hence before the prefix was, which removes it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence

import torch

from pictolab.contract.storage_keys import embeddings_prefix
from pictolab.storage import Storage

from .data import ImageLoadError
from .embeddings import embed_images

log = logging.getLogger(__name__)

# Images per background batch: small, so a job that arrives waits at most one batch (~0.2 s
# of CPU time on the 2-core laptop, a few ms on a GPU) before the thread yields.
CPU_BATCH, CUDA_BATCH = 8, 64
# Photos waiting here at most; beyond, embedPhotos accepts none (the BFF sends them again).
MAX_QUEUED = 20_000
# Photos remembered as cached (key, backbone), so embedPhotos confirms without I/O.
MAX_REMEMBERED = 200_000
# How often the thread looks again while the process is busy with a child's job.
YIELD_SECONDS = 0.05


class EmbedQueue:
    def __init__(self, storage: Storage, device: torch.device, *, default_backbone: str,
                 busy: Callable[[], bool] = lambda: False, max_pixels: int = 50_000_000,
                 batch: int | None = None, max_queued: int = MAX_QUEUED, start: bool = True):
        self.storage = storage
        self.device = device
        self.default_backbone = default_backbone
        self.busy = busy
        self.max_pixels = max_pixels
        self.batch = batch or (CUDA_BATCH if device.type == "cuda" else CPU_BATCH)
        self.max_queued = max_queued
        self._queue: OrderedDict[tuple[str, str], str] = OrderedDict()  # (key, backbone) -> uri
        self._done: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._in_progress: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        self._work = threading.Condition(self._lock)
        self._stop = threading.Event()
        self.embedded = 0  # photos embedded here (for tests and the log)
        self._thread: threading.Thread | None = None
        if start:
            self.start()

    # ---- the mutation's side ---------------------------------------------------------------
    def submit(self, items: Sequence[tuple[str, str]], backbone: str | None = None) -> dict:
        """``items`` = [(uri, key)]. Enqueues those not known to be cached; answers which are
        (``cached``: uris) and how many were accepted, at once (no storage I/O)."""
        backbone = backbone or self.default_backbone
        cached, accepted = [], 0
        with self._work:
            for uri, key in items:
                entry = (key, backbone)
                if entry in self._done:
                    cached.append(uri)
                elif entry in self._queue or entry in self._in_progress:
                    accepted += 1
                elif len(self._queue) < self.max_queued:
                    self._queue[entry] = uri
                    accepted += 1
            if accepted:
                self._work.notify()
        return {"cached": cached, "accepted": accepted, "queued": len(self._queue)}

    def pending(self) -> int:
        with self._lock:
            return len(self._queue) + len(self._in_progress)

    # ---- the background thread ---------------------------------------------------------------
    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="embed-queue", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        with self._work:
            self._work.notify_all()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                if not self.run_once():
                    with self._work:
                        if not self._queue and not self._stop.is_set():
                            self._work.wait(1.0)
            except Exception:
                log.exception("background embedding failed")
                self._stop.wait(1.0)

    def _take(self) -> list[tuple[tuple[str, str], str]]:
        with self._lock:
            taken = []
            backbone = None
            for entry, uri in list(self._queue.items()):
                if backbone is None:
                    backbone = entry[1]
                if entry[1] != backbone:
                    continue  # one backbone per batch
                del self._queue[entry]
                self._in_progress.add(entry)
                taken.append((entry, uri))
                if len(taken) >= self.batch:
                    break
            return taken

    def run_once(self, wait_while_busy: bool = True) -> int:
        """Embed one batch (after waiting while the process is busy); the photos done."""
        while wait_while_busy and self.busy() and not self._stop.is_set():
            time.sleep(YIELD_SECONDS)
        taken = self._take()
        if not taken:
            return 0
        try:
            backbone = taken[0][0][1]
            done = self._embed(backbone, [(uri, key) for (key, _), uri in taken])
            with self._lock:
                for entry in done:
                    self._remember(entry)
            return len(taken)
        finally:
            with self._lock:
                self._in_progress.difference_update(entry for entry, _ in taken)

    def _embed(self, backbone: str, items: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """Embeds and caches ``items``; returns the (key, backbone) entries now cached."""
        try:
            missing: list[int] = []
            embed_images(self.storage, items, backbone, self.device, max_pixels=self.max_pixels,
                         missing=missing)
            gone = {items[i][1] for i in missing}
        except ImageLoadError:
            # One undecodable photo must not keep the others out: one at a time then. The
            # bad one is left to its run, which names it (PHOTO_UNREADABLE).
            if len(items) == 1:
                log.warning("background embedding skipped an unreadable photo", extra={"key": items[0][1]})
                return []
            done: list[tuple[str, str]] = []
            for item in items:
                done += self._embed(backbone, [item])
            return done
        cached = []
        for _, key in items:
            # Written first, looked at after: see the module docstring for why this order
            # leaves no embedding of a deleted photo behind.
            if key in gone or not self.storage.exists(key):
                self.storage.delete_prefix(embeddings_prefix(key))
                log.info("photo deleted while embedding: its embedding was removed", extra={"key": key})
            cached.append((key, backbone))  # nothing to do for it any more either way
        self.embedded += len(items) - len(gone)
        return cached

    def _remember(self, entry: tuple[str, str]) -> None:
        self._done[entry] = None
        self._done.move_to_end(entry)
        while len(self._done) > MAX_REMEMBERED:
            self._done.popitem(last=False)
