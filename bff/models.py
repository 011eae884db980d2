"""The BFF's data model (SQLAlchemy 2 typed declarative). The first Alembic revision creates
every table here, so later features (training runs, scores) need no schema change for them.

Ids are 32-character lowercase UUID4 hex strings made by the BFF (docs/design.md).
"""

from __future__ import annotations

import enum
import secrets
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from pictolab.contract.jobs import JobStatus

# JSON on SQLite, JSONB on PostgreSQL.
PortableJSON = JSON().with_variant(JSONB(), "postgresql")


def new_id() -> str:
    return uuid.uuid4().hex


def new_export_token() -> str:
    return secrets.token_urlsafe(32)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both databases (SQLite drops the zone; put it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map: ClassVar = {datetime: UTCDateTime()}


class Phase(str, enum.Enum):
    SETUP = "SETUP"
    COLLECT = "COLLECT"
    TRAIN = "TRAIN"
    COMPETE = "COMPETE"
    CLOSED = "CLOSED"


class TrainingMode(str, enum.Enum):
    QUICK = "QUICK"
    DEEP = "DEEP"


# A run's status is its ML job's status, copied across by the reconciler: one enum, the
# contract's, so the two cannot drift apart.
RunStatus = JobStatus


class RunErrorCode(str, enum.Enum):
    """Why a run shows an error: the public ``TrainingRun.errorCode`` the app translates.
    The ML API's job codes (pictolab.contract.jobs.JobErrorCode) map onto these."""

    NOT_SCORED = "NOT_SCORED"  # trained, but could not be scored on the hidden test photos
    WORKSHOP_OVER = "WORKSHOP_OVER"
    PHOTO_UNREADABLE = "PHOTO_UNREADABLE"
    TRAINING_FAILED = "TRAINING_FAILED"


# Every other job code (BACKBONE_UNAVAILABLE, TRAINING_FAILED, a code added later) is
# TRAINING_FAILED to a group: the instructor reads the ML API's own words in ``error``.
_FROM_JOB_CODE = {"PHOTO_UNREADABLE": RunErrorCode.PHOTO_UNREADABLE, "PURGED": RunErrorCode.WORKSHOP_OVER}


def run_error_code(job_code: str | None) -> str:
    """The stored run error code for an ML job error code (None: not known)."""
    return _FROM_JOB_CODE.get(str(job_code), RunErrorCode.TRAINING_FAILED).value


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    # Stored as short strings with a CHECK constraint: portable, readable in psql/sqlite3.
    return Enum(cls, name=name, native_enum=False, create_constraint=True, length=16,
                values_callable=lambda e: [m.value for m in e])


class Workshop(Base):
    __tablename__ = "workshops"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(String(200))
    phase: Mapped[Phase] = mapped_column(_enum(Phase, "phase"), default=Phase.SETUP)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    purged_at: Mapped[datetime | None] = mapped_column(default=None)
    # When the ML API confirmed the purged workshop's jobs deleted (deleteJobs); NULL after a
    # purge while it could not be asked: the reconciler asks again, then deletes the
    # workshop's storage prefixes once more (a job's late write goes too) and its runs.
    ml_jobs_deleted_at: Mapped[datetime | None] = mapped_column(default=None)
    # May a group try the other groups' AIs (bff/play.py)? NULL: the default, on in COMPETE.
    friends_ais: Mapped[bool | None] = mapped_column(Boolean, default=None)
    # Running the day (bff/run_the_day.py): scores kept from every group until the reveal,
    # and the instructors' announcement on every iPad (NULL: none), optionally freezing them.
    scores_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    announcement: Mapped[str | None] = mapped_column(String(200), default=None)
    announcement_freeze: Mapped[bool] = mapped_column(Boolean, default=False)
    announcement_at: Mapped[datetime | None] = mapped_column(default=None)
    # The venue's networks for this workshop (CIDR strings, bff/networks.py): its group logins
    # and requests must come from them. NULL or empty: PICTOLAB_ALLOWED_CIDRS applies.
    allowed_networks: Mapped[Any | None] = mapped_column(PortableJSON, default=None)

    classes: Mapped[list[PhotoClass]] = relationship(
        back_populates="workshop", order_by="PhotoClass.position", cascade="all, delete-orphan")
    groups: Mapped[list[Group]] = relationship(
        back_populates="workshop", order_by="Group.created_at, Group.name", cascade="all, delete-orphan")


class PhotoClass(Base):
    """One label the groups photograph ("cat", "cup", ...)."""

    __tablename__ = "classes"
    __table_args__ = (UniqueConstraint("workshop_id", "name", name="uq_classes_workshop_name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    workshop_id: Mapped[str] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    emoji: Mapped[str | None] = mapped_column(String(16), default=None)
    position: Mapped[int] = mapped_column(Integer, default=0)

    workshop: Mapped[Workshop] = relationship(back_populates="classes")


class Group(Base):
    """A team of children sharing one iPad. Named by the app (an animal), never by a child."""

    __tablename__ = "groups"
    __table_args__ = (UniqueConstraint("workshop_id", "name", name="uq_groups_workshop_name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    workshop_id: Mapped[str] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    emoji: Mapped[str] = mapped_column(String(16))
    color: Mapped[str] = mapped_column(String(7))
    # Part of the login token's MAC: bumping it makes every printed card of the group invalid.
    token_version: Mapped[int] = mapped_column(Integer, default=1)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Photo hints (bff/hints.py): {"signature", "photos": {photoId: [codes]}, "pairs": [...]},
    # computed in the background for the photos the signature names; NULL: none yet.
    hints: Mapped[Any | None] = mapped_column(PortableJSON, default=None)

    workshop: Mapped[Workshop] = relationship(back_populates="groups")


class Photo(Base):
    """A sanitised photo: a group's training photo, or (group_id NULL) a hidden test photo."""

    __tablename__ = "photos"
    __table_args__ = (
        # A retried upload (same bytes) finds the existing row instead of adding a duplicate.
        Index("uq_photos_group_hash", "group_id", "content_hash", unique=True,
              sqlite_where=text("group_id IS NOT NULL"), postgresql_where=text("group_id IS NOT NULL")),
        Index("uq_photos_test_hash", "workshop_id", "content_hash", unique=True,
              sqlite_where=text("group_id IS NULL"), postgresql_where=text("group_id IS NULL")),
        Index("ix_photos_group_class", "group_id", "class_id"),
        # The reconciler's look-up of photos still to hand over for eager embedding (bff/training.py).
        Index("ix_photos_not_embedded", "created_at", sqlite_where=text("embedded_at IS NULL"),
              postgresql_where=text("embedded_at IS NULL")),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    workshop_id: Mapped[str] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[str | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), default=None)
    class_id: Mapped[str] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    is_test: Mapped[bool] = mapped_column(Boolean, default=False)
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64))  # sha256 of the uploaded bytes
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    byte_size: Mapped[int] = mapped_column(Integer)  # of the stored, sanitised JPEG
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Eager embeddings (bff/training.py): when the photo was handed to the ML API's queue
    # (NULL: not yet). The queue is durable, so a photo is sent once.
    embedded_at: Mapped[datetime | None] = mapped_column(default=None)
    # When the group said "keep it as it is" (keepPhoto) about a photo its AI doubted: it is
    # not listed as confusing again (NULL: never kept).
    kept_at: Mapped[datetime | None] = mapped_column(default=None)


class TrainingRun(Base):
    """One training of a group's classifier (filled in by the training feature)."""

    __tablename__ = "training_runs"
    __table_args__ = (Index("ix_training_runs_group_created", "group_id", "created_at"),
                      Index("ix_training_runs_status_next", "status", "next_attempt_at"),
                      # The few finished runs waiting to be scored again on a changed test set.
                      Index("ix_training_runs_rescore_due", "next_attempt_at", sqlite_where=text("rescore_due"),
                            postgresql_where=text("rescore_due")),
                      # At most one QUEUED/RUNNING run per group, even when two taps race.
                      Index("uq_training_runs_active_group", "group_id", unique=True,
                            sqlite_where=text("status IN ('QUEUED', 'RUNNING')"),
                            postgresql_where=text("status IN ('QUEUED', 'RUNNING')")))

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    workshop_id: Mapped[str] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[str] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    mode: Mapped[TrainingMode] = mapped_column(_enum(TrainingMode, "training_mode"), default=TrainingMode.QUICK)
    status: Mapped[RunStatus] = mapped_column(_enum(RunStatus, "run_status"), default=RunStatus.QUEUED)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    epoch: Mapped[int | None] = mapped_column(Integer, default=None)
    train_accuracy: Mapped[float | None] = mapped_column(Float, default=None)
    test_accuracy: Mapped[float | None] = mapped_column(Float, default=None)
    per_class_accuracy: Mapped[Any | None] = mapped_column(PortableJSON, default=None)
    confusion: Mapped[Any | None] = mapped_column(PortableJSON, default=None)
    labels: Mapped[Any | None] = mapped_column(PortableJSON, default=None)  # class ids, confusion order
    misclassified: Mapped[Any | None] = mapped_column(PortableJSON, default=None)
    # Which hidden test set test_accuracy was computed on (training.test_set_signature):
    # when instructors change the test photos, finished runs are scored again.
    scored_test_set: Mapped[str | None] = mapped_column(String(64), default=None)
    photo_count: Mapped[int] = mapped_column(Integer, default=0)
    class_count: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    # A RunErrorCode value whenever ``error`` is set: clients branch on it, never on the text.
    # A plain string (no CHECK constraint), so a new code needs no table rebuild.
    error_code: Mapped[str | None] = mapped_column(String(32), default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # The reconciler's lease: the run is due when this has passed (NULL: due, if it needs
    # work); a pass takes due runs by setting it ahead with its own ``claimed_by`` token,
    # and writes its answers only while the token is still there.
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    claimed_by: Mapped[str | None] = mapped_column(String(32), default=None)
    # The hidden test set changed after this run was scored (or started): score it again.
    # Set in the transaction that changes the test set (photos.mark_rescoring_due).
    rescore_due: Mapped[bool] = mapped_column(Boolean, default=False)
    # The ML API process that runs or ran the job (hostname:pid), for the instructors.
    worker: Mapped[str | None] = mapped_column(String(64), default=None)
    last_heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    # The ML API's cross-validation of the run's own photos (ml_api/analysis.py), by photo and
    # class id: {"method", "folds", "threshold", "confusing": [{photoId, classId,
    # predictedClassId, confidence}], "perClass": [{classId, count, sure, accuracy}]}.
    # Stored once the ML job succeeded; NULL before (or when the ML API had none).
    analysis: Mapped[Any | None] = mapped_column(PortableJSON, default=None)
    # The random part of the run's export link (bff/exports.py: /m/<token>/): a Teachable
    # Machine model reachable without a session, so it must be unguessable.
    export_token: Mapped[str | None] = mapped_column(String(64), default=new_export_token, unique=True, index=True)


class AuditEvent(Base):
    """Who did what. Never photo content, never tokens or passwords."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_workshop_at", "workshop_id", "at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # "instructor:<id>", "group:<id>", "cli", "system", "anonymous" ("admin" before instructor accounts)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    # No foreign key: the trail outlives a purge of the workshop's content.
    workshop_id: Mapped[str | None] = mapped_column(String(32), default=None)
    target_id: Mapped[str | None] = mapped_column(String(32), default=None)
    details: Mapped[Any | None] = mapped_column(PortableJSON, default=None)


class AdminSession(Base):
    """An instructor's logged-in session. The cookie is signed but stateless; this row is
    what logout deletes, so a cookie copied before logout is worthless afterwards."""

    __tablename__ = "admin_sessions"

    # sha256 of the random id in the cookie: the table alone lets nobody in.
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Whose session it is: ending an instructor's sessions (password change, the sessions
    # list) deletes these rows.
    instructor_id: Mapped[str] = mapped_column(ForeignKey("instructors.id", ondelete="CASCADE"), index=True)
    # The browser's User-Agent, cut short: how an instructor tells their sessions apart.
    user_agent: Mapped[str | None] = mapped_column(String(200), default=None)


class Instructor(Base):
    """An instructor's account (bff/auth.py). The first org admin signs in with
    PICTOLAB_ADMIN_PASSWORD (``uses_admin_password``, email "admin", no stored hash); every
    other instructor joins by invitation and keeps an argon2 hash."""

    __tablename__ = "instructors"
    __table_args__ = (
        # One first org admin: the account the laptop's printed password opens.
        Index("uq_instructors_first_admin", "uses_admin_password", unique=True,
              sqlite_where=text("uses_admin_password"), postgresql_where=text("uses_admin_password")),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # lower case
    password_hash: Mapped[str | None] = mapped_column(String(200), default=None)
    is_org_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    uses_admin_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # Wrong passwords in a row (reset by a right one) and, past the limit, the lock.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    password_changed_at: Mapped[datetime | None] = mapped_column(default=None)


class WorkshopOwner(Base):
    """An instructor who may see and run a workshop (its creator, and whoever it was shared with)."""

    __tablename__ = "workshop_owners"

    workshop_id: Mapped[str] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True)
    instructor_id: Mapped[str] = mapped_column(ForeignKey("instructors.id", ondelete="CASCADE"),
                                               primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class InstructorInvitation(Base):
    """A one-time link to set a password: an invitation ("invite") or a reset ("reset")."""

    __tablename__ = "instructor_invitations"

    # sha256 of the token in the link (the link itself is never stored).
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="invite")
    is_org_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(64))  # an audit actor
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class ClassReaction(Base):
    """How a group's AI reacts when it picks one of the classes (bff/play.py): an emoji
    animation and a sound, both from built-in sets, and a few optional words."""

    __tablename__ = "class_reactions"

    group_id: Mapped[str] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    class_id: Mapped[str] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), primary_key=True,
                                          index=True)
    emoji: Mapped[str | None] = mapped_column(String(16), default=None)
    sound: Mapped[str | None] = mapped_column(String(16), default=None)
    words: Mapped[str | None] = mapped_column(String(60), default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ReflectionAnswer(Base):
    """A group's answer to "why do you think it got it wrong?" after one of its runs; the
    instructors see them counted per workshop. One answer per run (answering again replaces it)."""

    __tablename__ = "reflection_answers"
    __table_args__ = (Index("ix_reflection_answers_workshop", "workshop_id"),)

    # No foreign key to the run: a purge deletes runs in bulk; the counts stay meaningful.
    run_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    workshop_id: Mapped[str] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"))
    group_id: Mapped[str] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    answer: Mapped[str] = mapped_column(String(16))  # bff.play.REFLECTION_ANSWERS
    created_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
