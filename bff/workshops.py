"""Workshops, their classes and groups: creation, phases, login cards, purge."""

from __future__ import annotations

import logging
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from pictolab.contract import storage_keys
from pictolab.contract.errors import BadInput, FailedPrecondition
from pictolab.contract.jobs import JobErrorCode
from pictolab.settings import MAX_CLASSES_PER_WORKSHOP, Settings
from pictolab.storage import Storage

from . import audit, play
from .ml_client import MLClient, MLError, MLUnavailable
from .models import Group, Phase, Photo, PhotoClass, RunStatus, TrainingRun, Workshop, run_error_code
from .names import group_identity
from .tokens import login_url, make_token

log = logging.getLogger(__name__)

MAX_CLASSES = MAX_CLASSES_PER_WORKSHOP  # the ML API's request cap is sized by it
MAX_GROUPS = 200
MAX_EMOJI_CHARS = 8  # a flag or a ZWJ family is several code points; the column holds 16

# Class emoji when the instructors chose none. Only objects a class name clearly means: a
# "banana" must never show a car (the old pick-by-position did). Keys are casefolded names
# in Japanese (kana and kanji) and English, singular and plural.
DEFAULT_CLASS_EMOJI: dict[str, str] = {
    **dict.fromkeys(["りんご", "リンゴ", "林檎", "apple", "apples"], "🍎"),
    **dict.fromkeys(["バナナ", "banana", "bananas"], "🍌"),
    **dict.fromkeys(["みかん", "ミカン", "オレンジ", "orange", "oranges"], "🍊"),
    **dict.fromkeys(["いちご", "イチゴ", "strawberry", "strawberries"], "🍓"),
    **dict.fromkeys(["ぶどう", "ブドウ", "grape", "grapes"], "🍇"),
    **dict.fromkeys(["えんぴつ", "鉛筆", "pencil", "pencils"], "✏️"),
    **dict.fromkeys(["ペン", "pen", "pens"], "🖊️"),
    **dict.fromkeys(["ほん", "本", "book", "books"], "📚"),
    **dict.fromkeys(["はさみ", "ハサミ", "scissors"], "✂️"),
    **dict.fromkeys(["けしゴム", "消しゴム", "eraser", "erasers", "rubber"], "🧽"),
    **dict.fromkeys(["ノート", "notebook", "notebooks"], "📓"),
    **dict.fromkeys(["くつ", "靴", "shoe", "shoes"], "👟"),
    **dict.fromkeys(["ぼうし", "帽子", "hat", "hats", "cap", "caps"], "🧢"),
    **dict.fromkeys(["かぎ", "鍵", "key", "keys"], "🔑"),
    **dict.fromkeys(["コップ", "カップ", "cup", "cups", "mug", "mugs"], "🥤"),
    **dict.fromkeys(["ボール", "ball", "balls"], "⚽"),
    **dict.fromkeys(["ぬいぐるみ", "teddy", "teddy bear", "plush"], "🧸"),
    **dict.fromkeys(["いぬ", "イヌ", "犬", "dog", "dogs"], "🐶"),
    **dict.fromkeys(["ねこ", "ネコ", "猫", "cat", "cats"], "🐱"),
    **dict.fromkeys(["はな", "花", "flower", "flowers"], "🌼"),
    **dict.fromkeys(["き", "木", "tree", "trees"], "🌳"),
    **dict.fromkeys(["はっぱ", "葉っぱ", "leaf", "leaves"], "🍃"),
    **dict.fromkeys(["くさ", "草", "grass"], "🌿"),
    **dict.fromkeys(["いし", "石", "stone", "stones", "rock", "rocks"], "🪨"),
    **dict.fromkeys(["くるま", "車", "car", "cars"], "🚗"),
    **dict.fromkeys(["とけい", "時計", "clock", "watch"], "⏰"),
    **dict.fromkeys(["めがね", "眼鏡", "glasses"], "👓"),
    **dict.fromkeys(["かさ", "傘", "umbrella", "umbrellas"], "☂️"),
    **dict.fromkeys(["ペットボトル", "bottle", "bottles"], "🍼"),
    **dict.fromkeys(["て", "手", "hand", "hands"], "✋"),
}
# Neutral shapes for names the table does not know: distinct per class, and no object that
# could mislead a child about what to photograph.
NEUTRAL_EMOJI = ("🔴", "🔵", "🟢", "🟡", "🟣", "🟠", "🟤", "⚪", "🔶", "🔷", "🔺", "⬛")
_LEADING_EMOJI = re.compile(r"^(\S+?)\s+(.+)$")


