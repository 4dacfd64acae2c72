output "bucket" {
  description = "The bucket's name (S3_BUCKET)."
  value       = aws_s3_bucket.audio.bucket
}

output "gateway_store" {
  description = "What a gateway group needs for AUDIO_STORE=s3: bucket, region, prefix, the access key id and the SSM parameter holding its secret (present in every parameter_regions entry once this module is applied)."
  value = {
    bucket        = aws_s3_bucket.audio.bucket
    region        = var.region
    prefix        = var.prefix
    access_key_id = aws_iam_access_key.gateway.id
    # Through the resources, so a gateway never boots before its region's parameter exists.
    secret_parameter = one(distinct([for p in aws_ssm_parameter.secret_access_key : p.name]))
  }
}
