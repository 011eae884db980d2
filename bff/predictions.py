"""Try-it: classify one photo with the group's latest model.

The photo is sanitised like an upload (EXIF gone, validated, downscaled), written to a
temporary key only the ML API reads, and deleted as soon as the ML API has answered. Only
the group's latest try is kept (overwritten by the next, deleted with the workshop), for the
instructors to put on the projector (bff/run_the_day.py).
"""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from pictolab.contract import storage_keys
from pictolab.contract.errors import BadInput, ErrorCode, FailedPrecondition, Unavailable
from pictolab.settings import Settings
from pictolab.storage import Storage, StorageError

from .images import sanitise
from .ml_client import MLClient, MLError, MLUnavailable
from .models import Group, Phase, PhotoClass, RunStatus, TrainingRun

log = logging.getLogger(__name__)


def latest_model_run(db: Session, group: Group) -> TrainingRun | None:
    return db.scalars(select(TrainingRun).where(TrainingRun.group_id == group.id,
                                                TrainingRun.status == RunStatus.SUCCEEDED)
                      .order_by(TrainingRun.finished_at.desc(), TrainingRun.created_at.desc())).first()


def predict(db: Session, storage: Storage, settings: Settings, ml: MLClient, group: Group, data: bytes,
            *, max_side: int = 1024, quality: int = 85, model_group: Group | None = None) -> dict:
    """``group`` owns the photo (and the temporary key); ``model_group`` (default: the same)
    owns the AI that looks at it: a friend's AI (bff/play.py decides whether that is allowed)."""
    if group.workshop.phase == Phase.CLOSED:
        raise FailedPrecondition("The workshop is over.", phase=Phase.CLOSED.value)
    model_group = model_group or group
    run = latest_model_run(db, model_group)
    if run is None:
        raise FailedPrecondition("Train your AI first, then try it." if model_group is group
                                 else "This group has not trained its AI yet.")
    image = sanitise(data, max_pixels=settings.max_image_pixels, max_side=max_side, quality=quality)
    key = storage_keys.predict_tmp_key(group.workshop_id, uuid.uuid4().hex)
    try:
        storage.put_bytes(key, image.jpeg, "image/jpeg")
    except (StorageError, OSError):
        raise Unavailable("The photo could not be checked; please try again.") from None
    try:
        result = ml.predict(run.id, storage.uri(key))
    except MLUnavailable:
        raise Unavailable("The AI is busy or restarting; try again in a moment.") from None
    except MLError as exc:
        log.error("predict refused by the ML API", extra={"runId": run.id, "error": str(exc), "code": exc.code})
        if exc.code == ErrorCode.BAD_USER_INPUT:
            raise BadInput("The AI could not look at this photo; try another one.") from None
        # NOT_FOUND / FAILED_PRECONDITION: the model is gone (purged) or not servable.
        raise FailedPrecondition("Train your AI again, then try it.") from None
    finally:
        try:
            storage.delete(key)
        except (StorageError, OSError):  # tmp/ is also swept by the bucket's lifecycle rule
            log.error("could not delete a try-it photo", extra={"key": key})

    names = dict(db.execute(select(PhotoClass.id, PhotoClass.name)
                            .where(PhotoClass.workshop_id == group.workshop_id)).all())
    scores = [{"classId": s["label"], "label": names.get(s["label"], s["label"]), "confidence": s["confidence"]}
              for s in result["scores"]]
    scores.sort(key=lambda s: s["confidence"], reverse=True)
    answer = {"classId": result["label"], "label": names.get(result["label"], result["label"]),
              "confidence": result["confidence"], "scores": scores, "runId": run.id,
              # Passed on as the ML API drew it (row-major, [0, 1], over the photo as sent);
              # None from an ML API that did not draw one: the app then shows no overlay.
              "heatmap": _heatmap(result.get("heatmap"))}
    # The group's latest try only, for the instructors' projector ("show group X's last try").
    from .run_the_day import remember_last_try

    remember_last_try(storage, group, image.jpeg, answer, model_group_id=getattr(model_group, "id", None))
    return answer


def _heatmap(value) -> dict | None:
    if not value or value.get("width", 0) * value.get("height", 0) != len(value.get("values") or []):
        return None
    return {"width": value["width"], "height": value["height"], "values": value["values"]}
