data "shorterloop_segment" "young_innovators" {
  id = 19
}

# Feed the members' emails into any other resource.
resource "terraform_data" "member" {
  for_each = toset(data.shorterloop_segment.young_innovators.emails)
  input    = each.key
}

# Only active members, without the per-user detail (fast for large segments).
data "shorterloop_segment" "active" {
  id            = 19
  statuses      = ["active"]
  include_users = false
}

output "segment_name" {
  value = data.shorterloop_segment.young_innovators.name
}

output "first_names" {
  value = [
    for u in data.shorterloop_segment.young_innovators.users :
    u.subscriptions[0].first_name if length(u.subscriptions) > 0
  ]
}
