variable "home_region" {
  description = "Default AWS Region of the provider (global services: IAM, CloudFront, Global Accelerator)."
  type        = string
  default     = "us-east-1"
}

variable "name_prefix" {
  description = "Prefix of every resource name."
  type        = string
  default     = "speechgate"
}

variable "regions" {
  description = "Serving regions; see terraform/modules/topology/variables.tf for every field."
  type        = any
}

variable "networks" {
  description = "Existing VPC per region (same keys as regions); VPCs must reach each other (peering or Transit Gateway) on the node port."
  type = map(object({
    vpc_id             = string
    vpc_cidr           = string
    private_subnet_ids = list(string)
    public_subnet_ids  = optional(list(string), [])
  }))

  validation {
    condition     = alltrue([for name in keys(var.regions) : contains(keys(var.networks), name)])
    error_message = "networks needs an entry for every region."
  }
}

variable "certificate_arns" {
  description = "ACM certificate ARN for api_domain in each region (same keys as regions)."
  type        = map(string)

  validation {
    condition     = alltrue([for name in keys(var.regions) : contains(keys(var.certificate_arns), name)])
    error_message = "certificate_arns needs an entry for every region."
  }
}

variable "api_domain" {
  description = "API hostname, pointed at the accelerator."
  type        = string
}

variable "cdn" {
  description = "CloudFront for signed audio: hostname, us-east-1 ACM certificate, PEM public key, TTLs."
  type = object({
    domain          = string
    certificate_arn = string
    public_key_pem  = string
    default_ttl     = optional(number, 3600)
    max_ttl         = optional(number, 86400)
    price_class     = optional(string, "PriceClass_All")
  })
}

variable "gateway_image" {
  description = "Gateway image (infra/docker/gateway.Dockerfile) in ECR."
  type        = string
}

variable "node_image" {
  description = "Node image (infra/docker/node.Dockerfile) in ECR."
  type        = string
}

variable "voices_uri" {
  description = "s3:// prefix holding the voices synced to every node at boot."
  type        = string
}

variable "internal_auth_secret_parameter" {
  description = "SSM SecureString holding INTERNAL_AUTH_SECRET, present in every serving region; create it before apply."
  type        = string
  default     = "/speechgate/internal-auth-secret"
}

variable "auth" {
  description = "Client JWT verification for the gateways."
  type = object({
    jwks_url = string
    issuer   = string
    audience = optional(string, "speechgate")
  })
}

variable "audio_store" {
  description = "Where gateways keep complete clips for audio URLs: redis (each region's ElastiCache; a URL fetched through another region misses) or s3 (one bucket shared by every region, see audio_bucket)."
  type        = string
  default     = "redis"

  validation {
    condition     = contains(["redis", "s3"], var.audio_store)
    error_message = "audio_store is redis or s3."
  }
}

variable "audio_bucket" {
  description = "With audio_store = \"s3\": the shared bucket's region (null: home_region) and name (null: <name_prefix>-audio-<account id>), the object prefix (S3_PREFIX), the lifecycle expiry and the SSM SecureString name for the gateways' secret key (null: /<name_prefix>/audio-store-s3-secret-access-key)."
  type = object({
    region            = optional(string)
    name              = optional(string)
    prefix            = optional(string, "audio/")
    expire_after_days = optional(number, 7)
    secret_parameter  = optional(string)
  })
  default = {}
}
