"""The BFF finds every ML API replica (issue 14): a headless Service whose DNS answers are
the ready ml-api pods, named by the BFF's PICTOLAB_ML_API_URL in every GKE overlay. The BFF
connects to the pods' addresses directly, so the URL's port must be the container's port."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.deploy.test_k8s import objects, one, pod_spec
from tests.deploy.tools import ENVIRONMENTS


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_bff_sees_every_ml_api_replica(manifests, env):
    docs = manifests[env]
    config = one(docs, "ConfigMap", next(n for n in objects(docs, "ConfigMap") if n.startswith("pictolab-config")))
    url = urlsplit(config["data"]["PICTOLAB_ML_API_URL"])
    service = one(docs, "Service", url.hostname)
    assert service["spec"]["clusterIP"] == "None", "a ClusterIP Service hides the replicas behind one address"
    assert not service["spec"].get("publishNotReadyAddresses"), "only ready pods may get runs"
    deployment = one(docs, "Deployment", "ml-api")
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    ports = {p["containerPort"] for c in pod_spec(deployment)["containers"] for p in c.get("ports", [])}
    assert url.port in ports, f"the BFF dials pods on {url.port}, they listen on {ports}"
    # The ClusterIP Service stays for anything that wants one address.
    assert one(docs, "Service", "ml-api")["spec"]["type"] == "ClusterIP"
