variable "project_id" {
  type        = string
  description = "GCP project that holds one workshop environment (one project per environment)."
}

variable "environment" {
  type        = string
  description = "Environment name; prefixes every resource (pictolab-<environment>-...) and matches k8s/overlays/<environment>."

  validation {
    condition     = contains(["sandbox", "production"], var.environment)
    error_message = "environment must be sandbox or production (one k8s overlay each)."
  }
}

variable "region" {
  type        = string
  description = "Region of the cluster, database, bucket and registry; it must offer NVIDIA L4 GPUs (g2 machines)."
  default     = "asia-northeast1"
}

variable "zones" {
  type        = list(string)
  description = "Zones of the region that the node pools use; each must offer the GPU type."
  default     = ["asia-northeast1-a", "asia-northeast1-c"]
}

variable "venue_cidrs" {
  type        = list(string)
  description = "The venue's public IP ranges (CIDR). Cloud Armor lets these in and denies everything else with 403. Also set PICTOLAB_ALLOWED_CIDRS in the overlay to the same list."

  validation {
    condition     = length(var.venue_cidrs) > 0 && alltrue([for c in var.venue_cidrs : can(cidrhost(c, 0))])
    error_message = "venue_cidrs must be a non-empty list of valid CIDR ranges (an empty list would lock everyone out)."
  }

  validation {
    condition     = !anytrue([for c in var.venue_cidrs : endswith(c, "/0")])
    error_message = "venue_cidrs must not contain a /0 range: only the venue may get in."
  }
}

variable "rate_limit_requests_per_minute" {
  type        = number
  description = "Requests per minute one client IP may send before Cloud Armor answers 429. A venue is one NAT address shared by every iPad: 30 iPads send at most 1,280/min (bench/polling.py, docs/benchmarks.md \"Requests per iPad\"); the default keeps 3x headroom over the 2,200/min reported for the older app."
  default     = 7200

  validation {
    condition     = var.rate_limit_requests_per_minute >= 6600
    error_message = "rate_limit_requests_per_minute must keep 3x headroom over 30 iPads behind one address (2,200/min measured before the polling cuts): at least 6600."
  }
}

variable "registry_project_id" {
  type        = string
  description = "Project holding the one Artifact Registry repository (pictolab) that Cloud Build pushes to and every environment pulls from, so sandbox and production run the same image digests. The environment whose project_id equals it creates the repository."
}

variable "gpu_reservation" {
  type        = string
  description = "Name of a Compute Engine reservation of g2 machines (NVIDIA L4) covering the event window, in one of var.zones, created with --require-specific-reservation (docs/deploy.md, GPU capacity). Empty: the GPU pool takes any matching reservation or on-demand capacity."
  default     = ""
}

variable "alert_webhook_url" {
  type        = string
  description = "Pager or chat webhook (an HTTPS URL, e.g. the on-call tool's incoming webhook) that every alert notifies besides alert_email. Empty: email only."
  default     = ""
  sensitive   = true

  validation {
    condition     = var.alert_webhook_url == "" || startswith(var.alert_webhook_url, "https://")
    error_message = "alert_webhook_url must be empty or an https:// URL."
  }
}

variable "master_authorized_cidrs" {
  type        = list(string)
  description = "Ranges (the operators' networks) allowed to reach the GKE control plane."
}

variable "network_cidr" {
  type        = string
  description = "Primary range of the cluster subnet (nodes)."
  default     = "10.10.0.0/20"
}

variable "pods_cidr" {
  type        = string
  description = "Secondary range for pods (VPC-native cluster)."
  default     = "10.20.0.0/16"
}

variable "services_cidr" {
  type        = string
  description = "Secondary range for Services (VPC-native cluster)."
  default     = "10.30.0.0/20"
}

variable "master_cidr" {
  type        = string
  description = "A /28 for the private GKE control plane endpoint."
  default     = "172.16.0.0/28"
}

