"""The per-request GraphQL context: database session, storage, settings and the caller."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Request, current_app, g
from sqlalchemy.orm import Session

from pictolab.contract.errors import Forbidden, NotFound, Unauthenticated
from pictolab.settings import Settings
from pictolab.storage import Storage

from .. import auth, db
from ..instructors import instructor_actor, may_manage
from ..models import Group, Instructor, Photo, PhotoClass, TrainingRun, Workshop


@dataclass
class RequestContext:
    request: Request
    db: Session
    settings: Settings
    storage: Storage
    client_ip: str
    config: dict[str, Any]
    response: Any = field(default=None)

    @property
    def group(self) -> Group | None:
        return auth.current_group(self.db)

    @property
    def instructor(self) -> Instructor | None:
        """The signed-in instructor (None: no admin session on this device)."""
        return auth.current_instructor(self.settings, self.db)

    @property
    def is_admin(self) -> bool:
        return self.instructor is not None

    @property
    def is_org_admin(self) -> bool:
        instructor = self.instructor
        return instructor is not None and instructor.is_org_admin

    @property
    def actor(self) -> str:
        instructor = self.instructor
        if instructor is not None:
            return instructor_actor(instructor)
        group = self.group
        return f"group:{group.id}" if group else "anonymous"

    @property
    def admin_actor(self) -> str:
        """The audit actor of an admin operation ("instructor:<id>"); call after require_admin."""
        return instructor_actor(self.require_admin())

    def require_group(self) -> Group:
        group = self.group
        if group is None:
            raise Unauthenticated("Please scan your group's login card.")
        return group

    def require_admin(self) -> Instructor:
        instructor = self.instructor
        if instructor is None:
            if self.group is not None:
                raise Forbidden("Only instructors may do this.")
            raise Unauthenticated("Instructors must log in first.")
        return instructor

    def require_org_admin(self) -> Instructor:
        instructor = self.require_admin()
        if not instructor.is_org_admin:
            raise Forbidden("Only an org admin may do this.")
        return instructor

    # Every admin look-up by id goes through these: a workshop the instructor does not own
    # (and anything in it) answers exactly like one that does not exist.

    def workshop_for_admin(self, workshop_id: str) -> Workshop:
        """The workshop, if this instructor owns it (or is an org admin); else NOT_FOUND."""
        instructor = self.require_admin()
        workshop = self.db.get(Workshop, workshop_id) if isinstance(workshop_id, str) and len(workshop_id) <= 64 \
            else None
        if workshop is None or not may_manage(self.db, instructor, workshop.id):
            raise NotFound(UNKNOWN_WORKSHOP)
        return workshop

    def group_for_admin(self, group_id: str) -> Group:
        """A group of a workshop this instructor may manage; else NOT_FOUND."""
        instructor = self.require_admin()
        group = self.db.get(Group, group_id) if isinstance(group_id, str) and len(group_id) <= 64 else None
        if group is None or not may_manage(self.db, instructor, group.workshop_id):
            raise NotFound(UNKNOWN_GROUP)
        return group

    def photo_for_admin(self, photo_id: str) -> Photo:
        """A photo (a group's or a hidden test photo) of a workshop this instructor may manage."""
        instructor = self.require_admin()
        photo = self.db.get(Photo, photo_id) if isinstance(photo_id, str) and len(photo_id) <= 64 else None
        if photo is None or not may_manage(self.db, instructor, photo.workshop_id):
            raise NotFound(UNKNOWN_PHOTO)
        return photo

    def class_for_admin(self, class_id: str) -> PhotoClass:
        """A class of a workshop this instructor may manage."""
        instructor = self.require_admin()
        photo_class = self.db.get(PhotoClass, class_id) if isinstance(class_id, str) and len(class_id) <= 64 \
            else None
        if photo_class is None or not may_manage(self.db, instructor, photo_class.workshop_id):
            raise NotFound(UNKNOWN_CLASS)
        return photo_class

    def run_for_admin(self, run_id: str) -> TrainingRun:
        """A training run of a workshop this instructor may manage."""
        instructor = self.require_admin()
        run = self.db.get(TrainingRun, run_id) if isinstance(run_id, str) and len(run_id) <= 64 else None
        if run is None or not may_manage(self.db, instructor, run.workshop_id):
            raise NotFound(UNKNOWN_RUN)
        return run


UNKNOWN_WORKSHOP = "Unknown workshop."
UNKNOWN_GROUP = "Unknown group."
UNKNOWN_PHOTO = "Unknown photo."
UNKNOWN_CLASS = "Unknown class."
UNKNOWN_RUN = "Unknown training run."


def admin_workshop(ctx: RequestContext, workshop_id: str) -> Workshop:
    """The one way an admin operation looks up a workshop: NOT_FOUND for one the signed-in
    instructor does not own, worded exactly as for a missing one (org admins own all)."""
    return ctx.workshop_for_admin(workshop_id)


def make_context(request: Request) -> RequestContext:
    return RequestContext(request=request, db=db.session(), settings=current_app.config["SETTINGS"],
                          storage=current_app.extensions["pictolab.storage"],
                          client_ip=g.get("client_ip") or request.remote_addr or "",
                          config=current_app.config)
