# Warns, without failing the run, when segment 19 is empty or outside the
# size range it is expected to stay in. The read is scoped to the check
# block, so its own errors are warnings too.
terraform {
  required_providers {
    shorterloop = {
      source = "shorterloop/shorterloop"
    }
  }
}

variable "expected_min_members" {
  type        = number
  default     = 30
  description = "The fewest members segment 19 is expected to have."
}

variable "expected_max_members" {
  type        = number
  default     = 100
  description = "The most members segment 19 is expected to have."
}

check "segment_19_size" {
  data "shorterloop_segment" "watched" {
    id            = 19
    include_users = false
  }

  assert {
    condition     = length(data.shorterloop_segment.watched.emails) > 0
    error_message = "Shorter Loop segment 19 has no members."
  }

  assert {
    condition     = length(data.shorterloop_segment.watched.emails) >= var.expected_min_members
    error_message = "Shorter Loop segment 19 has ${length(data.shorterloop_segment.watched.emails)} members, fewer than expected_min_members (${var.expected_min_members})."
  }

  assert {
    condition     = length(data.shorterloop_segment.watched.emails) <= var.expected_max_members
    error_message = "Shorter Loop segment 19 has ${length(data.shorterloop_segment.watched.emails)} members, more than expected_max_members (${var.expected_max_members})."
  }
}
