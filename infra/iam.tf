# Least-privilege Google service accounts. The workloads use them through Workload Identity
# (no keys): Kubernetes account pictolab/<name> acts as <prefix>-<name>@.
#   nodes   logs, metrics, image pulls from our repository
#   bff     Cloud SQL client + objects in the photo bucket (and the migration Job)
#   ml-api  objects in the photo bucket
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

resource "google_artifact_registry_repository_iam_member" "nodes_pull" {
  location   = google_artifact_registry_repository.images.location
  repository = google_artifact_registry_repository.images.name
  role       = "roles/artifactregistry.reader"
  member     = "serviceAccount:${google_service_account.nodes.email}"
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

resource "google_project_iam_member" "bff_sql_client" {
  project = var.project_id
  role    = "roles/cloudsql.client"
  member  = "serviceAccount:${google_service_account.workload["bff"].email}"
}
