# CloudFront in front of the same API hostname, caching GET /v1/audio/* only. Viewers need a
# CloudFront-signed URL (trusted key group), checked at the edge; the gateway's own exp/sig
# query parameters are forwarded to the origin but kept out of the cache key, so every signed
# URL for one audio key shares one cache entry.

data "aws_cloudfront_cache_policy" "disabled" {
  name = "Managed-CachingDisabled"
}

resource "aws_cloudfront_public_key" "audio" {
  name        = "${var.name_prefix}-audio"
  comment     = "Verifies signed audio URLs"
  encoded_key = var.cdn.public_key_pem
}

resource "aws_cloudfront_key_group" "audio" {
  name  = "${var.name_prefix}-audio"
  items = [aws_cloudfront_public_key.audio.id]
}

resource "aws_cloudfront_cache_policy" "audio" {
  name        = "${var.name_prefix}-audio"
  min_ttl     = 0
  default_ttl = var.cdn.default_ttl
  max_ttl     = var.cdn.max_ttl

  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_gzip   = false
    enable_accept_encoding_brotli = false

    cookies_config {
      cookie_behavior = "none"
    }
    headers_config {
      header_behavior = "none"
    }
    query_strings_config {
      query_string_behavior = "none"
    }
  }
}

resource "aws_cloudfront_origin_request_policy" "audio" {
  name = "${var.name_prefix}-audio"

  cookies_config {
    cookie_behavior = "none"
  }
  headers_config {
    header_behavior = "none"
  }
  query_strings_config {
    query_string_behavior = "whitelist"
    query_strings {
      items = ["exp", "sig"]
    }
  }
}

resource "aws_cloudfront_distribution" "audio" {
  enabled         = true
  is_ipv6_enabled = true
  comment         = "Speechgate signed audio"
  aliases         = [var.cdn.domain]
  price_class     = var.cdn.price_class
  http_version    = "http2and3"

  origin {
    origin_id   = "speechgate-api"
    domain_name = var.api_domain

    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
      origin_read_timeout    = 60
    }
  }

  # The only cached path.
  ordered_cache_behavior {
    path_pattern             = "${var.service.audio.path_prefix}*"
    target_origin_id         = "speechgate-api"
    allowed_methods          = ["GET", "HEAD"]
    cached_methods           = ["GET", "HEAD"]
    viewer_protocol_policy   = "https-only"
    cache_policy_id          = aws_cloudfront_cache_policy.audio.id
    origin_request_policy_id = aws_cloudfront_origin_request_policy.audio.id
    trusted_key_groups       = [aws_cloudfront_key_group.audio.id]
    compress                 = false
  }

  # Everything else on this hostname passes through uncached.
  default_cache_behavior {
    target_origin_id       = "speechgate-api"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    viewer_protocol_policy = "https-only"
    cache_policy_id        = data.aws_cloudfront_cache_policy.disabled.id
    compress               = false
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    acm_certificate_arn      = var.cdn.certificate_arn
    ssl_support_method       = "sni-only"
    minimum_protocol_version = "TLSv1.2_2021"
  }
}
