# For a segment that must never shrink below a floor: stops the plan when it
# has fewer members than min_members. To shrink it on purpose, lower
# min_members in the same change.
variable "min_members" {
  type        = number
  default     = 30
  description = "The fewest members segment 19 can have."
}

data "shorterloop_segment" "core_members" {
  id = 19

  lifecycle {
    postcondition {
      condition     = length(self.emails) >= var.min_members
      error_message = "Shorter Loop segment ${self.id} has ${length(self.emails)} members, fewer than min_members (${var.min_members}). Check the segment; if it shrank on purpose, lower min_members."
    }
  }
}

output "core_member_count" {
  value = length(data.shorterloop_segment.core_members.emails)
}
