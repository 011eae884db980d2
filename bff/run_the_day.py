"""Running the day: what one instructor needs to steer 30 groups.

Hidden scores until the reveal, an announcement (optionally freezing every iPad), a new
card for a group whose card went astray, deleting a wrong hidden test photo, a group
keeping a photo its AI doubts, the children's "was it right?" after each try, and the
live per-group table that shows who is stuck.

Service code only (raises pictolab.contract.errors DomainErrors); the GraphQL layer is
bff/schema/run_the_day.py.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pictolab.contract import storage_keys
from pictolab.contract.errors import BadInput, FailedPrecondition, NotFound
from pictolab.settings import Settings
from pictolab.storage import ObjectNotFound, Storage, StorageError

from . import audit, photos
from .models import AuditEvent, Group, Phase, Photo, RunStatus, TrainingRun, Workshop
from .workshops import group_card, revoke_group_token

log = logging.getLogger(__name__)

MAX_ANNOUNCEMENT_CHARS = 200
# A group with nothing new for this long (or a run queued/running this long) gets a ⚠ on
# the instructors' table: long enough not to flag a group that is thinking, short enough to
# find a stuck iPad before the children give up.
STUCK_AFTER = timedelta(minutes=5)
# Phases in which a group is expected to be doing something.
ACTIVE_PHASES = (Phase.COLLECT, Phase.TRAIN, Phase.COMPETE)
TRY_ANSWER = "try.answer"


def _open(workshop: Workshop) -> None:
    if workshop.purged_at is not None:
        raise FailedPrecondition("This workshop was purged.")


def scores_hidden_from(workshop: Workshop | None, *, is_admin: bool) -> bool:
    """Whether a score of this workshop must be left out of this caller's answer: every group
    (its own score too) while the instructors hide them; instructors always see them."""
    return bool(workshop is not None and workshop.scores_hidden and not is_admin)


def set_scores_hidden(db: Session, workshop: Workshop, hidden: bool, *, actor: str) -> Workshop:
    _open(workshop)
    if bool(workshop.scores_hidden) != bool(hidden):
        workshop.scores_hidden = bool(hidden)
        audit.record(db, actor, "workshop.scores_hidden", workshop_id=workshop.id, details={"hidden": bool(hidden)})
    return workshop


def announce(db: Session, workshop: Workshop, message: str | None, freeze: bool | None, *, actor: str,
             now: datetime | None = None) -> Workshop:
    """Show ``message`` on every iPad of the workshop (``freeze``: over the whole screen,
    until lifted); None or blank lifts it."""
    _open(workshop)
    text = " ".join((message or "").split())
    if len(text) > MAX_ANNOUNCEMENT_CHARS:
        raise BadInput(f"An announcement has at most {MAX_ANNOUNCEMENT_CHARS} characters.",
                       limit=MAX_ANNOUNCEMENT_CHARS)
    if text:
        workshop.announcement = text
        workshop.announcement_freeze = bool(freeze)
        workshop.announcement_at = now or datetime.now(UTC)
    else:
        workshop.announcement = None
        workshop.announcement_freeze = False
        workshop.announcement_at = None
    # The words are the instructors' own, not a child's: fine in the trail, but short.
    audit.record(db, actor, "workshop.announce", workshop_id=workshop.id,
                 details={"length": len(text), "freeze": bool(workshop.announcement_freeze)})
    return workshop


def reissue_card(db: Session, settings: Settings, group: Group, *, actor: str) -> str:
    """A new login URL for the group; every earlier card (and every device logged in with
    one) stops working at once. Photos and runs belong to the group, not the card: kept."""
    _open(group.workshop)
    revoke_group_token(db, group, actor=actor, disable=False)
    audit.record(db, actor, "group.reissue_card", workshop_id=group.workshop_id, target_id=group.id)
    return group_card(settings, group)["loginUrl"]


def delete_test_photo(db: Session, storage: Storage, photo: Photo | None, *, actor: str) -> None:
    """Delete one hidden test photo (commits). photos.delete_photo is the one place a test
    photo leaves the set: it marks the workshop's runs for rescoring
    (photos.mark_rescoring_due) in the same transaction, and the reconciler scores them
    again on the set that is left."""
    if photo is None or photo.group_id is not None or not photo.is_test:
        raise NotFound("Unknown test photo.")
    workshop = db.get(Workshop, photo.workshop_id)
    if workshop is not None:
        _open(workshop)
    photos.delete_photo(db, storage, photo, actor=actor)


def keep_photo(db: Session, group: Group, photo: Photo | None, *, now: datetime | None = None) -> Photo:
    """The group keeps a photo where it is although its AI doubts it (commits)."""
    if photo is None or photo.group_id != group.id:
        raise NotFound("Unknown photo.")  # another group's photo looks exactly like a missing one
    if group.workshop.phase == Phase.CLOSED:
        raise FailedPrecondition("The workshop is over.", phase=Phase.CLOSED.value)
    if photo.kept_at is None:
        photo.kept_at = now or datetime.now(UTC)
        audit.record(db, audit.group_actor(group.id), "photo.keep", workshop_id=group.workshop_id,
                     target_id=photo.id, details={"classId": photo.class_id})
    db.commit()
    return photo


def kept_photo_ids(db: Session, group_id: str, photo_ids: list[str]) -> set[str]:
    if not photo_ids:
        return set()
    return set(db.scalars(select(Photo.id).where(Photo.id.in_(photo_ids), Photo.group_id == group_id,
                                                 Photo.kept_at.is_not(None))))


def record_try_answer(db: Session, group: Group, correct: bool, class_id: str | None) -> None:
    """The children's "was it right? ⭕ / ❌" after a try (commits): the instructors' class
    log counts them. Only the answer and the class the AI named; never the photo."""
    if group.workshop.phase == Phase.CLOSED:
        raise FailedPrecondition("The workshop is over.", phase=Phase.CLOSED.value)
    known = {c.id for c in group.workshop.classes}
    if class_id is not None and class_id not in known:
        raise NotFound("Unknown class for this workshop.")
    audit.record(db, audit.group_actor(group.id), TRY_ANSWER, workshop_id=group.workshop_id,
                 details={"correct": bool(correct), "classId": class_id})
    db.commit()


def group_number(group: Group) -> int:
    """The group's number on its card and on the instructors' table: its place in the card
    order, from 1."""
    for index, other in enumerate(group.workshop.groups, start=1):
        if other.id == group.id:
            return index
    return 0


@dataclass
class GroupActivity:
    group: Group
    number: int
    photos_per_class: dict[str, int] = field(default_factory=dict)
    trained: bool = False
    best_score: float | None = None
    latest_status: str | None = None
    last_activity_at: datetime | None = None
    idle: bool = False
    stuck: bool = False
    tries_right: int = 0
    tries_wrong: int = 0

    @property
    def attention(self) -> bool:
        return self.idle or self.stuck


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def group_activity(db: Session, workshop: Workshop, *, now: datetime | None = None) -> list[GroupActivity]:
    """One row per group, in card order, from a handful of queries whatever the group count."""
    now = now or datetime.now(UTC)
    rows = {g.id: GroupActivity(group=g, number=i) for i, g in enumerate(workshop.groups, start=1)}
    for group_id, class_id, count in db.execute(
            select(Photo.group_id, Photo.class_id, func.count())
            .where(Photo.workshop_id == workshop.id, Photo.group_id.is_not(None))
            .group_by(Photo.group_id, Photo.class_id)):
        if group_id in rows:
            rows[group_id].photos_per_class[class_id] = count
    active_since: dict[str, datetime] = {}
    for run in db.scalars(select(TrainingRun).where(TrainingRun.workshop_id == workshop.id)
                          .order_by(TrainingRun.created_at)):
        row = rows.get(run.group_id)
        if row is None:
            continue
        row.latest_status = run.status.value
        touched = _aware(run.finished_at or run.started_at or run.created_at)
        if row.last_activity_at is None or (touched and touched > row.last_activity_at):
            row.last_activity_at = touched
        if run.status == RunStatus.SUCCEEDED:
            row.trained = True
            if run.test_accuracy is not None and (row.best_score is None or run.test_accuracy > row.best_score):
                row.best_score = run.test_accuracy
        if run.status in (RunStatus.QUEUED, RunStatus.RUNNING):
            active_since[run.group_id] = _aware(run.created_at)
        else:
            active_since.pop(run.group_id, None)
    actors = {audit.group_actor(g): g for g in rows}
    for actor, last in db.execute(select(AuditEvent.actor, func.max(AuditEvent.at))
                                  .where(AuditEvent.workshop_id == workshop.id, AuditEvent.actor.in_(list(actors)))
                                  .group_by(AuditEvent.actor)):
        row = rows[actors[actor]]
        last = _aware(last)
        if row.last_activity_at is None or (last and last > row.last_activity_at):
            row.last_activity_at = last
    for event in db.scalars(select(AuditEvent).where(AuditEvent.workshop_id == workshop.id,
                                                     AuditEvent.action == TRY_ANSWER)):
        row = rows.get(actors.get(event.actor, ""))
        if row is not None:
            if (event.details or {}).get("correct"):
                row.tries_right += 1
            else:
                row.tries_wrong += 1
    # A group is only expected to be busy once the phase has been open a while.
    phase_since = _aware(db.scalar(select(func.max(AuditEvent.at)).where(
        AuditEvent.workshop_id == workshop.id, AuditEvent.action == "workshop.set_phase")))
    phase_since = phase_since or _aware(workshop.created_at)
    for row in rows.values():
        since = active_since.get(row.group.id)
        row.stuck = since is not None and now - since > STUCK_AFTER
        if workshop.phase in ACTIVE_PHASES and workshop.purged_at is None and not row.group.revoked:
            last = max(filter(None, (row.last_activity_at, phase_since)), default=None)
            row.idle = since is None and (last is None or now - last > STUCK_AFTER)
    return list(rows.values())


def try_log(db: Session, workshop: Workshop) -> dict[str, dict[str, int]]:
    """The class log of the children's answers, per class the AI named: {classId: {right, wrong}}."""
    totals: dict[str, dict[str, int]] = {}
    for event in db.scalars(select(AuditEvent).where(AuditEvent.workshop_id == workshop.id,
                                                     AuditEvent.action == TRY_ANSWER)):
        details = event.details or {}
        entry = totals.setdefault(details.get("classId") or "", {"right": 0, "wrong": 0})
        entry["right" if details.get("correct") else "wrong"] += 1
    return totals