variable "release_channel" {
  type        = string
  description = "GKE release channel (REGULAR or STABLE for a workshop: no surprises on the day)."
  default     = "REGULAR"

  validation {
    condition     = contains(["RAPID", "REGULAR", "STABLE"], var.release_channel)
    error_message = "release_channel must be RAPID, REGULAR or STABLE."
  }
}

variable "gke_min_version" {
  type        = string
  description = "Lowest GKE version of the cluster (a minor such as 1.34, or a full version). From 1.34 the GPU pool's LATEST driver is the R580 branch that the ml-api's CUDA 13.0 torch build needs (infra/gke.tf)."
  default     = "1.34"

  validation {
    condition     = can(regex("^1\\.(3[4-9]|[4-9][0-9])(\\..*)?$", var.gke_min_version))
    error_message = "gke_min_version must be 1.34 or later: older GKE versions install a GPU driver older than 580, which torch's CUDA 13.0 build refuses."
  }
}

variable "default_machine_type" {
  type        = string
  description = "Machine type of the default node pool (frontend, bff, system pods)."
  default     = "e2-standard-4"
}

variable "default_pool_max_nodes" {
  type        = number
  description = "Upper bound of the default node pool's autoscaler, per zone."
  default     = 3
}

variable "gpu_machine_type" {
  type        = string
  description = "Machine type of the GPU node pool (g2-standard-8: 8 vCPU, 32 GB, one L4)."
  default     = "g2-standard-8"
}

variable "gpu_type" {
  type        = string
  description = "GPU accelerator type; the ml-api Deployment selects it (cloud.google.com/gke-accelerator)."
  default     = "nvidia-l4"
}

variable "gpu_pool_max_nodes" {
  type        = number
  description = "Upper bound of the GPU pool's autoscaler, in total over the zones. The pool scales from 0 so an idle environment costs no GPU."
  default     = 2
}

variable "sql_tier" {
  type        = string
  description = "Cloud SQL machine tier."
  default     = "db-custom-1-3840"
}

variable "sql_max_connections" {
  type        = number
  description = "PostgreSQL max_connections flag of Cloud SQL. 100 is Cloud SQL's default for the 3.75 GB tier; the bff pools, migration Job and reconciler must fit under it (docs/deploy.md, connection budget)."
  default     = 100

  validation {
    condition     = var.sql_max_connections >= 50 && var.sql_max_connections <= 1000
    error_message = "sql_max_connections must be between 50 and 1000 (more needs a larger sql_tier)."
  }
}

variable "sql_high_availability" {
  type        = bool
  description = "REGIONAL (standby in another zone) Cloud SQL instead of ZONAL."
  default     = false
}

variable "photo_retention_days" {
  type        = number
  description = "Days after which every object in the photo bucket (photos, models, embeddings) is deleted, in case `pictolab purge` was forgotten."
  default     = 14

  validation {
    condition     = var.photo_retention_days >= 1 && var.photo_retention_days <= 90
    error_message = "photo_retention_days must be between 1 and 90: children's photos are not kept longer."
  }
}

variable "deletion_protection" {
  type        = bool
  description = "Protects the cluster and database from `terraform destroy`. Set false (and apply) only to tear an environment down."
  default     = true
}

variable "alert_email" {
  type        = string
  description = "Email address of the operators' on-call list: the Cloud Monitoring notification channel every alert policy (infra/monitoring.tf) notifies."

  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alert_email))
    error_message = "alert_email must be an email address."
  }
}

variable "uptime_check_host" {
  type        = string
  description = "The workshop's host name (the overlay's Ingress host), probed over HTTPS by the uptime checks. Cloud Armor lets the uptime checkers' ranges in (infra/armor.tf)."
}

variable "alert_5xx_ratio" {
  type        = number
  description = "Share of load balancer responses that may be 5xx over 5 minutes before an alert fires (0.05 = 5 %)."
  default     = 0.05
}

variable "export_requests_per_minute" {
  description = "Cloud Armor: requests per minute one address may send to the model-export paths (/m/, /model-page/), open to every address. A model is about 10 requests (page, scripts, model.json, weights, metadata)."
  type        = number
  default     = 120
}
