# What the GKE Ingress (k8s/base/ingress.yaml) refers to by name: the global address it
# listens on and the TLS policy of its HTTPS proxy. The load balancer itself is made by GKE.
resource "google_compute_global_address" "ingress" {
  name = "${local.prefix}-ip"

  depends_on = [google_project_service.enabled]
}

resource "google_compute_ssl_policy" "ingress" {
  name            = "${local.prefix}-tls"
  profile         = "MODERN"
  min_tls_version = "TLS_1_2"

  depends_on = [google_project_service.enabled]
}
