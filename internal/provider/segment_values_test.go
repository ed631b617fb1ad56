package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

func TestUserValue(t *testing.T) {
	t.Parallel()
	u := &shorterloop.User{
		ID:    7,
		Email: "Mixed@Example.com",
		Subscriptions: []shorterloop.Subscription{
			{FirstName: nil, UserRole: "idm_member", Status: "pending"},
			{FirstName: ptr("Deepak Rao"), UserRole: "admin", Status: "active"},
		},
		SegmentOptions: []shorterloop.SegmentOption{
			{Value: "Young Innovators", UserSegment: shorterloop.UserSegment{SegmentOptionID: 19, InitiativeID: 1117, SubscriptionID: 1063, CreatedAt: "c19", UpdatedAt: "u19"}},
			{Value: "Budget Conscious Families", UserSegment: shorterloop.UserSegment{SegmentOptionID: 18, TeamID: 4, CreatedAt: "c18", UpdatedAt: "u18"}},
		},
	}
	obj := userValue(u)
	attrs := obj.Attributes()
	if got := attrs["email"].(types.String).ValueString(); got != "Mixed@Example.com" {
		t.Errorf("email = %q, want the API's value unchanged", got)
	}
	subs := attrs["subscriptions"].(types.List).Elements()
	if len(subs) != 2 {
		t.Fatalf("got %d subscriptions", len(subs))
	}
	first := subs[0].(types.Object).Attributes()
	if !first["first_name"].IsNull() {
		t.Errorf("null firstName became %v", first["first_name"])
	}
	second := subs[1].(types.Object).Attributes()
	if second["first_name"].(types.String).ValueString() != "Deepak Rao" || second["status"].(types.String).ValueString() != "active" {
		t.Errorf("second subscription = %v", second)
	}

	mems := attrs["memberships"].(types.List).Elements()
	want := []map[string]attr.Value{
		{"segment_id": types.Int64Value(18), "segment_name": types.StringValue("Budget Conscious Families"), "initiative_id": types.Int64Value(0),
			"team_id": types.Int64Value(4), "subscription_id": types.Int64Value(0), "created_at": types.StringValue("c18"), "updated_at": types.StringValue("u18")},
		{"segment_id": types.Int64Value(19), "segment_name": types.StringValue("Young Innovators"), "initiative_id": types.Int64Value(1117),
			"team_id": types.Int64Value(0), "subscription_id": types.Int64Value(1063), "created_at": types.StringValue("c19"), "updated_at": types.StringValue("u19")},
	}
	if len(mems) != len(want) {
		t.Fatalf("got %d memberships", len(mems))
	}
	for i, m := range mems {
		for k, v := range want[i] {
			if got := m.(types.Object).Attributes()[k]; !got.Equal(v) {
				t.Errorf("membership %d %s = %v, want %v", i, k, got, v)
			}
		}
	}
	// The API's own slice is left in its order.
	if u.SegmentOptions[0].UserSegment.SegmentOptionID != 19 {
		t.Error("userValue reordered the API struct")
	}
}

func TestUsersValueEmptyArrays(t *testing.T) {
	t.Parallel()
	l := usersValue([]*shorterloop.User{{ID: 1}})
	if l.IsNull() || len(l.Elements()) != 1 {
		t.Fatalf("users = %v", l)
	}
	attrs := l.Elements()[0].(types.Object).Attributes()
	for _, k := range []string{"subscriptions", "memberships"} {
		if l := attrs[k].(types.List); l.IsNull() || len(l.Elements()) != 0 {
			t.Errorf("%s = %v, want an empty list", k, l)
		}
	}
}
