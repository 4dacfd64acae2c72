# AWS: Global Accelerator (two anycast IPs) -> gateway ALB per region -> internal NLB ->
# GPU Auto Scaling group per region; CloudFront with signed URLs on GET /v1/audio/* only.

module "topology" {
  source = "../../modules/topology"

  cloud          = "aws"
  name_prefix    = var.name_prefix
  regions        = var.regions
  node_endpoints = { for name, pool in module.pool : name => [pool.node_url] }
}

# One GPU node pool (ASG + scaling policy + internal NLB + ElastiCache) per topology region.
module "pool" {
  source   = "../../modules/aws-region-pool"
  for_each = module.topology.regions

  region                         = each.value
  service                        = module.topology.service
  network                        = var.networks[each.key]
  gateway_cidrs                  = [for n in values(var.networks) : n.vpc_cidr]
  node_image                     = var.node_image
  voices_uri                     = var.voices_uri
  internal_auth_secret_parameter = var.internal_auth_secret_parameter
}

module "gateways" {
  source   = "../../modules/aws-gateway-group"
  for_each = module.topology.regions

  region                         = each.value
  service                        = module.topology.service
  network                        = var.networks[each.key]
  certificate_arn                = var.certificate_arns[each.key]
  gateway_image                  = var.gateway_image
  gateway_regions_json           = module.topology.gateway_regions_json
  redis_url                      = module.pool[each.key].redis_url
  internal_auth_secret_parameter = var.internal_auth_secret_parameter
  auth                           = var.auth
  audio_store_s3                 = one(module.audio_bucket[*].gateway_store)
}

# With audio_store = "s3": the bucket every region's gateways share (the module says why one),
# an IAM user whose key pair they sign with, and its secret in SSM in each serving region.
module "audio_bucket" {
  source = "../../modules/aws-audio-bucket"
  count  = var.audio_store == "s3" ? 1 : 0

  name_prefix       = var.name_prefix
  region            = coalesce(var.audio_bucket.region, var.home_region)
  bucket_name       = var.audio_bucket.name
  prefix            = var.audio_bucket.prefix
  expire_after_days = var.audio_bucket.expire_after_days
  secret_parameter  = var.audio_bucket.secret_parameter
  parameter_regions = toset([for r in values(module.topology.regions) : r.location])
}

module "edge" {
  source = "../../modules/aws-edge"

  name_prefix  = var.name_prefix
  service      = module.topology.service
  regions      = module.topology.regions
  gateway_albs = { for name, g in module.gateways : name => g.alb_arn }
  api_domain   = var.api_domain
  cdn          = var.cdn
}
