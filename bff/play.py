"""Playing with a trained AI: trying a friend's AI, the AI's reactions, and the reflection
question after a run.

- A friend's AI: when the workshop allows it (``Workshop.friends_ais``; NULL means the
  default, on in COMPETE), a group lists the other groups of its workshop that have a trained
  AI and tries one on its *own* photo (bff/predictions.py, with the friend's latest succeeded
  run). Nothing else of the friend's leaks: no photo, no run, no score beyond the scoreboard.
- Reactions: per group and class, an emoji animation and a sound from small built-in sets
  (the app draws and synthesises them; nothing is downloaded) and a few optional words.
- Reflection: after a run, a group answers "why do you think it got it wrong?" with one of
  :data:`REFLECTION_ANSWERS`; instructors see the answers counted per workshop.
"""

from __future__ import annotations

import unicodedata

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from pictolab.contract.errors import BadInput, DomainError, ErrorCode, FailedPrecondition, NotFound

from . import audit
from .models import (
    ClassReaction,
    Group,
    Phase,
    Photo,
    PhotoClass,
    ReflectionAnswer,
    RunStatus,
    TrainingRun,
    Workshop,
)

# The app animates these (frontend/src/kids/Reaction.tsx); keep both lists in step.
REACTION_EMOJIS = ("🎉", "⭐", "❤️", "😄", "😮", "👍", "🔥", "🌈", "🚀", "🐾", "🍀", "✨")
# Synthesised in the browser with WebAudio (frontend/src/lib/sounds.ts): no audio files.
REACTION_SOUNDS = ("pop", "chime", "boing", "fanfare", "whistle", "drum")
MAX_REACTION_WORDS = 40
REFLECTION_ANSWERS = ("TOO_FEW_PHOTOS", "LOOK_ALIKE", "BACKGROUND")


class FriendsAIsOff(DomainError):
    """The instructors have not allowed trying friends' AIs in this workshop."""

    default_code = ErrorCode.FORBIDDEN


def friends_ais_enabled(workshop: Workshop) -> bool:
    if workshop.friends_ais is not None:
        return bool(workshop.friends_ais)
    return workshop.phase == Phase.COMPETE


def set_friends_ais(db: Session, workshop: Workshop, enabled: bool, *, actor: str) -> Workshop:
    workshop.friends_ais = bool(enabled)
    audit.record(db, actor, "workshop.set_friends_ais", workshop_id=workshop.id, details={"enabled": bool(enabled)})
    return workshop


def _trained_group_ids(db: Session, workshop_id: str) -> set[str]:
    return set(db.scalars(select(TrainingRun.group_id).where(TrainingRun.workshop_id == workshop_id,
                                                             TrainingRun.status == RunStatus.SUCCEEDED)
                          .distinct()))


def friends(db: Session, group: Group) -> list[Group]:
    """The other groups of the workshop with a trained AI, in card order; empty while the
    setting is off or the workshop is over."""
    workshop = group.workshop
    if not friends_ais_enabled(workshop) or workshop.phase == Phase.CLOSED:
        return []
    trained = _trained_group_ids(db, workshop.id)
    return [g for g in workshop.groups if g.id != group.id and g.id in trained and not g.revoked]


def friend_for_predict(db: Session, group: Group, friend_id: str) -> Group:
    """The group whose AI ``group`` may try: FORBIDDEN while the setting is off, NOT_FOUND for
    a group outside the workshop, FAILED_PRECONDITION for a friend without a trained AI."""
    if not friends_ais_enabled(group.workshop):
        raise FriendsAIsOff("Your teacher has not turned on trying friends' AIs.")
    friend = db.get(Group, friend_id) if isinstance(friend_id, str) else None
    if friend is None or friend.workshop_id != group.workshop_id or friend.revoked:
        raise NotFound("Unknown group.")
    if friend.id not in _trained_group_ids(db, group.workshop_id):
        raise FailedPrecondition("This group has not trained its AI yet.")
    return friend


def _clean_words(words: str | None) -> str | None:
    text = " ".join((words or "").split())
    if not text:
        return None
    if len(text) > MAX_REACTION_WORDS:
        raise BadInput(f"At most {MAX_REACTION_WORDS} characters of words.", limit=MAX_REACTION_WORDS)
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        raise BadInput("The words may not hold control characters.")
    return text


