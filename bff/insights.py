"""What a group learns from a finished run: the photos that confuse its AI and how sure the
AI is of each class, read from the analysis the reconciler stored (bff/training.py, from
ml_api/analysis.py: k-fold cross-validation of the group's own photos, never test photos).

The analysis was made on the photos as they were when the run trained; the group fixes
things afterwards, so a photo deleted since, or moved out of the class it was confusing in,
is no longer listed (it would point at nothing, or at a fix already made).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from pictolab.storage import Storage, StorageError

from .ml_client import MLError, MLUnavailable
from .models import Group, Phase, Photo, RunStatus, TrainingRun, Workshop
from .predictions import _heatmap, latest_model_run

log = logging.getLogger(__name__)


def confusing_photos(db: Session, run: TrainingRun) -> list[dict] | None:
    """[{photoId, classId, predictedClassId, confidence}], most confident first; None until the
    run succeeded (or when the ML API had no analysis for it)."""
    if run.status != RunStatus.SUCCEEDED or run.analysis is None:
        return None
    rows = run.analysis.get("confusing") or []
    ids = [row["photoId"] for row in rows]
    current = dict(db.execute(select(Photo.id, Photo.class_id)
                              .where(Photo.id.in_(ids), Photo.group_id == run.group_id)).all()) if ids else {}
    # A photo the group chose to keep where it is (keepPhoto) is not flagged again.
    from .run_the_day import kept_photo_ids

    kept_by_group = kept_photo_ids(db, run.group_id, ids)
    kept = [row for row in rows
            if current.get(row["photoId"]) == row["classId"] and row["photoId"] not in kept_by_group]
    return sorted(kept, key=lambda row: -row["confidence"])


def class_confidence(run: TrainingRun) -> list[dict] | None:
    """[{classId, count, sure, accuracy}] per class (sure/accuracy None for a class with one
    photo); None until the run succeeded."""
    if run.status != RunStatus.SUCCEEDED or run.analysis is None:
        return None
    return list(run.analysis.get("perClass") or [])


# "Where the AI looked" on a confusing photo: one ML API predict per (run, photo), asked only
# when a client selects the field. A succeeded run's model and a photo's bytes never change
# (a move changes only the row), so an answer stays right; failures are not kept (asked
# again next time). Small and in-process: a few confusing photos per group.
HEATMAP_CACHE_SIZE = 512
# At most this many ML API predicts for one GraphQL request (the Train screen asks for one).
MAX_HEATMAP_ASKS_PER_REQUEST = 8
_heatmaps: OrderedDict[tuple[str, str], dict] = OrderedDict()
_heatmaps_lock = threading.Lock()


def clear_heatmap_cache() -> None:
    with _heatmaps_lock:
        _heatmaps.clear()


def confusing_photo_heatmap(db: Session, storage: Storage, ml, run: TrainingRun, photo_id: str,
                            may_ask: Callable[[], bool] | None = None) -> dict | None:
    """{classId, heatmap} for one of the run's group's own photos, as the run's model sees it
    now (it trained with the photo, so classId may differ from the cross-validated guess);
    None when the run is not the group's latest succeeded run (the model it has now), the
    workshop is over, the photo is gone or not the run's group's, ``may_ask()`` (called before
    an ML API predict, not for a cached answer) says no, or the ML API fails or draws no map.
    Never raises for those."""
    if run.status != RunStatus.SUCCEEDED:
        return None
    group = db.get(Group, run.group_id)
    latest = latest_model_run(db, group) if group is not None else None
    if latest is None or latest.id != run.id:
        return None
    workshop = db.get(Workshop, run.workshop_id)
    if workshop is None or workshop.phase == Phase.CLOSED or workshop.purged_at is not None:
        return None
    photo = db.get(Photo, photo_id)
    if photo is None or photo.group_id is None or photo.group_id != run.group_id:
        return None
    key = (run.id, photo.id)
    with _heatmaps_lock:
        if key in _heatmaps:
            _heatmaps.move_to_end(key)
            return _heatmaps[key]
    if may_ask is not None and not may_ask():
        return None
    try:
        result = ml.predict(run.id, storage.uri(photo.storage_key)) or {}
    except (MLUnavailable, MLError, StorageError, OSError) as exc:
        log.warning("no heatmap for a confusing photo", extra={"runId": run.id, "photoId": photo.id,
                                                               "error": str(exc)})
        return None
    heatmap = _heatmap(result.get("heatmap"))
    if heatmap is None:
        return None
    value = {"classId": result.get("label"), "heatmap": heatmap}
    with _heatmaps_lock:
        _heatmaps[key] = value
        while len(_heatmaps) > HEATMAP_CACHE_SIZE:
            _heatmaps.popitem(last=False)
    return value
