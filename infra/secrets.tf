# The application's secrets, generated here and kept in Secret Manager. The runbook copies
# them into the Kubernetes Secret `pictolab-app` (docs/deploy.md); nothing is committed.
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
    # Through the Cloud SQL Auth Proxy sidecar on localhost (it encrypts to the instance).
    "database-url" = "postgresql+psycopg://${google_sql_user.pictolab.name}:${random_password.database.result}@127.0.0.1:5432/${google_sql_database.pictolab.name}"
  }
}

resource "google_secret_manager_secret" "app" {
  # The names are static: for_each may not be derived from the (sensitive) values.
  for_each = toset(["secret-key", "admin-password", "database-url"])

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
