variable "project_id" {
  description = "GCP project holding the load balancer."
  type        = string
}

variable "name_prefix" {
  description = "module.topology's name_prefix."
  type        = string
}

variable "service" {
  description = "module.topology.service: ports, health paths and the cacheable audio prefix."
  type = object({
    gateway           = object({ port = number, liveness_path = string, readiness_path = string, metrics_path = string })
    node              = object({ port = number, liveness_path = string, readiness_path = string, metrics_path = string })
    audio             = object({ path_prefix = string, synthesis_path = string })
    queue_wait_metric = string
  })
}

variable "domains" {
  description = "Hostnames served by the anycast address (managed certificate), e.g. [\"api.example.com\"]."
  type        = list(string)

  validation {
    condition     = length(var.domains) >= 1
    error_message = "At least one domain is needed for the managed certificate."
  }
}

variable "regions" {
  description = "module.topology.regions, for each region's capacity dial and spill-over rate."
  type        = any
}

variable "gateway_groups" {
  description = "Gateway instance group per region (module.gateways[region].instance_group)."
  type        = map(string)
}

variable "cdn" {
  description = "Cloud CDN TTLs for the audio path, in seconds; keep max_ttl below the signed URL lifetime."
  type = object({
    default_ttl = optional(number, 3600)
    max_ttl     = optional(number, 86400)
  })
  default = {}
}
