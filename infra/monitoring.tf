# Alerting: what pages the operators on the day. Every policy notifies one email channel
# (var.alert_email). The uptime checks reach the workshop host through the load balancer and
# Cloud Armor, which lets Google's uptime-check addresses in (infra/armor.tf).
locals {
  # Public path per service: the frontend serves the SPA at "/"; the Ingress sends the exact
  # path /readyz to the bff (k8s/base/ingress.yaml), which answers it without the venue
  # allow-list (bff/access.py) and only when its database and bucket answer.
  uptime_paths = {
    frontend = "/"
    bff      = "/readyz"
  }

  # The BFF's reconciler logs "run given up after N attempts" (bff/training.py) when a run
  # cannot be finished; the ML API logs "training failed" (ml_api/jobs.py) when training
  # itself fails. Both are JSON lines from pictolab/logging.py: service, logger, message.
  runs_failed_filter = join(" AND ", [
    "resource.type=\"k8s_container\"",
    "resource.labels.namespace_name=\"${local.workload_namespace}\"",
    "((jsonPayload.service=\"bff\" AND jsonPayload.logger=\"bff.training\" AND jsonPayload.message=~\"^run given up\") OR (jsonPayload.service=\"ml_api\" AND jsonPayload.logger=\"ml_api.jobs\" AND jsonPayload.message=~\"^training failed\"))",
  ])
}

resource "google_monitoring_notification_channel" "email" {
  display_name = "${local.prefix} operators"
  type         = "email"
  labels = {
    email_address = var.alert_email
  }

  depends_on = [google_project_service.enabled]
}

resource "google_monitoring_uptime_check_config" "service" {
  for_each = local.uptime_paths

  display_name = "${local.prefix}-${each.key}"
  timeout      = "10s"
  period       = "60s"
  # At least three regions are required; a failure counts only when several regions agree
  # (the alert below), so one checker's bad route does not page anyone.
  selected_regions = ["ASIA_PACIFIC", "USA", "EUROPE"]

  http_check {
    path           = each.value
    port           = 443
    use_ssl        = true
    validate_ssl   = true
    request_method = "GET"
    accepted_response_status_codes {
      status_class = "STATUS_CLASS_2XX"
    }
  }

  monitored_resource {
    type = "uptime_url"
    labels = {
      project_id = var.project_id
      host       = var.uptime_check_host
    }
  }

  depends_on = [google_project_service.enabled]
}

resource "google_monitoring_alert_policy" "uptime" {
  for_each = local.uptime_paths

  display_name = "${local.prefix}: ${each.key} unreachable"
  combiner     = "OR"
  severity     = "CRITICAL"

  conditions {
    display_name = "${each.key} uptime check failing from 2+ regions"
    condition_threshold {
      filter          = "metric.type=\"monitoring.googleapis.com/uptime_check/check_passed\" AND resource.type=\"uptime_url\" AND metric.labels.check_id=\"${google_monitoring_uptime_check_config.service[each.key].uptime_check_id}\""
      comparison      = "COMPARISON_GT"
      threshold_value = 1
      duration        = "120s"
      aggregations {
        alignment_period     = "60s"
        per_series_aligner   = "ALIGN_NEXT_OLDER"
        cross_series_reducer = "REDUCE_COUNT_FALSE"
        group_by_fields      = ["resource.label.project_id", "resource.label.host"]
      }
    }
  }

  documentation {
    content   = "https://${var.uptime_check_host}${each.value} does not answer 2xx. Runbook: docs/deploy.md, Troubleshooting."
    mime_type = "text/markdown"
  }

  notification_channels = [google_monitoring_notification_channel.email.id]
}

