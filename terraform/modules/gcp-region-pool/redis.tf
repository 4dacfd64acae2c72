# The region's shared audio cache and rate-limit store.
resource "google_redis_instance" "this" {
  project            = var.project_id
  name               = var.region.names.redis
  region             = var.region.location
  location_id        = var.region.zones[0]
  tier               = var.region.redis.gcp_tier
  memory_size_gb     = var.region.redis.memory_gb
  redis_version      = "REDIS_7_2"
  authorized_network = var.network.id
  connect_mode       = "DIRECT_PEERING"
  # Cache entries and rate-limit windows all carry TTLs; evict the least recently used of them.
  redis_configs = {
    maxmemory-policy = "volatile-lru"
  }
}
