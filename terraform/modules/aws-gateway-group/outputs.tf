output "alb_arn" {
  description = "The region's gateway ALB, a Global Accelerator endpoint."
  value       = aws_lb.gateway.arn
}

output "alb_dns_name" {
  description = "The ALB's internal DNS name."
  value       = aws_lb.gateway.dns_name
}
