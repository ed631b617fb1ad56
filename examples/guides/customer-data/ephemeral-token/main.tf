# The API token in an ephemeral variable (Terraform 1.10+, OpenTofu 1.11+):
# a saved plan does not store it, so it must be given again at apply, e.g.
# as TF_VAR_shorterloop_api_token.
terraform {
  required_providers {
    shorterloop = {
      source = "shorterloop/shorterloop"
    }
  }
}

variable "shorterloop_api_token" {
  type        = string
  sensitive   = true
  ephemeral   = true
  description = "Shorter Loop API token."
}

provider "shorterloop" {
  api_token = var.shorterloop_api_token
}

data "shorterloop_segment" "members" {
  id = 19
}

resource "terraform_data" "member" {
  for_each = toset(data.shorterloop_segment.members.emails)
  input    = each.key
}
