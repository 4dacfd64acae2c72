variable "region" {
  description = "One value of module.topology.regions; region.location is the AWS Region every resource here is created in (AWS provider 6 per-resource region)."
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
  description = "The region's existing VPC and private subnets (one per zone)."
  type = object({
    vpc_id             = string
    vpc_cidr           = string
    private_subnet_ids = list(string)
    public_subnet_ids  = optional(list(string), [])
  })
}

variable "gateway_cidrs" {
  description = "CIDRs of every region's VPC: gateways anywhere may call this region's nodes (VPCs joined by peering or Transit Gateway)."
  type        = list(string)
}

variable "node_image" {
  description = "Node image (infra/docker/node.Dockerfile) in ECR."
  type        = string
}

variable "voices_uri" {
  description = "s3:// prefix holding the voices synced to /voices at boot."
  type        = string

  validation {
    condition     = startswith(var.voices_uri, "s3://")
    error_message = "voices_uri must be an s3:// URI."
  }
}

variable "internal_auth_secret_parameter" {
  description = "SSM Parameter Store SecureString name holding INTERNAL_AUTH_SECRET, replicated in this region."
  type        = string
}

variable "gpu_ami_parameter" {
  description = "SSM parameter with the GPU AMI (NVIDIA driver, Docker and the container toolkit preinstalled)."
  type        = string
  default     = "/aws/service/deeplearning/ami/x86_64/base-oss-nvidia-driver-gpu-ubuntu-22.04/latest/ami-id"
}

variable "collector_image" {
  description = "OpenTelemetry Collector (contrib) image run beside the node."
  type        = string
  default     = "otel/opentelemetry-collector-contrib:0.120.0"
}

variable "node_startup_seconds" {
  description = "Seconds a new node needs for voice sync, model load and warm-up."
  type        = number
  default     = 600
}

variable "log_level" {
  description = "LOG_LEVEL for the node."
  type        = string
  default     = "info"
}
