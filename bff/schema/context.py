"""The per-request GraphQL context: database session, storage, settings and the caller."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Request, current_app, g
from sqlalchemy.orm import Session

from pictolab.graphql import ApiError
from pictolab.settings import Settings
from pictolab.storage import Storage

from .. import auth, db
from ..models import Group, Workshop


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
    def is_admin(self) -> bool:
        return auth.is_admin(self.settings, self.db)

    @property
    def actor(self) -> str:
        if self.is_admin:
            return "admin"
        group = self.group
        return f"group:{group.id}" if group else "anonymous"

    def require_group(self) -> Group:
        group = self.group
        if group is None:
            raise ApiError("Please scan your group's login card.", code="UNAUTHENTICATED")
        return group

    def require_admin(self) -> None:
        if not self.is_admin:
            if self.group is not None:
                raise ApiError("Only instructors may do this.", code="FORBIDDEN")
            raise ApiError("Instructors must log in first.", code="UNAUTHENTICATED")

    def workshop_for_admin(self, workshop_id: str) -> Workshop:
        self.require_admin()
        workshop = self.db.get(Workshop, workshop_id) if isinstance(workshop_id, str) else None
        if workshop is None:
            raise ApiError("Unknown workshop.", code="NOT_FOUND")
        return workshop


def make_context(request: Request) -> RequestContext:
    return RequestContext(request=request, db=db.session(), settings=current_app.config["SETTINGS"],
                          storage=current_app.extensions["pictolab.storage"],
                          client_ip=g.get("client_ip") or request.remote_addr or "",
                          config=current_app.config)
