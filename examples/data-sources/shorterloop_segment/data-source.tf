data "shorterloop_segment" "young_innovators" {
  id = 19
}

# Feed the members' emails into any other resource.
resource "terraform_data" "member" {
  for_each = toset(data.shorterloop_segment.young_innovators.emails)
  input    = each.key
}

# Only members with the idea manager's member role, without the per-user
# detail (fast for large segments). The API documents no list of roles or
# statuses: the values to filter on are the ones a segment's users have.
data "shorterloop_segment" "idea_manager_members" {
  id            = 19
  user_roles    = ["idm_member"]
  include_users = false
}

output "idea_manager_member_count" {
  value = length(data.shorterloop_segment.idea_manager_members.emails)
}

output "segment_name" {
  value = data.shorterloop_segment.young_innovators.name
}

# first_name is null where the API has none.
output "first_names" {
  value = compact([
    for u in data.shorterloop_segment.young_innovators.users :
    u.subscriptions[0].first_name if length(u.subscriptions) > 0
  ])
}
