locals {
  # Every name starts with this; the k8s overlay of the same environment uses the same names.
  prefix = "pictolab-${var.environment}"

  workload_namespace = "pictolab"
  workload_pool      = "${var.project_id}.svc.id.goog"
}
