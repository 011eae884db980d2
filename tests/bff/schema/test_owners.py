"""Two instructors, two workshops: every admin operation of one, tried on the other's
workshop, answers exactly as for a workshop (group, class, photo) that does not exist.

One app per database for the whole module (accounts cost an argon2 hash each); every test
gets a fresh workshop of instructor B, tried by instructor A.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from graphql import get_named_type, is_composite_type

from bff import create_app
from bff.cli import upgrade_database
from bff.db import session_scope
from bff.models import RunStatus, TrainingRun
from bff.schema import build_schema
from tests.bff.factories import solid_jpeg
from tests.bff.helpers import UPLOAD, GraphQLClient, admin_login, app_config, login
from tests.helpers import POSTGRES_URL, require

A_EMAIL, B_EMAIL = "a@venue-one.example", "b@venue-two.example"
PASSWORD = "correct horse battery"

# Every operation that names a workshop, group, class or photo for an instructor, with the
# arguments it is tried with: "w" workshop, "g" group, "c" class, "p" a group's photo,
# "t" a hidden test photo, "r" a training run, "me" the trying instructor's own email,
# anything else literal.
ADMIN_OPS: dict[str, dict[str, Any]] = {
    "workshop": {"id": "w"},
    "scoreboard": {"workshopId": "w"},
    "experimentLog": {"workshopId": "w"},
    "testPhotos": {"workshopId": "w"},
    "adminPhotos": {"workshopId": "w"},
    "groupDetail": {"groupId": "g"},
    "groupActivity": {"workshopId": "w"},
    "tryLog": {"workshopId": "w"},
    "reflectionTally": {"workshopId": "w"},
    "setPhase": {"workshopId": "w", "phase": "TRAIN"},
    "purgeWorkshop": {"workshopId": "w"},
    "addWorkshopOwner": {"workshopId": "w", "email": "me"},
    "uploadTestPhoto": {"classId": "c", "file": "upload"},
    "deletePhoto": {"id": "p"},
    "adminDeletePhoto": {"id": "p"},
    "revokeGroupToken": {"groupId": "g"},
    "setScoresHidden": {"workshopId": "w", "hidden": True},
    "announce": {"workshopId": "w", "message": "Lunch!"},
    "reissueCard": {"groupId": "g"},
    "lastTry": {"groupId": "g"},
    "deleteTestPhoto": {"id": "t"},
    "setFriendsAIs": {"workshopId": "w", "enabled": True},
    "setAllowedNetworks": {"workshopId": "w", "cidrs": ["127.0.0.0/8"]},
    "exportModel": {"runId": "r"},
}
# Operations that take no workshop of an instructor's (a group's own, or one's own account).
NOT_SCOPED = {
    "me", "isAdmin", "workshops", "photos", "trainingRuns", "trainingRun", "classPairHints", "friends",
    "currentInstructor", "instructors", "adminSessions", "login", "logout", "adminLogin", "createWorkshop",
    "uploadPhoto", "movePhoto", "train", "predict", "keepPhoto", "answerTry", "setClassReaction",
    "answerReflection", "inviteInstructor", "acceptInvite", "unlockInstructor", "changePassword",
    "endAdminSession", "resetInstructorPassword", "myNetwork",
}


def _root_fields() -> dict[str, Any]:
    schema = build_schema().graphql_schema
    fields = {name: ("query", field) for name, field in schema.query_type.fields.items()}
    fields.update({name: ("mutation", field) for name, field in schema.mutation_type.fields.items()})
    return fields


def test_every_operation_is_tried_on_another_instructors_workshop():
    # A new admin operation must join ADMIN_OPS (or, if it names nothing of a workshop, NOT_SCOPED).
    unknown = set(_root_fields()) - set(ADMIN_OPS) - NOT_SCOPED
    assert not unknown, f"add to ADMIN_OPS (tried below) or NOT_SCOPED: {sorted(unknown)}"


def _operation(name: str, values: dict[str, Any]) -> tuple[str, dict[str, Any], bool]:
    """The query text, its variables, and whether it is a multipart upload."""
    kind, field = _root_fields()[name]
    declared, passed, variables, upload = [], [], {}, False
    for arg, symbol in ADMIN_OPS[name].items():
        arg_type = field.args[arg].type
        declared.append(f"${arg}: {arg_type}")
        passed.append(f"{arg}: ${arg}")
        if symbol == "upload":
            upload = True
            continue
        variables[arg] = values.get(symbol, symbol) if isinstance(symbol, str) else symbol
    selection = " { __typename }" if is_composite_type(get_named_type(field.type)) else ""
    text = f"{kind}({', '.join(declared)}) {{ {name}({', '.join(passed)}){selection} }}"
    return text, variables, upload


def _run(client: GraphQLClient, name: str, values: dict[str, Any]) -> dict[str, Any]:
    text, variables, upload = _operation(name, values)
    if upload:
        response = client.upload(text, variables, {"file": (solid_jpeg(), "t.jpg", "image/jpeg")})
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()
    return client.execute(text, **variables)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory):
    """An app with the first org admin and instructors A and B, each signed in on a device."""
    import sqlalchemy
    from sqlalchemy.engine import make_url

    from bff import instructors

    tmp_path = tmp_path_factory.mktemp("owners")
    drop = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
    else:
        base = make_url(POSTGRES_URL)
        name = f"pictolab_t_{uuid.uuid4().hex[:10]}"
        server = sqlalchemy.create_engine(base, isolation_level="AUTOCOMMIT")
        try:
            with server.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        except sqlalchemy.exc.OperationalError:
            server.dispose()
            require(False, f"PostgreSQL not reachable at {POSTGRES_URL}")
        url = base.set(database=name).render_as_string(hide_password=False)

        def drop():
            with server.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            server.dispose()

    app = create_app(app_config(tmp_path, url))
    upgrade_database(app.config["SETTINGS"])
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        for email in (A_EMAIL, B_EMAIL):
            instructors.accept(db, instructors.invite(db, email, actor="cli"), PASSWORD)
    clients = {}
    for email in (A_EMAIL, B_EMAIL):
        client = GraphQLClient(app.test_client())
        assert client.data("mutation($e: String, $p: String!) { adminLogin(email: $e, password: $p) }",
                           e=email, p=PASSWORD)["adminLogin"] is True
        clients[email] = client
    org_admin = GraphQLClient(app.test_client())
    admin_login(org_admin)
    yield {"app": app, "a": clients[A_EMAIL], "b": clients[B_EMAIL], "org": org_admin}
    app.extensions["pictolab.engine"].dispose()
    if drop is not None:
        drop()


CREATE = """mutation { createWorkshop(title: "B's class", classes: ["cat", "cup"], groups: 1) {
  id owners classes { id } groups { id token } } }"""


@pytest.fixture
def b_workshop(world) -> dict[str, Any]:
    """A fresh workshop of B's, in COLLECT, with one group photo and one hidden test photo."""
    b = world["b"]
    created = b.data(CREATE)["createWorkshop"]
    assert created["owners"] == [B_EMAIL]
    b.data("mutation($w: ID!) { setPhase(workshopId: $w, phase: COLLECT) { id } }", w=created["id"])
    group = GraphQLClient(world["app"].test_client())
    login(group, created["groups"][0]["token"])
    cls = created["classes"][0]["id"]
    photo = group.upload(UPLOAD, {"classId": cls}, {"file": (solid_jpeg(), "a.jpg", "image/jpeg")})
    test_photo = b.upload("mutation($c: ID!, $file: Upload!) { uploadTestPhoto(classId: $c, file: $file) { id } }",
                          {"c": cls}, {"file": (solid_jpeg(color=(9, 9, 9)), "t.jpg", "image/jpeg")})
    with session_scope(world["app"].extensions["pictolab.sessionmaker"]) as db:
        # A finished (failed) run: nothing picks it up, and every look-up by run id finds it.
        run = TrainingRun(workshop_id=created["id"], group_id=created["groups"][0]["id"], status=RunStatus.FAILED,
                          error="test", error_code="TRAINING_FAILED")
        db.add(run)
        db.flush()
        run_id = run.id
    return {"w": created["id"], "g": created["groups"][0]["id"], "c": cls, "r": run_id,
            "p": photo.get_json()["data"]["uploadPhoto"]["id"],
            "t": test_photo.get_json()["data"]["uploadTestPhoto"]["id"]}


