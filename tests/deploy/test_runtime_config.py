"""The overlay's configuration, run for real: the services start with exactly the ConfigMap
the sandbox overlay renders (PICTOLAB_ENV=production, the venue ranges, two trusted proxy
hops) plus the Secret's keys, and the bff lets in the venue, as the Google load balancer
forwards it, and nobody else.

Only what cannot exist here is swapped: the database (the PostgreSQL server instead of Cloud
SQL through the proxy), the bucket (the GCS emulator through the real client) and the folder
for local data."""

from __future__ import annotations

import secrets
import subprocess

import pytest
import requests

from tests.services import PICTOLAB, ServiceProcess, base_env

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.slow]

VENUE_CLIENT = "203.0.113.50"      # inside the sandbox overlay's PICTOLAB_ALLOWED_CIDRS
OUTSIDER = "192.0.2.10"            # anywhere else
LOAD_BALANCER = "34.120.1.2"       # the GCLB appends "<client>, <its own address>"


@pytest.fixture
def cluster_env(manifests, tmp_path, postgres_url, gcs_storage_url) -> dict[str, str]:
    # The three ConfigMaps the pods read (pictolab-config, pictolab-bff, pictolab-ml).
    data = {}
    for prefix in ("pictolab-config-", "pictolab-bff-", "pictolab-ml-"):
        (config,) = [d for d in manifests["sandbox"] if d["kind"] == "ConfigMap"
                     and d["metadata"]["name"].startswith(prefix)]
        data.update(config["data"])
    assert data["PICTOLAB_ENV"] == "production" and data["PICTOLAB_TRUSTED_PROXY_HOPS"] == "2"
    assert VENUE_CLIENT.rsplit(".", 1)[0] in data["PICTOLAB_ALLOWED_CIDRS"]
    data.update({
        # The Secret pictolab-app (the ExternalSecret, from Secret Manager), as strong as Terraform's.
        "PICTOLAB_SECRET_KEY": secrets.token_hex(32),
        "PICTOLAB_ADMIN_PASSWORD": secrets.token_urlsafe(12),
        "PICTOLAB_DATABASE_URL": postgres_url,
        # The ML API's queue database: a file here (the IAM login through the proxy cannot exist).
        "PICTOLAB_ML_DATABASE_URL": f"sqlite:///{tmp_path / 'ml-queue.db'}",
        "PICTOLAB_STORAGE_URL": gcs_storage_url,
        "PICTOLAB_DATA_DIR": str(tmp_path / "data"),
        "PICTOLAB_ML_DEVICE": "cpu",
    })
    return base_env(tmp_path / "data", **data)


def graphql_from(url: str, forwarded_for: str) -> requests.Response:
    return requests.post(url + "/graphql", json={"query": "{ __typename }"}, timeout=30,
                         headers={"X-Forwarded-For": forwarded_for})


def test_services_start_and_admit_only_the_venue_with_the_overlay_config(cluster_env):
    # The migration Job's command, then the services, as the pods run them.
    migrate = subprocess.run([PICTOLAB, "db", "upgrade"], env=cluster_env, check=False, capture_output=True, text=True,
                             timeout=120)
    assert migrate.returncode == 0, migrate.stderr

    with ServiceProcess("bff", cluster_env) as bff:
        venue = graphql_from(bff.url, f"{VENUE_CLIENT}, {LOAD_BALANCER}")
        assert venue.status_code == 200, venue.text
        assert venue.json()["data"] == {"__typename": "Query"}

        outsider = graphql_from(bff.url, f"{OUTSIDER}, {LOAD_BALANCER}")
        assert outsider.status_code == 403
        # A client that writes a venue address into the header itself gains nothing: the
        # load balancer appends the real one after it.
        spoofed = graphql_from(bff.url, f"{VENUE_CLIENT}, {OUTSIDER}, {LOAD_BALANCER}")
        assert spoofed.status_code == 403
        # The load balancer's health checks come from Google's ranges, not the venue.
        assert requests.get(bff.url + "/readyz", timeout=10,
                            headers={"X-Forwarded-For": f"35.191.0.1, {LOAD_BALANCER}"}).status_code == 200

    # The other two start in production mode with the same ConfigMap and none of the bff's
    # secrets: no database URL, no secret key, no admin password.
    frontend_env = {k: v for k, v in cluster_env.items()
                    if k not in ("PICTOLAB_DATABASE_URL", "PICTOLAB_SECRET_KEY", "PICTOLAB_ADMIN_PASSWORD")}
    with ServiceProcess("frontend", frontend_env, ready_path="/healthz") as frontend:
        assert requests.get(frontend.url + "/healthz", timeout=10).status_code == 200
    # The ml-api pod's init container, then the ML API.
    ml_migrate = subprocess.run([PICTOLAB, "ml-db", "upgrade"], env=frontend_env, check=False, capture_output=True,
                                text=True, timeout=120)
    assert ml_migrate.returncode == 0, ml_migrate.stderr
    with ServiceProcess("ml-api", frontend_env, ready_timeout=300) as ml_api:
        health = requests.post(ml_api.url + "/graphql", json={"query": "{ health { device ready } }"}, timeout=30)
        assert (health.json().get("data") or {}).get("health") == {"device": "cpu", "ready": True}, health.text
