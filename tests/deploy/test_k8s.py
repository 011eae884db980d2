"""The kustomize overlays: they build, validate against the Kubernetes schemas, and have the
properties the workshop depends on (probes, non-root, GPU scheduling, network isolation,
Cloud Armor on the backends)."""

from __future__ import annotations

import copy
import ipaddress
import json

import pytest

from tests.deploy.tools import ENVIRONMENTS

# GKE's release channels run 1.33+ when this was written; the schemas ship with
# kubernetes-validate (offline).
KUBERNETES_VERSION = "1.33.0"
# Custom resources: GKE's (Ingress add-ons, Managed Prometheus), External Secrets', KEDA's.
CRD_KINDS = {"BackendConfig", "ManagedCertificate", "FrontendConfig", "PodMonitoring", "SecretStore",
             "ExternalSecret", "ScaledObject", "TriggerAuthentication"}
KEDA_KINDS = {"ScaledObject", "TriggerAuthentication"}
WORKLOAD_KINDS = {"Deployment", "Job"}
#: Deployments per environment: production adds KEDA's queue proxy and the GPU placeholder.
WORKLOADS = {"sandbox": {"frontend", "bff", "ml-api"},
             "production": {"frontend", "bff", "ml-api", "ml-queue-proxy", "gpu-placeholder"}}
GCLB_SOURCE_RANGES = {"35.191.0.0/16", "130.211.0.0/22"}


