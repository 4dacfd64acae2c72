output "service" {
  description = "Ports, health paths and the cacheable audio prefix the code serves; provider modules take it as var.service."
  value       = local.service
}

output "regions" {
  description = "Per-region sizing and naming, keyed by region name; for_each over it to build one pool per region."
  value       = local.regions
}

output "gateway_regions" {
  description = "The gateway's regions configuration (GATEWAY_REGIONS), as an object; jsonencode it."
  value       = local.gateway_regions
}

output "gateway_regions_json" {
  description = "gateway_regions, JSON-encoded for an environment variable or a file."
  value       = jsonencode(local.gateway_regions)
}

output "helm_values" {
  description = "Per-region values for infra/helm/speechgate (helm upgrade -f)."
  value = {
    for name, r in local.regions : name => {
      region = name
      gateway = {
        autoscaling = { minReplicas = r.gateway.min, maxReplicas = r.gateway.max }
        regions     = local.gateway_regions
      }
      node = {
        gpuCount = r.gpu.count
        autoscaling = {
          minReplicas        = max(r.gpu.min_nodes, 1)
          maxReplicas        = r.gpu.max_nodes
          targetAverageValue = r.gpu.hpa_target_average_value
        }
      }
    }
  }
}

output "capacity" {
  description = "Totals for capacity planning and cost estimates."
  value = {
    regions         = length(local.regions)
    min_gpu_nodes   = sum([for r in values(local.regions) : r.gpu.min_nodes])
    max_gpu_nodes   = sum([for r in values(local.regions) : r.gpu.max_nodes])
    max_gpus        = sum([for r in values(local.regions) : r.gpu.max_gpus])
    max_rps         = sum([for r in values(local.regions) : r.gpu.max_rps_at_target])
    serving_regions = [for name in local.region_names : name if !local.regions[name].traffic.drain]
  }
}
