# A private, VPC-native GKE cluster with Workload Identity, Dataplane V2 (enforces the
# NetworkPolicies) and a release channel, plus two node pools: the default pool and an
# autoscaled-from-zero NVIDIA L4 pool, tainted so that only GPU pods land on it.
resource "google_container_cluster" "main" {
  name     = "${local.prefix}-gke"
  location = var.region
  # Node pools are managed below; the default pool is removed right after creation.
  node_locations           = var.zones
  remove_default_node_pool = true
  initial_node_count       = 1
  deletion_protection      = var.deletion_protection

  network         = google_compute_network.vpc.id
  subnetwork      = google_compute_subnetwork.nodes.id
  networking_mode = "VPC_NATIVE"

  ip_allocation_policy {
    cluster_secondary_range_name  = "pods"
    services_secondary_range_name = "services"
  }

  private_cluster_config {
    enable_private_nodes    = true
    enable_private_endpoint = false
    master_ipv4_cidr_block  = var.master_cidr
  }

  master_authorized_networks_config {
    dynamic "cidr_blocks" {
      for_each = var.master_authorized_cidrs
      content {
        cidr_block   = cidr_blocks.value
        display_name = "operators"
      }
    }
  }

  workload_identity_config {
    workload_pool = local.workload_pool
  }

  release_channel {
    channel = var.release_channel
  }

  # The lowest GKE minor the control plane (and so the auto-upgraded node pools) may run:
  # the GPU driver that LATEST installs (below) follows it, and torch's CUDA 13 build needs
  # the R580 branch. The release channel still upgrades past it; it never goes below.
  min_master_version = var.gke_min_version

  # Dataplane V2 enforces NetworkPolicy itself; the legacy Calico add-on must stay off.
  datapath_provider = "ADVANCED_DATAPATH"
  network_policy {
    enabled = false
  }

  enable_shielded_nodes       = true
  enable_intranode_visibility = true

  master_auth {
    client_certificate_config {
      issue_client_certificate = false
    }
  }

  addons_config {
    http_load_balancing {
      disabled = false
    }
    horizontal_pod_autoscaling {
      disabled = false
    }
  }

  binary_authorization {
    evaluation_mode = "PROJECT_SINGLETON_POLICY_ENFORCE"
  }

  # Upgrades happen at night (JST) on weekdays, never during a weekend workshop.
  maintenance_policy {
    recurring_window {
      start_time = "2026-01-05T17:00:00Z"
      end_time   = "2026-01-05T21:00:00Z"
      recurrence = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH"
    }
  }

  logging_config {
    enable_components = ["SYSTEM_COMPONENTS", "WORKLOADS"]
  }

  # Managed Service for Prometheus (the ML API's /metrics through its PodMonitoring), the
  # Deployment and Pod state metrics (replicas available, pods Pending) and the NVIDIA DCGM
  # metrics of the GPU nodes (memory, utilisation): what the ML tier's alerts read
  # (infra/monitoring.tf).
  monitoring_config {
    enable_components = ["SYSTEM_COMPONENTS", "DEPLOYMENT", "POD", "DCGM"]

    managed_prometheus {
      enabled = true
    }
  }

  resource_labels = {
    app         = "pictolab"
    environment = var.environment
  }

  depends_on = [google_project_service.enabled]
}

resource "google_container_node_pool" "default" {
  name     = "default"
  cluster  = google_container_cluster.main.id
  location = var.region

  autoscaling {
    min_node_count = 1
    max_node_count = var.default_pool_max_nodes
  }

  management {
    auto_repair  = true
    auto_upgrade = true
  }

  node_config {
    machine_type    = var.default_machine_type
    image_type      = "COS_CONTAINERD"
    disk_size_gb    = 50
    service_account = google_service_account.nodes.email
    oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]

    workload_metadata_config {
      mode = "GKE_METADATA"
    }

    shielded_instance_config {
      enable_secure_boot          = true
      enable_integrity_monitoring = true
    }

    metadata = {
      disable-legacy-endpoints = "true"
    }
  }
}

resource "google_container_node_pool" "gpu" {
  name     = "gpu-l4"
  cluster  = google_container_cluster.main.id
  location = var.region

  # From zero: an environment with no workshop running pays for no GPU.
  autoscaling {
    total_min_node_count = 0
    total_max_node_count = var.gpu_pool_max_nodes
    location_policy      = "ANY"
  }

  management {
    auto_repair  = true
    auto_upgrade = true
  }

  node_config {
    machine_type    = var.gpu_machine_type
    image_type      = "COS_CONTAINERD"
    disk_size_gb    = 100
    service_account = google_service_account.nodes.email
    oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]

    # Image streaming: a new GPU node starts the ml-api container while the multi-GB image
    # streams in from Artifact Registry (same region), instead of pulling it all first.
    gcfs_config {
      enabled = true
    }

    # The event's reserved L4 machines (var.gpu_reservation), so a zone that has run out of
    # L4s cannot leave the workshop without GPUs; without a reservation, any capacity.
    reservation_affinity {
      consume_reservation_type = var.gpu_reservation == "" ? "ANY_RESERVATION" : "SPECIFIC_RESERVATION"
      key                      = var.gpu_reservation == "" ? null : "compute.googleapis.com/reservation-name"
      values                   = var.gpu_reservation == "" ? null : [var.gpu_reservation]
    }

    guest_accelerator {
      type  = var.gpu_type
      count = 1

      # GKE installs the NVIDIA driver itself (no DaemonSet to apply). The provider accepts
      # DEFAULT, LATEST or INSTALLATION_DISABLED, not a driver number: which driver each
      # installs depends on the node's GKE (COS) version. The ml-api image's torch is a CUDA
      # 13.0 build, which needs driver >= 580. DEFAULT is the conservative branch GKE keeps
      # for a minor (older than 580 on the minors before 1.34, per GKE's driver table);
      # LATEST is the newest branch GKE ships for the minor, the R580 branch from the 1.34
      # minor that var.gke_min_version holds the cluster at or above. LATEST is the only
      # value that can give >= 580; the runbook's smoke test (nvidia-smi) confirms the driver
      # on the first GPU node, and the ml-api stays not ready on an older one.
      gpu_driver_installation_config {
        gpu_driver_version = "LATEST"
      }
    }

    # Only pods that tolerate this (the ml-api) are scheduled on the expensive nodes.
    taint {
      key    = "nvidia.com/gpu"
      value  = "present"
      effect = "NO_SCHEDULE"
    }

    labels = {
      "pictolab/pool" = "gpu"
    }

    workload_metadata_config {
      mode = "GKE_METADATA"
    }

    shielded_instance_config {
      enable_secure_boot          = true
      enable_integrity_monitoring = true
    }

    metadata = {
      disable-legacy-endpoints = "true"
    }
  }
}
