locals {
  # Sorted names give every region a stable index (subnet number, order in the gateway config).
  region_names = sort(keys(var.regions))

  default_gateway_machine_type = {
    gcp   = "n2-standard-4"
    aws   = "c6i.xlarge"
    local = "local"
  }

  # Accelerator-optimized GCP shapes (a2, a3, g2) come with their GPUs; only n1 attaches them.
  gpu_bundled_prefixes = ["g2-", "a2-", "a3-"]

  # ElastiCache node types by usable memory (GiB), smallest first.
  aws_cache_node_types = [
    { memory_gb = 3, node_type = "cache.t4g.medium" },
    { memory_gb = 6, node_type = "cache.m7g.large" },
    { memory_gb = 12, node_type = "cache.m7g.xlarge" },
    { memory_gb = 26, node_type = "cache.m7g.2xlarge" },
    { memory_gb = 52, node_type = "cache.m7g.4xlarge" },
    { memory_gb = 105, node_type = "cache.m7g.8xlarge" },
    { memory_gb = 300, node_type = "cache.m7g.16xlarge" },
  ]

  regions = {
    for idx, name in local.region_names : name => {
      name     = name
      index    = idx
      location = var.regions[name].location
      zones    = var.regions[name].zones

      names = {
        base          = "${var.name_prefix}-${name}"
        node_pool     = "${var.name_prefix}-${name}-node"
        node_lb       = "${var.name_prefix}-${name}-node-lb"
        node_tg       = "${var.name_prefix}-${name}-node-tg"
        gateway_group = "${var.name_prefix}-${name}-gw"
        gateway_lb    = "${var.name_prefix}-${name}-gw-lb"
        gateway_tg    = "${var.name_prefix}-${name}-gw-tg"
        redis         = "${var.name_prefix}-${name}-redis"
        subnet        = "${var.name_prefix}-${name}-subnet"
      }
      subnet_cidr   = cidrsubnet(var.network_cidr, 8, idx)
      node_hostname = "${var.name_prefix}-${name}-node.${var.internal_domain}"

      gpu = {
        machine_type      = var.regions[name].gpu_machine_type
        type              = var.regions[name].gpu_type
        count             = var.regions[name].gpu_count
        attach_explicitly = var.cloud == "gcp" && !anytrue([for p in local.gpu_bundled_prefixes : startswith(var.regions[name].gpu_machine_type, p)])
        min_nodes         = var.regions[name].min_nodes
        max_nodes         = var.regions[name].max_nodes
        max_gpus          = var.regions[name].max_nodes * var.regions[name].gpu_count
        target_queue_ms   = var.regions[name].target_queue_ms
        target_queue_s    = var.regions[name].target_queue_ms / 1000
        node_rps          = var.regions[name].node_rps
        max_rps_at_target = var.regions[name].max_nodes * var.regions[name].node_rps
        # Little's law: a node serving node_rps requests/s with mean wait W holds node_rps * W
        # requests in its queue on average, which is the rate of tts_queue_wait_seconds_sum.
        # VM autoscalers that only see per-instance rates hold this occupancy.
        queue_occupancy_target = var.regions[name].node_rps * var.regions[name].target_queue_ms / 1000
        # Kubernetes HPA target for the prometheus-adapter metric (a Quantity, in milli-seconds).
        hpa_target_average_value = "${var.regions[name].target_queue_ms}m"
      }

      gateway = {
        machine_type = coalesce(var.regions[name].gateway_machine_type, local.default_gateway_machine_type[var.cloud])
        min          = var.regions[name].gateway_min
        max          = var.regions[name].gateway_max
      }

      traffic = {
        weight = var.regions[name].weight
        drain  = var.regions[name].drain
        # The edge's share follows the gateway's drain flag, so both layers agree.
        traffic_dial_percentage = var.regions[name].drain ? 0 : var.regions[name].traffic_dial
        capacity_scaler         = (var.regions[name].drain ? 0 : var.regions[name].traffic_dial) / 100
      }

      redis = {
        memory_gb          = var.regions[name].redis_memory_gb
        gcp_tier           = var.regions[name].redis_memory_gb >= 5 ? "STANDARD_HA" : "BASIC"
        aws_node_type      = [for t in local.aws_cache_node_types : t.node_type if t.memory_gb >= var.regions[name].redis_memory_gb][0]
        aws_replicas       = var.regions[name].redis_memory_gb >= 5 ? 2 : 1
        automatic_failover = var.regions[name].redis_memory_gb >= 5
      }
    }
  }

  node_urls = {
    for name, r in local.regions : name => lookup(
      var.node_endpoints,
      name,
      ["http://${r.node_hostname}:${local.service.node.port}"],
    )
  }

  # Exactly the gateway's GATEWAY_REGIONS document.
  gateway_regions = {
    regions = [
      for name in local.region_names : {
        name   = name
        nodes  = local.node_urls[name]
        weight = local.regions[name].traffic.weight
        drain  = local.regions[name].traffic.drain
      }
    ]
  }
}