def is_emoji(text: str) -> bool:
    """Exactly one displayable emoji (with variation selectors, skin tones, ZWJ sequences,
    keycaps or a flag's two regional indicators)."""
    if not text or len(text) > MAX_EMOJI_CHARS:
        return False
    glyphs = 0  # symbols that start a new picture (not joined to the previous one by ZWJ)
    regional = 0
    previous = ""
    for char in text:
        if char in ("\u200d", "\ufe0f", "\ufe0e", "\u20e3") or 0x1F3FB <= ord(char) <= 0x1F3FF:
            pass  # joiners, variation selectors, keycap, skin tones
        elif 0x1F1E6 <= ord(char) <= 0x1F1FF:
            regional += 1
            if regional % 2 == 1 and previous != "\u200d":
                glyphs += 1
        elif unicodedata.category(char) == "So":
            if previous != "\u200d":
                glyphs += 1
        else:
            return False
        previous = char
    return glyphs == 1


def default_class_emoji(name: str, position: int) -> str:
    """The emoji of a class nobody chose one for: a leading emoji in its name ("🍎 りんご"),
    else the built-in table, else a neutral shape."""
    match = _LEADING_EMOJI.match(name.strip())
    if match and is_emoji(match.group(1)):
        return match.group(1)
    known = table_emoji(name)
    if known is not None:
        return known
    return NEUTRAL_EMOJI[position % len(NEUTRAL_EMOJI)]


# Bilingual names ("りんご / apple", "りんご／apple", "りんご・apple") are looked up part by part.
_NAME_PARTS = re.compile(r"\s*[/／・|｜]\s*")


def table_emoji(name: str) -> str | None:
    """The built-in table's emoji for a name, or for the first part of a bilingual name it knows."""
    key = name.strip().casefold()
    if key in DEFAULT_CLASS_EMOJI:
        return DEFAULT_CLASS_EMOJI[key]
    for part in _NAME_PARTS.split(key):
        if part in DEFAULT_CLASS_EMOJI:
            return DEFAULT_CLASS_EMOJI[part]
    return None


def parse_class_spec(spec: str) -> tuple[str, str | None]:
    """"りんご:🍎" -> ("りんご", "🍎"); "りんご" -> ("りんご", None). The emoji goes after the
    last colon, so a name may itself hold a colon ("10:00:⏰"). BadInput (BAD_USER_INPUT) for
    an emoji part that is not one emoji."""
    text = (spec or "").strip()
    name, sep, emoji = text.rpartition(":")
    if not sep:
        return text, None
    name, emoji = name.strip(), emoji.strip()
    if not emoji:
        return name, None
    if not is_emoji(emoji):
        raise BadInput(f"{emoji!r} is not one emoji (write classes as name:emoji, e.g. りんご:🍎).")
    return name, emoji


def parse_class_specs(text: str) -> tuple[list[str], list[str | None]]:
    """The CLI's --classes: "りんご:🍎,バナナ:🍌" -> (names, emojis); empty items are skipped."""
    specs = [parse_class_spec(item) for item in (text or "").split(",") if item.strip()]
    return [name for name, _ in specs], [emoji for _, emoji in specs]


