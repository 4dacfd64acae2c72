# Invalid inputs: each run expects the variable validation to reject the plan.

variables {
  cloud = "gcp"
  regions = {
    eu-west = {
      location         = "europe-west4"
      zones            = ["europe-west4-a"]
      gpu_machine_type = "g2-standard-8"
      min_nodes        = 1
      max_nodes        = 4
    }
  }
}

run "baseline_is_valid" {
  command = plan
}

run "rejects_no_regions" {
  command = plan
  variables {
    regions = {}
  }
  expect_failures = [var.regions]
}

run "rejects_uppercase_region_name" {
  command = plan
  variables {
    regions = {
      EU_West = { location = "europe-west4", zones = ["europe-west4-a"], gpu_machine_type = "g2-standard-8", min_nodes = 1, max_nodes = 4 }
    }
  }
  expect_failures = [var.regions]
}

run "rejects_min_above_max" {
  command = plan
  variables {
    regions = {
      eu-west = { location = "europe-west4", zones = ["europe-west4-a"], gpu_machine_type = "g2-standard-8", min_nodes = 5, max_nodes = 4 }
    }
  }
  expect_failures = [var.regions]
}

run "rejects_zone_outside_location" {
  command = plan
  variables {
    regions = {
      eu-west = { location = "europe-west4", zones = ["us-east4-a"], gpu_machine_type = "g2-standard-8", min_nodes = 1, max_nodes = 4 }
    }
  }
  expect_failures = [var.regions]
}

run "rejects_two_regions_in_one_location" {
  command = plan
  variables {
    regions = {
      eu-west-a = { location = "europe-west4", zones = ["europe-west4-a"], gpu_machine_type = "g2-standard-8", min_nodes = 1, max_nodes = 4 }
      eu-west-b = { location = "europe-west4", zones = ["europe-west4-b"], gpu_machine_type = "g2-standard-8", min_nodes = 1, max_nodes = 4 }
    }
  }
  expect_failures = [var.regions]
}

run "rejects_traffic_dial_between_0_and_10" {
  command = plan
  variables {
    regions = {
      eu-west = { location = "europe-west4", zones = ["europe-west4-a"], gpu_machine_type = "g2-standard-8", min_nodes = 1, max_nodes = 4, traffic_dial = 5 }
    }
  }
  expect_failures = [var.regions]
}

run "rejects_zero_weight" {
  command = plan
  variables {
    regions = {
      eu-west = { location = "europe-west4", zones = ["europe-west4-a"], gpu_machine_type = "g2-standard-8", min_nodes = 1, max_nodes = 4, weight = 0 }
    }
  }
  expect_failures = [var.regions]
}

run "rejects_every_region_drained" {
  command = plan
  variables {
    regions = {
      eu-west = { location = "europe-west4", zones = ["europe-west4-a"], gpu_machine_type = "g2-standard-8", min_nodes = 1, max_nodes = 4, drain = true }
    }
  }
  expect_failures = [var.regions]
}

run "rejects_aws_shape_on_gcp" {
  command = plan
  variables {
    regions = {
      eu-west = { location = "europe-west4", zones = ["europe-west4-a"], gpu_machine_type = "g6.xlarge", min_nodes = 1, max_nodes = 4 }
    }
  }
  expect_failures = [var.regions]
}

run "rejects_gcp_shape_on_aws" {
  command = plan
  variables {
    cloud = "aws"
    regions = {
      eu-west = { location = "eu-west-1", zones = ["eu-west-1a"], gpu_machine_type = "g2-standard-8", min_nodes = 1, max_nodes = 4 }
    }
  }
  expect_failures = [var.regions]
}

run "rejects_names_too_long_for_aws" {
  command = plan
  variables {
    name_prefix = "speechgate-prod"
    regions = {
      asia-southeast = { location = "europe-west4", zones = ["europe-west4-a"], gpu_machine_type = "g2-standard-8", min_nodes = 1, max_nodes = 4 }
    }
  }
  expect_failures = [var.regions]
}

run "rejects_odd_gpu_count" {
  command = plan
  variables {
    regions = {
      eu-west = { location = "europe-west4", zones = ["europe-west4-a"], gpu_machine_type = "n1-standard-8", gpu_count = 3, min_nodes = 1, max_nodes = 4 }
    }
  }
  expect_failures = [var.regions]
}

run "rejects_unknown_cloud" {
  command = plan
  variables {
    cloud = "azure"
  }
  expect_failures = [var.cloud]
}

run "rejects_bad_prefix" {
  command = plan
  variables {
    name_prefix = "Speech_Gate"
  }
  expect_failures = [var.name_prefix]
}

run "rejects_node_endpoint_for_unknown_region" {
  command = plan
  variables {
    node_endpoints = { us-east = ["http://10.0.0.5:8081"] }
  }
  expect_failures = [var.node_endpoints]
}

run "rejects_node_endpoint_that_is_not_a_url" {
  command = plan
  variables {
    node_endpoints = { eu-west = ["10.0.0.5:8081"] }
  }
  expect_failures = [var.node_endpoints]
}

run "rejects_small_network" {
  command = plan
  variables {
    network_cidr = "10.64.0.0/24"
  }
  expect_failures = [var.network_cidr]
}
