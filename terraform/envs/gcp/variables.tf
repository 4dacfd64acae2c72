variable "project_id" {
  description = "GCP project to deploy into."
  type        = string
}

variable "name_prefix" {
  description = "Prefix of every resource name."
  type        = string
  default     = "speechgate"
}

variable "domains" {
  description = "API hostnames on the anycast address (managed certificate)."
  type        = list(string)
}

variable "regions" {
  description = "Serving regions; see terraform/modules/topology/variables.tf for every field."
  type        = any
}

variable "gateway_image" {
  description = "Gateway image (infra/docker/gateway.Dockerfile) in Artifact Registry."
  type        = string
}

variable "node_image" {
  description = "Node image (infra/docker/node.Dockerfile) in Artifact Registry."
  type        = string
}

variable "voices_uri" {
  description = "gs:// prefix holding the voices synced to every node at boot."
  type        = string
}

variable "internal_auth_secret_id" {
  description = "Secret Manager secret id holding INTERNAL_AUTH_SECRET (at least 16 characters); create it before apply."
  type        = string
  default     = "speechgate-internal-auth"
}

variable "auth" {
  description = "Client JWT verification for the gateways."
  type = object({
    jwks_url = string
    issuer   = string
    audience = optional(string, "speechgate")
  })
}

variable "cdn" {
  description = "Cloud CDN TTLs (seconds) for GET /v1/audio/*."
  type = object({
    default_ttl = optional(number, 3600)
    max_ttl     = optional(number, 86400)
  })
  default = {}
}
