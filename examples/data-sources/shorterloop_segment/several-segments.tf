# The members of several segments as one set, each segment guarded on its
# own. setunion keeps one entry for people in more than one segment.
data "shorterloop_segment" "source" {
  for_each = toset(["19", "20"])
  id       = each.key

  lifecycle {
    postcondition {
      condition     = length(self.emails) > 0
      error_message = "Shorter Loop segment ${self.id} has no members, so the memberships fed from it would be removed. Check the segment and its filters, then plan again."
    }
  }
}

locals {
  union_emails = setunion([for s in data.shorterloop_segment.source : s.emails]...)
}

output "union_emails" {
  value = local.union_emails
}
