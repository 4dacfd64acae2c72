# Three regions on L4 (g6) GPUs. Copy to prod.auto.tfvars and adjust:
#   terraform -chdir=terraform/envs/aws apply -var-file=example.tfvars

api_domain    = "api.speech.example.com"
gateway_image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/speechgate/gateway:0.1.0"
node_image    = "123456789012.dkr.ecr.us-east-1.amazonaws.com/speechgate/node:0.1.0"
voices_uri    = "s3://my-speechgate-voices/piper/"

auth = {
  jwks_url = "https://auth.example.com/.well-known/jwks.json"
  issuer   = "https://auth.example.com/"
}

# Clips for audio URLs in one S3 bucket shared by all regions (default "redis": per region).
audio_store = "s3"
audio_bucket = {
  region            = "us-east-1"
  prefix            = "audio/"
  expire_after_days = 7
}

cdn = {
  domain          = "audio.speech.example.com"
  certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000001"
  public_key_pem  = "-----BEGIN PUBLIC KEY-----\nREPLACE-WITH-YOUR-KEY\n-----END PUBLIC KEY-----\n"
}

regions = {
  us-east = {
    location         = "us-east-1"
    zones            = ["us-east-1a", "us-east-1b"]
    gpu_machine_type = "g6.xlarge"
    min_nodes        = 2
    max_nodes        = 16
  }
  eu-west = {
    location         = "eu-west-1"
    zones            = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    gpu_machine_type = "g6.xlarge"
    min_nodes        = 2
    max_nodes        = 12
  }
  ap-southeast = {
    location         = "ap-southeast-1"
    zones            = ["ap-southeast-1a", "ap-southeast-1b"]
    gpu_machine_type = "g5.xlarge"
    min_nodes        = 1
    max_nodes        = 6
    traffic_dial     = 50
    redis_memory_gb  = 2
  }
}

networks = {
  us-east = {
    vpc_id             = "vpc-0aaaaaaaaaaaaaaa1"
    vpc_cidr           = "10.10.0.0/16"
    private_subnet_ids = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"]
  }
  eu-west = {
    vpc_id             = "vpc-0bbbbbbbbbbbbbbb1"
    vpc_cidr           = "10.20.0.0/16"
    private_subnet_ids = ["subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2", "subnet-0bbbbbbbbbbbbbbb3"]
  }
  ap-southeast = {
    vpc_id             = "vpc-0ccccccccccccccc1"
    vpc_cidr           = "10.30.0.0/16"
    private_subnet_ids = ["subnet-0ccccccccccccccc1", "subnet-0ccccccccccccccc2"]
  }
}

certificate_arns = {
  us-east      = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000002"
  eu-west      = "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000003"
  ap-southeast = "arn:aws:acm:ap-southeast-1:123456789012:certificate/00000000-0000-0000-0000-000000000004"
}
