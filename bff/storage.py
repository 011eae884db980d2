"""The app's object store (``PICTOLAB_STORAGE_URL``), opened once per app."""

from __future__ import annotations

from flask import current_app

from pictolab.storage import Storage, open_storage


def init_app(app) -> None:
    app.extensions["pictolab.storage"] = open_storage(app.config["SETTINGS"].storage_url)


def storage() -> Storage:
    return current_app.extensions["pictolab.storage"]
