"""docs/deploy.md's commands name what the manifests and Terraform define: a runbook that
drifts fails here, not at the venue."""

from __future__ import annotations

import re

from tests.deploy.tools import REPO

RUNBOOK = (REPO / "docs" / "deploy.md").read_text()


def test_the_secret_the_external_secret_makes_is_the_one_the_pods_read(manifests, tf):
    (external,) = [d for d in manifests["production"] if d["kind"] == "ExternalSecret"]
    literals = {d["secretKey"]: d["remoteRef"]["key"].removeprefix("pictolab-production-")
                for d in external["spec"]["data"]}
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
    assert "create secret generic" not in RUNBOOK, "nobody copies secrets by hand"
    assert "get externalsecret pictolab-app" in RUNBOOK
    secret_ids = tf.resource("google_secret_manager_secret", "app")
    assert secret_ids["secret_id"] == "${local.prefix}-${each.key}"
    assert set(literals.values()) == set(re.findall(r'"([\w-]+)"', secret_ids["for_each"]))


def test_the_runbook_uses_the_names_of_the_manifests_and_outputs(manifests, tf):
    names = {(d["kind"], d["metadata"]["name"]) for d in manifests["production"]}
    assert not [n for n in names if n[0] == "Job"] and "delete job" not in RUNBOOK
    assert "pictolab ml-db upgrade" in RUNBOOK and "-c migrate" in RUNBOOK
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


def _section(title: str) -> str:
    """The text of a runbook section, up to the next heading outside a code block."""
    lines, body, inside, fenced = RUNBOOK.splitlines(), [], False, False
    for line in lines:
        if line.startswith("```"):
            fenced = not fenced
        heading = not fenced and re.match(r"#+ ", line)
        if heading and inside:
            break
        if heading and line.split(" ", 1)[1] == title:
            inside = True
        elif inside:
            body.append(line)
    assert inside, f"the runbook has no section {title!r}"
    return "\n".join(body)


def test_the_runbook_has_rollback_troubleshooting_and_a_checklist():
    rollback = _section("Rollback")
    assert "kubectl -n pictolab rollout undo deploy/bff" in rollback
    assert "digest:" in rollback and "point-in-time" in rollback
    # The restore points the proxies at the clone (the instance is named there, not in the URLs),
    # the rollback is rehearsed, and the restore drilled.
    assert "CLOUD_SQL_CONNECTION_NAME=$PROJECT:$REGION:$PREFIX-pg-restore" in rollback
    assert "rollout undo deploy/bff" in rollback and "Drill" in rollback
    for title, needles in {"Dress rehearsal (the day before, sandbox)": ("bench/venue_day.py --url https://",),
                           "Scale down (after the event)": ("get scaledobject", "reservations delete"),
                           "GPU capacity": ("gpu_reservation", "gcfs_config", "Capacity plan", "| event day")}.items():
        text = _section(title)
        for needle in needles:
            assert needle in text, f"{title}: missing {needle!r}"
    for title, needles in {
        "GPU pod Pending": ("describe pod", "NVIDIA_L4_GPUS", "gpu_pool_max_nodes", "nvidia-smi"),
        "Certificate Provisioning": ("describe managedcertificate pictolab", "output -raw ingress_ip",
                                     "FailedNotVisible"),
        "403 at the venue": ("venue_cidrs", "PICTOLAB_ALLOWED_CIDRS", "security-policies describe $PREFIX-venue-only"),
        "A run is stuck or failed": ("trainingJob(runId", "run given up", "logs deploy/bff -c bff"),
    }.items():
        text = _section(title)
        for needle in needles:
            assert needle in text, f"{title}: missing {needle!r}"
    checklist = _section("Pre-event checklist")
    assert checklist.count("- [ ]") >= 8
    assert "nvidia-smi" in checklist and "managedcertificate" in checklist


def test_the_gpu_smoke_test_checks_the_driver_and_the_ml_api_device(manifests, tf):
    smoke = _section("8. Smoke test")
    assert "exec deploy/ml-api -- /usr/local/nvidia/bin/nvidia-smi" in smoke
    assert "driver_version" in smoke
    assert "{ health { device backbone } }" in smoke
    # The driver branch the runbook promises is the one Terraform asks for.
    gpu = tf.resource("google_container_node_pool", "gpu")
    accelerator = gpu["node_config"][0]["guest_accelerator"][0]
    assert accelerator["gpu_driver_installation_config"][0]["gpu_driver_version"] == "LATEST"
    assert "`LATEST`" in RUNBOOK and "580" in RUNBOOK
    # The exec'd snippets are valid Python (no quoting accident), and target the container's port.
    port = next(d for d in manifests["production"] if d["kind"] == "Deployment"
                and d["metadata"]["name"] == "ml-api")["spec"]["template"]["spec"]["containers"][0]["ports"][0]
    snippets = re.findall(r"python -c '(.*?)'", RUNBOOK, re.DOTALL)
    assert len(snippets) >= 2
    for snippet in snippets:
        compile(snippet, "runbook", "exec")
        assert f"127.0.0.1:{port['containerPort']}/graphql" in snippet


def test_the_alerts_table_names_what_terraform_creates(tf):
    alerts = _section("Alerts")
    for title, *_ in tf.locals["ml_alerts"].values():
        assert f"`<prefix>: {title}`" in alerts, title
    for policy in tf.resources["google_monitoring_alert_policy"].values():
        if policy["display_name"] == "${local.prefix}: ${each.value[0]}":
            continue
        name = policy["display_name"].replace("${local.prefix}", "<prefix>").replace("${each.key}", "{key}")
        for key in ("frontend", "bff"):
            assert name.format(key=key) in alerts or "{key}" not in name
        assert name.split(": ", 1)[1].replace("{key}", "bff") in alerts, name
    assert "alert_email" in alerts and "alert_webhook_url" in alerts and "infra/armor.tf" in alerts


def test_rollouts_section_matches_the_manifests(manifests):
    rollouts = _section("Rollouts without errors")
    for doc in manifests["production"]:
        if doc["kind"] == "Deployment" and doc["metadata"]["name"] in ("frontend", "bff", "ml-api"):
            spec = doc["spec"]["template"]["spec"]
            assert f"{spec['terminationGracePeriodSeconds']} s" in rollouts, doc["metadata"]["name"]
            pause = spec["containers"][0]["lifecycle"]["preStop"]["sleep"]["seconds"]
            assert f"pause ({pause} s)" in rollouts
    assert "python -m bff.schema_version migrate" in RUNBOOK and "`/healthz` (BackendConfig)" in rollouts
