variable "cloud" {
  description = "Which cloud the regions are sized for: gcp, aws, or local (no machine type rules)."
  type        = string
  nullable    = false

  validation {
    condition     = contains(["gcp", "aws", "local"], var.cloud)
    error_message = "cloud must be one of gcp, aws, local."
  }
}

variable "name_prefix" {
  description = "Prefix of every resource name, e.g. speechgate or sg-prod."
  type        = string
  default     = "speechgate"
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,14}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 2-16 characters of lowercase letters, digits and dashes, starting with a letter."
  }
}

variable "network_cidr" {
  description = "Address space split into one /20 (a /12 + 8 bits) per region, in region-name order."
  type        = string
  default     = "10.64.0.0/12"
  nullable    = false

  validation {
    condition     = can(cidrsubnet(var.network_cidr, 8, 0)) && tonumber(split("/", var.network_cidr)[1]) <= 16
    error_message = "network_cidr must be an IPv4 CIDR of /16 or larger."
  }
}

variable "regions" {
  description = <<-EOT
    Serving regions keyed by the name the gateway routes by (lowercase, e.g. eu-west).
    location is the cloud region (europe-west4, eu-west-1); zones are in it.
    target_queue_ms is the queue wait the autoscalers hold; node_rps is what one GPU node
    sustains at that target (measure it with `npm run bench` on the machine type).
    traffic_dial (0 or 10-100) scales the edge's share of traffic; drain takes the region out
    of the gateway's routing and sets the dial to 0 while keeping its machines.
  EOT
  type = map(object({
    location             = string
    zones                = list(string)
    gpu_machine_type     = string
    gpu_type             = optional(string, "nvidia-l4")
    gpu_count            = optional(number, 1)
    min_nodes            = number
    max_nodes            = number
    target_queue_ms      = optional(number, 150)
    node_rps             = optional(number, 4)
    traffic_dial         = optional(number, 100)
    weight               = optional(number, 1)
    drain                = optional(bool, false)
    gateway_machine_type = optional(string)
    gateway_min          = optional(number, 2)
    gateway_max          = optional(number, 10)
    redis_memory_gb      = optional(number, 5)
  }))
  nullable = false

  validation {
    condition     = length(var.regions) >= 1 && length(var.regions) <= 16
    error_message = "regions must hold between 1 and 16 regions."
  }

  validation {
    condition     = alltrue([for k in keys(var.regions) : can(regex("^[a-z][a-z0-9-]*[a-z0-9]$", k))])
    error_message = "Region names must be lowercase letters, digits and dashes (the gateway's [a-z0-9-] format), starting with a letter."
  }

  # Longest derived name is "<prefix>-<region>-node-tg", and AWS target groups allow 32 characters.
  validation {
    condition     = alltrue([for k in keys(var.regions) : length(var.name_prefix) + length(k) <= 22])
    error_message = "name_prefix and region name together must be at most 22 characters (AWS load balancer names are limited to 32)."
  }

  validation {
    condition     = length(distinct([for r in values(var.regions) : r.location])) == length(var.regions)
    error_message = "Each region must use a different cloud location (Global Accelerator allows one endpoint group per AWS Region)."
  }

  validation {
    condition     = alltrue([for r in values(var.regions) : length(r.zones) >= 1 && alltrue([for z in r.zones : startswith(z, r.location)])])
    error_message = "Every region needs at least one zone, and every zone must belong to the region's location."
  }

  validation {
    condition     = alltrue([for r in values(var.regions) : r.min_nodes >= 0 && r.max_nodes >= 1 && r.min_nodes <= r.max_nodes && floor(r.min_nodes) == r.min_nodes && floor(r.max_nodes) == r.max_nodes])
    error_message = "min_nodes and max_nodes must be whole numbers with 0 <= min_nodes <= max_nodes and max_nodes >= 1."
  }

  validation {
    condition     = alltrue([for r in values(var.regions) : contains([1, 2, 4, 8], r.gpu_count)])
    error_message = "gpu_count must be 1, 2, 4 or 8."
  }

  validation {
    condition     = alltrue([for r in values(var.regions) : r.target_queue_ms >= 10 && r.target_queue_ms <= 10000 && r.node_rps > 0])
    error_message = "target_queue_ms must be between 10 and 10000, and node_rps must be positive."
  }

  validation {
    condition     = alltrue([for r in values(var.regions) : r.traffic_dial == 0 || (r.traffic_dial >= 10 && r.traffic_dial <= 100)])
    error_message = "traffic_dial must be 0 or between 10 and 100 (GCP capacity_scaler accepts 0 or 0.1-1.0)."
  }

  validation {
    condition     = alltrue([for r in values(var.regions) : r.weight > 0])
    error_message = "weight must be greater than 0 (the gateway's regions format); use drain = true to take a region out."
  }

  validation {
    condition     = anytrue([for r in values(var.regions) : !r.drain])
    error_message = "At least one region must not be drained."
  }

  validation {
    condition     = alltrue([for r in values(var.regions) : r.gateway_min >= 1 && r.gateway_min <= r.gateway_max])
    error_message = "gateway_min must be at least 1 and at most gateway_max."
  }

  validation {
    condition     = alltrue([for r in values(var.regions) : r.redis_memory_gb >= 1 && r.redis_memory_gb <= 300])
    error_message = "redis_memory_gb must be between 1 and 300."
  }

  validation {
    condition = alltrue([for r in values(var.regions) : (
      var.cloud == "gcp" ? can(regex("^(g2|a2|a3|n1)-", r.gpu_machine_type)) :
      var.cloud == "aws" ? can(regex("^(g4dn|g5|g6|g6e|p4d|p5)\\.", r.gpu_machine_type)) :
      true
    )])
    error_message = "gpu_machine_type must be a GPU shape of the chosen cloud: g2-/a2-/a3-/n1- on gcp, g4dn./g5./g6./g6e./p4d./p5. on aws."
  }
}

variable "node_endpoints" {
  description = "Base URLs of each region's node endpoint (the internal load balancer), keyed by region. Regions left out get http://<name>-node.<internal_domain>:<node port>."
  type        = map(list(string))
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for k in keys(var.node_endpoints) : contains(keys(var.regions), k)])
    error_message = "node_endpoints has a key that is not a region."
  }

  validation {
    condition     = alltrue(flatten([for urls in values(var.node_endpoints) : [for u in urls : can(regex("^https?://[^/\\s]+(/[^\\s]*)?$", u))]])) && alltrue([for urls in values(var.node_endpoints) : length(urls) >= 1])
    error_message = "node_endpoints must map each region to one or more http(s) base URLs."
  }
}

variable "internal_domain" {
  description = "DNS suffix of the default node endpoint names."
  type        = string
  default     = "speechgate.internal"
  nullable    = false
}
