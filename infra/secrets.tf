# The application's secrets, generated here and kept in Secret Manager. The External Secrets
# Operator keeps the Kubernetes Secret `pictolab-app` in step with them (k8s/base/secrets.yaml):
# nobody copies them by hand, nothing is committed. There is no database password (sql.tf).
resource "random_password" "secret_key" {
  length  = 64
  special = false
}

resource "random_password" "admin_password" {
  length  = 16
  special = false
}

locals {
  app_secrets = {
    "secret-key"     = random_password.secret_key.result
    "admin-password" = random_password.admin_password.result
  }
}

resource "google_secret_manager_secret" "app" {
  # The names are static: for_each may not be derived from the (sensitive) values.
  for_each = toset(["secret-key", "admin-password"])

  secret_id = "${local.prefix}-${each.key}"

  replication {
    user_managed {
      replicas {
        location = var.region
      }
    }
  }

  depends_on = [google_project_service.enabled]
}

resource "google_secret_manager_secret_version" "app" {
  for_each = google_secret_manager_secret.app

  secret      = each.value.id
  secret_data = local.app_secrets[each.key]
}

# Only the secrets reader (the External Secrets Operator's identity) reads them.
resource "google_secret_manager_secret_iam_member" "reader" {
  for_each = google_secret_manager_secret.app

  secret_id = each.value.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.secrets.email}"
}
