output "anycast_ips" {
  description = "The accelerator's two static anycast IPs; point the API domain's A records here."
  value       = flatten([for s in aws_globalaccelerator_accelerator.this.ip_sets : s.ip_addresses])
}

output "accelerator_dns_name" {
  description = "The accelerator's DNS name (a CNAME target for the API domain)."
  value       = aws_globalaccelerator_accelerator.this.dns_name
}

output "cdn_domain_name" {
  description = "CloudFront's domain; point the CDN hostname's CNAME here."
  value       = aws_cloudfront_distribution.audio.domain_name
}

output "cdn_key_pair_id" {
  description = "CloudFront public key id: the Key-Pair-Id the gateway puts in signed audio URLs."
  value       = aws_cloudfront_public_key.audio.id
}
