# The names the k8s overlay of this environment uses (tests/deploy checks they agree).
output "security_policy_name" {
  description = "Cloud Armor policy: BackendConfig spec.securityPolicy.name."
  value       = google_compute_security_policy.venue_only.name
}

output "bucket_name" {
  description = "Photo bucket: PICTOLAB_STORAGE_URL=gs://<bucket>/workshop."
  value       = google_storage_bucket.photos.name
}

output "sql_connection_name" {
  description = "Cloud SQL instance: CLOUD_SQL_CONNECTION_NAME for the Auth Proxy sidecar."
  value       = google_sql_database_instance.main.connection_name
}

output "ingress_address_name" {
  description = "Global address: Ingress annotation kubernetes.io/ingress.global-static-ip-name."
  value       = google_compute_global_address.ingress.name
}

output "ingress_ip" {
  description = "The address to point the workshop's DNS name at."
  value       = google_compute_global_address.ingress.address
}

output "ssl_policy_name" {
  description = "TLS policy: FrontendConfig spec.sslPolicy."
  value       = google_compute_ssl_policy.ingress.name
}

output "image_repository" {
  description = "Artifact Registry path; images are <repository>/<Dockerfile target>:<tag>."
  value       = "${google_artifact_registry_repository.images.location}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.images.repository_id}"
}

output "workload_service_accounts" {
  description = "Google accounts for the Kubernetes ServiceAccounts' iam.gke.io/gcp-service-account annotation."
  value       = { for name, sa in google_service_account.workload : name => sa.email }
}

output "cluster_name" {
  description = "GKE cluster (gcloud container clusters get-credentials <name> --region <region>)."
  value       = google_container_cluster.main.name
}

output "secret_ids" {
  description = "Secret Manager secrets the runbook copies into the Kubernetes Secret pictolab-app."
  value       = { for name, s in google_secret_manager_secret.app : name => s.secret_id }
}
