# Photos, models and embeddings of children's workshops: private, uniform access, public
# access prevention enforced, and deleted after the retention period even if nobody runs
# `pictolab purge`. No object versioning: a deleted photo must really be gone.
resource "google_storage_bucket" "photos" {
  name                        = "${var.project_id}-photos"
  location                    = var.region
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  # Teardown (deletion_protection = false) empties the bucket with the rest.
  force_destroy = !var.deletion_protection

  versioning {
    enabled = false
  }

  # Everything the workshop wrote (photos, runs, cached embeddings) expires.
  lifecycle_rule {
    condition {
      age = var.photo_retention_days
    }
    action {
      type = "Delete"
    }
  }

  # "Try it" photos are deleted right after the prediction; this catches any left behind.
  lifecycle_rule {
    condition {
      age            = 1
      matches_prefix = ["workshop/tmp/"]
    }
    action {
      type = "Delete"
    }
  }

  soft_delete_policy {
    retention_duration_seconds = 0
  }

  depends_on = [google_project_service.enabled]
}
