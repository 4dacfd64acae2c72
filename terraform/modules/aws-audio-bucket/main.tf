# The audio store shared by every gateway of the fleet (AUDIO_STORE=s3), with the IAM user whose
# static key pair the gateways sign with (the gateway reads credentials from its environment
# only; it does not fetch instance-role credentials).
#
# One bucket for the whole fleet, not one per region: object names are content addresses
# (<prefix><sha-256>.<ext>), so regions never collide and never need each other's copies
# reconciled, and a signed audio URL stays valid whichever region serves it: CloudFront's
# origin is the API hostname behind Global Accelerator, so a URL issued in one region is
# often fetched through another, where a per-region store (Redis) misses. The cost is
# cross-region latency and transfer for the regions away from the bucket, paid once per
# clip (PUT after synthesis, GET on a CDN miss; each gateway also keeps hot clips in process).

locals {
  bucket_name      = coalesce(var.bucket_name, "${var.name_prefix}-audio-${data.aws_caller_identity.current.account_id}")
  secret_parameter = coalesce(var.secret_parameter, "/${var.name_prefix}/audio-store-s3-secret-access-key")
}

data "aws_caller_identity" "current" {}

resource "aws_s3_bucket" "audio" {
  region = var.region
  bucket = local.bucket_name
}

resource "aws_s3_bucket_public_access_block" "audio" {
  region                  = var.region
  bucket                  = aws_s3_bucket.audio.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "audio" {
  region = var.region
  bucket = aws_s3_bucket.audio.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

# SSE-S3: the gateway sends no encryption headers, and a KMS key would need kms:* grants too.
resource "aws_s3_bucket_server_side_encryption_configuration" "audio" {
  region = var.region
  bucket = aws_s3_bucket.audio.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

# Expiry is the bucket's job: the S3 store keeps no TTL of its own.
resource "aws_s3_bucket_lifecycle_configuration" "audio" {
  region = var.region
  bucket = aws_s3_bucket.audio.id

  rule {
    id     = "expire-audio"
    status = "Enabled"

    filter {
      prefix = var.prefix
    }

    expiration {
      days = var.expire_after_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

data "aws_iam_policy_document" "bucket" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.audio.arn,
      "${aws_s3_bucket.audio.arn}/*",
    ]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "audio" {
  region = var.region
  bucket = aws_s3_bucket.audio.id
  policy = data.aws_iam_policy_document.bucket.json

  depends_on = [aws_s3_bucket_public_access_block.audio]
}

# The gateways' identity for the bucket: read and write clips under the prefix, nothing else.
resource "aws_iam_user" "gateway" {
  name = "${var.name_prefix}-audio-store"
  path = "/${var.name_prefix}/"
}

data "aws_iam_policy_document" "gateway" {
  statement {
    sid       = "Clips"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${aws_s3_bucket.audio.arn}/${var.prefix}*"]
  }

  # Only so that GET of a missing clip answers 404 (a miss) rather than 403 (an error). No
  # s3:prefix condition: S3 checks this permission against the GetObject request, which has
  # no s3:prefix, so a conditioned grant would still give 403.
  statement {
    sid       = "MissingIsNotFound"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.audio.arn]
  }
}

resource "aws_iam_user_policy" "gateway" {
  name   = "speechgate-audio-store"
  user   = aws_iam_user.gateway.name
  policy = data.aws_iam_policy_document.gateway.json
}

# The secret lands in Terraform state (as every aws_iam_access_key secret does): keep state
# encrypted and access-controlled. To rotate, `terraform apply -replace=...aws_iam_access_key.gateway`:
# the new key id changes the gateways' user data, so their instance refresh rolls them onto
# the new pair. Gateways not yet replaced when the old key is deleted (end of that apply) fail
# their S3 calls until they are: synthesis skips the store, audio URLs answer 503 (retryable).
resource "aws_iam_access_key" "gateway" {
  user = aws_iam_user.gateway.name

  lifecycle {
    create_before_destroy = true
  }
}

# Read at boot by the gateway's user data, as INTERNAL_AUTH_SECRET is; SSM is regional, so
# one copy per serving region.
resource "aws_ssm_parameter" "secret_access_key" {
  for_each = var.parameter_regions

  region      = each.value
  name        = local.secret_parameter
  description = "S3_SECRET_ACCESS_KEY of the Speechgate gateways' audio store (access key ${aws_iam_access_key.gateway.id})."
  type        = "SecureString"
  value       = aws_iam_access_key.gateway.secret
}