def set_class_reaction(db: Session, group: Group, class_id: str, *, emoji: str | None, sound: str | None,
                       words: str | None) -> ClassReaction | None:
    """Store (or, with nothing chosen, remove) the group's reaction to one of its classes."""
    if group.workshop.phase == Phase.CLOSED:
        raise FailedPrecondition("The workshop is over.", phase=Phase.CLOSED.value)
    cls = db.get(PhotoClass, class_id) if isinstance(class_id, str) else None
    if cls is None or cls.workshop_id != group.workshop_id:
        raise NotFound("Unknown class.")
    emoji = (emoji or "").strip() or None
    sound = (sound or "").strip() or None
    if emoji is not None and emoji not in REACTION_EMOJIS:
        raise BadInput("Pick one of the reaction emoji.", allowed=list(REACTION_EMOJIS))
    if sound is not None and sound not in REACTION_SOUNDS:
        raise BadInput("Pick one of the reaction sounds.", allowed=list(REACTION_SOUNDS))
    words = _clean_words(words)
    existing = db.get(ClassReaction, (group.id, cls.id))
    if emoji is None and sound is None and words is None:
        if existing is not None:
            db.delete(existing)
        return None
    if existing is None:
        existing = ClassReaction(group_id=group.id, class_id=cls.id)
        db.add(existing)
    existing.emoji, existing.sound, existing.words = emoji, sound, words
    db.flush()
    return existing


def reaction(db: Session, group_id: str, class_id: str) -> dict | None:
    row = db.get(ClassReaction, (group_id, class_id))
    return None if row is None else {"emoji": row.emoji, "sound": row.sound, "words": row.words}


def answer_reflection(db: Session, group: Group, run_id: str, answer: str) -> ReflectionAnswer:
    """Save (or replace) the group's answer for one of its own finished runs."""
    if answer not in REFLECTION_ANSWERS:
        raise BadInput("Unknown answer.", allowed=list(REFLECTION_ANSWERS))
    run = db.get(TrainingRun, run_id) if isinstance(run_id, str) else None
    if run is None or run.group_id != group.id:
        raise NotFound("Unknown training run.")
    if run.status != RunStatus.SUCCEEDED:
        raise FailedPrecondition("Answer once your AI has finished training.")
    row = db.get(ReflectionAnswer, run.id)
    if row is None:
        row = ReflectionAnswer(run_id=run.id, workshop_id=run.workshop_id, group_id=group.id, answer=answer)
        db.add(row)
    else:
        row.answer = answer
    db.flush()
    return row


def reflection_of(db: Session, run_id: str) -> str | None:
    row = db.get(ReflectionAnswer, run_id)
    return None if row is None else row.answer


def reflection_tally(db: Session, workshop: Workshop) -> list[dict]:
    """[{answer, count, groups}] for every answer, in :data:`REFLECTION_ANSWERS` order: how
    many runs got it, and from how many groups."""
    rows = {a: (n, g) for a, n, g in db.execute(
        select(ReflectionAnswer.answer, func.count(), func.count(ReflectionAnswer.group_id.distinct()))
        .where(ReflectionAnswer.workshop_id == workshop.id).group_by(ReflectionAnswer.answer)).all()}
    return [{"answer": a, "count": int(rows.get(a, (0, 0))[0]), "groups": int(rows.get(a, (0, 0))[1])}
            for a in REFLECTION_ANSWERS]


def class_photos(db: Session, run: TrainingRun) -> list[dict] | None:
    """[{classId, photoId}]: per class of the workshop, the group's first photo in it now (for
    "what my AI learned": one heatmap per class); None until the run succeeded."""
    if run.status != RunStatus.SUCCEEDED:
        return None
    rows = db.execute(select(Photo.class_id, Photo.id).where(Photo.group_id == run.group_id)
                      .order_by(Photo.created_at, Photo.id)).all()
    first: dict[str, str] = {}
    for class_id, photo_id in rows:
        first.setdefault(class_id, photo_id)
    classes = db.scalars(select(PhotoClass).where(PhotoClass.workshop_id == run.workshop_id)
                         .order_by(PhotoClass.position)).all()
    return [{"classId": c.id, "photoId": first[c.id]} for c in classes if c.id in first]


def delete_workshop_play(db: Session, workshop_id: str) -> None:
    """Reactions' words are children's writing: gone with a purge (reflection counts stay)."""
    class_ids = select(PhotoClass.id).where(PhotoClass.workshop_id == workshop_id)
    db.execute(delete(ClassReaction).where(ClassReaction.class_id.in_(class_ids)))
