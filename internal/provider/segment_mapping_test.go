package provider

import (
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

func vendorSegment(t *testing.T) *shorterloop.Segment {
	t.Helper()
	body, err := os.ReadFile("../fakeapi/testdata/segment-with-users-18.json")
	if err != nil {
		t.Fatal(err)
	}
	var env struct{ Data shorterloop.Segment }
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatal(err)
	}
	return &env.Data
}

func ptr(s string) *string { return &s }

func sub(status, role string) shorterloop.Subscription {
	return shorterloop.Subscription{UserRole: role, Status: status}
}

func listStringsOf(t *testing.T, l types.List) []string {
	t.Helper()
	out := make([]string, 0, len(l.Elements()))
	for _, e := range l.Elements() {
		out = append(out, e.(types.String).ValueString())
	}
	return out
}

func TestEmailsValue(t *testing.T) {
	t.Parallel()
	vendor := vendorSegment(t)
	vendorEmails := make([]string, 0, len(vendor.Users))
	for _, u := range vendor.Users {
		vendorEmails = append(vendorEmails, u.Email)
	}
	slices.Sort(vendorEmails)

	tests := []struct {
		name  string
		users []shorterloop.User
		f     userFilter
		want  []string
	}{
		{name: "vendor example", users: vendor.Users, want: vendorEmails},
		{name: "empty", users: nil, want: []string{}},
		{
			name: "blank emails dropped, case and spaces folded, duplicates removed",
			users: []shorterloop.User{
				{ID: 3, Email: "B@example.com"},
				{ID: 1, Email: ""},
				{ID: 2, Email: "  b@example.com "},
				{ID: 4, Email: "   "},
				{ID: 5, Email: "a@example.com"},
				{ID: 6, Email: "a@example.com"},
			},
			want: []string{"a@example.com", "b@example.com"},
		},
		{
			name: "non-ASCII kept",
			users: []shorterloop.User{
				{ID: 1, Email: "zoë@exämple.com"},
				{ID: 2, Email: "ÅSA@example.com"},
			},
			want: []string{"zoë@exämple.com", "åsa@example.com"},
		},
		{
			name: "status filter",
			users: []shorterloop.User{
				{ID: 1, Email: "p@x.io", Subscriptions: []shorterloop.Subscription{sub("pending", "idm_member")}},
				{ID: 2, Email: "a@x.io", Subscriptions: []shorterloop.Subscription{sub("active", "idm_member")}},
				{ID: 3, Email: "n@x.io"},
			},
			f:    newUserFilter([]string{"active"}, nil),
			want: []string{"a@x.io"},
		},
		{
			name: "both filters must match one subscription",
			users: []shorterloop.User{
				{ID: 1, Email: "split@x.io", Subscriptions: []shorterloop.Subscription{sub("active", "viewer"), sub("pending", "admin")}},
				{ID: 2, Email: "same@x.io", Subscriptions: []shorterloop.Subscription{sub("pending", "viewer"), sub("active", "admin")}},
			},
			f:    newUserFilter([]string{"active"}, []string{"admin"}),
			want: []string{"same@x.io"},
		},
		{
			name:  "vendor example filtered to a status nobody has",
			users: vendor.Users,
			f:     newUserFilter([]string{"active"}, nil),
			want:  []string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := listStringsOf(t, emailsValue(keptUsers(tt.users, tt.f)))
			if !slices.Equal(got, tt.want) {
				t.Errorf("emails = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestVendorEmails(t *testing.T) {
	t.Parallel()
	got := listStringsOf(t, emailsValue(keptUsers(vendorSegment(t).Users, userFilter{})))
	if len(got) != 39 {
		t.Fatalf("got %d emails, want 39", len(got))
	}
	if got[0] != "aarav.patel1@shorterloop.com" || got[38] != "vikram.iyer@shorterloop.com" {
		t.Errorf("first/last = %q/%q", got[0], got[38])
	}
	if !slices.IsSorted(got) {
		t.Error("emails are not sorted")
	}
}

func TestKeptUsersSortedByID(t *testing.T) {
	t.Parallel()
	kept := keptUsers(vendorSegment(t).Users, userFilter{})
	if len(kept) != 39 {
		t.Fatalf("got %d users, want 39", len(kept))
	}
	ids := make([]int64, len(kept))
	for i, u := range kept {
		ids[i] = u.ID
	}
	if !slices.IsSorted(ids) || ids[0] != 1650 {
		t.Errorf("ids not sorted from 1650: %v", ids)
	}
}

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
