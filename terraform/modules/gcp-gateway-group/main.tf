# One region's gateways: a regional managed instance group the global load balancer sends to.

locals {
  gateway_env = {
    port          = var.service.gateway.port
    regions_json  = var.gateway_regions_json
    redis_url     = var.redis_url
    jwks_url      = var.auth.jwks_url
    issuer        = var.auth.issuer
    audience      = var.auth.audience
    log_level     = var.log_level
    otlp          = "http://127.0.0.1:4318"
    project_id    = var.project_id
    secret_id     = var.internal_auth_secret_id
    gateway_image = var.gateway_image
    collector     = var.collector_image
  }
}

resource "google_service_account" "gateway" {
  project      = var.project_id
  account_id   = "${var.region.names.gateway_group}-sa"
  display_name = "Speechgate gateway (${var.region.name})"
}

resource "google_project_iam_member" "gateway" {
  for_each = toset([
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/cloudtrace.agent",
    "roles/artifactregistry.reader",
  ])
  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.gateway.email}"
}

resource "google_secret_manager_secret_iam_member" "gateway" {
  project   = var.project_id
  secret_id = var.internal_auth_secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.gateway.email}"
}

resource "google_compute_instance_template" "gateway" {
  project      = var.project_id
  name_prefix  = "${var.region.names.gateway_group}-"
  region       = var.region.location
  machine_type = var.region.gateway.machine_type
  tags         = [var.gateway_tag]
  labels       = { app = "speechgate", component = "gateway", region = var.region.name }

  disk {
    source_image = var.boot_image
    boot         = true
    auto_delete  = true
    disk_type    = "pd-balanced"
    disk_size_gb = 20
  }

  network_interface {
    subnetwork = var.subnetwork
  }

  service_account {
    email  = google_service_account.gateway.email
    scopes = ["cloud-platform"]
  }

  shielded_instance_config {
    enable_secure_boot = true
  }

  metadata = {
    google-logging-enabled = "true"
    startup-script         = templatefile("${path.module}/templates/gateway-startup.sh.tftpl", local.gateway_env)
    collector-config       = templatefile("${path.module}/templates/collector.yaml.tftpl", local.gateway_env)
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "google_compute_health_check" "gateway_liveness" {
  project             = var.project_id
  name                = "${var.region.names.gateway_group}-live"
  check_interval_sec  = 10
  timeout_sec         = 5
  healthy_threshold   = 1
  unhealthy_threshold = 3

  http_health_check {
    port         = var.service.gateway.port
    request_path = var.service.gateway.liveness_path
  }
}

resource "google_compute_region_instance_group_manager" "gateway" {
  project                   = var.project_id
  name                      = var.region.names.gateway_group
  region                    = var.region.location
  base_instance_name        = var.region.names.gateway_group
  distribution_policy_zones = var.region.zones

  version {
    name              = "primary"
    instance_template = google_compute_instance_template.gateway.id
  }

  named_port {
    name = "http"
    port = var.service.gateway.port
  }

  auto_healing_policies {
    health_check      = google_compute_health_check.gateway_liveness.id
    initial_delay_sec = 120
  }

  update_policy {
    type                  = "PROACTIVE"
    minimal_action        = "REPLACE"
    max_surge_fixed       = length(var.region.zones)
    max_unavailable_fixed = 0
  }
}

resource "google_compute_region_autoscaler" "gateway" {
  project = var.project_id
  name    = "${var.region.names.gateway_group}-as"
  region  = var.region.location
  target  = google_compute_region_instance_group_manager.gateway.id

  autoscaling_policy {
    min_replicas    = var.region.gateway.min
    max_replicas    = var.region.gateway.max
    cooldown_period = 90

    cpu_utilization {
      target = 0.6
    }
  }
}