resource "google_monitoring_alert_policy" "lb_5xx_ratio" {
  display_name = "${local.prefix}: load balancer 5xx ratio"
  combiner     = "OR"
  severity     = "ERROR"

  conditions {
    display_name = "5xx responses above ${var.alert_5xx_ratio * 100} % for 5 minutes"
    condition_threshold {
      # One project per environment: every HTTPS load balancer rule in it is the workshop's.
      filter             = "metric.type=\"loadbalancing.googleapis.com/https/request_count\" AND resource.type=\"https_lb_rule\" AND metric.labels.response_code_class=500"
      denominator_filter = "metric.type=\"loadbalancing.googleapis.com/https/request_count\" AND resource.type=\"https_lb_rule\""
      comparison         = "COMPARISON_GT"
      threshold_value    = var.alert_5xx_ratio
      duration           = "300s"
      aggregations {
        alignment_period     = "60s"
        per_series_aligner   = "ALIGN_RATE"
        cross_series_reducer = "REDUCE_SUM"
      }
      denominator_aggregations {
        alignment_period     = "60s"
        per_series_aligner   = "ALIGN_RATE"
        cross_series_reducer = "REDUCE_SUM"
      }
    }
  }

  documentation {
    content   = "More than ${var.alert_5xx_ratio * 100} % of requests end in 5xx at the load balancer. Check `kubectl -n pictolab get pods` and the bff logs (docs/deploy.md, Troubleshooting)."
    mime_type = "text/markdown"
  }

  notification_channels = [google_monitoring_notification_channel.email.id]
}

# Counts failed and given-up training runs from the services' JSON logs.
resource "google_logging_metric" "runs_failed" {
  name        = "${local.prefix}-runs-failed"
  description = "Training runs that failed in the ML API or that the BFF gave up on."
  filter      = local.runs_failed_filter

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
    labels {
      key         = "service"
      value_type  = "STRING"
      description = "bff (given up) or ml_api (training failed)"
    }
  }

  label_extractors = {
    service = "EXTRACT(jsonPayload.service)"
  }

  depends_on = [google_project_service.enabled]
}

resource "google_monitoring_alert_policy" "runs_failed" {
  display_name = "${local.prefix}: training runs failing"
  combiner     = "OR"
  severity     = "WARNING"

  conditions {
    display_name = "A run failed or was given up in the last 5 minutes"
    condition_threshold {
      filter          = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.runs_failed.name}\" AND resource.type=\"k8s_container\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["metric.label.service"]
      }
    }
  }

  documentation {
    content   = "A group's training run failed or was given up. Runbook: docs/deploy.md, Troubleshooting, \"A run is stuck or failed\"."
    mime_type = "text/markdown"
  }

  notification_channels = [google_monitoring_notification_channel.email.id]
}

resource "google_monitoring_alert_policy" "cloud_sql" {
  display_name = "${local.prefix}: Cloud SQL CPU or connections"
  combiner     = "OR"
  severity     = "ERROR"

  conditions {
    display_name = "CPU above 80 % for 5 minutes"
    condition_threshold {
      filter          = "metric.type=\"cloudsql.googleapis.com/database/cpu/utilization\" AND resource.type=\"cloudsql_database\" AND resource.labels.database_id=\"${var.project_id}:${google_sql_database_instance.main.name}\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0.8
      duration        = "300s"
      aggregations {
        alignment_period   = "60s"
        per_series_aligner = "ALIGN_MEAN"
      }
    }
  }

  conditions {
    # The connection budget (docs/deploy.md) keeps the pools under max_connections; nearing
    # it means more pods than planned (HPA at its maximum plus a rollout's surge).
    display_name = "Connections above 80 % of max_connections"
    condition_threshold {
      filter          = "metric.type=\"cloudsql.googleapis.com/database/postgresql/num_backends\" AND resource.type=\"cloudsql_database\" AND resource.labels.database_id=\"${var.project_id}:${google_sql_database_instance.main.name}\""
      comparison      = "COMPARISON_GT"
      threshold_value = floor(var.sql_max_connections * 0.8)
      duration        = "120s"
      aggregations {
        alignment_period     = "60s"
        per_series_aligner   = "ALIGN_MAX"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["resource.label.database_id"]
      }
    }
  }

  documentation {
    content   = "Cloud SQL is busy (CPU) or near its connection limit. See docs/deploy.md, connection budget."
    mime_type = "text/markdown"
  }

  notification_channels = [google_monitoring_notification_channel.email.id]
}
