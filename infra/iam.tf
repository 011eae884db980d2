# Least-privilege Google service accounts. The workloads use them through Workload Identity
# (no keys): Kubernetes account pictolab/<name> acts as <prefix>-<name>@.
#   nodes   logs, metrics, image pulls from our repository
#   bff       Cloud SQL client + instance user (database pictolab), objects in the photo bucket
#   ml-api    Cloud SQL client + instance user (database pictolab_ml), objects in the photo bucket
#   ml-queue  Cloud SQL client + instance user: KEDA's reader of the ML job queue
#   secrets   Secret Manager accessor on the app's secrets (the External Secrets Operator)
resource "google_service_account" "nodes" {
  account_id   = "${local.prefix}-nodes"
  display_name = "PictoLab ${var.environment} GKE nodes"
}

resource "google_project_iam_member" "nodes" {
  for_each = toset([
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/stackdriver.resourceMetadata.writer",
    "roles/autoscaling.metricsWriter",
  ])

  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.nodes.email}"
}

# The one repository (registry.tf), possibly in another project: this environment's nodes pull from it.
resource "google_artifact_registry_repository_iam_member" "nodes_pull" {
  project    = var.registry_project_id
  location   = var.region
  repository = local.registry_repository_id
  role       = "roles/artifactregistry.reader"
  member     = "serviceAccount:${google_service_account.nodes.email}"

  depends_on = [google_artifact_registry_repository.images]
}

resource "google_service_account" "workload" {
  for_each = toset(["bff", "ml-api"])

  account_id   = "${local.prefix}-${each.key}"
  display_name = "PictoLab ${var.environment} ${each.key} (Workload Identity)"
}

resource "google_service_account_iam_member" "workload_identity" {
  for_each = google_service_account.workload

  service_account_id = each.value.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:${local.workload_pool}[${local.workload_namespace}/${each.key}]"

  # The pool exists once the cluster does.
  depends_on = [google_container_cluster.main]
}

# Both services read and write workshop objects; the grant is on the bucket, not the project.
resource "google_storage_bucket_iam_member" "workload_objects" {
  for_each = google_service_account.workload

  bucket = google_storage_bucket.photos.name
  role   = "roles/storage.objectUser"
  member = "serviceAccount:${each.value.email}"
}

# Connect through the Auth Proxy (client) and log in with IAM (instanceUser): the bff, the
# ML API and KEDA's queue reader, each as its own database user (sql.tf).
resource "google_project_iam_member" "sql_client" {
  for_each = local.iam_database_users

  project = var.project_id
  role    = "roles/cloudsql.client"
  member  = "serviceAccount:${each.value}"
}

resource "google_project_iam_member" "sql_instance_user" {
  for_each = local.iam_database_users

  project = var.project_id
  role    = "roles/cloudsql.instanceUser"
  member  = "serviceAccount:${each.value}"
}

# KEDA's reader of the ML job queue (k8s/overlays/production/keda.yaml, ml-queue-reader).
resource "google_service_account" "ml_queue" {
  account_id   = "${local.prefix}-ml-queue"
  display_name = "PictoLab ${var.environment} KEDA queue reader (Workload Identity)"
}

# The External Secrets Operator's reader of the app's secrets (k8s/base/secrets.yaml).
resource "google_service_account" "secrets" {
  account_id   = "${local.prefix}-secrets"
  display_name = "PictoLab ${var.environment} secrets reader (Workload Identity)"
}

resource "google_service_account_iam_member" "helper_workload_identity" {
  for_each = {
    ml-queue-reader = google_service_account.ml_queue.name
    secrets-reader  = google_service_account.secrets.name
  }

  service_account_id = each.value
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:${local.workload_pool}[${local.workload_namespace}/${each.key}]"

  depends_on = [google_container_cluster.main]
}
