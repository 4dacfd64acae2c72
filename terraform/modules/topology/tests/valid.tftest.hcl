# Valid inputs: the regions output, the gateway document and the sizing math.
# Provider-free, so these run offline: terraform -chdir=terraform/modules/topology test

variables {
  cloud       = "gcp"
  name_prefix = "sg"
  regions = {
    us-east = {
      location         = "us-east4"
      zones            = ["us-east4-a", "us-east4-c"]
      gpu_machine_type = "g2-standard-8"
      min_nodes        = 2
      max_nodes        = 12
      node_rps         = 5
    }
    eu-west = {
      location         = "europe-west4"
      zones            = ["europe-west4-a", "europe-west4-b", "europe-west4-c"]
      gpu_machine_type = "g2-standard-8"
      min_nodes        = 1
      max_nodes        = 8
      target_queue_ms  = 200
      traffic_dial     = 50
      redis_memory_gb  = 2
    }
    ap-south = {
      location         = "asia-southeast1"
      zones            = ["asia-southeast1-b"]
      gpu_machine_type = "n1-standard-8"
      gpu_type         = "nvidia-tesla-t4"
      min_nodes        = 0
      max_nodes        = 4
      drain            = true
      weight           = 0.5
    }
  }
}

run "one_entry_per_region_sorted" {
  command = plan

  assert {
    condition     = keys(output.regions) == ["ap-south", "eu-west", "us-east"]
    error_message = "regions output must have one entry per input region"
  }

  assert {
    condition     = [for r in output.gateway_regions.regions : r.name] == ["ap-south", "eu-west", "us-east"]
    error_message = "gateway regions must be listed in name order"
  }

  assert {
    condition     = [for n in ["ap-south", "eu-west", "us-east"] : output.regions[n].index] == [0, 1, 2]
    error_message = "indexes follow name order"
  }
}

run "gateway_document_shape" {
  command = plan

  assert {
    condition     = keys(output.gateway_regions) == ["regions"]
    error_message = "the gateway document has exactly one key, regions"
  }

  assert {
    condition     = alltrue([for r in output.gateway_regions.regions : keys(r) == ["drain", "name", "nodes", "weight"]])
    error_message = "each gateway region has exactly name, nodes, weight, drain"
  }

  assert {
    condition     = output.gateway_regions.regions[0].drain == true && output.gateway_regions.regions[0].weight == 0.5
    error_message = "drain and weight are carried through"
  }

  assert {
    condition     = output.gateway_regions.regions[2].nodes == tolist(["http://sg-us-east-node.speechgate.internal:8081"])
    error_message = "a region without a node endpoint gets the default internal name on the node port"
  }

  assert {
    condition     = output.gateway_regions_json == jsonencode(output.gateway_regions)
    error_message = "gateway_regions_json is gateway_regions encoded"
  }
}

run "node_endpoints_override_defaults" {
  command = plan

  variables {
    node_endpoints = {
      eu-west = ["http://10.64.1.10:8081", "http://10.64.1.11:8081"]
    }
  }

  assert {
    condition     = output.gateway_regions.regions[1].nodes == tolist(["http://10.64.1.10:8081", "http://10.64.1.11:8081"])
    error_message = "node_endpoints replace the default for that region"
  }

  assert {
    condition     = output.gateway_regions.regions[0].nodes == tolist(["http://sg-ap-south-node.speechgate.internal:8081"])
    error_message = "other regions keep the default"
  }
}

run "sizing_math" {
  command = plan

  assert {
    condition     = output.regions["us-east"].gpu.queue_occupancy_target == 0.75
    error_message = "queue occupancy = node_rps * target_queue_ms / 1000 (5 * 0.15)"
  }

  assert {
    condition     = output.regions["eu-west"].gpu.target_queue_s == 0.2 && output.regions["eu-west"].gpu.hpa_target_average_value == "200m"
    error_message = "queue targets in seconds and as a Kubernetes quantity"
  }

  assert {
    condition     = output.regions["ap-south"].subnet_cidr == "10.64.0.0/20" && output.regions["eu-west"].subnet_cidr == "10.64.16.0/20" && output.regions["us-east"].subnet_cidr == "10.64.32.0/20"
    error_message = "one /20 per region in name order"
  }

  assert {
    condition     = output.capacity.max_gpu_nodes == 24 && output.capacity.min_gpu_nodes == 3 && output.capacity.serving_regions == ["eu-west", "us-east"]
    error_message = "capacity totals"
  }
}

run "traffic_dial_and_drain" {
  command = plan

  assert {
    condition     = output.regions["eu-west"].traffic.traffic_dial_percentage == 50 && output.regions["eu-west"].traffic.capacity_scaler == 0.5
    error_message = "the dial becomes the GA percentage and the GCP capacity scaler"
  }

  assert {
    condition     = output.regions["ap-south"].traffic.traffic_dial_percentage == 0 && output.regions["ap-south"].traffic.capacity_scaler == 0
    error_message = "a drained region gets no edge traffic"
  }

  assert {
    condition     = output.regions["us-east"].traffic.traffic_dial_percentage == 100
    error_message = "the dial defaults to 100"
  }
}

run "gpu_attachment_and_redis" {
  command = plan

  assert {
    condition     = output.regions["us-east"].gpu.attach_explicitly == false && output.regions["ap-south"].gpu.attach_explicitly == true
    error_message = "g2 shapes bundle their L4; n1 shapes attach the GPU explicitly"
  }

  assert {
    condition     = output.regions["us-east"].redis.gcp_tier == "STANDARD_HA" && output.regions["eu-west"].redis.gcp_tier == "BASIC"
    error_message = "Redis tier follows size"
  }

  assert {
    condition     = output.regions["us-east"].names.node_tg == "sg-us-east-node-tg" && length(output.regions["ap-south"].names.gateway_tg) <= 32
    error_message = "names derive from prefix and region and fit AWS limits"
  }
}

run "aws_sizing" {
  command = plan

  variables {
    cloud = "aws"
    regions = {
      eu-west = {
        location         = "eu-west-1"
        zones            = ["eu-west-1a", "eu-west-1b"]
        gpu_machine_type = "g6.xlarge"
        min_nodes        = 1
        max_nodes        = 6
        redis_memory_gb  = 10
      }
    }
  }

  assert {
    condition     = output.regions["eu-west"].redis.aws_node_type == "cache.m7g.xlarge" && output.regions["eu-west"].redis.aws_replicas == 2
    error_message = "ElastiCache node type is the smallest that holds redis_memory_gb"
  }

  assert {
    condition     = output.regions["eu-west"].gateway.machine_type == "c6i.xlarge" && output.regions["eu-west"].gpu.attach_explicitly == false
    error_message = "AWS defaults"
  }
}

run "service_contract" {
  command = plan

  assert {
    condition     = output.service.node.port == 8081 && output.service.gateway.port == 8080
    error_message = "ports are the code's defaults (test/infra checks them against the zod schemas)"
  }

  assert {
    condition     = startswith(output.service.audio.synthesis_path, output.service.audio.path_prefix)
    error_message = "POST /v1/audio/speech shares the audio prefix, which is why the edge routes it away from the CDN explicitly"
  }
}
