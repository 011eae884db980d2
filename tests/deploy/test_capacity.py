"""The connection budget (docs/deploy.md): every database connection the overlays can open
at once fits Cloud SQL's max_connections (infra/sql.tf) with a reserve left over.

    (bff HPA max + rollout surge) x gunicorn workers x (pool_size + max_overflow)
      + migrate Job (1) + wait-for-schema init containers (surge x 1)
      <= max_connections - reserved

The reconciler is a thread in every bff process and uses that process's pool.
"""

from __future__ import annotations

import re

import pytest

from tests.deploy.tools import ENVIRONMENTS, REPO

# superuser_reserved_connections (3), Cloud SQL's own agents (cloudsqladmin) and one
# operator's psql session.
RESERVED = 10


def _config(docs: list[dict]) -> dict[str, str]:
    return next(d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("pictolab-config"))["data"]


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
    migrate_jobs = sum(1 for d in docs if d["kind"] == "Job")
    waiters = surge if any(c["name"] == "wait-for-schema"
                           for c in deployment["spec"]["template"]["spec"].get("initContainers", [])) else 0
    return max_pods * workers * pool + migrate_jobs + waiters


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
    assert connection_budget(docs) > 90 >= before


def test_the_runbook_states_the_formula():
    runbook = (REPO / "docs" / "deploy.md").read_text()
    assert "Connection budget" in runbook
    assert re.search(r"pool_size \+ max_overflow", runbook)
    assert "max_connections" in runbook and "PICTOLAB_DB_POOL_SIZE" in runbook
