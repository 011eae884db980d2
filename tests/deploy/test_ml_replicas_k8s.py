"""The BFF reaches the ML API through its ordinary ClusterIP Service: jobs live in the queue
database that every replica pulls from, and any replica serves any model, so nothing needs the
individual pods any more (the headless Service of the old replica placement is gone). In
production KEDA scales the ML API on the queue (queued + running training jobs per worker slot)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.deploy.test_k8s import objects, one, pod_spec
from tests.deploy.tools import ENVIRONMENTS

QUEUE_QUERY = "SELECT COUNT(*) FROM ml_jobs WHERE kind = 'TRAIN' AND status IN ('QUEUED','RUNNING')"


def _data(docs: list[dict], prefix: str) -> dict[str, str]:
    (config,) = [d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith(prefix + "-")]
    return config["data"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_bff_reaches_the_ml_api_through_one_service(manifests, env):
    docs = manifests[env]
    url = urlsplit(_data(docs, "pictolab-bff")["PICTOLAB_ML_API_URL"])
    service = one(docs, "Service", url.hostname)
    assert service["spec"]["type"] == "ClusterIP" and service["spec"].get("clusterIP") != "None"
    assert url.port == service["spec"]["ports"][0]["port"]
    deployment = one(docs, "Deployment", "ml-api")
    assert service["spec"]["selector"].items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
    # No headless Service of the old replica placement is left.
    assert not [s for s in objects(docs, "Service").values() if s["spec"].get("clusterIP") == "None"]


def test_production_scales_the_ml_api_on_the_job_queue(manifests):
    docs = manifests["production"]
    scaled = one(docs, "ScaledObject", "ml-api")["spec"]
    assert scaled["scaleTargetRef"]["name"] == "ml-api"
    assert scaled["minReplicaCount"] == 0, "no GPU outside events"
    (queue,) = [t for t in scaled["triggers"] if t["type"] == "postgresql"]
    assert queue["metadata"]["query"] == QUEUE_QUERY
    slots = _data(docs, "pictolab-ml")["PICTOLAB_ML_GPU_CONCURRENCY"]
    assert queue["metadata"]["targetQueryValue"] == slots == "2"
    # No password anywhere: the connection string comes from a ConfigMap, through the queue
    # proxy that logs in with IAM.
    auth = one(docs, "TriggerAuthentication", queue["authenticationRef"]["name"])["spec"]
    assert set(auth) == {"configMapTargetRef"}
    (ref,) = auth["configMapTargetRef"]
    connection = dict(part.split("=", 1) for part in one(docs, "ConfigMap", ref["name"])["data"][ref["key"]].split())
    assert "password" not in connection and connection["dbname"] == "pictolab_ml"
    assert connection["user"] == "pictolab-production-ml-queue@pictolab-production.iam"
    host = connection["host"].split(".")
    assert host[1] == "pictolab" and one(docs, "Service", host[0])["spec"]["ports"][0]["port"] == 5432
    proxy = pod_spec(one(docs, "Deployment", host[0]))
    assert "--auto-iam-authn" in proxy["containers"][0]["args"]
    sidecar = pod_spec(one(docs, "Deployment", "bff"))["initContainers"][0]
    assert proxy["containers"][0]["image"] == sidecar["image"], "one Cloud SQL Auth Proxy release"
    assert proxy["serviceAccountName"] == "ml-queue-reader"
    policy = one(docs, "NetworkPolicy", "ml-queue-proxy-from-keda-only")["spec"]
    assert policy["ingress"][0]["from"] == [{"namespaceSelector": {"matchLabels": {
        "kubernetes.io/metadata.name": "keda"}}}]
    # During the event windows a floor (pre-warm the day before, >= 1 on the day); the
    # placeholder holds its spare GPU node over exactly the same windows.
    windows = {t["name"]: t["metadata"] for t in scaled["triggers"] if t["type"] == "cron"}
    assert set(windows) == {"day-before", "event-day"}
    assert all(int(w["desiredReplicas"]) >= 1 for w in windows.values())
    placeholder = one(docs, "ScaledObject", "gpu-placeholder")["spec"]
    assert placeholder["minReplicaCount"] == 0
    placeholder_windows = {t["name"]: t["metadata"] for t in placeholder["triggers"]}
    for name, window in windows.items():
        assert {k: window[k] for k in ("timezone", "start", "end")} == \
            {k: placeholder_windows[name][k] for k in ("timezone", "start", "end")}, name
    # The placeholder yields to every real pod.
    priorities = objects(docs, "PriorityClass")
    pod = pod_spec(one(docs, "Deployment", "gpu-placeholder"))
    assert priorities[pod["priorityClassName"]]["value"] < 0
    assert priorities[pod["priorityClassName"]]["preemptionPolicy"] == "Never"
    for name in ("ml-api", "bff", "frontend"):
        assert priorities[pod_spec(one(docs, "Deployment", name))["priorityClassName"]]["value"] > 0
    assert pod["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == 1


def test_the_sandbox_runs_one_fixed_gpu_pod(manifests):
    docs = manifests["sandbox"]
    assert not objects(docs, "ScaledObject")
    assert one(docs, "Deployment", "ml-api")["spec"]["replicas"] == 1
