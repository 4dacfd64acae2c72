output "instance_group" {
  description = "The gateway instance group, a backend of the global load balancer."
  value       = google_compute_region_instance_group_manager.gateway.instance_group
}

output "service_account" {
  description = "The gateways' service account email."
  value       = google_service_account.gateway.email
}
