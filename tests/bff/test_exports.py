"""Take your AI home in the BFF: TrainingRun.exportUrl, the /m/<token>/ files (no session,
any origin, outside the venue allow-list, 404 after a purge), written lazily by the ML API's
exporter (the real one, on the shared storage, standing in for the ML API process), and the
exportModel mutation's typed errors. Agreement of the files with predict:
tests/ml_api/test_export.py."""

from __future__ import annotations

import io
import ipaddress
import json
import zipfile

import pytest
from sqlalchemy import select

from bff.db import session_scope
from bff.models import Phase, RunStatus, TrainingMode, TrainingRun, Workshop
from bff.workshops import purge_workshop
from ml_api.checkpoint import save_object
from ml_api.heads import LinearHead
from ml_api.models import MODEL_FORMAT
from tests.bff.helpers import GraphQLClient, admin_login, login, workshop_on

RUNS = "{ trainingRuns { id status exportUrl } }"
EXPORT = "mutation($runId: ID!) { exportModel(runId: $runId) { id exportUrl } }"


class ExporterML:
    """The ML API's exportModel, in process: the real exporter on the BFF's storage."""

    def __init__(self, storage):
        self.storage, self.calls = storage, 0

    def export_model(self, run_id: str, labels: list[dict[str, str]], model_name: str) -> dict:
        from bff.ml_client import MLError
        from ml_api.export import ExportNotFound, export_run

        self.calls += 1
        try:
            result = export_run(self.storage, run_id, {x["classId"]: x["name"] for x in labels}, model_name,
                                reactions_by_class={x["classId"]: x.get("reaction") for x in labels})
        except ExportNotFound as exc:
            raise MLError(str(exc), "NOT_FOUND") from exc
        return {"runId": run_id, "labels": result.labels, "created": result.created}


@pytest.fixture
def app(make_app):
    # The venue's network only: the export link must still answer from anywhere else.
    return make_app(allowed_cidrs=(ipaddress.ip_network("192.168.10.0/24"),), trusted_proxy_hops=0)


VENUE = {"REMOTE_ADDR": "192.168.10.5"}
OUTSIDE = {"REMOTE_ADDR": "203.0.113.9"}


@pytest.fixture
def world(app):
    summary = workshop_on(app, Phase.COLLECT)
    classes = [c["id"] for c in summary["classes"]]
    storage = app.extensions["pictolab.storage"]
    ml = ExporterML(storage)
    app.extensions["pictolab.ml"] = ml
    runs = {}
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        for name, group_index, status in (("ok", 0, RunStatus.SUCCEEDED), ("failed", 0, RunStatus.FAILED),
                                          ("other", 1, RunStatus.SUCCEEDED)):
            run = TrainingRun(workshop_id=summary["id"], group_id=summary["groups"][group_index]["id"],
                              mode=TrainingMode.QUICK, status=status)
            db.add(run)
            db.flush()
            runs[name] = (run.id, run.export_token)
    # The model the ML API saved for the succeeded runs: classes by id, in its own order.
    for name in ("ok", "other"):
        run_id = runs[name][0]
        save_object(storage, f"runs/{run_id}/model.pt", {
            "format": MODEL_FORMAT, "mode": "QUICK", "runId": run_id, "backbone": "efficientnet_lite0",
            "preset": "lite-224", "imageSize": 224, "classes": [classes[2], classes[0], classes[1]], "args": {},
            "head": LinearHead(1280, 3).state_dict()})
    group = GraphQLClient(app.test_client())
    group.http.environ_base.update(VENUE)
    login(group, summary["groups"][0]["token"])
    return summary, runs, group, ml


