output "anycast_ip" {
  description = "Point the API domains' A records here."
  value       = module.edge.ip_address
}

output "gateway_regions" {
  description = "The regions document every gateway runs with (GATEWAY_REGIONS_FILE)."
  value       = module.topology.gateway_regions
}

output "node_endpoints" {
  description = "Internal node load balancer per region."
  value       = { for name, pool in module.pool : name => pool.node_url }
}

output "capacity" {
  description = "GPU node totals for capacity planning."
  value       = module.topology.capacity
}
