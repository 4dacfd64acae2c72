variable "name_prefix" {
  description = "module.topology's name_prefix."
  type        = string
}

variable "service" {
  description = "module.topology.service: health paths and the cacheable audio prefix."
  type = object({
    gateway           = object({ port = number, liveness_path = string, readiness_path = string, metrics_path = string })
    node              = object({ port = number, liveness_path = string, readiness_path = string, metrics_path = string })
    audio             = object({ path_prefix = string, synthesis_path = string })
    queue_wait_metric = string
  })
}

variable "regions" {
  description = "module.topology.regions: AWS Region and traffic dial of each endpoint group."
  type        = any
}

variable "gateway_albs" {
  description = "Gateway ALB ARN per region (module.gateways[region].alb_arn)."
  type        = map(string)
}

variable "api_domain" {
  description = "API hostname whose DNS points at the accelerator; also CloudFront's origin (the ALB certificates must cover it)."
  type        = string
}

variable "cdn" {
  description = "CloudFront for GET /v1/audio/*: its hostname, a us-east-1 ACM certificate, the PEM public key whose private half signs audio URLs, and TTLs."
  type = object({
    domain          = string
    certificate_arn = string
    public_key_pem  = string
    default_ttl     = optional(number, 3600)
    max_ttl         = optional(number, 86400)
    price_class     = optional(string, "PriceClass_All")
  })
}
