# GCP: global external Application Load Balancer (anycast) -> gateways per region ->
# internal load balancer -> GPU nodes per region; Cloud CDN on GET /v1/audio/* only.

module "topology" {
  source = "../../modules/topology"

  cloud       = "gcp"
  name_prefix = var.name_prefix
  regions     = var.regions
  # The real internal load balancer of each region, once it exists.
  node_endpoints = { for name, pool in module.pool : name => [pool.node_url] }
}

module "network" {
  source = "../../modules/gcp-network"

  name_prefix = var.name_prefix
  service     = module.topology.service
}

# One GPU node pool (MIG + autoscaler + internal LB + Memorystore) per topology region.
module "pool" {
  source   = "../../modules/gcp-region-pool"
  for_each = module.topology.regions

  project_id              = var.project_id
  name_prefix             = var.name_prefix
  region                  = each.value
  service                 = module.topology.service
  network                 = module.network.network
  node_tag                = module.network.tags.node
  node_image              = var.node_image
  voices_uri              = var.voices_uri
  internal_auth_secret_id = var.internal_auth_secret_id
}

module "gateways" {
  source   = "../../modules/gcp-gateway-group"
  for_each = module.topology.regions

  project_id              = var.project_id
  region                  = each.value
  service                 = module.topology.service
  subnetwork              = module.pool[each.key].subnetwork
  gateway_tag             = module.network.tags.gateway
  gateway_image           = var.gateway_image
  gateway_regions_json    = module.topology.gateway_regions_json
  redis_url               = module.pool[each.key].redis_url
  internal_auth_secret_id = var.internal_auth_secret_id
  auth                    = var.auth
}

module "edge" {
  source = "../../modules/gcp-edge"

  project_id     = var.project_id
  name_prefix    = var.name_prefix
  service        = module.topology.service
  domains        = var.domains
  regions        = module.topology.regions
  gateway_groups = { for name, g in module.gateways : name => g.instance_group }
  cdn            = var.cdn
}