def _missing() -> dict[str, str]:
    return {key: uuid.uuid4().hex for key in ("w", "g", "c", "p", "t", "r")}


@pytest.mark.parametrize("name", sorted(ADMIN_OPS))
def test_another_instructors_workshop_answers_like_a_missing_one(world, b_workshop, name):
    if name not in _root_fields():
        pytest.fail(f"{name} is not in the schema any more: take it out of ADMIN_OPS")
    a, b = world["a"], world["b"]
    as_missing = _run(a, name, {**_missing(), "me": A_EMAIL})
    as_other = _run(a, name, {**b_workshop, "me": A_EMAIL})
    assert as_missing["errors"][0]["extensions"]["code"] == "NOT_FOUND", as_missing
    assert as_other == as_missing
    # The ids were right: the owner gets past the look-up.
    answer = _run(b, name, {**b_workshop, "me": B_EMAIL})
    assert "NOT_FOUND" not in [e["extensions"]["code"] for e in answer.get("errors") or []], answer


@pytest.mark.parametrize("photo", ["p", "t"])
def test_another_instructors_photo_bytes_are_a_404(world, b_workshop, photo):
    missing = world["a"].http.get(f"/media/photos/{uuid.uuid4().hex}")
    other = world["a"].http.get(f"/media/photos/{b_workshop[photo]}")
    assert other.status_code == missing.status_code == 404
    assert other.get_json() == missing.get_json()
    assert world["b"].http.get(f"/media/photos/{b_workshop[photo]}").status_code == 200


