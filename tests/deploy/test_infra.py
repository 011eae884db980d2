"""infra/: formatted, every variable typed and described, the tfvars examples complete, and the
security properties the workshop promises (venue-only access, private database, private
bucket that forgets photos, GPU nodes only for GPU pods)."""

from __future__ import annotations

import ipaddress
import re
import subprocess

import pytest

from tests.deploy.terraform import block
from tests.deploy.tools import ENVIRONMENTS, REPO, find_tool

INFRA = REPO / "infra"


def test_terraform_fmt_check():
    result = subprocess.run([find_tool("terraform"), "fmt", "-check", "-recursive", "-diff", str(INFRA)],
                            check=False, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"terraform fmt would change:\n{result.stdout}{result.stderr}"


def test_one_file_per_concern(tf):
    expected = {"versions.tf", "variables.tf", "locals.tf", "apis.tf", "network.tf", "gke.tf", "sql.tf",
                "storage.tf", "armor.tf", "iam.tf", "registry.tf", "secrets.tf", "load_balancer.tf", "outputs.tf",
                "monitoring.tf"}
    assert set(tf.files) == expected
    assert set(tf.files["variables.tf"]) == {"variable"}
    assert set(tf.files["outputs.tf"]) == {"output"}


def test_variables_are_typed_and_described(tf):
    assert len(tf.variables) >= 10
    for name, variable in tf.variables.items():
        assert variable.get("type"), f"variable {name} has no type"
        assert len(variable.get("description", "")) > 20, f"variable {name} needs a description"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_tfvars_example_sets_every_required_variable(tf, tfvars, env):
    values = tfvars[env]
    required = {name for name, v in tf.variables.items() if "default" not in v}
    assert required <= set(values), f"{env}.tfvars.example misses {sorted(required - set(values))}"
    assert set(values) <= set(tf.variables), f"unknown variables {sorted(set(values) - set(tf.variables))}"
    assert values["environment"] == env
    assert values["deletion_protection"] is True
    for cidr in values["venue_cidrs"]:
        net = ipaddress.ip_network(cidr)
        assert net.prefixlen > 0, "a /0 venue range would let the whole internet in"


def test_backend_and_providers_pinned(tf):
    (terraform,) = tf.terraform
    assert "gcs" in terraform["backend"][0]
    providers = terraform["required_providers"][0]
    assert providers["google"]["version"].startswith("~>")
    assert providers["random"]["version"].startswith("~>")


def test_cloud_armor_allows_the_venue_and_denies_everything_else(tf):
    policy = tf.resource("google_compute_security_policy", "venue_only")
    rules = policy["rule"]
    default = [r for r in rules if r["priority"] == 2147483647]
    assert len(default) == 1, "the policy needs its default rule"
    assert default[0]["action"] == "deny(403)"
    assert block(default[0]["match"][0], "config")["src_ip_ranges"] == ["*"]
    # No static rule allows anyone; the only allow is the venue rule (rate limited).
    assert all(r["action"] != "allow" for r in rules)
    (venue,) = [d["rule"] for d in policy["dynamic"]
                if "rule" in d and d["rule"]["for_each"] == "${local.venue_cidr_chunks}"]
    assert tf.locals["venue_cidr_chunks"] == "${chunklist(var.venue_cidrs, 10)}"
    content = block(venue, "content")
    assert content["action"] == "throttle"
    assert block(content["match"][0], "config")["src_ip_ranges"] == "${rule.value}"
    limits = block(content, "rate_limit_options")
    assert limits["conform_action"] == "allow"
    assert limits["exceed_action"] == "deny(429)"
    assert block(limits, "rate_limit_threshold")["count"] == "${var.rate_limit_requests_per_minute}"
    # Exploit signatures are refused first, then the venue rules (1000 + n), then the default.
    assert content["priority"] == "${1000 + rule.key}"
    (canary,) = [r for r in rules if "expr" in r["match"][0] and "cve-canary" in r["match"][0]["expr"][0]["expression"]]
    assert canary["action"] == "deny(403)" and canary["priority"] < 1000
    # The one path open to everyone: take-home model exports, rate-limited per address, after
    # the exploit rule and before the default deny.
    (exports,) = [r for r in rules if "expr" in r["match"][0] and "/m/" in r["match"][0]["expr"][0]["expression"]]
    expression = exports["match"][0]["expr"][0]["expression"]
    assert expression == "request.path.startsWith('/m/') || request.path.startsWith('/model-page/')"
    assert exports["action"] == "throttle" and canary["priority"] < exports["priority"] < 2147483647
    export_limits = block(exports, "rate_limit_options")
    assert export_limits["exceed_action"] == "deny(429)" and export_limits["enforce_on_key"] == "IP"
    assert block(export_limits, "rate_limit_threshold")["count"] == "${var.export_requests_per_minute}"
    validations = tf.variables["venue_cidrs"]["validation"]
    assert any("/0" in v["condition"] for v in validations), "venue_cidrs must refuse 0.0.0.0/0"


def test_cloud_sql_is_private_backed_up_and_protected(tf):
    instance = tf.resource("google_sql_database_instance", "main")
    assert instance["deletion_protection"] == "${var.deletion_protection}"
    assert tf.variables["deletion_protection"]["default"] is True
    assert instance["database_version"].startswith("POSTGRES_")
    settings = block(instance, "settings")
    assert settings["deletion_protection_enabled"] == "${var.deletion_protection}"
    ip = block(settings, "ip_configuration")
    assert ip["ipv4_enabled"] is False, "no public IP on Cloud SQL"
    assert ip["private_network"] == "${google_compute_network.vpc.id}"
    assert ip["ssl_mode"] in ("ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED")
    assert "authorized_networks" not in ip
    backups = block(settings, "backup_configuration")
    assert backups["enabled"] is True
    assert backups["point_in_time_recovery_enabled"] is True
    assert backups["transaction_log_retention_days"] >= 1
    assert "google_service_networking_connection.private_services" in instance["depends_on"][0]


def test_bucket_is_private_and_forgets_photos(tf):
    bucket = tf.resource("google_storage_bucket", "photos")
    assert bucket["uniform_bucket_level_access"] is True
    assert bucket["public_access_prevention"] == "enforced"
    assert block(bucket, "versioning")["enabled"] is False, "versioning would keep deleted photos"
    assert block(bucket, "soft_delete_policy")["retention_duration_seconds"] == 0
    deletes = [r for r in bucket["lifecycle_rule"] if block(r, "action")["type"] == "Delete"]
    whole_bucket = [r for r in deletes if set(block(r, "condition")) == {"age"}]
    assert whole_bucket and block(whole_bucket[0], "condition")["age"] == "${var.photo_retention_days}"
    assert tf.variables["photo_retention_days"]["default"] <= 30
    # No member outside the project's own workload accounts gets object access.
    for binding in tf.resources.get("google_storage_bucket_iam_member", {}).values():
        assert binding["member"].startswith("serviceAccount:${")
        assert "allUsers" not in binding["member"] and "allAuthenticatedUsers" not in binding["member"]
    assert "google_storage_bucket_acl" not in tf.resources


def test_gke_has_workload_identity_a_release_channel_and_a_tainted_gpu_pool(tf):
    cluster = tf.resource("google_container_cluster", "main")
    assert block(cluster, "workload_identity_config")["workload_pool"] == "${local.workload_pool}"
    assert tf.locals["workload_pool"] == "${var.project_id}.svc.id.goog"
    assert block(cluster, "release_channel")["channel"] == "${var.release_channel}"
    assert cluster["networking_mode"] == "VPC_NATIVE"
    assert block(cluster, "ip_allocation_policy")["cluster_secondary_range_name"] == "pods"
    assert block(cluster, "private_cluster_config")["enable_private_nodes"] is True
    assert cluster["datapath_provider"] == "ADVANCED_DATAPATH"  # enforces NetworkPolicy
    assert cluster["remove_default_node_pool"] is True

    pools = tf.resources["google_container_node_pool"]
    assert set(pools) == {"default", "gpu"}
    for name, pool in pools.items():
        node = block(pool, "node_config")
        assert block(node, "workload_metadata_config")["mode"] == "GKE_METADATA", name
        assert block(node, "shielded_instance_config")["enable_secure_boot"] is True, name
        assert node["service_account"] == "${google_service_account.nodes.email}", name
    gpu = pools["gpu"]
    scaling = block(gpu, "autoscaling")
    assert scaling["total_min_node_count"] == 0, "the GPU pool must scale from zero"
    node = block(gpu, "node_config")
    accelerator = block(node, "guest_accelerator")
    assert accelerator["type"] == "${var.gpu_type}" and tf.variables["gpu_type"]["default"] == "nvidia-l4"
    # torch's CUDA 13.0 build needs driver >= 580: only LATEST on GKE >= 1.34 installs it
    # (DEFAULT stays on an older branch), so both the value and the version floor are pinned.
    assert block(accelerator, "gpu_driver_installation_config")["gpu_driver_version"] == "LATEST"
    assert cluster["min_master_version"] == "${var.gke_min_version}"
    assert tf.variables["gke_min_version"]["default"] == "1.34"
    assert {"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"} in node["taint"]
    assert "taint" not in block(pools["default"], "node_config")


def test_network_is_vpc_native_with_private_service_access(tf):
    subnet = tf.resource("google_compute_subnetwork", "nodes")
    assert subnet["private_ip_google_access"] is True
    assert {r["range_name"] for r in subnet["secondary_ip_range"]} == {"pods", "services"}
    peering = tf.resource("google_compute_global_address", "private_services")
    assert peering["purpose"] == "VPC_PEERING"
    connection = tf.resource("google_service_networking_connection", "private_services")
    assert connection["service"] == "servicenetworking.googleapis.com"
    assert tf.resource("google_compute_network", "vpc")["auto_create_subnetworks"] is False


def test_service_accounts_are_least_privilege(tf):
    roles = {b["role"] for b in tf.resources["google_project_iam_member"].values()}
    node_roles = tf.resource("google_project_iam_member", "nodes")["for_each"]
    broad = {"roles/owner", "roles/editor", "roles/storage.admin", "roles/cloudsql.admin",
             "roles/iam.serviceAccountTokenCreator"}
    assert not (roles & broad) and not any(r in node_roles for r in broad)
    # Cloud SQL: client + IAM login for exactly the three database users (no password user).
    for name, role in (("sql_client", "roles/cloudsql.client"), ("sql_instance_user", "roles/cloudsql.instanceUser")):
        binding = tf.resource("google_project_iam_member", name)
        assert binding["role"] == role and binding["for_each"] == "${local.iam_database_users}"
    assert set(tf.locals["iam_database_users"]) == {"bff", "ml-api", "ml-queue"}
    # The secrets reader may read the app's secrets and nothing else.
    reader = tf.resource("google_secret_manager_secret_iam_member", "reader")
    assert reader["role"] == "roles/secretmanager.secretAccessor"
    assert reader["member"] == "serviceAccount:${google_service_account.secrets.email}"
    # Object access only on the photo bucket, for the two workloads.
    objects = tf.resource("google_storage_bucket_iam_member", "workload_objects")
    assert objects["bucket"] == "${google_storage_bucket.photos.name}"
    assert objects["role"] == "roles/storage.objectUser"
    wi = tf.resource("google_service_account_iam_member", "workload_identity")
    assert wi["role"] == "roles/iam.workloadIdentityUser"
    assert wi["member"] == "serviceAccount:${local.workload_pool}[${local.workload_namespace}/${each.key}]"
    assert "google_service_account_key" not in tf.resources, "no keys: Workload Identity only"


def test_outputs_the_overlays_consume(tf):
    assert {"security_policy_name", "bucket_name", "sql_connection_name", "ingress_address_name",
            "ssl_policy_name", "image_repository", "workload_service_accounts"} <= set(tf.outputs)
    for name, output in tf.outputs.items():
        assert output.get("description"), f"output {name} needs a description"


def _hcl_string(raw: str) -> str:
    """The value of an HCL string literal as python-hcl2 leaves it (escapes still written)."""
    return raw.replace('\\"', '"').replace("\\\\", "\\")


def test_gke_min_version_refuses_versions_with_an_old_gpu_driver(tf):
    """The validation regex, evaluated as Terraform would (RE2 and Python agree on it)."""
    (validation,) = tf.variables["gke_min_version"]["validation"]
    pattern = _hcl_string(re.search(r'regex\("(.+)", var\.gke_min_version\)', validation["condition"]).group(1))
    for good in ("1.34", "1.34.1-gke.1000", "1.35", "1.40"):
        assert re.search(pattern, good), good
    for bad in ("1.33", "1.33.5-gke.100", "1.3", "1.30", "2.0", "latest"):
        assert not re.search(pattern, bad), bad


def _policy_filters(policy: dict) -> list[str]:
    return [block(c, "condition_threshold")["filter"] for c in policy["conditions"]]


def test_alerts_notify_the_operators_channel(tf):
    webhook = tf.resource("google_monitoring_notification_channel", "webhook")
    assert webhook["count"] == '${var.alert_webhook_url == "" ? 0 : 1}'
    assert webhook["labels"]["url"] == "${var.alert_webhook_url}"
    assert tf.variables["alert_webhook_url"]["sensitive"] is True
    assert tf.locals["alert_channels"] == ("${concat([google_monitoring_notification_channel.email.id],\n"
                                           "  google_monitoring_notification_channel.webhook[*].id)}") or \
        "google_monitoring_notification_channel.webhook[*].id" in tf.locals["alert_channels"]
    channel = tf.resource("google_monitoring_notification_channel", "email")
    assert channel["type"] == "email"
    assert channel["labels"]["email_address"] == "${var.alert_email}"
    assert tf.variables["alert_email"]["type"] == "string"
    assert "default" not in tf.variables["alert_email"], "each environment names its own on-call address"
    policies = tf.resources["google_monitoring_alert_policy"]
    assert set(policies) >= {"uptime", "lb_5xx_ratio", "runs_failed", "cloud_sql", "ml"}
    for name, policy in policies.items():
        assert policy["notification_channels"] == "${local.alert_channels}", name
        content = block(policy, "documentation")["content"]
        if content == "${each.value[3]}":  # the ML alerts' table (test_the_ml_tier_alerts)
            continue
        assert "docs/deploy.md" in content, f"{name} should point at the runbook"


def test_alert_on_the_load_balancer_5xx_ratio(tf):
    policy = tf.resource("google_monitoring_alert_policy", "lb_5xx_ratio")
    condition = block(policy["conditions"][0], "condition_threshold")
    assert "loadbalancing.googleapis.com/https/request_count" in condition["filter"]
    assert "response_code_class=500" in condition["filter"]
    # A ratio: the same metric without the 5xx class below the line.
    assert "request_count" in condition["denominator_filter"]
    assert "response_code_class" not in condition["denominator_filter"]
    assert condition["threshold_value"] == "${var.alert_5xx_ratio}"
    assert 0 < tf.variables["alert_5xx_ratio"]["default"] < 0.5


def test_uptime_checks_watch_the_bff_and_frontend_through_cloud_armor(tf, manifests):
    checks = tf.resource("google_monitoring_uptime_check_config", "service")
    assert checks["for_each"] == "${local.uptime_paths}"
    assert tf.locals["uptime_paths"] == {"frontend": "/", "bff": "/readyz"}
    http = block(checks, "http_check")
    assert http["use_ssl"] is True and http["port"] == 443 and http["path"] == "${each.value}"
    assert block(checks, "monitored_resource")["labels"]["host"] == "${var.uptime_check_host}"
    # The paths reach the intended service through the Ingress.
    for env, docs in manifests.items():
        (ingress,) = [d for d in docs if d["kind"] == "Ingress"]
        paths = {p["path"]: p for p in ingress["spec"]["rules"][0]["http"]["paths"]}
        assert paths["/readyz"]["pathType"] == "Exact" and paths["/readyz"]["backend"]["service"]["name"] == "bff", env
        assert paths["/"]["backend"]["service"]["name"] == "frontend", env
    alert = tf.resource("google_monitoring_alert_policy", "uptime")
    assert alert["for_each"] == "${local.uptime_paths}"
    (flt,) = _policy_filters(alert)
    assert "uptime_check/check_passed" in flt
    assert "${google_monitoring_uptime_check_config.service[each.key].uptime_check_id}" in flt

    # Cloud Armor lets the checkers in, rate limited, ahead of the default deny.
    policy = tf.resource("google_compute_security_policy", "venue_only")
    dynamic_rules = [d["rule"] for d in policy["dynamic"] if "rule" in d]
    (uptime,) = [r for r in dynamic_rules if r["for_each"] == "${local.uptime_checker_chunks}"]
    content = block(uptime, "content")
    assert content["action"] == "throttle"
    assert block(content["match"][0], "config")["src_ip_ranges"] == "${rule.value}"
    assert block(content, "rate_limit_options")["conform_action"] == "allow"
    assert "data.google_monitoring_uptime_check_ips.checkers.uptime_check_ips" in tf.locals["uptime_checker_chunks"]
    assert "chunklist(" in tf.locals["uptime_checker_chunks"] and ", 10)" in tf.locals["uptime_checker_chunks"]


def test_runs_failed_metric_matches_what_the_services_log(tf):
    """The log filter names the fields pictolab/logging.py writes and the messages that
    bff/training.py and ml_api/job_kinds.py log: a renamed message or logger fails here."""
    metric = tf.resource("google_logging_metric", "runs_failed")
    assert metric["filter"] == "${local.runs_failed_filter}"
    flt = _hcl_string(tf.locals["runs_failed_filter"])
    assert 'resource.labels.namespace_name="${local.workload_namespace}"' in flt
    assert tf.locals["workload_namespace"] == "pictolab"
    for service, logger, message, source in (
        ("bff", "bff.training", "run given up", "bff/training.py"),
        ("ml_api", "ml_api.job_kinds", "training failed", "ml_api/job_kinds.py"),
    ):
        clause = f'jsonPayload.service="{service}" AND jsonPayload.logger="{logger}" AND jsonPayload.message=~"^{message}"'
        assert clause in flt, clause
        text = (REPO / source).read_text()
        assert "logging.getLogger(__name__)" in text, f"{source}: the logger is no longer {logger}"
        assert f'"{message}' in text, f"{source} no longer logs {message!r}"
    for source, service in (("bff/__init__.py", "bff"), ("ml_api/__init__.py", "ml_api")):
        assert f'configure_logging("{service}"' in (REPO / source).read_text(), source
    logging_source = (REPO / "pictolab" / "logging.py").read_text()
    for field in ('"service"', '"logger"', '"message"'):
        assert field in logging_source
    alert = tf.resource("google_monitoring_alert_policy", "runs_failed")
    (flt,) = _policy_filters(alert)
    assert "logging.googleapis.com/user/${google_logging_metric.runs_failed.name}" in flt


def test_cloud_sql_alert_and_explicit_connection_limit(tf):
    alert = tf.resource("google_monitoring_alert_policy", "cloud_sql")
    filters = _policy_filters(alert)
    assert any("cloudsql.googleapis.com/database/cpu/utilization" in f for f in filters)
    assert any("cloudsql.googleapis.com/database/postgresql/num_backends" in f for f in filters)
    flags = {f["name"]: f["value"] for f in block(tf.resource("google_sql_database_instance", "main"),
                                                     "settings")["database_flags"]}
    assert flags["max_connections"] == "${tostring(var.sql_max_connections)}"


def test_monitoring_apis_are_enabled(tf):
    services = tf.resource("google_project_service", "enabled")["for_each"]
    assert "monitoring.googleapis.com" in services and "logging.googleapis.com" in services


def test_sql_has_no_password_user_and_a_queue_database(tf):
    assert "random_password" not in str(tf.files["sql.tf"]) and "google_sql_user" in tf.resources
    users = tf.resource("google_sql_user", "iam")
    assert users["type"] == "CLOUD_IAM_SERVICE_ACCOUNT" and "password" not in users
    assert set(tf.resources["google_sql_user"]) == {"iam"}
    flags = {f["name"]: f["value"] for f in block(tf.resource("google_sql_database_instance", "main"),
                                                     "settings")["database_flags"]}
    assert flags["cloudsql.iam_authentication"] == "on"
    assert tf.resource("google_sql_database", "ml")["name"] == "pictolab_ml"
    secrets = tf.resource("google_secret_manager_secret", "app")["for_each"]
    assert "database-url" not in secrets


def test_gpu_pool_reservation_image_streaming_and_gpu_metrics(tf):
    node = block(tf.resource("google_container_node_pool", "gpu"), "node_config")
    assert block(node, "gcfs_config")["enabled"] is True
    affinity = block(node, "reservation_affinity")
    assert "var.gpu_reservation" in affinity["consume_reservation_type"]
    assert "SPECIFIC_RESERVATION" in affinity["consume_reservation_type"]
    assert affinity["key"] == '${var.gpu_reservation == "" ? null : "compute.googleapis.com/reservation-name"}'
    assert tf.variables["gpu_reservation"]["default"] == ""
    monitoring = block(tf.resource("google_container_cluster", "main"), "monitoring_config")
    assert {"DCGM", "DEPLOYMENT", "POD"} <= set(monitoring["enable_components"])
    assert block(monitoring, "managed_prometheus")["enabled"] is True


def test_the_ml_tier_alerts(tf):
    alerts = tf.locals["ml_alerts"]
    assert set(alerts) == {"ml_replicas_unavailable", "gpu_pod_pending", "queue_waiting", "gpu_memory"}
    checks = {
        "ml_replicas_unavailable": ("kube_deployment_status_replicas_available", "180s"),
        "gpu_pod_pending": ('phase=\\"Pending\\"', "600s"),
        "queue_waiting": ("pictolab_ml_oldest_queued_seconds", "60s"),
        "gpu_memory": ("DCGM_FI_DEV_FB_USED", "300s"),
    }
    for name, (needle, duration) in checks.items():
        _title, query, when, documentation = alerts[name]
        assert needle in query, name
        assert when == duration, name
        assert "docs/deploy.md" in documentation
    assert alerts["queue_waiting"][1].endswith("> 60") and alerts["gpu_memory"][1].endswith("> 0.9")
    policy = tf.resource("google_monitoring_alert_policy", "ml")
    condition = block(policy["conditions"][0], "condition_prometheus_query_language")
    assert condition["query"] == "${each.value[1]}" and condition["duration"] == "${each.value[2]}"
    # The metric the queue alert reads is the one ml_api/metrics.py exposes.
    assert "pictolab_ml_oldest_queued_seconds" in (REPO / "ml_api" / "metrics.py").read_text()


def test_one_registry_and_binary_authorization(tf, tfvars):
    registry = tf.resource("google_artifact_registry_repository", "images")
    assert registry["count"] == "${var.registry_project_id == var.project_id ? 1 : 0}"
    assert block(registry, "docker_config")["immutable_tags"] is True
    pull = tf.resource("google_artifact_registry_repository_iam_member", "nodes_pull")
    assert pull["project"] == "${var.registry_project_id}" and pull["role"] == "roles/artifactregistry.reader"
    # Exactly one environment creates it; both name the same one.
    owners = [env for env, values in tfvars.items() if values["registry_project_id"] == values["project_id"]]
    assert owners == ["production"]
    policy = tf.resource("google_binary_authorization_policy", "policy")
    rule = block(policy, "default_admission_rule")
    assert rule["evaluation_mode"] == "ALWAYS_DENY"
    assert rule["enforcement_mode"] == "ENFORCED_BLOCK_AND_AUDIT_LOG"
    patterns = [p["name_pattern"] for p in policy["admission_whitelist_patterns"]]
    assert "${local.image_repository}/*" in patterns
    assert all(p.startswith(("${local.image_repository}", "gcr.io/cloud-sql-connectors/", "registry.k8s.io/pause:",
                             "ghcr.io/kedacore/", "ghcr.io/external-secrets/")) for p in patterns), patterns
    cluster = tf.resource("google_container_cluster", "main")
    assert block(cluster, "binary_authorization")["evaluation_mode"] == "PROJECT_SINGLETON_POLICY_ENFORCE"


def test_cloud_armor_rate_limit_keeps_three_times_headroom(tf):
    """Sized from bench/polling.py's measurement of the real SPA as docs/benchmarks.md records it
    (30 iPads behind one address, a third of them uploading), and from the 2,200/min reported
    for the older app."""
    text = (REPO / "docs" / "benchmarks.md").read_text()
    peak = re.search(r"\*\*30 iPads behind one venue address\*\*:.*?([\d,]+)/min in a minute where", text, re.DOTALL)
    assert peak, "docs/benchmarks.md lost its 30-iPad figure"
    default = tf.variables["rate_limit_requests_per_minute"]["default"]
    assert default >= 3 * int(peak.group(1).replace(",", ""))
    assert default >= 3 * 2200
    assert f"{default:,}/min" in text
    (validation,) = tf.variables["rate_limit_requests_per_minute"]["validation"]
    assert ">= 6600" in validation["condition"]
