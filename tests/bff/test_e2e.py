"""End to end: the BFF as a real gunicorn process, a real GraphQL client (gql, multipart
uploads) and a login token printed by the real `pictolab workshop create --json`."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from gql import Client, FileVar, GraphQLRequest, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.requests import RequestsHTTPTransport
from PIL import Image

from tests.bff.factories import red_top_blue_bottom, rotated_with_orientation_tag
from tests.services import ServiceProcess, base_env

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PICTOLAB = str(Path(sys.executable).with_name("pictolab"))
ADMIN_PASSWORD = "e2e-instructor-password"
PREFLIGHT = {"Apollo-Require-Preflight": "true"}
UPLOAD = "mutation($c: ID!, $f: Upload!) { uploadPhoto(classId: $c, file: $f) { id classId url width height } }"


def op(query: str, **variables) -> GraphQLRequest:
    """A gql 4 request with its variables."""
    return GraphQLRequest(query, variable_values=variables or None)


def gql_client(bff: ServiceProcess) -> Client:
    transport = RequestsHTTPTransport(url=bff.url + "/graphql", headers=PREFLIGHT, timeout=30, retries=0)
    return Client(transport=transport)


@pytest.fixture
def env(tmp_path, database_url):
    return base_env(tmp_path / "data", PICTOLAB_DATABASE_URL=database_url,
                    PICTOLAB_ADMIN_PASSWORD=ADMIN_PASSWORD, PICTOLAB_SECRET_KEY="e" * 48)


def test_card_login_upload_list_fetch(env):
    created = subprocess.run([PICTOLAB, "workshop", "create", "--title", "E2E", "--classes", "cat,cup",
                              "--groups", "2", "--json"], check=False, env=env, capture_output=True, text=True,
                             timeout=120)
    assert created.returncode == 0, created.stderr
    workshop = json.loads(created.stdout)
    token = workshop["groups"][0]["token"]
    class_id = workshop["classes"][0]["id"]

    with ServiceProcess("bff", env) as bff:
        with gql_client(bff) as admin:
            assert admin.execute(op("mutation($p: String!) { adminLogin(password: $p) }", p=ADMIN_PASSWORD)) == {"adminLogin": True}
            phase = admin.execute(op("mutation($w: ID!) { setPhase(workshopId: $w, phase: COLLECT) { phase } }",
                                     w=workshop["id"]))
            assert phase == {"setPhase": {"phase": "COLLECT"}}

        client = gql_client(bff)
        with client as session:
            with pytest.raises(TransportQueryError) as wrong:
                session.execute(op("mutation($t: String!) { login(token: $t) { id } }", t=token[:-4] + "AAAA"))
            assert wrong.value.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"

            me = session.execute(op("mutation($t: String!) { login(token: $t) { id name } }", t=token))
            assert me["login"]["id"] == workshop["groups"][0]["id"]

            jpeg, _ = rotated_with_orientation_tag(red_top_blue_bottom((480, 640)))
            assert b"PictoLabTestCam" in jpeg  # the upload really carries EXIF (GPS + camera + orientation)
            upload = op(UPLOAD, c=class_id,
                        f=FileVar(io.BytesIO(jpeg), filename="IMG_0001.jpg", content_type="image/jpeg"))
            photo = session.execute(upload, upload_files=True)["uploadPhoto"]
            assert (photo["width"], photo["height"]) == (480, 640) and photo["classId"] == class_id

            listed = session.execute(gql("{ photos { id url } }"))["photos"]
            assert listed == [{"id": photo["id"], "url": photo["url"]}]

            http: requests.Session = client.transport.session  # carries the session cookie
            served = http.get(bff.url + photo["url"], timeout=30)
            assert served.status_code == 200 and served.headers["Content-Type"] == "image/jpeg"
            image = Image.open(io.BytesIO(served.content))
            assert not image.getexif() and b"Exif" not in served.content and b"PictoLabTestCam" not in served.content
            assert image.size == (480, 640)
            assert image.getpixel((240, 80))[0] > 200, "red must be on top: pixels upright"
            assert image.getpixel((240, 560))[2] > 200, "blue at the bottom"

            assert requests.get(bff.url + photo["url"], timeout=30).status_code == 401  # no cookie

            no_preflight = http.post(bff.url + "/graphql", headers={"Apollo-Require-Preflight": ""}, files={
                "operations": (None, json.dumps({"query": UPLOAD, "variables": {"c": class_id, "f": None}})),
                "map": (None, json.dumps({"0": ["variables.f"]})),
                "0": ("b.jpg", jpeg, "image/jpeg")}, timeout=30)
            assert no_preflight.status_code == 400

            cookie = http.cookies.get("pictolab_session")
            assert cookie

        bff.restart()  # sessions survive a restart: the secret key is persistent
        after = requests.post(bff.url + "/graphql", json={"query": "{ me { id } photos { id } }"},
                              cookies={"pictolab_session": cookie}, timeout=30).json()
        assert after["data"] == {"me": {"id": workshop["groups"][0]["id"]}, "photos": [{"id": photo["id"]}]}


def test_outsiders_are_refused_but_probes_work_and_big_bodies_get_413(tmp_path):
    env = base_env(tmp_path / "data", PICTOLAB_ALLOWED_CIDRS="192.168.10.0/24", PICTOLAB_TRUSTED_PROXY_HOPS="1",
                   PICTOLAB_MAX_UPLOAD_BYTES="2000000")
    subprocess.run([PICTOLAB, "db", "upgrade"], env=env, check=True, capture_output=True, timeout=120)
    with ServiceProcess("bff", env) as bff:
        outside = requests.post(bff.url + "/graphql", json={"query": "{ me { id } }"},
                                headers={"X-Forwarded-For": "203.0.113.7"}, timeout=30)
        assert outside.status_code == 403
        spoofed = requests.post(bff.url + "/graphql", json={"query": "{ me { id } }"},
                                headers={"X-Forwarded-For": "192.168.10.9, 203.0.113.7"}, timeout=30)
        assert spoofed.status_code == 403
        inside = requests.post(bff.url + "/graphql", json={"query": "{ me { id } }"},
                               headers={"X-Forwarded-For": "192.168.10.9"}, timeout=30)
        assert inside.status_code == 200 and inside.json() == {"data": {"me": None}}
        assert requests.get(bff.url + "/readyz", timeout=30).status_code == 200
        too_big = requests.post(bff.url + "/graphql", headers={**PREFLIGHT, "X-Forwarded-For": "192.168.10.9"}, files={
            "operations": (None, json.dumps({"query": UPLOAD, "variables": {"c": "x", "f": None}})),
            "map": (None, json.dumps({"0": ["variables.f"]})),
            "0": ("big.jpg", b"\xff" * 3_000_000, "image/jpeg")}, timeout=30)
        assert too_big.status_code == 413
        assert too_big.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
        assert not (tmp_path / "data" / "storage" / "photos").exists()
        # Under gunicorn, a chunked body (no Content-Length) is held to the limits by the bytes
        # read, and a batch is a 400, not a 500.
        venue = {"X-Forwarded-For": "192.168.10.9", "Content-Type": "application/json"}
        aliases = " ".join(f"a{i}: __typename" for i in range(10_000))
        body = json.dumps({"query": "{ " + aliases + " }"}).encode()
        chunked = requests.post(bff.url + "/graphql", headers=venue, timeout=30,
                                data=(body[i:i + 8192] for i in range(0, len(body), 8192)))
        assert chunked.status_code == 413
        assert chunked.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
        batch = requests.post(bff.url + "/graphql", headers=venue, timeout=30,
                              data=json.dumps([{"query": "{ me { id } }"}]))
        assert batch.status_code == 400
        log = bff.log_path.read_text()
        request_lines = [json.loads(line) for line in log.splitlines()
                         if line.startswith("{") and '"bff.request"' in line]
        assert any(line["httpRequest"]["status"] == 403 and line["severity"] == "INFO" and "latency_ms" in line
                   for line in request_lines)
