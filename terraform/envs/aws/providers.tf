# One provider for every region: AWS provider 6 takes `region` on each regional resource.
provider "aws" {
  region = var.home_region
}
