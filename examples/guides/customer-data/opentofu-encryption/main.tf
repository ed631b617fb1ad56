# OpenTofu only: encrypts the state, its backup and saved plans with a
# key derived from a passphrase. Give the passphrase as
# TF_VAR_state_passphrase, from a secret store, on every run.
terraform {
  required_providers {
    shorterloop = {
      source = "shorterloop/shorterloop"
    }
  }

  encryption {
    key_provider "pbkdf2" "passphrase" {
      passphrase = var.state_passphrase
    }

    method "aes_gcm" "passphrase" {
      keys = key_provider.pbkdf2.passphrase
    }

    state {
      method   = method.aes_gcm.passphrase
      enforced = true
    }

    plan {
      method   = method.aes_gcm.passphrase
      enforced = true
    }
  }
}

variable "state_passphrase" {
  type        = string
  sensitive   = true
  description = "Passphrase of the state and plan encryption, at least 16 characters."
}

data "shorterloop_segment" "members" {
  id = 19

  lifecycle {
    postcondition {
      condition     = length(self.emails) > 0
      error_message = "Shorter Loop segment ${self.id} has no members, so every membership fed from it would be removed. Check the segment and its filters, then plan again."
    }
  }
}

resource "terraform_data" "member" {
  for_each = toset(data.shorterloop_segment.members.emails)
  input    = each.key
}
