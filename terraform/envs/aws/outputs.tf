output "anycast_ips" {
  description = "Global Accelerator's two static IPs."
  value       = module.edge.anycast_ips
}

output "cdn_domain_name" {
  description = "CloudFront domain for the CDN hostname's CNAME."
  value       = module.edge.cdn_domain_name
}

output "cdn_key_pair_id" {
  description = "Key-Pair-Id for signed audio URLs."
  value       = module.edge.cdn_key_pair_id
}

output "gateway_regions" {
  description = "The regions document every gateway runs with (GATEWAY_REGIONS_FILE)."
  value       = module.topology.gateway_regions
}

output "capacity" {
  description = "GPU node totals for capacity planning."
  value       = module.topology.capacity
}

output "audio_bucket" {
  description = "The shared audio bucket's name (audio_store = \"s3\"), or null."
  value       = one(module.audio_bucket[*].bucket)
}
