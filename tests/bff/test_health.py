from __future__ import annotations

from pictolab.storage import StorageError
from tests.helpers import assert_readiness_shape


def test_healthz_and_readyz(app):
    http = app.test_client()
    assert http.get("/healthz").get_json() == {"status": "ok"}
    response = http.get("/readyz")
    assert response.status_code == 200
    checks = assert_readiness_shape(response, "bff")
    assert set(checks) == {"database", "storage"}
    assert checks["database"]["ok"] and checks["storage"]["ok"]
    assert app.extensions["pictolab.schema_head"] in checks["database"]["detail"]


def test_readyz_is_503_before_migrations(make_app):
    app = make_app(migrate=False)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    checks = assert_readiness_shape(response, "bff")
    assert checks["database"]["ok"] is False and checks["database"]["detail"].startswith("error")
    assert checks["storage"]["ok"] is True
    assert app.test_client().get("/healthz").status_code == 200


def test_readyz_is_503_when_storage_fails(app, monkeypatch):
    def broken_list(_prefix=""):
        raise StorageError("bucket unreachable")

    monkeypatch.setattr(app.extensions["pictolab.storage"], "list", broken_list)
    client = app.test_client()
    # One or two failures in a row are a hiccup (bff/schema_version.py FailureStreak)...
    for n in (1, 2):
        response = client.get("/readyz")
        assert response.status_code == 200
        assert assert_readiness_shape(response, "bff")["storage"] == {
            "ok": True, "detail": f"error: StorageError ({n} in a row, unready at 3)"}
    # ...the third makes the pod unready.
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = assert_readiness_shape(response, "bff")
    assert checks["storage"] == {"ok": False, "detail": "error: StorageError"}


def test_readyz_accepts_the_previous_and_a_newer_schema_head(app):
    """A migration running under a serving pod does not take it out of the load balancer."""
    from sqlalchemy import text

    revisions = app.extensions["pictolab.schema_revisions"]
    (previous,) = revisions.previous
    client = app.test_client()
    engine = app.extensions["pictolab.engine"]
    for version, status in ((previous, 200), ("9999_from_a_newer_image", 200), (revisions.head, 200),
                            (sorted(revisions.known - {revisions.head, previous})[0], 503)):
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": version})
        response = client.get("/readyz")
        assert response.status_code == status, (version, response.get_json())


def test_readyz_is_503_when_the_database_is_gone(make_app, tmp_path):
    app = make_app(migrate=False, database_url="postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert app.test_client().get("/readyz").status_code == 503
