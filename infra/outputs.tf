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
  value       = local.image_repository
}

output "workload_service_accounts" {
  description = "Google accounts for the Kubernetes ServiceAccounts' iam.gke.io/gcp-service-account annotation."
  value       = { for name, sa in google_service_account.workload : name => sa.email }
}

output "cluster_name" {
  description = "GKE cluster (gcloud container clusters get-credentials <name> --region <region>)."
  value       = google_container_cluster.main.name
}

output "database_users" {
  description = "IAM database users (PICTOLAB_DATABASE_URL, PICTOLAB_ML_DATABASE_URL and KEDA's connection use them, @ written %40 in URLs)."
  value       = { for name, user in google_sql_user.iam : name => user.name }
}

output "helper_service_accounts" {
  description = "Google accounts of the Kubernetes ServiceAccounts ml-queue-reader (KEDA) and secrets-reader (External Secrets)."
  value = {
    ml-queue-reader = google_service_account.ml_queue.email
    secrets-reader  = google_service_account.secrets.email
  }
}

output "secret_ids" {
  description = "Secret Manager secrets the ExternalSecret pictolab-app reads (k8s/base/secrets.yaml)."
  value       = { for name, s in google_secret_manager_secret.app : name => s.secret_id }
}
