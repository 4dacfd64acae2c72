# The region's shared audio cache and rate-limit store.

locals {
  redis_url = "rediss://${aws_elasticache_replication_group.this.primary_endpoint_address}:6379"
}

resource "aws_security_group" "redis" {
  region      = var.region.location
  name        = "${var.region.names.redis}-sg"
  description = "Speechgate Redis: gateways and nodes of this region"
  vpc_id      = var.network.vpc_id

  ingress {
    from_port   = 6379
    to_port     = 6379
    protocol    = "tcp"
    cidr_blocks = [var.network.vpc_cidr]
  }
}

resource "aws_elasticache_subnet_group" "this" {
  region     = var.region.location
  name       = var.region.names.redis
  subnet_ids = var.network.private_subnet_ids
}

resource "aws_elasticache_replication_group" "this" {
  region                     = var.region.location
  replication_group_id       = var.region.names.redis
  description                = "Speechgate cache and rate limits (${var.region.name})"
  engine                     = "redis"
  engine_version             = "7.1"
  node_type                  = var.region.redis.aws_node_type
  num_cache_clusters         = var.region.redis.aws_replicas
  automatic_failover_enabled = var.region.redis.automatic_failover
  multi_az_enabled           = var.region.redis.automatic_failover
  port                       = 6379
  subnet_group_name          = aws_elasticache_subnet_group.this.name
  security_group_ids         = [aws_security_group.redis.id]
  at_rest_encryption_enabled = true
  transit_encryption_enabled = true
}