def create_workshop(db: Session, *, title: str, classes: list[str], groups: int, actor: str,
                    emojis: list[str | None] | None = None) -> Workshop:
    """Validate, then add a workshop with its classes and ``groups`` app-named groups.

    ``emojis`` (one per class, None or "" for "choose for me") are the instructors' choices;
    without that list each class may be written "name:emoji" (how the CLI passes them)."""
    title = (title or "").strip()
    if not 1 <= len(title) <= 200:
        raise BadInput("The title must have 1 to 200 characters.")
    if emojis is None:
        specs = [parse_class_spec(c or "") for c in classes]
        classes, emojis = [name for name, _ in specs], [emoji for _, emoji in specs]
    names = [(c or "").strip() for c in classes]
    if len(names) < 2 or len(names) > MAX_CLASSES:
        raise BadInput(f"A workshop needs 2 to {MAX_CLASSES} classes.")
    if any(not 1 <= len(n) <= 60 for n in names):
        raise BadInput("Class names must have 1 to 60 characters.")
    if len({n.casefold() for n in names}) != len(names):
        raise BadInput("Class names must be different from each other.")
    if not isinstance(groups, int) or not 1 <= groups <= MAX_GROUPS:
        raise BadInput(f"A workshop has 1 to {MAX_GROUPS} groups.")
    chosen = list(emojis)
    if len(chosen) != len(names):
        raise BadInput("Give one emoji per class (or none at all).")
    chosen = [(e or "").strip() or None for e in chosen]
    if any(e is not None and not is_emoji(e) for e in chosen):
        raise BadInput("Each class emoji must be one emoji.")

    workshop = Workshop(title=title, phase=Phase.SETUP)
    workshop.classes = [PhotoClass(name=n, position=i, emoji=e or default_class_emoji(n, i))
                        for i, (n, e) in enumerate(zip(names, chosen))]
    created = datetime.now(UTC)
    workshop.groups = []
    for i in range(groups):
        name, emoji, color = group_identity(i)
        # One microsecond apart: groups list in creation order (the order of the printed cards).
        workshop.groups.append(Group(name=name, emoji=emoji, color=color, token_version=1,
                                     created_at=created + timedelta(microseconds=i)))
    db.add(workshop)
    db.flush()
    audit.record(db, actor, "workshop.create", workshop_id=workshop.id,
                 details={"classes": len(names), "groups": groups})
    return workshop


def class_emoji(cls: PhotoClass) -> str:
    """The stored choice; classes made before emoji were stored get the default. A stored
    neutral shape that was only the fallback for a name the table did not read then (a
    bilingual "りんご / apple") gives way to the table's emoji now."""
    position = cls.position or 0
    if cls.emoji and cls.emoji == NEUTRAL_EMOJI[position % len(NEUTRAL_EMOJI)]:
        return table_emoji(cls.name) or cls.emoji
    return cls.emoji or default_class_emoji(cls.name, position)


def newest_open_workshop(db: Session) -> Workshop | None:
    """What an instructor sees when no workshop is named: the newest one not purged."""
    return db.scalars(select(Workshop).where(Workshop.purged_at.is_(None))
                      .order_by(Workshop.created_at.desc()).limit(1)).first()


def set_phase(db: Session, workshop: Workshop, phase: Phase, *, actor: str) -> Workshop:
    if workshop.purged_at is not None:
        raise FailedPrecondition("This workshop was purged.")
    previous = workshop.phase
    workshop.phase = phase
    audit.record(db, actor, "workshop.set_phase", workshop_id=workshop.id,
                 details={"from": previous.value, "to": phase.value})
    return workshop


def revoke_group_token(db: Session, group: Group, *, actor: str, disable: bool = False) -> Group:
    """Invalidate the group's printed cards (and its logged-in sessions). With ``disable``
    the group cannot log in at all until revoked again without it (which re-enables it)."""
    group.token_version += 1
    group.revoked = disable
    audit.record(db, actor, "group.revoke_token", workshop_id=group.workshop_id, target_id=group.id,
                 details={"tokenVersion": group.token_version, "disabled": disable})
    return group


def group_card(settings: Settings, group: Group) -> dict[str, Any]:
    token = make_token(settings.secret_key, group.id, group.token_version)
    return {"id": group.id, "name": group.name, "emoji": group.emoji, "color": group.color,
            "token": token, "loginUrl": login_url(settings.public_url, token)}


def workshop_summary(settings: Settings, workshop: Workshop) -> dict[str, Any]:
    """JSON-able description with every group's login card (the CLI prints this)."""
    return {
        "id": workshop.id,
        "title": workshop.title,
        "phase": workshop.phase.value,
        "classes": [{"id": c.id, "name": c.name, "emoji": class_emoji(c)} for c in workshop.classes],
        "groups": [group_card(settings, g) for g in workshop.groups],
    }


