# The global entry point: one anycast IP, a managed certificate and a URL map that sends
# GET /v1/audio/* to a CDN-enabled backend and everything else to an uncached one. Both
# backends hold every region's gateways; Google sends each client to the nearest region
# with capacity and spills over when a region's rate is reached.

resource "google_compute_global_address" "this" {
  project = var.project_id
  name    = "${var.name_prefix}-ip"
}

resource "google_compute_managed_ssl_certificate" "this" {
  project = var.project_id
  name    = "${var.name_prefix}-cert"

  managed {
    domains = var.domains
  }
}

resource "google_compute_health_check" "gateway" {
  project             = var.project_id
  name                = "${var.name_prefix}-gw-ready"
  check_interval_sec  = 5
  timeout_sec         = 3
  healthy_threshold   = 2
  unhealthy_threshold = 2

  http_health_check {
    port         = var.service.gateway.port
    request_path = var.service.gateway.readiness_path
  }
}

# Keeps the Prometheus endpoint off the internet.
resource "google_compute_security_policy" "api" {
  project = var.project_id
  name    = "${var.name_prefix}-api"

  rule {
    action   = "deny(404)"
    priority = 1000
    match {
      expr {
        expression = "request.path == '${var.service.gateway.metrics_path}'"
      }
    }
  }

  rule {
    action   = "allow"
    priority = 2147483647
    match {
      versioned_expr = "SRC_IPS_V1"
      config {
        src_ip_ranges = ["*"]
      }
    }
  }
}

resource "google_compute_backend_service" "api" {
  project               = var.project_id
  name                  = "${var.name_prefix}-api"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  protocol              = "HTTP"
  port_name             = "http"
  timeout_sec           = 120
  health_checks         = [google_compute_health_check.gateway.id]
  security_policy       = google_compute_security_policy.api.id
  enable_cdn            = false

  dynamic "backend" {
    for_each = var.gateway_groups
    content {
      group           = backend.value
      balancing_mode  = "RATE"
      max_rate        = var.regions[backend.key].gpu.max_rps_at_target
      capacity_scaler = var.regions[backend.key].traffic.capacity_scaler
    }
  }

  log_config {
    enable      = true
    sample_rate = 0.1
  }
}

resource "google_compute_backend_service" "audio" {
  project               = var.project_id
  name                  = "${var.name_prefix}-audio"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  protocol              = "HTTP"
  port_name             = "http"
  timeout_sec           = 30
  health_checks         = [google_compute_health_check.gateway.id]
  enable_cdn            = true

  cdn_policy {
    # Audio is static content: cached for default_ttl unless the gateway sends Cache-Control.
    cache_mode       = "CACHE_ALL_STATIC"
    default_ttl      = var.cdn.default_ttl
    max_ttl          = var.cdn.max_ttl
    negative_caching = false

    # The signature stays in the key: a URL is only served to whoever holds a valid one.
    cache_key_policy {
      include_host           = true
      include_protocol       = false
      include_query_string   = true
      query_string_whitelist = ["exp", "sig"]
    }
  }

  dynamic "backend" {
    for_each = var.gateway_groups
    content {
      group           = backend.value
      balancing_mode  = "RATE"
      max_rate        = var.regions[backend.key].gpu.max_rps_at_target
      capacity_scaler = var.regions[backend.key].traffic.capacity_scaler
    }
  }

  log_config {
    enable      = true
    sample_rate = 0.1
  }
}

resource "google_compute_url_map" "https" {
  project         = var.project_id
  name            = "${var.name_prefix}-https"
  default_service = google_compute_backend_service.api.id

  host_rule {
    hosts        = ["*"]
    path_matcher = "speechgate"
  }

  path_matcher {
    name            = "speechgate"
    default_service = google_compute_backend_service.api.id

    # The longest matching path wins: POST /v1/audio/speech stays on the uncached backend.
    path_rule {
      paths   = [var.service.audio.synthesis_path]
      service = google_compute_backend_service.api.id
    }

    path_rule {
      paths   = ["${var.service.audio.path_prefix}*"]
      service = google_compute_backend_service.audio.id
    }
  }
}

resource "google_compute_target_https_proxy" "this" {
  project          = var.project_id
  name             = "${var.name_prefix}-https"
  url_map          = google_compute_url_map.https.id
  ssl_certificates = [google_compute_managed_ssl_certificate.this.id]
}

resource "google_compute_global_forwarding_rule" "https" {
  project               = var.project_id
  name                  = "${var.name_prefix}-https"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  ip_protocol           = "TCP"
  port_range            = "443"
  ip_address            = google_compute_global_address.this.id
  target                = google_compute_target_https_proxy.this.id
}

resource "google_compute_url_map" "http_redirect" {
  project = var.project_id
  name    = "${var.name_prefix}-http-redirect"

  default_url_redirect {
    https_redirect = true
    strip_query    = false
  }
}

resource "google_compute_target_http_proxy" "redirect" {
  project = var.project_id
  name    = "${var.name_prefix}-http-redirect"
  url_map = google_compute_url_map.http_redirect.id
}

resource "google_compute_global_forwarding_rule" "http" {
  project               = var.project_id
  name                  = "${var.name_prefix}-http"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  ip_protocol           = "TCP"
  port_range            = "80"
  ip_address            = google_compute_global_address.this.id
  target                = google_compute_target_http_proxy.redirect.id
}
