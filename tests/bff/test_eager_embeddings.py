"""Eager embeddings end to end: the BFF app (reconciler driven by hand) and a real ML API
process (tests/services.py) sharing one storage folder. A stored photo is handed to the ML
API's queue once and its embedding is cached in the background; a deleted photo's is gone;
an ML API killed mid-way loses nothing (its queue is a database table: the restarted
process embeds what was queued, and the BFF sends nothing twice)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from bff.db import session_scope
from bff.models import Phase, Photo
from pictolab.contract.storage_keys import embeddings_prefix
from tests.bff.helpers import GraphQLClient, login, workshop_on
from tests.datasets import TEXTURES, texture_jpegs
from tests.e2e.helpers import wait_until
from tests.services import ServiceProcess, base_env

UPLOAD = "mutation($classId: ID!, $file: Upload!) { uploadPhoto(classId: $classId, file: $file) { id } }"
DELETE = "mutation($id: ID!) { deletePhoto(id: $id) }"


@pytest.fixture(scope="module")
def shared_storage(tmp_path_factory):
    return tmp_path_factory.mktemp("storage")


@pytest.fixture(scope="module")
def ml_service(tmp_path_factory, shared_storage):
    env = base_env(tmp_path_factory.mktemp("ml"), PICTOLAB_STORAGE_URL=shared_storage.as_uri())
    with ServiceProcess("ml-api", env, ready_timeout=240) as service:
        yield service


@pytest.fixture
def loop_app(make_app, shared_storage, ml_service):
    return make_app(storage_url=shared_storage.as_uri(), ml_api_url=ml_service.url, ML_API_TIMEOUT=5.0)


def upload(app, per_class: int, seed: int = 0) -> tuple[GraphQLClient, list[str]]:
    summary = workshop_on(app, Phase.COLLECT)
    client = GraphQLClient(app.test_client())
    login(client, summary["groups"][0]["token"])
    ids = []
    for i, texture in enumerate(TEXTURES):
        for jpeg in texture_jpegs(texture, per_class, seed=seed + i):
            body = client.upload(UPLOAD, {"classId": summary["classes"][i]["id"]},
                                 {"file": (jpeg, "p.jpg", "image/jpeg")}).get_json()
            ids.append(body["data"]["uploadPhoto"]["id"])
    return client, ids


def rows(app, ids) -> list[Photo]:
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        found = list(db.scalars(select(Photo).where(Photo.id.in_(ids))))
        for row in found:
            db.expunge(row)
        return found


def drive_until_embedded(app, ids, timeout=180.0) -> list[Photo]:
    """Run passes until every photo was handed over and its embedding is in the cache."""
    reconciler = app.extensions["pictolab.reconciler"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reconciler.run_once()
        found = rows(app, ids)
        if found and all(p.embedded_at is not None and cache_entries(app, p.storage_key) for p in found):
            return found
        time.sleep(0.2)
    raise AssertionError(f"not cached: {[p.id for p in rows(app, ids) if not cache_entries(app, p.storage_key)]}")


def counting_sends(app) -> list[list[str]]:
    """Every embedPhotos the BFF sends, as lists of uris."""
    ml = app.extensions["pictolab.ml"]
    sent: list[list[str]] = []
    real = ml.embed_photos

    def embed_photos(uris, scope=None):
        sent.append(list(uris))
        return real(uris, scope=scope)

    ml.embed_photos = embed_photos
    return sent


def cache_entries(app, key: str) -> list[str]:
    return list(app.extensions["pictolab.storage"].list(embeddings_prefix(key)))


def test_stored_photos_get_their_embeddings_cached_then_deleted_with_them(loop_app):
    client, ids = upload(loop_app, per_class=2)
    assert all(p.embedded_at is None for p in rows(loop_app, ids))
    photos = drive_until_embedded(loop_app, ids)
    for photo in photos:
        assert len(cache_entries(loop_app, photo.storage_key)) == 1, photo.storage_key

    gone = photos[0]
    assert client.data(DELETE, id=gone.id)["deletePhoto"] is True
    # The BFF deletes the photo's cache prefix at once. A job that was still embedding the
    # photo then (its group's hints, say) writes its entry after that, sees the photo gone and
    # deletes the entry itself (ml_api.embeddings.forget_if_photo_gone): gone within moments.
    wait_until(lambda: cache_entries(loop_app, gone.storage_key) == [], timeout=30,
               what="the deleted photo's cached embeddings to go")
    assert len(cache_entries(loop_app, photos[1].storage_key)) == 1


def test_an_ml_api_killed_mid_way_loses_nothing(loop_app, ml_service):
    sent = counting_sends(loop_app)
    _, ids = upload(loop_app, per_class=4, seed=50)
    reconciler = loop_app.extensions["pictolab.reconciler"]
    reconciler.run_once()  # handed over (durably queued)...
    ml_service.kill()  # ...and the process dies (SIGKILL) before or while it embeds them
    reconciler.run_once()  # nothing pending in the BFF: nothing to send
    assert all(p.embedded_at is not None for p in rows(loop_app, ids))
    ml_service.start()
    photos = drive_until_embedded(loop_app, ids)
    for photo in photos:
        assert len(cache_entries(loop_app, photo.storage_key)) == 1
    uris = [uri for batch in sent for uri in batch]
    assert len(uris) == len(set(uris)) == len(ids)  # each photo sent once


def test_photos_stored_while_the_ml_api_is_down_are_sent_when_it_is_back(loop_app, ml_service):
    ml_service.kill()
    _, ids = upload(loop_app, per_class=2, seed=80)
    loop_app.extensions["pictolab.reconciler"].run_once()  # unreachable: the photos stay pending
    assert all(p.embedded_at is None for p in rows(loop_app, ids))
    ml_service.start()
    loop_app.extensions["pictolab.reconciler"].embeddings.paused_until = None  # skip the backoff
    drive_until_embedded(loop_app, ids)
