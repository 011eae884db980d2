"""Plain helpers of the BFF tests (the fixtures are in ``conftest.py``; test modules import
these from here, never from a conftest)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from bff.db import session_scope
from bff.models import Phase, Photo, Workshop
from bff.workshops import create_workshop, workshop_summary

ADMIN_PASSWORD = "instructor-password-1"
SECRET_KEY = "k" * 48
PREFLIGHT = {"Apollo-Require-Preflight": "true"}


def app_config(tmp_path, database_url: str, storage_url: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "env": "development",
        "data_dir": tmp_path / "data",
        "database_url": database_url,
        "storage_url": storage_url or (tmp_path / "storage").as_uri(),
        "secret_key": SECRET_KEY,
        "admin_password": ADMIN_PASSWORD,
        "public_url": "http://localhost:8000",
        "TESTING": True,
        **extra,
    }


@dataclass
class GraphQLClient:
    """Flask test client speaking GraphQL: JSON operations and multipart uploads."""

    http: Any

    def execute(self, query: str, **variables: Any) -> dict[str, Any]:
        response = self.http.post("/graphql", json={"query": query, "variables": variables})
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    def data(self, query: str, **variables: Any) -> dict[str, Any]:
        result = self.execute(query, **variables)
        assert not result.get("errors"), result["errors"]
        return result["data"]

    def error_code(self, query: str, **variables: Any) -> str:
        result = self.execute(query, **variables)
        assert result.get("errors"), f"expected an error, got {result}"
        return result["errors"][0]["extensions"]["code"]

    def upload(self, query: str, variables: dict[str, Any], files: dict[str, tuple[bytes, str, str]],
               *, preflight: bool = True, files_map: Any = None, headers: dict[str, str] | None = None):
        """A GraphQL multipart request; ``files`` maps variable name -> (bytes, filename, type)."""
        import io

        operations = {"query": query, "variables": {**variables, **{name: None for name in files}}}
        parts = {str(i): name for i, name in enumerate(files)}
        form: dict[str, Any] = {
            "operations": json.dumps(operations),
            "map": json.dumps(files_map if files_map is not None
                              else {part: [f"variables.{name}"] for part, name in parts.items()}),
        }
        for part, name in parts.items():
            data, filename, content_type = files[name]
            form[part] = (io.BytesIO(data), filename, content_type)
        return self.http.post("/graphql", data=form, content_type="multipart/form-data",
                              headers={**(PREFLIGHT if preflight else {}), **(headers or {})})


UPLOAD = """mutation($classId: ID!, $file: Upload!) {
  uploadPhoto(classId: $classId, file: $file) { id classId url width height }
}"""
UPLOAD_TEST = """mutation($classId: ID!, $file: Upload!) {
  uploadTestPhoto(classId: $classId, file: $file) { id classId url width height isTest }
}"""
LOGIN = "mutation($token: String!) { login(token: $token) { id name emoji color } }"
ADMIN_LOGIN = "mutation($password: String!) { adminLogin(password: $password) }"


def workshop_on(app, phase: Phase = Phase.COLLECT) -> dict[str, Any]:
    """A workshop (cat, cup, shoe; 2 groups) on a specific app, for tests that build their own."""
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        workshop = create_workshop(db, title="W", classes=["cat", "cup", "shoe"], groups=2, actor="cli")
        workshop.phase = phase
        return workshop_summary(app.config["SETTINGS"], workshop)


def set_phase(app, workshop_id: str, phase: Phase) -> None:
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        db.get(Workshop, workshop_id).phase = phase


def login(client: GraphQLClient, token: str) -> dict[str, Any]:
    return client.data(LOGIN, token=token)["login"]


def admin_login(client: GraphQLClient) -> None:
    assert client.data(ADMIN_LOGIN, password=ADMIN_PASSWORD)["adminLogin"] is True


def photo_count(app) -> int:
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        return db.scalar(select(func.count()).select_from(Photo))


def stored_keys(app) -> list[str]:
    return list(app.extensions["pictolab.storage"].list("photos"))


def assert_nothing_stored(app) -> None:
    assert photo_count(app) == 0, "a photo row was written"
    assert stored_keys(app) == [], "a photo object was written"
