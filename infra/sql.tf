# Cloud SQL for PostgreSQL: private IP only (reached through the Cloud SQL Auth Proxy sidecar),
# TLS with client certificates required, daily backups with point-in-time recovery, deletion
# protection. Logins are Google service accounts (IAM database authentication): no password.
resource "google_sql_database_instance" "main" {
  name                = "${local.prefix}-pg"
  database_version    = "POSTGRES_16"
  region              = var.region
  deletion_protection = var.deletion_protection

  settings {
    tier                        = var.sql_tier
    edition                     = "ENTERPRISE"
    availability_type           = var.sql_high_availability ? "REGIONAL" : "ZONAL"
    deletion_protection_enabled = var.deletion_protection
    disk_autoresize             = true
    disk_type                   = "PD_SSD"

    ip_configuration {
      ipv4_enabled                                  = false
      private_network                               = google_compute_network.vpc.id
      enable_private_path_for_google_cloud_services = true
      # Only the Cloud SQL connectors (the Auth Proxy) get in: TLS with client certificates.
      ssl_mode = "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"
    }

    backup_configuration {
      enabled                        = true
      start_time                     = "18:00"
      point_in_time_recovery_enabled = true
      transaction_log_retention_days = 7

      backup_retention_settings {
        retained_backups = 7
        retention_unit   = "COUNT"
      }
    }

    maintenance_window {
      day          = 1
      hour         = 18
      update_track = "stable"
    }

    insights_config {
      query_insights_enabled  = true
      record_application_tags = false
      record_client_address   = false
    }

    # Explicit, not the tier's memory-based default, so that the connection budget in
    # docs/deploy.md (tests/deploy/test_capacity.py) checks the overlays against a known number.
    database_flags {
      name  = "max_connections"
      value = tostring(var.sql_max_connections)
    }
    database_flags {
      name  = "log_checkpoints"
      value = "on"
    }
    database_flags {
      name  = "log_connections"
      value = "on"
    }
    database_flags {
      name  = "log_disconnections"
      value = "on"
    }
    database_flags {
      name  = "log_hostname"
      value = "on"
    }
    database_flags {
      name  = "log_duration"
      value = "on"
    }
    database_flags {
      name  = "log_lock_waits"
      value = "on"
    }
    database_flags {
      name  = "log_min_messages"
      value = "error"
    }
    database_flags {
      name  = "log_min_error_statement"
      value = "error"
    }
    database_flags {
      name  = "log_temp_files"
      value = "0"
    }
    database_flags {
      name  = "log_min_duration_statement"
      value = "-1"
    }
    database_flags {
      name  = "log_statement"
      value = "ddl"
    }
    database_flags {
      name  = "cloudsql.enable_pgaudit"
      value = "on"
    }
    # The workloads log in as their Google service accounts (the proxy's --auto-iam-authn).
    database_flags {
      name  = "cloudsql.iam_authentication"
      value = "on"
    }
  }

  depends_on = [google_service_networking_connection.private_services]
}

resource "google_sql_database" "pictolab" {
  name     = "pictolab"
  instance = google_sql_database_instance.main.name
}

# The ML API's job queue: a database of its own on the same instance (the ML API never reads
# the bff's). `pictolab ml-db upgrade` (the ml-api pod's init container) creates its tables.
resource "google_sql_database" "ml" {
  name     = "pictolab_ml"
  instance = google_sql_database_instance.main.name
}

# One IAM database user per Google service account: the bff (database pictolab), the ML API
# (pictolab_ml) and KEDA's queue reader (SELECT on pictolab_ml's tables). PostgreSQL names
# them <account>@<project>.iam. Their privileges are granted once (docs/deploy.md, step 2b).
locals {
  iam_database_users = {
    bff      = google_service_account.workload["bff"].email
    ml-api   = google_service_account.workload["ml-api"].email
    ml-queue = google_service_account.ml_queue.email
  }
}

resource "google_sql_user" "iam" {
  for_each = local.iam_database_users

  name     = trimsuffix(each.value, ".gserviceaccount.com")
  instance = google_sql_database_instance.main.name
  type     = "CLOUD_IAM_SERVICE_ACCOUNT"
}
