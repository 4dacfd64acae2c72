variable "region" {
  description = "One value of module.topology.regions; region.location is the AWS Region."
  type        = any
}

variable "service" {
  description = "module.topology.service: ports and health paths the code serves."
  type = object({
    gateway           = object({ port = number, liveness_path = string, readiness_path = string, metrics_path = string })
    node              = object({ port = number, liveness_path = string, readiness_path = string, metrics_path = string })
    audio             = object({ path_prefix = string, synthesis_path = string })
    queue_wait_metric = string
  })
}

variable "network" {
  description = "The region's existing VPC and private subnets."
  type = object({
    vpc_id             = string
    vpc_cidr           = string
    private_subnet_ids = list(string)
    public_subnet_ids  = optional(list(string), [])
  })
}

variable "certificate_arn" {
  description = "ACM certificate in this region for the API domain (the ALB's HTTPS listener; Global Accelerator passes TLS through)."
  type        = string
}

variable "gateway_image" {
  description = "Gateway image (infra/docker/gateway.Dockerfile) in ECR."
  type        = string
}

variable "gateway_regions_json" {
  description = "module.topology.gateway_regions_json, written to GATEWAY_REGIONS_FILE."
  type        = string
}

variable "redis_url" {
  description = "The region's Redis (module.pool[region].redis_url)."
  type        = string
}

variable "internal_auth_secret_parameter" {
  description = "SSM Parameter Store SecureString name holding INTERNAL_AUTH_SECRET."
  type        = string
}

variable "audio_store_s3" {
  description = "Where the gateways keep complete clips: null for the region's Redis (REDIS_URL), or module.audio_bucket[0].gateway_store for a bucket shared by every region (AUDIO_STORE=s3)."
  type = object({
    bucket           = string
    region           = string
    prefix           = string
    access_key_id    = string
    secret_parameter = string
  })
  default = null
}

variable "auth" {
  description = "Client JWT verification: AUTH_JWKS_URL, AUTH_ISSUER, AUTH_AUDIENCE."
  type = object({
    jwks_url = string
    issuer   = string
    audience = string
  })
}

variable "ami_parameter" {
  description = "SSM parameter with the gateway AMI (Amazon Linux 2023)."
  type        = string
  default     = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
}

variable "log_level" {
  description = "LOG_LEVEL for the gateway."
  type        = string
  default     = "info"
}
