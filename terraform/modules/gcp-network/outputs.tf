output "network" {
  description = "The VPC every region's subnet joins."
  value = {
    id        = google_compute_network.this.id
    self_link = google_compute_network.this.self_link
    name      = google_compute_network.this.name
  }
}

output "tags" {
  description = "Network tags the firewall rules target."
  value = {
    gateway = local.gateway_tag
    node    = local.node_tag
  }
}