# ---- "show group X's last try" on the projector ----------------------------------------
# Only each group's latest try is kept (overwritten by the next), under the workshop's
# photos: `pictolab purge`, the workshop's purge and the retention limit delete it with them.
# Instructors put it on the projector; no group can read it (its own included).


def last_try_keys(workshop_id: str, group_id: str) -> tuple[str, str]:
    base = f"{storage_keys.workshop_photos_prefix(workshop_id)}/last-try/{group_id}"
    return f"{base}.jpg", f"{base}.json"


def remember_last_try(storage: Storage, group: Group, jpeg: bytes, answer: dict, *,
                      model_group_id: str | None = None, now: datetime | None = None) -> None:
    """Keep the group's latest try (the sanitised photo, the answer, the heatmap). A failure
    is logged, never raised: the child's try has already succeeded."""
    photo_key, meta_key = last_try_keys(group.workshop_id, group.id)
    try:
        storage.put_bytes(photo_key, jpeg, "image/jpeg")
        storage.put_json(meta_key, {
            "classId": answer.get("classId"), "label": answer.get("label"), "confidence": answer.get("confidence"),
            "heatmap": answer.get("heatmap"), "modelGroupId": model_group_id or group.id,
            "at": (now or datetime.now(UTC)).isoformat()})
    except (StorageError, OSError) as exc:
        log.warning("could not keep the last try", extra={"groupId": group.id, "error": str(exc)})


def last_try(storage: Storage, group: Group) -> dict | None:
    """{photo (JPEG bytes), classId, label, confidence, heatmap, modelGroupId, at} or None."""
    photo_key, meta_key = last_try_keys(group.workshop_id, group.id)
    try:
        meta = storage.get_json_or_none(meta_key)
        if not meta:
            return None
        return {**meta, "photo": storage.get_bytes(photo_key)}
    except (ObjectNotFound, StorageError, OSError):
        return None


def secret_test_score(run: TrainingRun) -> tuple[int, int] | None:
    """(right, asked) on the hidden test photos, read from the run's confusion matrix (rows:
    true class, columns: predicted), so "10もん中 8もん" is exact, not a rounded percentage."""
    matrix = run.confusion
    if run.test_accuracy is None or not matrix:
        return None
    try:
        total = sum(sum(int(v) for v in row) for row in matrix)
        right = sum(int(matrix[i][i]) for i in range(min(len(matrix), len(matrix[0]) if matrix else 0)))
    except (TypeError, ValueError, IndexError):
        return None
    return (right, total) if total else None
