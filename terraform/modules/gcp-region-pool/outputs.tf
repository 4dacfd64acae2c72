output "node_url" {
  description = "Base URL of the region's internal node load balancer (goes into the gateway regions document)."
  value       = "http://${google_compute_forwarding_rule.node.ip_address}:${var.service.node.port}"
}

output "redis_url" {
  description = "REDIS_URL for the region's gateways and nodes."
  value       = "redis://${google_redis_instance.this.host}:${google_redis_instance.this.port}"
}

output "subnetwork" {
  description = "The region's subnet, for the gateway group."
  value       = google_compute_subnetwork.this.id
}

output "node_instance_group" {
  description = "The GPU node managed instance group."
  value       = google_compute_region_instance_group_manager.node.instance_group
}
