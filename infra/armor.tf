# Cloud Armor, attached to the frontend and bff backends by the GKE BackendConfig
# (k8s/base/ingress.yaml, name from the overlay): the venue's IP ranges get in, rate-limited;
# everyone else gets 403 from the default rule.
locals {
  # A basic match takes at most 10 ranges: one rule per 10 venue ranges.
  venue_cidr_chunks = chunklist(var.venue_cidrs, 10)

  # Google's uptime checkers (infra/monitoring.tf) probe from a published set of addresses,
  # which the provider reads; as host ranges, 10 per rule like the venue's.
  uptime_checker_chunks = chunklist(sort([
    for checker in data.google_monitoring_uptime_check_ips.checkers.uptime_check_ips :
    strcontains(checker.ip_address, ":") ? "${checker.ip_address}/128" : "${checker.ip_address}/32"
  ]), 10)
}

data "google_monitoring_uptime_check_ips" "checkers" {}

resource "google_compute_security_policy" "venue_only" {
  name        = "${local.prefix}-venue-only"
  description = "PictoLab ${var.environment}: venue IP ranges only, rate limited; everything else 403."
  type        = "CLOUD_ARMOR"

  # Known exploit probes (Log4Shell and friends) are refused even from the venue.
  rule {
    action      = "deny(403)"
    priority    = 100
    description = "Block known CVE exploit attempts"
    match {
      expr {
        expression = "evaluatePreconfiguredExpr('cve-canary')"
      }
    }
  }

  # The venue: allowed while under the rate limit, 429 above it. One NAT address usually
  # carries the whole room, hence a per-IP limit sized for all its iPads.
  dynamic "rule" {
    for_each = local.venue_cidr_chunks
    content {
      action      = "throttle"
      priority    = 1000 + rule.key
      description = "Venue ranges (${rule.key + 1}/${length(local.venue_cidr_chunks)}): allow, rate limited"
      match {
        versioned_expr = "SRC_IPS_V1"
        config {
          src_ip_ranges = rule.value
        }
      }
      rate_limit_options {
        conform_action = "allow"
        exceed_action  = "deny(429)"
        enforce_on_key = "IP"
        rate_limit_threshold {
          count        = var.rate_limit_requests_per_minute
          interval_sec = 60
        }
      }
    }
  }

  # Google's uptime checkers: let in so the availability alerts see what a venue iPad sees.
  # Other Google Cloud customers' uptime checks come from the same addresses, so they get no
  # more than that: the static SPA and the health endpoints (the bff's own allow-list,
  # PICTOLAB_ALLOWED_CIDRS, still answers 403 to everything else), at a low rate (a check
  # probes once a minute from each region).
  dynamic "rule" {
    for_each = local.uptime_checker_chunks
    content {
      action      = "throttle"
      priority    = 500 + rule.key
      description = "Google uptime checkers (${rule.key + 1}/${length(local.uptime_checker_chunks)}): allow, rate limited"
      match {
        versioned_expr = "SRC_IPS_V1"
        config {
          src_ip_ranges = rule.value
        }
      }
      rate_limit_options {
        conform_action = "allow"
        exceed_action  = "deny(429)"
        enforce_on_key = "IP"
        rate_limit_threshold {
          count        = 60
          interval_sec = 60
        }
      }
    }
  }

  # Take-home models (TrainingRun.exportUrl): a child opens the link at home and Scratch
  # loads it from anywhere, so these paths are let in from every address, rate-limited per
  # address. They reveal no photo: model.json, weights, metadata.json, model.zip and the model
  # page (its scripts under /model-page/), behind an unguessable token per run.
  rule {
    action      = "throttle"
    priority    = 1900
    description = "Model exports and the model page: everyone, rate limited"
    match {
      expr {
        expression = "request.path.startsWith('/m/') || request.path.startsWith('/model-page/')"
      }
    }
    rate_limit_options {
      conform_action = "allow"
      exceed_action  = "deny(429)"
      enforce_on_key = "IP"
      rate_limit_threshold {
        count        = var.export_requests_per_minute
        interval_sec = 60
      }
    }
  }

  # Default rule: everything not matched above.
  rule {
    action      = "deny(403)"
    priority    = 2147483647
    description = "Default: deny everyone outside the venue"
    match {
      versioned_expr = "SRC_IPS_V1"
      config {
        src_ip_ranges = ["*"]
      }
    }
  }

  depends_on = [google_project_service.enabled]
}
