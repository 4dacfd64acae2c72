# Provider-free on purpose: everything here is plain values, so `terraform init -backend=false`,
# `validate` and `test` run without network access and every sizing rule is unit-tested.
terraform {
  required_version = ">= 1.9.0"
}
