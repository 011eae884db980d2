"""docs/deploy.md's commands name what the manifests and Terraform define: a runbook that
drifts fails here, not at the venue."""

from __future__ import annotations

import re

from tests.deploy.tools import REPO

RUNBOOK = (REPO / "docs" / "deploy.md").read_text()


def test_the_secret_the_runbook_creates_is_the_one_the_pods_read(manifests, tf):
    literals = dict(re.findall(r"--from-literal=(PICTOLAB_\w+)=\"\$\(secret ([\w-]+)\)\"", RUNBOOK))
    referenced = {}
    for doc in manifests["production"]:
        if doc["kind"] not in ("Deployment", "Job"):
            continue
        spec = doc["spec"]["template"]["spec"]
        for container in spec.get("initContainers", []) + spec["containers"]:
            for env in container.get("env", []):
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    referenced[ref["key"]] = ref["name"]
    assert set(literals) == set(referenced), "the runbook's Secret keys differ from the pods'"
    assert set(referenced.values()) == {"pictolab-app"}
    assert "create secret generic pictolab-app" in RUNBOOK
    secret_ids = tf.resource("google_secret_manager_secret", "app")
    assert secret_ids["secret_id"] == "${local.prefix}-${each.key}"
    assert set(literals.values()) == set(re.findall(r'"([\w-]+)"', secret_ids["for_each"]))
    assert "secret() { gcloud secrets versions access latest --secret=$PREFIX-$1; }" in RUNBOOK


def test_the_runbook_uses_the_names_of_the_manifests_and_outputs(manifests, tf):
    names = {(d["kind"], d["metadata"]["name"]) for d in manifests["production"]}
    assert ("Job", "migrate") in names and "delete job migrate" in RUNBOOK
    assert "wait --for=condition=complete job/migrate" in RUNBOOK
    for deployment in ("frontend", "bff", "ml-api"):
        assert ("Deployment", deployment) in names
        assert f"deploy/{deployment}" in RUNBOOK
    assert ("Ingress", "pictolab") in names and ("ManagedCertificate", "pictolab") in names
    for output in re.findall(r"output -raw (\w+)", RUNBOOK):
        assert output in tf.outputs, f"the runbook reads an output Terraform does not have: {output}"
    for env in ("sandbox", "production"):
        assert (REPO / "k8s" / "overlays" / env).is_dir() and (REPO / "infra" / f"{env}.tfvars.example").is_file()
    assert "kubectl apply -k k8s/overlays/$ENV" in RUNBOOK
    assert "pictolab purge --workshop" in RUNBOOK and "terraform -chdir=infra destroy" in RUNBOOK
