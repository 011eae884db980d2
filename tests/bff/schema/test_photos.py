"""uploadPhoto / photos / deletePhoto / uploadTestPhoto through GraphQL multipart requests,
including every bad input a child's device can send: each gives a typed error and stores nothing."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from bff.models import Phase
from pictolab.contract import storage_keys
from tests.bff.helpers import (
    UPLOAD,
    UPLOAD_TEST,
    GraphQLClient,
    admin_login,
    assert_nothing_stored,
    login,
    photo_count,
    set_phase,
    stored_keys,
    workshop_on,
)
from tests.bff.factories import (
    camera_like_jpeg,
    encode,
    png_bomb_header,
    red_top_blue_bottom,
    rotated_with_orientation_tag,
    sample_photo,
    solid_jpeg,
)

PHOTOS = "query($classId: ID) { photos(classId: $classId) { id classId url width height } }"
DELETE = "mutation($id: ID!) { deletePhoto(id: $id) }"


@pytest.fixture
def workshop(make_workshop):
    return make_workshop(phase=Phase.COLLECT)


@pytest.fixture
def group_client(client, workshop):
    login(client, workshop["groups"][0]["token"])
    return client


def upload(client, class_id: str, data: bytes, filename: str = "photo.jpg", content_type: str = "image/jpeg",
           **kwargs):
    return client.upload(UPLOAD, {"classId": class_id}, {"file": (data, filename, content_type)}, **kwargs)


def uploaded(response) -> dict:
    body = response.get_json()
    assert response.status_code == 200 and not body.get("errors"), body
    return body["data"]["uploadPhoto"]


def error_code(response) -> str:
    body = response.get_json()
    assert body and body.get("errors"), f"expected an error, got {response.status_code} {response.data[:200]}"
    assert body["data"] is None or all(v is None for v in body["data"].values())
    return body["errors"][0]["extensions"]["code"]


# ---- the happy path ---------------------------------------------------------------------

def test_upload_sanitises_lists_and_serves_the_photo(app, group_client, workshop):
    class_id = workshop["classes"][0]["id"]
    jpeg, _stored = rotated_with_orientation_tag(red_top_blue_bottom((600, 800)))
    photo = uploaded(upload(group_client, class_id, jpeg))
    assert photo["classId"] == class_id
    assert (photo["width"], photo["height"]) == (600, 800)  # upright, as the tag says
    assert photo["url"] == f"/media/photos/{photo['id']}"
    assert stored_keys(app) == [f"photos/{workshop['id']}/{photo['id']}.jpg"]

    listed = group_client.data(PHOTOS)["photos"]
    assert [p["id"] for p in listed] == [photo["id"]]
    assert group_client.data(PHOTOS, classId=workshop["classes"][1]["id"])["photos"] == []

    served = group_client.http.get(photo["url"])
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    image = Image.open(io.BytesIO(served.data))
    assert image.format == "JPEG" and image.size == (600, 800)
    assert not image.getexif(), "EXIF (GPS, orientation, camera) must be gone"
    assert "icc_profile" not in image.info and "exif" not in image.info
    assert b"Exif" not in served.data and b"PictoLabTestCam" not in served.data
    top, bottom = image.getpixel((300, 100)), image.getpixel((300, 700))
    assert top[0] > 200 and top[2] < 60, f"top should be red, is {top}"
    assert bottom[2] > 200 and bottom[0] < 60, f"bottom should be blue, is {bottom}"


def test_large_camera_photo_is_shrunk_to_1024_long_side(app, group_client, workshop):
    photo = uploaded(upload(group_client, workshop["classes"][0]["id"], camera_like_jpeg(seed=1)))
    # 3024x4032 stored sideways with orientation 6: upright it is landscape, long side <= 1024.
    assert photo["width"] > photo["height"]
    assert 900 <= max(photo["width"], photo["height"]) <= 1024


@pytest.mark.parametrize("fmt,content_type", [("PNG", "image/png"), ("WEBP", "image/webp")])
def test_png_and_webp_are_accepted_and_stored_as_jpeg(app, group_client, workshop, fmt, content_type):
    data = encode(sample_photo("chelsea"), fmt)
    photo = uploaded(upload(group_client, workshop["classes"][0]["id"], data, f"cat.{fmt.lower()}", content_type))
    assert (photo["width"], photo["height"]) == (451, 300)
    stored = app.extensions["pictolab.storage"].get_bytes(stored_keys(app)[0])
    assert Image.open(io.BytesIO(stored)).format == "JPEG"


def test_retried_upload_returns_the_existing_photo(app, group_client, workshop):
    class_id = workshop["classes"][0]["id"]
    data = encode(sample_photo("coffee"), "JPEG")
    first = uploaded(upload(group_client, class_id, data))
    again = uploaded(upload(group_client, class_id, data))
    assert again["id"] == first["id"]
    assert photo_count(app) == 1 and len(stored_keys(app)) == 1


def test_same_photo_in_another_class_is_a_conflict(app, group_client, workshop):
    data = encode(sample_photo("coffee"), "JPEG")
    uploaded(upload(group_client, workshop["classes"][0]["id"], data))
    assert error_code(upload(group_client, workshop["classes"][1]["id"], data)) == "CONFLICT"
    assert photo_count(app) == 1 and len(stored_keys(app)) == 1


def test_two_groups_may_upload_the_same_photo(app, client, new_client, workshop):
    data = solid_jpeg()
    login(client, workshop["groups"][0]["token"])
    other = new_client()
    login(other, workshop["groups"][1]["token"])
    a = uploaded(upload(client, workshop["classes"][0]["id"], data))
    b = uploaded(upload(other, workshop["classes"][0]["id"], data))
    assert a["id"] != b["id"] and photo_count(app) == 2


def test_delete_photo_removes_row_and_object(app, group_client, workshop):
    photo = uploaded(upload(group_client, workshop["classes"][0]["id"], solid_jpeg()))
    assert group_client.data(DELETE, id=photo["id"])["deletePhoto"] is True
    assert_nothing_stored(app)
    assert group_client.http.get(photo["url"]).status_code == 404


def test_delete_photo_removes_its_cached_embeddings_too(app, group_client, workshop):
    storage = app.extensions["pictolab.storage"]
    keep = uploaded(upload(group_client, workshop["classes"][0]["id"], solid_jpeg(color=(1, 2, 3))))
    gone = uploaded(upload(group_client, workshop["classes"][0]["id"], solid_jpeg(color=(200, 2, 3))))
    key_of = {p["id"]: k for k in storage.list("photos") for p in (keep, gone) if p["id"] in k}
    # What the ML API caches while training (docs/design.md), for two backbones.
    for backbone in ("efficientnet_lite0", "mobilenet_v3_large"):
        for photo_id, key in key_of.items():
            storage.put_bytes(storage_keys.embedding_key(key, backbone, "ab" * 16), b"features")
    group_client.data(DELETE, id=gone["id"])
    left = list(storage.list(storage_keys.EMBEDDINGS))
    assert left == sorted(storage_keys.embedding_key(key_of[keep["id"]], backbone, "ab" * 16)
                          for backbone in ("efficientnet_lite0", "mobilenet_v3_large"))


# ---- bad input: a typed error and nothing stored ------------------------------------------

def test_text_file_named_jpg(app, group_client, workshop):
    response = upload(group_client, workshop["classes"][0]["id"], b"just some text, not a photo\n" * 20)
    assert error_code(response) == "UNSUPPORTED_MEDIA_TYPE"
    assert_nothing_stored(app)


def test_truncated_jpeg(app, group_client, workshop):
    data = encode(sample_photo("rocket"), "JPEG", quality=90)
    response = upload(group_client, workshop["classes"][0]["id"], data[: len(data) // 2])
    assert error_code(response) == "BAD_USER_INPUT"
    assert "damaged" in response.get_json()["errors"][0]["message"]
    assert_nothing_stored(app)


def test_image_over_the_pixel_cap(make_app, make_workshop):
    app = make_app(max_image_pixels=1_000_000)
    client = GraphQLClient(app.test_client())
    workshop = workshop_on(app)
    login(client, workshop["groups"][0]["token"])
    response = upload(client, workshop["classes"][0]["id"], solid_jpeg(size=(1200, 1000)))
    assert error_code(response) == "PAYLOAD_TOO_LARGE"
    assert_nothing_stored(app)


def test_decompression_bomb_png_is_refused_before_decoding(app, group_client, workshop):
    response = upload(group_client, workshop["classes"][0]["id"], png_bomb_header(), "bomb.png", "image/png")
    assert error_code(response) == "PAYLOAD_TOO_LARGE"
    assert_nothing_stored(app)


def test_body_over_the_size_cap(make_app):
    app = make_app(max_upload_bytes=200_000)
    client = GraphQLClient(app.test_client())
    workshop = workshop_on(app)
    login(client, workshop["groups"][0]["token"])
    data = camera_like_jpeg(size=(1200, 1600))
    assert len(data) > 200_000
    response = upload(client, workshop["classes"][0]["id"], data)
    assert response.status_code == 413
    assert response.get_json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert_nothing_stored(app)


@pytest.mark.parametrize("map_text", [
    "{broken",                                  # not JSON
    json.dumps({"0": ["variables.nothere"]}),   # points at no variable
    json.dumps({"0": "variables.file"}),        # not a list of paths
    json.dumps({"0": ["query"]}),               # outside variables
    json.dumps(["variables.file"]),             # not an object
])
def test_broken_map(app, group_client, workshop, map_text):
    response = _raw_multipart(group_client, map_text=map_text, class_id=workshop["classes"][0]["id"])
    assert response.status_code == 400, response.data
    assert b"map" in response.data.lower()
    assert_nothing_stored(app)


def test_missing_file_part(app, group_client, workshop):
    response = _raw_multipart(group_client, map_text=json.dumps({"0": ["variables.file"]}), with_file=False,
                              class_id=workshop["classes"][0]["id"])
    assert response.status_code == 400
    assert b"missing" in response.data
    assert_nothing_stored(app)


def test_no_preflight_header(app, group_client, workshop):
    response = upload(group_client, workshop["classes"][0]["id"], solid_jpeg(), preflight=False)
    assert response.status_code == 400
    assert b"Apollo-Require-Preflight" in response.data
    assert_nothing_stored(app)


def test_unknown_class_id(app, group_client, workshop, make_workshop):
    assert error_code(upload(group_client, "0" * 32, solid_jpeg())) == "NOT_FOUND"
    other_workshop = make_workshop()
    assert error_code(upload(group_client, other_workshop["classes"][0]["id"], solid_jpeg())) == "NOT_FOUND"
    assert_nothing_stored(app)


def test_upload_without_login(app, client, workshop):
    assert error_code(upload(client, workshop["classes"][0]["id"], solid_jpeg())) == "UNAUTHENTICATED"
    assert_nothing_stored(app)


@pytest.mark.parametrize("phase", [Phase.SETUP, Phase.COMPETE, Phase.CLOSED])
def test_upload_outside_the_allowed_phase(app, group_client, workshop, phase):
    set_phase(app, workshop["id"], phase)
    assert error_code(upload(group_client, workshop["classes"][0]["id"], solid_jpeg())) == "FAILED_PRECONDITION"
    assert_nothing_stored(app)


def test_upload_allowed_while_training(app, group_client, workshop):
    set_phase(app, workshop["id"], Phase.TRAIN)
    uploaded(upload(group_client, workshop["classes"][0]["id"], solid_jpeg()))


def test_per_class_cap(make_app):
    app = make_app(max_photos_per_class=2)
    client = GraphQLClient(app.test_client())
    workshop = workshop_on(app)
    login(client, workshop["groups"][0]["token"])
    cat, cup = workshop["classes"][0]["id"], workshop["classes"][1]["id"]
    for shade in (0, 100):
        uploaded(upload(client, cat, solid_jpeg(color=(shade, 0, 0))))
    assert error_code(upload(client, cat, solid_jpeg(color=(200, 0, 0)))) == "FAILED_PRECONDITION"
    uploaded(upload(client, cup, solid_jpeg(color=(200, 0, 0))))  # the cap is per class
    assert photo_count(app) == 3 and len(stored_keys(app)) == 3


def test_per_session_rate_limit(make_app):
    app = make_app(UPLOAD_RATE_PER_SECOND=0.001, UPLOAD_RATE_BURST=3)
    client = GraphQLClient(app.test_client())
    workshop = workshop_on(app)
    login(client, workshop["groups"][0]["token"])
    class_id = workshop["classes"][0]["id"]
    for shade in range(3):  # different pictures: a repeated one would be de-duplicated
        uploaded(upload(client, class_id, solid_jpeg(color=(80 * shade, 0, 0))))
    assert error_code(upload(client, class_id, solid_jpeg(color=(0, 200, 0)))) == "RATE_LIMITED"
    assert photo_count(app) == 3


def test_storage_failure_leaves_no_row(app, group_client, workshop, monkeypatch):
    from pictolab.storage import StorageError

    def broken_put(*_args, **_kwargs):
        raise StorageError("disk full")

    monkeypatch.setattr(app.extensions["pictolab.storage"], "put_bytes", broken_put)
    assert error_code(upload(group_client, workshop["classes"][0]["id"], solid_jpeg())) == "UNAVAILABLE"
    assert_nothing_stored(app)


def test_database_failure_deletes_the_stored_object(app, group_client, workshop, monkeypatch):
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    def broken_commit(self):
        raise OperationalError("INSERT", {}, Exception("database went away"))

    monkeypatch.setattr(Session, "commit", broken_commit)
    response = upload(group_client, workshop["classes"][0]["id"], solid_jpeg())
    monkeypatch.undo()
    assert error_code(response) == "INTERNAL"
    assert_nothing_stored(app)


# ---- isolation --------------------------------------------------------------------------

def test_groups_see_and_delete_only_their_own_photos(app, client, new_client, workshop):
    login(client, workshop["groups"][0]["token"])
    mine = uploaded(upload(client, workshop["classes"][0]["id"], solid_jpeg()))
    other = new_client()
    login(other, workshop["groups"][1]["token"])
    assert other.data(PHOTOS)["photos"] == []
    assert other.error_code(DELETE, id=mine["id"]) == "NOT_FOUND"
    assert other.http.get(mine["url"]).status_code == 404
    assert photo_count(app) == 1 and len(stored_keys(app)) == 1
    assert client.http.get(mine["url"]).status_code == 200


def test_delete_outside_the_allowed_phase(app, group_client, workshop):
    photo = uploaded(upload(group_client, workshop["classes"][0]["id"], solid_jpeg()))
    set_phase(app, workshop["id"], Phase.COMPETE)
    assert group_client.error_code(DELETE, id=photo["id"]) == "FAILED_PRECONDITION"
    assert photo_count(app) == 1


# ---- the hidden test set ----------------------------------------------------------------

def test_admin_uploads_test_photos_in_any_phase_but_closed(app, client, make_workshop):
    workshop = make_workshop(phase=Phase.SETUP)
    admin_login(client)
    class_id = workshop["classes"][0]["id"]
    response = client.upload(UPLOAD_TEST, {"classId": class_id}, {"file": (solid_jpeg(), "t.jpg", "image/jpeg")})
    photo = response.get_json()["data"]["uploadTestPhoto"]
    assert photo["isTest"] is True and photo["classId"] == class_id
    listed = client.data("query($w: ID!) { testPhotos(workshopId: $w) { id isTest } }", w=workshop["id"])
    assert listed["testPhotos"] == [{"id": photo["id"], "isTest": True}]
    assert client.http.get(photo["url"]).status_code == 200
    set_phase(app, workshop["id"], Phase.CLOSED)
    response = client.upload(UPLOAD_TEST, {"classId": class_id},
                             {"file": (solid_jpeg(color=(1, 2, 3)), "t.jpg", "image/jpeg")})
    assert error_code(response) == "FAILED_PRECONDITION"
    assert photo_count(app) == 1


def test_the_hidden_test_set_is_capped_at_what_one_scoring_request_carries(make_app):
    app = make_app(max_test_photos=2)
    client = GraphQLClient(app.test_client())
    workshop = workshop_on(app)
    admin_login(client)
    cat, cup = workshop["classes"][0]["id"], workshop["classes"][1]["id"]
    for shade, class_id in ((0, cat), (100, cup)):
        response = client.upload(UPLOAD_TEST, {"classId": class_id},
                                 {"file": (solid_jpeg(color=(shade, 0, 0)), "t.jpg", "image/jpeg")})
        assert response.get_json()["data"]["uploadTestPhoto"]["isTest"] is True
    response = client.upload(UPLOAD_TEST, {"classId": cat},
                             {"file": (solid_jpeg(color=(200, 0, 0)), "t.jpg", "image/jpeg")})
    assert error_code(response) == "FAILED_PRECONDITION"
    assert "PICTOLAB_MAX_TEST_PHOTOS" in response.get_json()["errors"][0]["message"]
    assert photo_count(app) == 2 and len(stored_keys(app)) == 2  # nothing half-written


def test_groups_cannot_upload_or_see_test_photos(app, group_client, workshop):
    class_id = workshop["classes"][0]["id"]
    response = group_client.upload(UPLOAD_TEST, {"classId": class_id}, {"file": (solid_jpeg(), "t.jpg", "image/jpeg")})
    assert error_code(response) == "FORBIDDEN"
    assert group_client.error_code("query($w: ID!) { testPhotos(workshopId: $w) { id } }",
                                   w=workshop["id"]) == "FORBIDDEN"
    assert_nothing_stored(app)


# ---- helpers ----------------------------------------------------------------------------

def _raw_multipart(client, *, map_text: str, with_file: bool = True, class_id: str = "x"):
    operations = {"query": UPLOAD, "variables": {"classId": class_id, "file": None}}
    form = {"operations": json.dumps(operations), "map": map_text}
    if with_file:
        form["0"] = (io.BytesIO(solid_jpeg()), "a.jpg", "image/jpeg")
    return client.http.post("/graphql", data=form, content_type="multipart/form-data",
                            headers={"Apollo-Require-Preflight": "true"})


def test_file_variable_that_is_not_a_file_part(app, group_client, workshop):
    result = group_client.execute(UPLOAD, classId=workshop["classes"][0]["id"], file="not a file")
    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert_nothing_stored(app)


def test_parallel_retry_race_keeps_one_photo_and_one_object(app, group_client, workshop, monkeypatch):
    """Two copies of one upload pass the duplicate check at once: the second insert hits
    the unique index, its object is deleted and the first photo is returned."""
    import bff.photos

    data = solid_jpeg(color=(7, 70, 170))
    first = uploaded(upload(group_client, workshop["classes"][0]["id"], data))
    real_existing = bff.photos._existing
    calls = []

    def existing_missed_once(*args):
        calls.append(args)
        return None if len(calls) == 1 else real_existing(*args)

    monkeypatch.setattr(bff.photos, "_existing", existing_missed_once)
    again = uploaded(upload(group_client, workshop["classes"][0]["id"], data))
    assert again["id"] == first["id"] and len(calls) == 2
    assert photo_count(app) == 1
    assert stored_keys(app) == [f"photos/{workshop['id']}/{first['id']}.jpg"]


def test_upload_after_the_card_was_revoked(app, group_client, new_client, workshop):
    admin = new_client()
    admin_login(admin)
    admin.data("mutation($g: ID!) { revokeGroupToken(groupId: $g) { id } }", g=workshop["groups"][0]["id"])
    assert error_code(upload(group_client, workshop["classes"][0]["id"], solid_jpeg())) == "UNAUTHENTICATED"
    assert_nothing_stored(app)
