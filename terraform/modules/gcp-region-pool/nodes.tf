# The region's GPU node pool: one regional managed instance group, scaled on queue wait,
# behind an internal passthrough load balancer that gateways in every region can reach.

locals {
  node_env = {
    port        = var.service.node.port
    region      = var.region.name
    redis_url   = "redis://${google_redis_instance.this.host}:${google_redis_instance.this.port}"
    log_level   = var.log_level
    otlp        = "http://127.0.0.1:4318"
    project_id  = var.project_id
    secret_id   = var.internal_auth_secret_id
    node_image  = var.node_image
    voices_uri  = var.voices_uri
    collector   = var.collector_image
    metric_name = var.service.queue_wait_metric
  }
}

resource "google_compute_instance_template" "node" {
  project      = var.project_id
  name_prefix  = "${var.region.names.node_pool}-"
  region       = var.region.location
  machine_type = var.region.gpu.machine_type
  tags         = [var.node_tag]
  labels       = { app = "speechgate", component = "node", region = var.region.name }

  disk {
    source_image = var.boot_image
    boot         = true
    auto_delete  = true
    disk_type    = "pd-balanced"
    disk_size_gb = 100
  }

  network_interface {
    subnetwork = google_compute_subnetwork.this.id
  }

  # g2/a2/a3 shapes carry their GPUs; n1 shapes attach them here.
  dynamic "guest_accelerator" {
    for_each = var.region.gpu.attach_explicitly ? [1] : []
    content {
      type  = var.region.gpu.type
      count = var.region.gpu.count
    }
  }

  scheduling {
    # GPU VMs cannot live-migrate.
    on_host_maintenance = "TERMINATE"
    automatic_restart   = true
  }

  service_account {
    email  = google_service_account.node.email
    scopes = ["cloud-platform"]
  }

  shielded_instance_config {
    enable_secure_boot = true
  }

  metadata = {
    google-logging-enabled = "true"
    startup-script         = templatefile("${path.module}/templates/node-startup.sh.tftpl", local.node_env)
    collector-config       = templatefile("${path.module}/templates/collector.yaml.tftpl", local.node_env)
  }

  lifecycle {
    create_before_destroy = true
  }
}

# Liveness for autohealing: the process answers even while the model loads.
resource "google_compute_region_health_check" "node_liveness" {
  project             = var.project_id
  name                = "${var.region.names.node_pool}-live"
  region              = var.region.location
  check_interval_sec  = 10
  timeout_sec         = 5
  healthy_threshold   = 1
  unhealthy_threshold = 6

  http_health_check {
    port         = var.service.node.port
    request_path = var.service.node.liveness_path
  }
}

# Readiness for traffic: 503 until the voices are loaded and warm.
resource "google_compute_region_health_check" "node_readiness" {
  project             = var.project_id
  name                = "${var.region.names.node_pool}-ready"
  region              = var.region.location
  check_interval_sec  = 5
  timeout_sec         = 3
  healthy_threshold   = 2
  unhealthy_threshold = 2

  http_health_check {
    port         = var.service.node.port
    request_path = var.service.node.readiness_path
  }
}

resource "google_compute_region_instance_group_manager" "node" {
  project                          = var.project_id
  name                             = var.region.names.node_pool
  region                           = var.region.location
  base_instance_name               = var.region.names.node_pool
  distribution_policy_zones        = var.region.zones
  distribution_policy_target_shape = "BALANCED"

  version {
    name              = "primary"
    instance_template = google_compute_instance_template.node.id
  }

  named_port {
    name = "node"
    port = var.service.node.port
  }

  auto_healing_policies {
    health_check      = google_compute_region_health_check.node_liveness.id
    initial_delay_sec = var.node_startup_seconds
  }

  # Surge first so a voice or image roll never lowers capacity (needs GPU quota for the surge).
  update_policy {
    type                         = "PROACTIVE"
    minimal_action               = "REPLACE"
    instance_redistribution_type = "NONE"
    max_surge_fixed              = length(var.region.zones)
    max_unavailable_fixed        = 0
    replacement_method           = "SUBSTITUTE"
  }
}

resource "google_compute_region_autoscaler" "node" {
  project = var.project_id
  name    = "${var.region.names.node_pool}-as"
  region  = var.region.location
  target  = google_compute_region_instance_group_manager.node.id

  autoscaling_policy {
    min_replicas    = var.region.gpu.min_nodes
    max_replicas    = var.region.gpu.max_nodes
    cooldown_period = var.node_startup_seconds

    # Per-instance rate of tts_queue_wait_seconds_sum = mean requests waiting (Little's law);
    # the collector beside each node extracts the sum from the histogram.
    metric {
      name   = "workload.googleapis.com/${var.service.queue_wait_metric}_sum"
      type   = "DELTA_PER_SECOND"
      target = var.region.gpu.queue_occupancy_target
    }

    scale_in_control {
      time_window_sec = 600
      max_scaled_in_replicas {
        fixed = 1
      }
    }
  }
}

resource "google_compute_region_backend_service" "node" {
  project               = var.project_id
  name                  = var.region.names.node_lb
  region                = var.region.location
  load_balancing_scheme = "INTERNAL"
  protocol              = "TCP"
  health_checks         = [google_compute_region_health_check.node_readiness.id]

  backend {
    group          = google_compute_region_instance_group_manager.node.instance_group
    balancing_mode = "CONNECTION"
  }
}

resource "google_compute_forwarding_rule" "node" {
  project               = var.project_id
  name                  = var.region.names.node_lb
  region                = var.region.location
  load_balancing_scheme = "INTERNAL"
  backend_service       = google_compute_region_backend_service.node.id
  ip_protocol           = "TCP"
  ports                 = [tostring(var.service.node.port)]
  network               = var.network.id
  subnetwork            = google_compute_subnetwork.this.id
  # Gateways in other regions score and call this region's nodes.
  allow_global_access = true
}
