variable "name_prefix" {
  description = "Prefix of every resource name (module.topology's name_prefix)."
  type        = string
}

variable "service" {
  description = "module.topology.service: the ports the firewall opens."
  type = object({
    gateway           = object({ port = number, liveness_path = string, readiness_path = string, metrics_path = string })
    node              = object({ port = number, liveness_path = string, readiness_path = string, metrics_path = string })
    audio             = object({ path_prefix = string, synthesis_path = string })
    queue_wait_metric = string
  })
}