def test_export_url_and_files_without_session_from_anywhere(app, world):
    summary, runs, group, ml = world
    by_id = {r["id"]: r for r in group.data(RUNS)["trainingRuns"]}
    url = by_id[runs["ok"][0]]["exportUrl"]
    assert by_id[runs["failed"][0]]["exportUrl"] is None  # only a succeeded run
    assert url == f"http://localhost:8000/m/{runs['ok'][1]}/" and len(runs["ok"][1]) >= 40
    assert runs["ok"][1] != runs["other"][1]

    http = app.test_client()  # no session, outside the venue
    assert http.post("/graphql", json={"query": "{ me { id } }"}, environ_base=OUTSIDE).status_code == 403
    path = url.removeprefix("http://localhost:8000")
    meta = http.get(path + "metadata.json", environ_base=OUTSIDE)
    assert meta.status_code == 200 and meta.headers["Access-Control-Allow-Origin"] == "*"
    assert meta.get_json()["labels"] == ["shoe", "cat", "cup"]  # the model's output order, by name
    assert meta.get_json()["imageSize"] == 224 and ml.calls == 1  # written on the first request

    manifest = http.get(path + "model.json", environ_base=OUTSIDE)
    assert manifest.status_code == 200 and manifest.headers["Access-Control-Allow-Origin"] == "*"
    paths = [p for g in manifest.get_json()["weightsManifest"] for p in g["paths"]]
    assert paths[1] == "weights.bin" and paths[0].startswith("../_shared/efficientnet_lite0-")
    shared = http.get("/m/_shared/" + paths[0].rsplit("/", 1)[1], environ_base=OUTSIDE)  # as a browser resolves it
    assert shared.status_code == 200 and len(shared.data) > 10_000_000
    assert "immutable" in shared.headers["Cache-Control"] and shared.headers["Access-Control-Allow-Origin"] == "*"
    weights = http.get(path + "weights.bin", environ_base=OUTSIDE)
    assert weights.status_code == 200 and len(weights.data) == (1280 + 1) * 3 * 4
    again = http.get(path + "weights.bin", headers={"If-None-Match": weights.headers["ETag"]}, environ_base=OUTSIDE)
    assert again.status_code == 304

    archive = http.get(path + "model.zip", environ_base=OUTSIDE)
    assert archive.status_code == 200 and archive.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(archive.data)).namelist()
    assert sorted(names) == ["metadata.json", "model.json", "weights.bin"]
    page = http.get(path, environ_base=OUTSIDE)
    assert page.status_code == 200 and page.mimetype == "text/html" and b"/model-page/app.js" in page.data
    assert http.get(path + "sw.js", environ_base=OUTSIDE).mimetype == "text/javascript"
    assert http.open(path + "model.json", method="OPTIONS", environ_base=OUTSIDE).headers[
        "Access-Control-Allow-Origin"] == "*"
    assert ml.calls == 1  # the files stay; nothing asked the ML API again
    # Nothing there names a photo or another group.
    assert b"photos/" not in manifest.data + meta.data and summary["groups"][1]["name"].encode() not in meta.data


REACT = """mutation($c: ID!, $e: String, $s: String, $w: String) {
    setClassReaction(classId: $c, emoji: $e, sound: $s, words: $w) { emoji } }"""


def test_metadata_has_the_groups_reactions_and_follows_their_changes(app, world):
    """The model page plays the group's reactions: metadata.json has them in label order,
    and a changed reaction (or a renamed class) rewrites it on the next load."""
    summary, runs, group, ml = world
    classes = [c["id"] for c in summary["classes"]]
    http = app.test_client()
    path = f"/m/{runs['ok'][1]}/metadata.json"
    first = http.get(path, environ_base=OUTSIDE)
    assert first.get_json()["pictolab"]["reactions"] == [None, None, None] and ml.calls == 1
    assert first.headers["Cache-Control"] == "no-cache"  # revalidated: it follows changes
    group.data(REACT, c=classes[0], e="🎉", s="chime", w="ねこだ!")
    meta = http.get(path, environ_base=OUTSIDE).get_json()
    assert ml.calls == 2 and meta["labels"] == ["shoe", "cat", "cup"]  # the model's output order
    assert meta["pictolab"]["reactions"] == [None, {"emoji": "🎉", "sound": "chime", "words": "ねこだ!"}, None]
    assert http.get(path, environ_base=OUTSIDE).get_json() == meta and ml.calls == 2  # unchanged: no rewrite
    # Another group's reaction is not this run's.
    other = http.get(f"/m/{runs['other'][1]}/metadata.json", environ_base=OUTSIDE).get_json()
    assert other["pictolab"]["reactions"] == [None, None, None]
    group.data(REACT, c=classes[0], e=None, s=None, w=None)  # nothing chosen: removed
    assert http.get(path, environ_base=OUTSIDE).get_json()["pictolab"]["reactions"] == [None, None, None]


