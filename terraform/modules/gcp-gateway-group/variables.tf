variable "project_id" {
  description = "GCP project holding the group."
  type        = string
}

variable "region" {
  description = "One value of module.topology.regions."
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

variable "subnetwork" {
  description = "The region's subnet (module.pool[region].subnetwork)."
  type        = string
}

variable "gateway_tag" {
  description = "Network tag of gateway VMs (module.network.tags.gateway)."
  type        = string
}

variable "gateway_image" {
  description = "Gateway container image built from infra/docker/gateway.Dockerfile."
  type        = string
}

variable "gateway_regions_json" {
  description = "module.topology.gateway_regions_json: every region's node endpoints; written to GATEWAY_REGIONS_FILE."
  type        = string
}

variable "redis_url" {
  description = "The region's Redis (module.pool[region].redis_url): rate limits and the audio cache."
  type        = string
}

variable "internal_auth_secret_id" {
  description = "Secret Manager secret (short id) holding INTERNAL_AUTH_SECRET."
  type        = string
}

variable "auth" {
  description = "Client token verification: AUTH_JWKS_URL, AUTH_ISSUER, AUTH_AUDIENCE."
  type = object({
    jwks_url = string
    issuer   = string
    audience = string
  })
}

variable "boot_image" {
  description = "Container-Optimized OS image."
  type        = string
  default     = "projects/cos-cloud/global/images/family/cos-stable"
}

variable "collector_image" {
  description = "OpenTelemetry Collector (contrib) image run beside the gateway."
  type        = string
  default     = "otel/opentelemetry-collector-contrib:0.120.0"
}

variable "log_level" {
  description = "LOG_LEVEL for the gateway."
  type        = string
  default     = "info"
}
