# Stops the plan when the segment comes back without members: every
# membership fed from its emails would otherwise be planned for destruction.
data "shorterloop_segment" "members" {
  id = 19

  lifecycle {
    postcondition {
      condition     = length(self.emails) > 0
      error_message = "Shorter Loop segment ${self.id} has no members, so every membership fed from it would be removed. Check the segment and its filters, then plan again."
    }
  }
}

output "member_emails" {
  value = data.shorterloop_segment.members.emails
}
