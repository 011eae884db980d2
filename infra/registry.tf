# One Artifact Registry repository for every environment: Cloud Build (cloudbuild.yaml) builds
# the Dockerfile's targets (frontend, bff, ml-api) once and pushes them here; the overlays pin
# the pushed digests, so the sandbox rehearses exactly what production runs. It lives in
# var.registry_project_id and is created by that project's environment; the others only read.
locals {
  registry_repository_id = "pictolab"
  registry_host          = "${var.region}-docker.pkg.dev"
  image_repository       = "${local.registry_host}/${var.registry_project_id}/${local.registry_repository_id}"
}

resource "google_artifact_registry_repository" "images" {
  count = var.registry_project_id == var.project_id ? 1 : 0

  repository_id = local.registry_repository_id
  location      = var.region
  format        = "DOCKER"
  description   = "PictoLab images (every environment pulls from here)"

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

# Binary Authorization (the cluster enforces the project's policy, gke.tf): pods run images
# from our repository, the Cloud SQL Auth Proxy, the pause image of the GPU placeholder and the
# KEDA and External Secrets operators, nothing else. GKE's own system images are admitted by
# Google's global policy.
resource "google_binary_authorization_policy" "policy" {
  global_policy_evaluation_mode = "ENABLE"

  admission_whitelist_patterns {
    name_pattern = "${local.image_repository}/*"
  }
  admission_whitelist_patterns {
    name_pattern = "gcr.io/cloud-sql-connectors/cloud-sql-proxy:*"
  }
  admission_whitelist_patterns {
    name_pattern = "registry.k8s.io/pause:*"
  }
  admission_whitelist_patterns {
    name_pattern = "ghcr.io/kedacore/*"
  }
  admission_whitelist_patterns {
    name_pattern = "ghcr.io/external-secrets/*"
  }

  default_admission_rule {
    evaluation_mode  = "ALWAYS_DENY"
    enforcement_mode = "ENFORCED_BLOCK_AND_AUDIT_LOG"
  }

  depends_on = [google_project_service.enabled]
}