def test_lists_and_the_default_workshop_show_only_ones_own(world, b_workshop):
    a, b, org = world["a"], world["b"], world["org"]
    ids = {name: [w["id"] for w in c.data("{ workshops { id } }")["workshops"]]
           for name, c in (("a", a), ("b", b), ("org", org))}
    assert b_workshop["w"] not in ids["a"]
    assert b_workshop["w"] in ids["b"] and b_workshop["w"] in ids["org"]
    assert a.data("{ workshop { id } }")["workshop"] in (None, *({"id": i} for i in ids["a"]))
    assert a.data("{ scoreboard { rank } }")["scoreboard"] == []


def test_sharing_a_workshop_lets_the_other_instructor_in(world, b_workshop):
    a, b = world["a"], world["b"]
    query = "query($w: ID!) { workshop(id: $w) { id owners } }"
    assert a.error_code(query, w=b_workshop["w"]) == "NOT_FOUND"
    shared = b.data("mutation($w: ID!, $e: String!) { addWorkshopOwner(workshopId: $w, email: $e) { owners } }",
                    w=b_workshop["w"], e=A_EMAIL.upper())
    assert shared["addWorkshopOwner"]["owners"] == [B_EMAIL, A_EMAIL]
    assert a.data(query, w=b_workshop["w"])["workshop"]["owners"] == [B_EMAIL, A_EMAIL]
    assert a.http.get(f"/media/photos/{b_workshop['p']}").status_code == 200
    # Unknown emails are refused.
    assert b.error_code("mutation($w: ID!) { addWorkshopOwner(workshopId: $w, email: \"x@y.example\") { id } }",
                        w=b_workshop["w"]) == "NOT_FOUND"


def test_the_audit_log_names_the_instructor(world, b_workshop):
    from sqlalchemy import select

    from bff.models import AuditEvent, Instructor

    world["b"].data("mutation($w: ID!) { setPhase(workshopId: $w, phase: TRAIN) { id } }", w=b_workshop["w"])
    with session_scope(world["app"].extensions["pictolab.sessionmaker"]) as db:
        b_id = db.scalars(select(Instructor.id).where(Instructor.email == B_EMAIL)).one()
        actors = db.scalars(select(AuditEvent.actor).where(AuditEvent.workshop_id == b_workshop["w"],
                                                           AuditEvent.action == "workshop.set_phase")).all()
    assert actors and set(actors) == {f"instructor:{b_id}"}
