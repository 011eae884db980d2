from __future__ import annotations

from pictolab.storage import StorageError


def test_healthz_and_readyz(app):
    http = app.test_client()
    assert http.get("/healthz").get_json() == {"status": "ok"}
    response = http.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok", "storage": "ok"}


def test_readyz_is_503_before_migrations(make_app):
    app = make_app(migrate=False)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"].startswith("error")
    assert app.test_client().get("/healthz").status_code == 200


def test_readyz_is_503_when_storage_fails(app, monkeypatch):
    def broken_list(_prefix=""):
        raise StorageError("bucket unreachable")

    monkeypatch.setattr(app.extensions["pictolab.storage"], "list", broken_list)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["storage"] == "error: StorageError"


def test_readyz_is_503_when_the_database_is_gone(make_app, tmp_path):
    app = make_app(migrate=False, database_url="postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert app.test_client().get("/readyz").status_code == 503
