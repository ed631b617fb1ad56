# The `make demo` configuration. The demo runs it against a local fake Shorter
# Loop API serving the vendor's example segment 19, "Young Innovators". It sets
# SHORTERLOOP_API_TOKEN, SHORTERLOOP_INITIATIVE_ID and SHORTERLOOP_BASE_URL, so
# the provider block needs no arguments.

terraform {
  required_providers {
    shorterloop = {
      source = "shorterloop/shorterloop"
    }
  }
}

provider "shorterloop" {}

data "shorterloop_segment" "young_innovators" {
  id = 19
}

# One resource per member, to show the emails driving for_each. terraform_data
# is built into Terraform, so nothing is downloaded.
resource "terraform_data" "member" {
  for_each = toset(data.shorterloop_segment.young_innovators.emails)
  input    = each.key
}

output "segment_name" {
  value = data.shorterloop_segment.young_innovators.name
}

output "user_count" {
  value = data.shorterloop_segment.young_innovators.user_count
}

output "emails" {
  value = data.shorterloop_segment.young_innovators.emails
}
