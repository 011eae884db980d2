# Cloud Armor, attached to the frontend and bff backends by the GKE BackendConfig
# (k8s/base/ingress.yaml, name from the overlay): the venue's IP ranges get in, rate-limited;
# everyone else gets 403 from the default rule.
locals {
  # A basic match takes at most 10 ranges: one rule per 10 venue ranges.
  venue_cidr_chunks = chunklist(var.venue_cidrs, 10)
}

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
