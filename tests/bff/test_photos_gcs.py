"""The upload pipeline, media and purge on GCS (the real google-cloud-storage client against
the local emulator), as in the cloud."""

from __future__ import annotations

import io

from PIL import Image

from bff.models import Phase
from tests.bff.helpers import UPLOAD, GraphQLClient, admin_login, login, workshop_on
from tests.bff.factories import red_top_blue_bottom, rotated_with_orientation_tag


def test_upload_fetch_purge_on_gcs(make_app, gcs_storage_url):
    app = make_app(storage_url=gcs_storage_url)
    storage = app.extensions["pictolab.storage"]
    assert storage.url.startswith("gs://")
    workshop = workshop_on(app)
    client = GraphQLClient(app.test_client())
    login(client, workshop["groups"][0]["token"])
    jpeg, _ = rotated_with_orientation_tag(red_top_blue_bottom((200, 300)))
    response = client.upload(UPLOAD, {"classId": workshop["classes"][0]["id"]},
                             {"file": (jpeg, "a.jpg", "image/jpeg")})
    photo = response.get_json()["data"]["uploadPhoto"]
    assert list(storage.list("photos")) == [f"photos/{workshop['id']}/{photo['id']}.jpg"]
    served = client.http.get(photo["url"])
    image = Image.open(io.BytesIO(served.data))
    assert image.size == (200, 300) and not image.getexif()
    assert app.test_client().get("/readyz").status_code == 200

    admin = GraphQLClient(app.test_client())
    admin_login(admin)
    result = admin.data("mutation($w: ID!) { purgeWorkshop(workshopId: $w) { photos objects } }", w=workshop["id"])
    assert result["purgeWorkshop"] == {"photos": 1, "objects": 1}
    assert list(storage.list("photos")) == []
    assert Phase.CLOSED.value == admin.data("query($w: ID) { workshop(id: $w) { phase } }",
                                            w=workshop["id"])["workshop"]["phase"]