def purge_workshop(db: Session, storage: Storage, workshop: Workshop, *, actor: str,
                   ml: MLClient | None = None) -> dict[str, int]:
    """Delete every photo, model, checkpoint and embedding of a workshop; close it.

    The workshop is closed and its runs stopped (and any reconciler's lease on them revoked)
    in a commit of their own first, so the BFF sends nothing more to the ML API. Then the ML
    API deletes the workshop's jobs (``deleteJobs``: a worker that loses its job stops and
    removes what it wrote, and nothing later is accepted for the workshop), and only then
    objects go, rows last: if storage fails half-way the rows still point at what is left,
    and running purge again finishes the job.

    If the ML API cannot be asked (``ml`` None or unreachable), the photos and objects still
    go at once; the workshop's runs stay (finished) with ``ml_jobs_deleted_at`` NULL, and the
    reconciler finishes the purge later (:func:`finish_purge`).
    """
    workshop.phase = Phase.CLOSED
    db.execute(update(TrainingRun).where(TrainingRun.workshop_id == workshop.id,
                                         TrainingRun.status.in_((RunStatus.QUEUED, RunStatus.RUNNING)))
               .values(status=RunStatus.FAILED, error="The workshop was purged.",
                       error_code=run_error_code(JobErrorCode.PURGED))
               .execution_options(synchronize_session=False))
    db.execute(update(TrainingRun).where(TrainingRun.workshop_id == workshop.id)
               .values(next_attempt_at=None, claimed_by=None, rescore_due=False)
               .execution_options(synchronize_session=False))
    db.commit()
    ml_jobs_deleted = _delete_ml_jobs(ml, workshop.id)
    run_ids = db.scalars(select(TrainingRun.id).where(TrainingRun.workshop_id == workshop.id)).all()
    # Photos, leftover "try it" photos (they live only while the ML API looks at them, but a
    # crash mid-request could leave one; GCS also expires tmp/ by lifecycle rule, a local
    # folder has none), the embeddings cached for the photos, and every run's folder.
    objects = 0
    for prefix in storage_keys.workshop_purge_prefixes(workshop.id, run_ids):
        objects += storage.delete_prefix(prefix)
    photo_count = db.scalar(select(func.count()).select_from(Photo).where(Photo.workshop_id == workshop.id))
    db.execute(delete(Photo).where(Photo.workshop_id == workshop.id))
    if ml_jobs_deleted:
        db.execute(delete(TrainingRun).where(TrainingRun.workshop_id == workshop.id))
        workshop.ml_jobs_deleted_at = datetime.now(UTC)
    play.delete_workshop_play(db, workshop.id)
    workshop.phase = Phase.CLOSED
    workshop.purged_at = datetime.now(UTC)
    result = {"photos": int(photo_count or 0), "trainingRuns": len(run_ids), "objects": objects}
    audit.record(db, actor, "workshop.purge", workshop_id=workshop.id,
                 details={**result, "mlJobsDeleted": ml_jobs_deleted})
    log.info("workshop purged", extra={"workshop_id": workshop.id, "mlJobsDeleted": ml_jobs_deleted, **result})
    return result


def _delete_ml_jobs(ml: MLClient | None, workshop_id: str) -> bool:
    if ml is None:
        return False
    try:
        ml.delete_jobs(workshop_id)
    except (MLUnavailable, MLError) as exc:
        log.warning("the ML API could not delete the purged workshop's jobs now; the BFF asks again later",
                    extra={"workshop_id": workshop_id, "error": str(exc)})
        return False
    return True


def finish_purge(db: Session, storage: Storage, ml: MLClient, workshop: Workshop | None) -> bool:
    """For a workshop purged while the ML API could not be asked: delete its ML jobs now,
    then its storage prefixes once more (a job that wrote after the purge is stopped by now:
    its late writes go too), then its runs. Raises MLUnavailable (or MLError) while the ML
    API still cannot do it; the caller commits."""
    if workshop is None or workshop.purged_at is None or workshop.ml_jobs_deleted_at is not None:
        return False
    ml.delete_jobs(workshop.id)
    run_ids = db.scalars(select(TrainingRun.id).where(TrainingRun.workshop_id == workshop.id)).all()
    objects = 0
    for prefix in storage_keys.workshop_purge_prefixes(workshop.id, run_ids):
        objects += storage.delete_prefix(prefix)
    db.execute(delete(TrainingRun).where(TrainingRun.workshop_id == workshop.id))
    workshop.ml_jobs_deleted_at = datetime.now(UTC)
    audit.record(db, "system", "workshop.purge_ml_jobs", workshop_id=workshop.id,
                 details={"trainingRuns": len(run_ids), "objects": objects})
    log.info("purged workshop's ML jobs deleted", extra={"workshop_id": workshop.id, "objects": objects})
    return True
