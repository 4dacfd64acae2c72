# Three regions on L4 GPUs. Copy to prod.auto.tfvars and adjust:
#   terraform -chdir=terraform/envs/gcp apply -var-file=example.tfvars

project_id    = "my-speechgate-project"
domains       = ["api.speech.example.com"]
gateway_image = "us-docker.pkg.dev/my-speechgate-project/speechgate/gateway:0.1.0"
node_image    = "us-docker.pkg.dev/my-speechgate-project/speechgate/node:0.1.0"
voices_uri    = "gs://my-speechgate-voices/piper/"

auth = {
  jwks_url = "https://auth.example.com/.well-known/jwks.json"
  issuer   = "https://auth.example.com/"
}

regions = {
  us-east = {
    location         = "us-east4"
    zones            = ["us-east4-a", "us-east4-c"]
    gpu_machine_type = "g2-standard-8"
    min_nodes        = 2
    max_nodes        = 16
    node_rps         = 4
  }
  eu-west = {
    location         = "europe-west4"
    zones            = ["europe-west4-a", "europe-west4-b", "europe-west4-c"]
    gpu_machine_type = "g2-standard-8"
    min_nodes        = 2
    max_nodes        = 12
  }
  ap-southeast = {
    location         = "asia-southeast1"
    zones            = ["asia-southeast1-b", "asia-southeast1-c"]
    gpu_machine_type = "g2-standard-8"
    min_nodes        = 1
    max_nodes        = 6
    traffic_dial     = 50
    redis_memory_gb  = 2
  }
}