def objects(docs: list[dict], kind: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def one(docs: list[dict], kind: str, name: str) -> dict:
    found = objects(docs, kind)
    assert name in found, f"no {kind}/{name} in the built overlay (have {sorted(found)})"
    return found[name]


def pod_spec(obj: dict) -> dict:
    return obj["spec"]["template"]["spec"]


def all_containers(spec: dict) -> list[dict]:
    return spec.get("initContainers", []) + spec["containers"]


def validate(doc: dict) -> None:
    import kubernetes_validate

    kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_overlay_validates_against_kubernetes_schemas(manifests, env):
    docs = manifests[env]
    core = [d for d in docs if d["kind"] not in CRD_KINDS]
    assert {d["kind"] for d in core} >= {"Namespace", "ServiceAccount", "ConfigMap", "Service", "Deployment",
                                         "Ingress", "HorizontalPodAutoscaler", "PodDisruptionBudget",
                                         "NetworkPolicy", "PriorityClass"}
    for doc in core:
        validate(doc)
    expected = CRD_KINDS if env == "production" else CRD_KINDS - KEDA_KINDS
    assert {d["kind"] for d in docs if d["kind"] in CRD_KINDS} == expected


def test_schema_validation_rejects_a_broken_manifest(manifests):
    """The validator really checks: an unknown field and a wrong type are both refused."""
    from kubernetes_validate import ValidationError

    deployment = copy.deepcopy(one(manifests["sandbox"], "Deployment", "bff"))
    deployment["spec"]["template"]["spec"]["containers"][0]["livenessProbes"] = {}
    with pytest.raises(ValidationError):
        validate(deployment)
    deployment = copy.deepcopy(one(manifests["sandbox"], "Deployment", "bff"))
    deployment["spec"]["replicas"] = "two"
    with pytest.raises(ValidationError):
        validate(deployment)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_pod_runs_non_root_read_only_with_limits(manifests, env):
    workloads = [d for d in manifests[env] if d["kind"] in WORKLOAD_KINDS]
    assert {d["metadata"]["name"] for d in workloads} == WORKLOADS[env]
    for obj in workloads:
        spec = pod_spec(obj)
        where = f"{obj['kind']}/{obj['metadata']['name']}"
        pod_sc = spec["securityContext"]
        assert pod_sc["runAsNonRoot"] is True, where
        assert pod_sc["runAsUser"] >= 10000, where  # 65535: the placeholder's pause image
        assert pod_sc["seccompProfile"]["type"] == "RuntimeDefault", where
        assert spec["automountServiceAccountToken"] is False, where
        for container in all_containers(spec):
            sc = container["securityContext"]
            name = f"{where} container {container['name']}"
            assert sc["runAsNonRoot"] is True, name
            assert sc["allowPrivilegeEscalation"] is False, name
            assert sc["readOnlyRootFilesystem"] is True, name
            assert sc["capabilities"]["drop"] == ["ALL"], name
            assert "privileged" not in sc or sc["privileged"] is False, name
            resources = container["resources"]
            assert {"cpu", "memory"} <= set(resources["requests"]), name
            assert {"cpu", "memory"} <= set(resources["limits"]), name


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_long_running_container_has_probes(manifests, env):
    for obj in objects(manifests[env], "Deployment").values():
        spec = pod_spec(obj)
        name = obj["metadata"]["name"]
        if name == "gpu-placeholder":
            # The pause container does nothing to probe (and checkov is told so, with the reason).
            assert "checkov.io/skip1" in obj["metadata"]["annotations"]
            continue
        if name == "ml-queue-proxy":
            (proxy,) = spec["containers"]
            assert proxy["readinessProbe"]["httpGet"]["path"] == "/readiness"
            assert proxy["livenessProbe"]["httpGet"]["path"] == "/liveness"
            continue
        # One-shot init containers (no restartPolicy: Always) run to completion before the
        # pod starts: nothing to probe. Native sidecars and app containers are long-running.
        long_running = [c for c in spec.get("initContainers", []) if c.get("restartPolicy") == "Always"]
        for container in long_running + spec["containers"]:
            name = f"Deployment/{obj['metadata']['name']} container {container['name']}"
            assert "readinessProbe" in container, name
            assert "livenessProbe" in container, name
        app = next(c for c in pod_spec(obj)["containers"] if c["name"] == obj["metadata"]["name"])
        assert app["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert app["livenessProbe"]["httpGet"]["path"] == "/healthz"
    # The proxy sidecars of the bff and the ml-api start before the one-shot migrations.
    for name in ("bff", "ml-api"):
        proxy = pod_spec(one(manifests[env], "Deployment", name))["initContainers"][0]
        assert {"startupProbe", "readinessProbe", "livenessProbe"} <= set(proxy)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_ml_api_runs_on_a_gpu_node_without_maintenance(manifests, env):
    deployment = one(manifests[env], "Deployment", "ml-api")
    spec = pod_spec(deployment)
    container = spec["containers"][0]
    assert container["resources"]["limits"]["nvidia.com/gpu"] == 1
    assert spec["nodeSelector"]["cloud.google.com/gke-accelerator"] == "nvidia-l4"
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in spec["tolerations"]
    terms = spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    assert terms and all({"key": "cloud.google.com/scheduled-maintenance-time", "operator": "DoesNotExist"}
                         in term["matchExpressions"] for term in terms)
    # Long enough for gunicorn's 60 s graceful timeout (pictolab ml-api) to write a checkpoint.
    assert spec["terminationGracePeriodSeconds"] >= 90
    # The backbone loads before the pod is killed for being slow: a startup probe on /readyz.
    startup = container["startupProbe"]
    assert startup["httpGet"]["path"] == "/readyz"
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 180
    assert {"name": "TORCH_HOME", "value": "/opt/torch"} in container["env"]
    # Only the ML API (and the placeholder that keeps a GPU node for it) asks for a GPU.
    for obj in manifests[env]:
        if obj["kind"] in WORKLOAD_KINDS and obj["metadata"]["name"] not in ("ml-api", "gpu-placeholder"):
            for c in all_containers(pod_spec(obj)):
                assert "nvidia.com/gpu" not in c["resources"].get("limits", {})


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_only_the_bff_reaches_the_ml_api(manifests, env):
    policies = objects(manifests[env], "NetworkPolicy")
    deny = policies["default-deny-ingress"]
    assert deny["spec"]["podSelector"] == {} and deny["spec"]["policyTypes"] == ["Ingress"]
    assert "ingress" not in deny["spec"]
    ml = policies["ml-api-from-bff-only"]["spec"]
    assert ml["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": "ml-api"}}
    assert ml["ingress"] == [{"from": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "bff"}}}],
                              "ports": [{"protocol": "TCP", "port": 8080}]}]
    # Only Managed Prometheus's collectors besides (the /metrics scrape), on the same port.
    metrics = policies["ml-api-metrics-from-managed-prometheus"]["spec"]
    assert metrics["podSelector"] == ml["podSelector"]
    assert metrics["ingress"] == [{"from": [{"namespaceSelector": {"matchLabels": {
        "kubernetes.io/metadata.name": "gmp-system"}}}], "ports": [{"protocol": "TCP", "port": 8080}]}]
    # No other policy lets anything into the ml-api pods.
    for name, policy in policies.items():
        if name in ("default-deny-ingress", "ml-api-from-bff-only", "ml-api-metrics-from-managed-prometheus"):
            continue
        selector = policy["spec"]["podSelector"]
        selected = selector.get("matchLabels", {}).get("app.kubernetes.io/name")
        values = [v for e in selector.get("matchExpressions", []) for v in e["values"]]
        assert selected != "ml-api" and "ml-api" not in values and selector != {}, name
    web = policies["web-from-load-balancer"]["spec"]
    sources = {peer["ipBlock"]["cidr"] for rule in web["ingress"] for peer in rule["from"]}
    assert sources == GCLB_SOURCE_RANGES
    # The ml-api Service is internal: no load balancer, no NEG for the Ingress.
    service = one(manifests[env], "Service", "ml-api")
    assert service["spec"]["type"] == "ClusterIP"
    assert "cloud.google.com/neg" not in service["metadata"].get("annotations", {})


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_ingress_routes_paths_and_attaches_cloud_armor(manifests, env, tf, tfvars):
    docs = manifests[env]
    ingress = one(docs, "Ingress", "pictolab")
    (rule,) = ingress["spec"]["rules"]
    routes = {p["path"]: (p["pathType"], p["backend"]["service"]["name"]) for p in rule["http"]["paths"]}
    assert routes == {"/": ("Prefix", "frontend"), "/graphql": ("Prefix", "bff"), "/media": ("Prefix", "bff"),
                      # take-home model exports (TrainingRun.exportUrl); the model page's
                      # scripts (/model-page/) are the frontend's static files
                      "/m": ("Prefix", "bff"),
                      # the uptime check's view of the bff (infra/monitoring.tf)
                      "/readyz": ("Exact", "bff")}
    annotations = ingress["metadata"]["annotations"]
    assert annotations["kubernetes.io/ingress.class"] == "gce"

    values = tfvars[env]
    backend_config = one(docs, "BackendConfig", "pictolab")
    policy_name = tf.resolve(tf.resource("google_compute_security_policy", "venue_only")["name"], values)
    assert backend_config["spec"]["securityPolicy"]["name"] == policy_name
    assert tf.outputs["security_policy_name"]["value"] == "${google_compute_security_policy.venue_only.name}"
    # The load balancer asks the pod itself, never its database: a Cloud SQL failover must not
    # take every bff pod out of the load balancer at once.
    assert backend_config["spec"]["healthCheck"]["requestPath"] == "/healthz"
    assert backend_config["spec"]["healthCheck"]["port"] == 8080
    # Both public backends carry that BackendConfig (and so the policy), via NEGs.
    for name in ("frontend", "bff"):
        svc_annotations = one(docs, "Service", name)["metadata"]["annotations"]
        assert json.loads(svc_annotations["cloud.google.com/backend-config"]) == {"default": "pictolab"}
        assert json.loads(svc_annotations["cloud.google.com/neg"]) == {"ingress": True}

    # TLS: a managed certificate for the host, HTTPS redirect, Terraform's SSL policy and address.
    cert = one(docs, "ManagedCertificate", annotations["networking.gke.io/managed-certificates"])
    assert cert["spec"]["domains"] == [rule["host"]]
    frontend_config = one(docs, "FrontendConfig", annotations["networking.gke.io/v1beta1.FrontendConfig"])
    assert frontend_config["spec"]["redirectToHttps"]["enabled"] is True
    assert frontend_config["spec"]["sslPolicy"] == tf.resolve(
        tf.resource("google_compute_ssl_policy", "ingress")["name"], values)
    assert annotations["kubernetes.io/ingress.global-static-ip-name"] == tf.resolve(
        tf.resource("google_compute_global_address", "ingress")["name"], values)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_overlay_names_what_terraform_creates(manifests, env, tf, tfvars):
    """Bucket, Cloud SQL instance, Workload Identity accounts, images and venue ranges in the
    overlay are the ones infra/<env>.tfvars.example makes."""
    docs = manifests[env]
    values = tfvars[env]
    assert values["environment"] == env
    data = {}
    for prefix in ("pictolab-config-", "pictolab-bff-", "pictolab-ml-"):
        (config,) = [d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith(prefix)]
        data.update(config["data"])

    bucket = tf.resolve(tf.resource("google_storage_bucket", "photos")["name"], values)
    assert data["PICTOLAB_STORAGE_URL"].startswith(f"gs://{bucket}/")
    # The bucket's early-expiry rule for leftover "try it" photos (docs/design.md: tmp/) sits
    # under the prefix the services use.
    storage_prefix = data["PICTOLAB_STORAGE_URL"].removeprefix(f"gs://{bucket}/").strip("/")
    prefixes = [p for r in tf.resource("google_storage_bucket", "photos")["lifecycle_rule"]
                for p in r["condition"][0].get("matches_prefix", [])]
    assert prefixes == [f"{storage_prefix}/tmp/"]
    instance = tf.resolve(tf.resource("google_sql_database_instance", "main")["name"], values)
    assert data["CLOUD_SQL_CONNECTION_NAME"] == f"{values['project_id']}:{values['region']}:{instance}"
    assert data["PICTOLAB_ENV"] == "production"
    assert data["PICTOLAB_PUBLIC_URL"] == f"https://{one(docs, 'Ingress', 'pictolab')['spec']['rules'][0]['host']}"
    # Behind the GCLB ("client, lb" appended to X-Forwarded-For) the app trusts two hops.
    assert data["PICTOLAB_TRUSTED_PROXY_HOPS"] == "2"
    # The ML API's ordinary ClusterIP Service (test_ml_replicas_k8s.py).
    assert data["PICTOLAB_ML_API_URL"] == "http://ml-api:8080"
    # Both databases on Terraform's instance, as the IAM users Terraform creates: no password.
    from sqlalchemy.engine import make_url

    users = tf.resource("google_sql_user", "iam")
    assert users["type"] == "CLOUD_IAM_SERVICE_ACCOUNT" and "password" not in users
    assert users["name"] == '${trimsuffix(each.value, ".gserviceaccount.com")}'
    for key, name, database in (("PICTOLAB_DATABASE_URL", "bff", "pictolab"),
                                ("PICTOLAB_ML_DATABASE_URL", "ml-api", "pictolab_ml")):
        url = make_url(data[key])
        assert url.password is None, key
        assert (url.host, url.port, url.database) == ("127.0.0.1", 5432, database), key
        account = tf.resolve(tf.resource("google_service_account", "workload")["account_id"].replace(
            "${each.key}", name), values)
        assert url.username == f"{account}@{values['project_id']}.iam", key
    databases = {tf.resource("google_sql_database", r)["name"] for r in ("pictolab", "ml")}
    assert databases == {"pictolab", "pictolab_ml"}
    app_cidrs = {ipaddress.ip_network(c) for c in data["PICTOLAB_ALLOWED_CIDRS"].split(",")}
    assert app_cidrs == {ipaddress.ip_network(c) for c in values["venue_cidrs"]}

    for name in ("bff", "ml-api"):
        account_id = tf.resolve(tf.resource("google_service_account", "workload")["account_id"].replace(
            "${each.key}", name), values)
        sa = one(docs, "ServiceAccount", name)
        assert sa["metadata"]["annotations"]["iam.gke.io/gcp-service-account"] == \
            f"{account_id}@{values['project_id']}.iam.gserviceaccount.com"
    assert tf.resolve(tf.locals["workload_namespace"], values) == one(docs, "Namespace", "pictolab")["metadata"]["name"]

    # One registry for both environments (registry.tf): the same digests in sandbox and production.
    assert tf.locals["image_repository"] == \
        "${local.registry_host}/${var.registry_project_id}/${local.registry_repository_id}"
    repository = f"{values['region']}-docker.pkg.dev/{values['registry_project_id']}/" \
                 f"{tf.locals['registry_repository_id']}"
    assert {tfvars_env["registry_project_id"] for tfvars_env in tfvars.values()} == {values["registry_project_id"]}
    for obj in docs:
        if obj["kind"] not in WORKLOAD_KINDS:
            continue
        for container in all_containers(pod_spec(obj)):
            image = container["image"]
            if "cloud-sql-proxy" in image or image.startswith("registry.k8s.io/pause:"):
                continue
            assert image.startswith(repository + "/"), image
    # The ExternalSecret reads this environment's Secret Manager ids, through its own account.
    external = one(docs, "ExternalSecret", "pictolab-app")
    secret_ids = {tf.resolve("${local.prefix}-" + k, values) for k in
                  ("secret-key", "admin-password")}
    assert {d["remoteRef"]["key"] for d in external["spec"]["data"]} == secret_ids
    store = one(docs, "SecretStore", external["spec"]["secretStoreRef"]["name"])["spec"]["provider"]["gcpsm"]
    assert store["projectID"] == values["project_id"]
    assert store["auth"]["workloadIdentity"]["clusterName"] == tf.resolve(
        tf.resource("google_container_cluster", "main")["name"], values)
    reader = one(docs, "ServiceAccount", store["auth"]["workloadIdentity"]["serviceAccountRef"]["name"])
    account = tf.resolve(tf.resource("google_service_account", "secrets")["account_id"], values)
    assert reader["metadata"]["annotations"]["iam.gke.io/gcp-service-account"] == \
        f"{account}@{values['project_id']}.iam.gserviceaccount.com"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_services_reach_cloud_sql_through_a_native_sidecar_with_iam_logins(manifests, env):
    for name in ("bff", "ml-api"):
        spec = pod_spec(one(manifests[env], "Deployment", name))
        proxy = spec["initContainers"][0]
        assert proxy["name"] == "cloud-sql-proxy"
        assert proxy["restartPolicy"] == "Always", "the proxy must be a native sidecar"
        assert proxy["image"].startswith("gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.")
        assert "--private-ip" in proxy["args"] and "--port=5432" in proxy["args"]
        # IAM database authentication: the proxy logs in as the pod's Google account.
        assert "--auto-iam-authn" in proxy["args"]
        assert proxy["startupProbe"]["httpGet"]["path"] == "/startup"
        assert spec["serviceAccountName"] == name
    bff = pod_spec(one(manifests[env], "Deployment", "bff"))
    app = bff["containers"][0]
    secret_env = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in app["env"] if "valueFrom" in e
                  and "secretKeyRef" in e["valueFrom"]}
    assert set(secret_env) == {"PICTOLAB_SECRET_KEY", "PICTOLAB_ADMIN_PASSWORD"}, "no database password"
    assert {ref["name"] for ref in secret_env.values()} == {"pictolab-app"}
    # The ML API's queue migrations run in its pod, after the proxy, before the server.
    ml = pod_spec(one(manifests[env], "Deployment", "ml-api"))
    assert [c["name"] for c in ml["initContainers"]] == ["cloud-sql-proxy", "ml-db-migrate"]
    migrate = ml["initContainers"][1]
    assert migrate["command"] + migrate["args"] == ["pictolab", "ml-db", "upgrade"]
    assert migrate["image"] == ml["containers"][0]["image"]
    # The session key and the admin password reach the bff only.
    for name in ("frontend", "ml-api"):
        spec = pod_spec(one(manifests[env], "Deployment", name))
        for container in all_containers(spec):
            names = {e["name"] for e in container.get("env", [])}
            assert not names & {"PICTOLAB_DATABASE_URL", "PICTOLAB_SECRET_KEY", "PICTOLAB_ADMIN_PASSWORD"}, name
            assert not any("secretRef" in source for source in container.get("envFrom", [])), name
    # No Secret object is committed: the ExternalSecret makes it from Secret Manager.
    assert not objects(manifests[env], "Secret")
    external = one(manifests[env], "ExternalSecret", "pictolab-app")
    assert external["spec"]["target"]["name"] == "pictolab-app"
    assert {d["secretKey"] for d in external["spec"]["data"]} == set(secret_env)
    # Only the bff reads the bff's ConfigMap (venue list, database URL), only the ML API the ML one:
    # editing the venue list never rolls a GPU pod.
    readers: dict[str, set[str]] = {}
    for obj in objects(manifests[env], "Deployment").values():
        for container in all_containers(pod_spec(obj)):
            for source in container.get("envFrom", []):
                prefix = source["configMapRef"]["name"].rsplit("-", 1)[0]
                readers.setdefault(prefix, set()).add(obj["metadata"]["name"])
    assert readers["pictolab-bff"] == {"bff"} and readers["pictolab-ml"] == {"ml-api"}
    for config in objects(manifests[env], "ConfigMap").values():
        if not config["metadata"]["name"].startswith("pictolab-bff-"):
            assert "PICTOLAB_ALLOWED_CIDRS" not in config["data"], config["metadata"]["name"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_availability_objects(manifests, env):
    docs = manifests[env]
    hpas = objects(docs, "HorizontalPodAutoscaler")
    assert set(hpas) == {"frontend", "bff"}
    for name, hpa in hpas.items():
        assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    # An autoscaled Deployment carries no replicas: `apply -k` would reset the autoscaler's count.
    scaled = set(hpas) | {s["spec"]["scaleTargetRef"]["name"] for s in objects(docs, "ScaledObject").values()}
    for name, deployment in objects(docs, "Deployment").items():
        assert ("replicas" in deployment["spec"]) is (name not in scaled), name
    pdbs = objects(docs, "PodDisruptionBudget")
    assert set(pdbs) == {"frontend", "bff", "ml-api"}
    for name, pdb in pdbs.items():
        assert pdb["spec"]["selector"] == {"matchLabels": {"app.kubernetes.io/name": name}}
    # A single GPU pod must not block node drains forever.
    assert pdbs["ml-api"]["spec"] == {"maxUnavailable": 1, "selector": pdbs["ml-api"]["spec"]["selector"]}
    if env == "production":
        assert all(h["spec"]["minReplicas"] >= 2 for h in hpas.values())
    namespace = one(docs, "Namespace", "pictolab")
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    cluster_scoped = {"Namespace", "PriorityClass"}
    assert all(d["metadata"].get("namespace") == "pictolab" for d in docs if d["kind"] not in cluster_scoped)
    assert all("namespace" not in d["metadata"] for d in docs if d["kind"] in cluster_scoped)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_gpu_pool_can_hold_a_rolling_update_of_the_ml_api(manifests, env, tfvars):
    """One L4 per node: a rollout surges a pod, which needs a node of its own."""
    deployment = one(manifests[env], "Deployment", "ml-api")
    surge = deployment["spec"]["strategy"]["rollingUpdate"]["maxSurge"]
    scaled = objects(manifests[env], "ScaledObject")
    if "ml-api" in scaled:
        # KEDA's maximum plus the placeholder's spare node; a surge evicts the placeholder.
        most = scaled["ml-api"]["spec"]["maxReplicaCount"] + scaled["gpu-placeholder"]["spec"]["maxReplicaCount"]
        assert tfvars[env]["gpu_pool_max_nodes"] >= most
        assert surge <= scaled["gpu-placeholder"]["spec"]["maxReplicaCount"]
    else:
        assert tfvars[env]["gpu_pool_max_nodes"] >= deployment["spec"]["replicas"] + surge


def _graceful_timeouts() -> dict[str, int]:
    """gunicorn's graceful timeout per service, read from the CLI that starts them."""
    import re

    from tests.deploy.tools import REPO

    sources = [p for p in (REPO / "pictolab_cli" / "main.py", REPO / "pictolab" / "cli.py") if p.is_file()]
    text = next(t for t in (p.read_text() for p in sources) if "def _service_command" in t)
    default = int(re.search(r"def _service_command\(.*?graceful_timeout: int = (\d+)", text, re.DOTALL).group(1))
    timeouts = {}
    for call in re.finditer(r'_service_command\("([\w-]+)",(.*?)\)\n', text, re.DOTALL):
        explicit = re.search(r"graceful_timeout=(\d+)", call.group(2))
        timeouts[call.group(1)] = int(explicit.group(1)) if explicit else default
    assert set(timeouts) == {"bff", "ml-api", "frontend"}, timeouts
    return timeouts


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_serving_containers_pause_before_stopping_within_the_grace_period(manifests, env):
    """A deleted pod keeps serving while the endpoints and the load balancer forget it
    (preStop), then gunicorn drains; the kubelet must not SIGKILL it before it is done."""
    graceful = _graceful_timeouts()
    assert graceful["ml-api"] == 60
    for name in ("frontend", "bff", "ml-api"):
        spec = pod_spec(one(manifests[env], "Deployment", name))
        app = next(c for c in spec["containers"] if c["name"] == name)
        pause = app["lifecycle"]["preStop"]["sleep"]["seconds"]
        assert 5 <= pause <= 30, name
        grace = spec.get("terminationGracePeriodSeconds", 30)
        assert grace > pause + graceful[name], f"{name}: grace {grace} <= {pause} + {graceful[name]}"
    # The load balancer stops sending to a draining endpoint within the pause.
    backend = one(manifests[env], "BackendConfig", "pictolab")
    assert backend["spec"]["connectionDraining"]["drainingTimeoutSec"] <= graceful["bff"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_serving_workload_has_a_disruption_budget_that_allows_a_drain(manifests, env):
    docs = manifests[env]
    pdbs = objects(docs, "PodDisruptionBudget")
    for name in ("frontend", "bff", "ml-api"):
        deployment = one(docs, "Deployment", name)
        pdb = pdbs[name]
        assert pdb["spec"]["selector"]["matchLabels"].items() <= \
            deployment["spec"]["template"]["metadata"]["labels"].items(), name
        # One eviction at a time, never zero (a budget that can never be met blocks node
        # upgrades, e.g. a sandbox's single pod under minAvailable: 1).
        assert "minAvailable" not in pdb["spec"], name
        assert pdb["spec"]["maxUnavailable"] == 1, name
        # ...and in production one more pod than that serves throughout (the web tier; the
        # GPU tier scales to zero outside events and holds its floor during them: keda.yaml).
        hpa = objects(docs, "HorizontalPodAutoscaler").get(name)
        smallest = hpa["spec"]["minReplicas"] if hpa else deployment["spec"].get("replicas", 1)
        if env == "production" and name != "ml-api":
            assert smallest >= 2, name


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_new_bff_pods_migrate_first_and_no_job_needs_deleting(manifests, env):
    spec = pod_spec(one(manifests[env], "Deployment", "bff"))
    names = [c["name"] for c in spec["initContainers"]]
    assert names == ["cloud-sql-proxy", "migrate"], "the migration needs the proxy started first"
    migrate = spec["initContainers"][1]
    assert "restartPolicy" not in migrate, "a one-shot init container: the app starts after it succeeds"
    assert migrate["command"][:4] == ["python", "-m", "bff.schema_version", "migrate"]
    assert migrate["image"] == spec["containers"][0]["image"], "it migrates to the head of the same image"
    assert {s["configMapRef"]["name"].rsplit("-", 1)[0] for s in migrate["envFrom"]} == {"pictolab-config",
                                                                                         "pictolab-bff"}
    deployment = one(manifests[env], "Deployment", "bff")
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    # No Job: a Job's template is immutable, so a new release's `apply -k` would fail on it.
    assert not objects(manifests[env], "Job")
    # The module it runs exists and has that command (tests/bff/test_schema_version.py runs it).
    from bff import schema_version

    assert callable(schema_version.main) and callable(schema_version.migrate)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_gke_runs_the_ml_api_on_cuda(manifests, env):
    config = next(d for d in manifests[env] if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith(
        "pictolab-config"))
    assert config["data"]["PICTOLAB_ML_DEVICE"] == "cuda"
    spec = pod_spec(one(manifests[env], "Deployment", "ml-api"))
    container = spec["containers"][0]
    assert any(src.get("configMapRef", {}).get("name") == config["metadata"]["name"] for src in container["envFrom"])
    assert not any(e["name"] == "PICTOLAB_ML_DEVICE" for e in container.get("env", [])), "no override of the device"
