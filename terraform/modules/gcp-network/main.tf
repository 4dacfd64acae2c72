locals {
  gateway_tag = "${var.name_prefix}-gateway"
  node_tag    = "${var.name_prefix}-node"
  # Google's load balancer and health checker ranges.
  health_check_ranges = ["35.191.0.0/16", "130.211.0.0/22"]
}

resource "google_compute_network" "this" {
  name                    = "${var.name_prefix}-vpc"
  auto_create_subnetworks = false
  # Global routing so a gateway in one region reaches the node load balancers of every other.
  routing_mode = "GLOBAL"
}

resource "google_compute_firewall" "health_checks" {
  name          = "${var.name_prefix}-allow-health-checks"
  network       = google_compute_network.this.id
  direction     = "INGRESS"
  source_ranges = local.health_check_ranges
  target_tags   = [local.gateway_tag, local.node_tag]

  allow {
    protocol = "tcp"
    ports    = [tostring(var.service.gateway.port), tostring(var.service.node.port)]
  }
}

resource "google_compute_firewall" "gateway_to_node" {
  name        = "${var.name_prefix}-allow-gateway-to-node"
  network     = google_compute_network.this.id
  direction   = "INGRESS"
  source_tags = [local.gateway_tag]
  target_tags = [local.node_tag]

  allow {
    protocol = "tcp"
    ports    = [tostring(var.service.node.port)]
  }
}
