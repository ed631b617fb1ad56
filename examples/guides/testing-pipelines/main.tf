# A small pipeline: one segment, guarded, feeding one resource per member.
# terraform_data stands in for another provider's memberships.
terraform {
  required_providers {
    shorterloop = {
      source = "shorterloop/shorterloop"
    }
  }
}

variable "segment_id" {
  type        = number
  default     = 19
  description = "The Shorter Loop segment whose members get a membership."
}

variable "min_members" {
  type        = number
  default     = 30
  description = "The fewest members the segment can have."
}

data "shorterloop_segment" "members" {
  id            = var.segment_id
  include_users = false

  lifecycle {
    postcondition {
      condition     = length(self.emails) > 0
      error_message = "Shorter Loop segment ${self.id} has no members, so every membership fed from it would be removed. Check the segment and its filters, then plan again."
    }
    postcondition {
      condition     = length(self.emails) >= var.min_members
      error_message = "Shorter Loop segment ${self.id} has ${length(self.emails)} members, fewer than min_members (${var.min_members}). Check the segment; if it shrank on purpose, lower min_members."
    }
  }
}

resource "terraform_data" "membership" {
  for_each = toset(data.shorterloop_segment.members.emails)
  input    = each.key
}
