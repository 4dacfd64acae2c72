output "node_url" {
  description = "Base URL of the region's internal node NLB (goes into the gateway regions document)."
  value       = "http://${aws_lb.node.dns_name}:${var.service.node.port}"
}

output "redis_url" {
  description = "REDIS_URL for the region's gateways and nodes (TLS)."
  value       = local.redis_url
}

output "node_asg" {
  description = "The GPU node Auto Scaling group."
  value       = aws_autoscaling_group.node.name
}
