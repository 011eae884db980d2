# The images built from the Dockerfile's targets (frontend, bff, ml-api) are pushed here.
resource "google_artifact_registry_repository" "images" {
  repository_id = "pictolab"
  location      = var.region
  format        = "DOCKER"
  description   = "PictoLab ${var.environment} images"

  docker_config {
    # A tag, once pushed, always names the same image (the overlays deploy by tag).
    immutable_tags = true
  }

  # Keep the last 10 versions of each image; old ML images are ~6 GB each.
  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = 10
    }
  }

  cleanup_policies {
    id     = "delete-old"
    action = "DELETE"
    condition {
      older_than = "2592000s"
    }
  }

  depends_on = [google_project_service.enabled]
}
