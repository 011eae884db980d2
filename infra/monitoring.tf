# Alerting: what pages the operators on the day. Every policy notifies the email channel
# (var.alert_email) and, when var.alert_webhook_url is set, the pager/chat webhook. The uptime checks reach the workshop host through the load balancer and
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
  # cannot be finished; the ML API logs "training failed" when training
  # itself fails (ml_api/job_kinds.py). Both are JSON lines from pictolab/logging.py: service, logger, message.
  runs_failed_filter = join(" AND ", [
    "resource.type=\"k8s_container\"",
    "resource.labels.namespace_name=\"${local.workload_namespace}\"",
    "((jsonPayload.service=\"bff\" AND jsonPayload.logger=\"bff.training\" AND jsonPayload.message=~\"^run given up\") OR (jsonPayload.service=\"ml_api\" AND jsonPayload.logger=\"ml_api.job_kinds\" AND jsonPayload.message=~\"^training failed\"))",
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

# The pager or chat tool's incoming webhook, from a variable (empty: none).
resource "google_monitoring_notification_channel" "webhook" {
  count = var.alert_webhook_url == "" ? 0 : 1

  display_name = "${local.prefix} pager webhook"
  # The URL carries the tool's token (its "incoming webhook" address).
  type = "webhook_tokenauth"
  labels = {
    url = var.alert_webhook_url
  }

  depends_on = [google_project_service.enabled]
}

locals {
  alert_channels = concat([google_monitoring_notification_channel.email.id],
  google_monitoring_notification_channel.webhook[*].id)

  # The ML tier's alerts, in PromQL over Managed Service for Prometheus (infra/gke.tf turns on
  # the Deployment/Pod state and DCGM metrics; the ML API's /metrics is scraped through its
  # PodMonitoring). name => [display name, query, duration, what to do].
  ml_alerts = {
    ml_replicas_unavailable = [
      "ML API replicas unavailable",
      "max(kube_deployment_spec_replicas{namespace=\"${local.workload_namespace}\",deployment=\"ml-api\"}) - max(kube_deployment_status_replicas_available{namespace=\"${local.workload_namespace}\",deployment=\"ml-api\"}) > 0",
      "180s",
      "Fewer ml-api replicas are available than KEDA asked for, for 3 minutes. Runbook: docs/deploy.md, Troubleshooting, \"GPU pod Pending\".",
    ]
    gpu_pod_pending = [
      "GPU pod Pending",
      "max(kube_pod_status_phase{namespace=\"${local.workload_namespace}\",pod=~\"ml-api-.*\",phase=\"Pending\"}) > 0",
      "600s",
      "An ml-api pod has waited more than 10 minutes for a GPU node (quota, zone out of L4, reservation). Runbook: docs/deploy.md, Troubleshooting, \"GPU pod Pending\".",
    ]
    queue_waiting = [
      "oldest queued job older than 60 s",
      "max(pictolab_ml_oldest_queued_seconds{namespace=\"${local.workload_namespace}\"}) > 60",
      "60s",
      "A training job has waited over 60 s for a worker: every GPU slot is busy or no replica is up. Runbook: docs/deploy.md, Troubleshooting, \"A run is stuck or failed\".",
    ]
    gpu_memory = [
      "GPU memory above 90 %",
      "max by (node) (DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE)) > 0.9",
      "300s",
      "A GPU node's memory is above 90 % for 5 minutes: the next DEEP run there may fail with out-of-memory. Runbook: docs/deploy.md, Troubleshooting, \"GPU memory\".",
    ]
  }
}

resource "google_monitoring_alert_policy" "ml" {
  for_each = local.ml_alerts

  display_name = "${local.prefix}: ${each.value[0]}"
  combiner     = "OR"
  severity     = "CRITICAL"

  conditions {
    display_name = each.value[0]
    condition_prometheus_query_language {
      query               = each.value[1]
      duration            = each.value[2]
      evaluation_interval = "30s"
    }
  }

  documentation {
    content   = each.value[3]
    mime_type = "text/markdown"
  }

  notification_channels = local.alert_channels
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

  notification_channels = local.alert_channels
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

  notification_channels = local.alert_channels
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

  notification_channels = local.alert_channels
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

  notification_channels = local.alert_channels
}
