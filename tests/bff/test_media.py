"""GET /media/photos/<id>: the owning group or an instructor, nobody else."""

from __future__ import annotations

import pytest

from bff.models import Phase
from tests.bff.factories import solid_jpeg
from tests.bff.helpers import UPLOAD, admin_login, login


@pytest.fixture
def photo(client, make_workshop):
    workshop = make_workshop(phase=Phase.COLLECT)
    login(client, workshop["groups"][0]["token"])
    response = client.upload(UPLOAD, {"classId": workshop["classes"][0]["id"]},
                             {"file": (solid_jpeg(), "a.jpg", "image/jpeg")})
    return {"workshop": workshop, **response.get_json()["data"]["uploadPhoto"]}


def test_owner_gets_the_bytes_with_private_caching(client, photo):
    response = client.http.get(photo["url"])
    assert response.status_code == 200 and response.data[:2] == b"\xff\xd8"
    # A shared iPad's cache must not answer with another group's photo later:
    # the browser asks every time (a cheap 304 while the session still may see it).
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    again = client.http.get(photo["url"], headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers["Cache-Control"] == "private, no-cache"


def test_other_group_gets_404(new_client, photo):
    other = new_client()
    login(other, photo["workshop"]["groups"][1]["token"])
    response = other.http.get(photo["url"])
    assert response.status_code == 404 and response.get_json()["error"] == "NOT_FOUND"


def test_anonymous_gets_401(new_client, photo):
    assert new_client().http.get(photo["url"]).status_code == 401


def test_admin_gets_any_photo(new_client, photo):
    admin = new_client()
    admin_login(admin)
    assert admin.http.get(photo["url"]).status_code == 200


@pytest.mark.parametrize("bad_id", ["nothex", "../../etc/passwd", "A" * 32, "0" * 32])
def test_unknown_or_malformed_ids_are_404(client, photo, bad_id):
    assert client.http.get(f"/media/photos/{bad_id}").status_code == 404