def test_unknown_failed_and_purged_links_are_404(app, world):
    summary, runs, _, _ = world
    http = app.test_client()
    for path in ("/m/" + "x" * 43 + "/model.json", f"/m/{runs['failed'][1]}/model.json",
                 f"/m/{runs['ok'][1]}/secret.txt", "/m/_shared/model.pt", "/m/short/model.json"):
        response = http.get(path, environ_base=OUTSIDE)
        assert response.status_code == 404, path
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    ok = f"/m/{runs['ok'][1]}/"
    assert http.get(ok + "../model.pt").status_code == 404  # (the client normalises it: no route)
    assert http.get(ok + "model.json").status_code == 200
    shared_name = json.loads(http.get(ok + "model.json").data)["weightsManifest"][0]["paths"][0].rsplit("/", 1)[1]

    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        purge_workshop(db, app.extensions["pictolab.storage"], db.get(Workshop, summary["id"]), actor="cli")
    for name in ("", "model.json", "metadata.json", "weights.bin", "model.zip"):
        assert http.get(ok + name).status_code == 404, name
    assert not [k for k in app.extensions["pictolab.storage"].list("runs")]
    # The shared backbone file outlives the purge: other workshops' exports use it.
    assert http.get("/m/_shared/" + shared_name).status_code == 200


def test_export_model_mutation_errors(app, world):
    summary, runs, group, ml = world
    exported = group.data(EXPORT, runId=runs["ok"][0])["exportModel"]
    assert exported["exportUrl"].endswith(f"/m/{runs['ok'][1]}/") and ml.calls == 1
    assert group.error_code(EXPORT, runId=runs["other"][0]) == "NOT_FOUND"  # another group's run
    assert group.error_code(EXPORT, runId=runs["failed"][0]) == "FAILED_PRECONDITION"
    assert group.error_code(EXPORT, runId="nope") == "NOT_FOUND"
    anonymous = GraphQLClient(app.test_client())
    anonymous.http.environ_base.update(VENUE)
    assert anonymous.error_code(EXPORT, runId=runs["ok"][0]) == "UNAUTHENTICATED"

    admin = GraphQLClient(app.test_client())
    admin.http.environ_base.update(VENUE)
    admin_login(admin)
    assert admin.data(EXPORT, runId=runs["other"][0])["exportModel"]["exportUrl"]

    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        workshop = db.get(Workshop, summary["id"])
        purge_workshop(db, app.extensions["pictolab.storage"], workshop, actor="cli")
        left = db.scalars(select(TrainingRun.id).where(TrainingRun.workshop_id == summary["id"])).all()
    if left:  # (runs kept as rows after a purge) -> still no export
        assert admin.error_code(EXPORT, runId=runs["ok"][0]) == "NOT_FOUND"


def test_the_link_is_rate_limited_per_address(make_app):
    app = make_app(EXPORT_REQUESTS_PER_MINUTE=3)
    http = app.test_client()
    answers = [http.get("/m/" + "x" * 43 + "/model.json", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code
               for _ in range(4)]
    assert answers == [404, 404, 404, 429]
    assert http.get("/m/" + "x" * 43 + "/model.json", environ_base={"REMOTE_ADDR": "203.0.113.10"}).status_code == 404
