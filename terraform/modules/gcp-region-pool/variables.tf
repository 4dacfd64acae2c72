variable "project_id" {
  description = "GCP project holding the pool."
  type        = string
}

variable "name_prefix" {
  description = "module.topology's name_prefix."
  type        = string
}

variable "region" {
  description = "One value of module.topology.regions (naming, sizing, subnet, GPU and Redis settings)."
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
  description = "module.network.network."
  type        = object({ id = string, self_link = string, name = string })
}

variable "node_tag" {
  description = "Network tag of node VMs (module.network.tags.node)."
  type        = string
}

variable "node_image" {
  description = "Node container image built from infra/docker/node.Dockerfile, e.g. europe-docker.pkg.dev/p/speechgate/node:1.2.0."
  type        = string
}

variable "voices_uri" {
  description = "gs:// prefix holding the Piper voices (*.onnx + *.onnx.json); synced to /voices at boot."
  type        = string

  validation {
    condition     = startswith(var.voices_uri, "gs://")
    error_message = "voices_uri must be a gs:// URI."
  }
}

variable "internal_auth_secret_id" {
  description = "Secret Manager secret (short id) holding INTERNAL_AUTH_SECRET, shared with the gateways."
  type        = string
}

variable "boot_image" {
  description = "Container-Optimized OS image; the GPU driver is installed with cos-extensions at boot."
  type        = string
  default     = "projects/cos-cloud/global/images/family/cos-stable"
}

variable "collector_image" {
  description = "OpenTelemetry Collector (contrib) image run beside the node to ship metrics and traces to Cloud Monitoring/Trace."
  type        = string
  default     = "otel/opentelemetry-collector-contrib:0.120.0"
}

variable "node_startup_seconds" {
  description = "Seconds a new node needs for the driver, voice sync, model load and warm-up; autohealing and the autoscaler wait this long."
  type        = number
  default     = 600
}

variable "log_level" {
  description = "LOG_LEVEL for the node."
  type        = string
  default     = "info"
}
