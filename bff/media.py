"""GET /media/photos/<id>: a photo's bytes, for the owning group or an instructor who owns the
workshop (any org admin) only."""

from __future__ import annotations

import re

from flask import Blueprint, Response, current_app, jsonify, request

from pictolab.contract.errors import ErrorCode
from pictolab.storage import ObjectNotFound

from . import auth, db
from .instructors import may_manage
from .models import Photo

bp = Blueprint("media", __name__)

_ID = re.compile(r"^[0-9a-f]{32}$")


def _error(status: int, code: ErrorCode, message: str) -> Response:
    response = jsonify(error=code, message=message)
    response.status_code = status
    return response


@bp.get("/media/photos/<photo_id>")
def photo_bytes(photo_id: str):
    settings = current_app.config["SETTINGS"]
    session = db.session()
    instructor = auth.current_instructor(settings, session)
    admin = instructor is not None
    group = None if admin else auth.current_group(session)
    if not admin and group is None:
        return _error(401, ErrorCode.UNAUTHENTICATED, "Log in first.")
    photo = session.get(Photo, photo_id) if _ID.match(photo_id) else None
    # Another group's photo, or a photo of a workshop the instructor does not own, is
    # indistinguishable from a missing one.
    if photo is None or (not admin and photo.group_id != group.id) or \
            (admin and not may_manage(session, instructor, photo.workshop_id)):
        return _error(404, ErrorCode.NOT_FOUND, "No such photo.")
    try:
        data = current_app.extensions["pictolab.storage"].get_bytes(photo.storage_key)
    except ObjectNotFound:
        return _error(404, ErrorCode.NOT_FOUND, "No such photo.")
    response = Response(data, mimetype="image/jpeg")
    response.set_etag(photo.id)  # a photo id never gets other bytes
    # Revalidate every time: a shared iPad's cache must not show a photo to whoever holds
    # the iPad next (another group, after a logout); the ETag keeps that a cheap 304.
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = f'inline; filename="{photo.id}.jpg"'
    return response.make_conditional(request)


def init_app(app) -> None:
    app.register_blueprint(bp)
