variable "name_prefix" {
  description = "module.topology's name_prefix: names the bucket (unless bucket_name is set), the IAM user and the SSM parameter."
  type        = string
}

variable "region" {
  description = "AWS Region of the bucket (S3_REGION of every gateway)."
  type        = string
}

variable "bucket_name" {
  description = "Bucket name; null: <name_prefix>-audio-<account id>."
  type        = string
  default     = null
}

variable "prefix" {
  description = "S3_PREFIX: objects are <prefix><64 hex>.<ext>; the lifecycle rule and the IAM policy cover this prefix only."
  type        = string
  default     = "audio/"

  validation {
    condition     = !startswith(var.prefix, "/") && !strcontains(var.prefix, "*")
    error_message = "prefix is an object-name prefix such as \"audio/\": no leading slash, no wildcard."
  }
}

variable "expire_after_days" {
  description = "Days after which the lifecycle rule deletes a clip (the gateway's AUDIO_STORE_TTL_SECONDS is 7 days for the other stores)."
  type        = number
  default     = 7

  validation {
    condition     = var.expire_after_days >= 1 && floor(var.expire_after_days) == var.expire_after_days
    error_message = "expire_after_days is a whole number of days, at least 1."
  }
}

variable "secret_parameter" {
  description = "Name of the SSM SecureString holding S3_SECRET_ACCESS_KEY, written in every one of parameter_regions; null: /<name_prefix>/audio-store-s3-secret-access-key."
  type        = string
  default     = null
}

variable "parameter_regions" {
  description = "AWS Regions whose gateways read the secret at boot (the secret parameter is written in each)."
  type        = set(string)

  validation {
    condition     = length(var.parameter_regions) > 0
    error_message = "parameter_regions needs the AWS Region of at least one gateway group."
  }
}
