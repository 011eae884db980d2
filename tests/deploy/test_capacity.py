"""The connection budget (docs/deploy.md): every database connection the overlays can open
at once fits Cloud SQL's max_connections (infra/sql.tf) with a reserve left over.

    (bff HPA max + rollout surge) x gunicorn workers x (pool_size + max_overflow)
      + migrate init containers (surge x 1)
      + (ml-api max replicas + surge) x ML queue pool (ML_QUEUE_POOL) + KEDA's queue reader (1)
      <= max_connections - reserved

The reconciler is a thread in every bff process and uses that process's pool. The ML API's
queue database lives on the same instance, so its pods count too.
"""

from __future__ import annotations

import re

import pytest

from tests.deploy.tools import ENVIRONMENTS, REPO

# superuser_reserved_connections (3), Cloud SQL's own agents (cloudsqladmin) and one
# operator's psql session.
RESERVED = 10
# ml_api/queue.py's open_engine: pool_size 5 + max_overflow 10 per ML API process (one per pod).
ML_QUEUE_POOL = 15


def _config(docs: list[dict]) -> dict[str, str]:
    """What the bff pods read: pictolab-config and pictolab-bff together."""
    data = {}
    for prefix in ("pictolab-config-", "pictolab-bff-"):
        data.update(next(d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith(prefix))["data"])
    return data


def ml_replicas(docs: list[dict]) -> int:
    """The most ml-api pods at once: KEDA's maximum (or the fixed count) plus a rollout's surge."""
    deployment = _one(docs, "Deployment", "ml-api")
    scaled = [d for d in docs if d["kind"] == "ScaledObject" and d["spec"]["scaleTargetRef"]["name"] == "ml-api"]
    most = scaled[0]["spec"]["maxReplicaCount"] if scaled else deployment["spec"]["replicas"]
    return most + int(deployment["spec"]["strategy"]["rollingUpdate"]["maxSurge"])


def _one(docs, kind, name):
    return next(d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)


def connection_budget(docs: list[dict]) -> int:
    config = _config(docs)
    pool = int(config["PICTOLAB_DB_POOL_SIZE"]) + int(config["PICTOLAB_DB_MAX_OVERFLOW"])
    deployment = _one(docs, "Deployment", "bff")
    args = deployment["spec"]["template"]["spec"]["containers"][0]["args"]
    workers = int(args[args.index("--workers") + 1])
    surge = int(deployment["spec"]["strategy"]["rollingUpdate"]["maxSurge"])
    max_pods = _one(docs, "HorizontalPodAutoscaler", "bff")["spec"]["maxReplicas"] + surge
    migrators = surge if any(c["name"] == "migrate"
                             for c in deployment["spec"]["template"]["spec"].get("initContainers", [])) else 0
    assert not any(d["kind"] == "Job" for d in docs), "migrations run in the bff pods' init container"
    keda_reader = sum(1 for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "ml-queue-proxy")
    return max_pods * workers * pool + migrators + ml_replicas(docs) * ML_QUEUE_POOL + keda_reader


def max_connections(tf, values: dict) -> int:
    flags = tf.resource("google_sql_database_instance", "main")["settings"][0]["database_flags"]
    (flag,) = [f for f in flags if f["name"] == "max_connections"]
    assert flag["value"] == "${tostring(var.sql_max_connections)}"
    return int(values.get("sql_max_connections", tf.variables["sql_max_connections"]["default"]))


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_bff_connection_fits_cloud_sql(manifests, tf, tfvars, env):
    used = connection_budget(manifests[env])
    limit = max_connections(tf, tfvars[env]) - RESERVED
    assert used <= limit, f"{env}: the bff pods can open {used} connections, Cloud SQL allows {limit}"


def test_the_budget_really_counts(manifests):
    """Doubling the HPA's maximum must break the budget: the check is not vacuous."""
    import copy

    docs = copy.deepcopy(manifests["production"])
    before = connection_budget(docs)
    hpa = _one(docs, "HorizontalPodAutoscaler", "bff")
    hpa["spec"]["maxReplicas"] *= 4
    assert connection_budget(docs) > max(before, 190)


def test_the_runbook_states_the_formula():
    runbook = (REPO / "docs" / "deploy.md").read_text()
    assert "Connection budget" in runbook
    assert re.search(r"pool_size \+ max_overflow", runbook)
    assert "max_connections" in runbook and "PICTOLAB_DB_POOL_SIZE" in runbook
