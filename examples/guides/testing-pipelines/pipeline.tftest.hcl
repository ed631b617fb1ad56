# Tests of the pipeline in main.tf that need no Shorter Loop token or API:
# the provider is mocked, and each run says what the segment holds.
mock_provider "shorterloop" {}

variables {
  min_members = 3
}

override_data {
  target = data.shorterloop_segment.members
  values = {
    emails = ["ada@example.com", "grace@example.com", "linus@example.com"]
  }
}

run "one_membership_per_mocked_email" {
  assert {
    condition     = toset(keys(terraform_data.membership)) == toset(["ada@example.com", "grace@example.com", "linus@example.com"])
    error_message = "The memberships are not exactly the mocked segment's emails."
  }
}

run "empty_segment_stops_the_plan" {
  command = plan

  # With no floor, only the empty-segment guard can fail.
  variables {
    min_members = 0
  }

  override_data {
    target = data.shorterloop_segment.members
    values = {
      emails = []
    }
  }

  expect_failures = [data.shorterloop_segment.members]
}

run "segment_below_its_floor_stops_the_plan" {
  command = plan

  variables {
    min_members = 4
  }

  expect_failures = [data.shorterloop_segment.members]
}

run "segment_at_its_floor_passes" {
  command = plan

  assert {
    condition     = length(terraform_data.membership) == 3
    error_message = "A segment at its floor should give one membership per email."
  }
}
