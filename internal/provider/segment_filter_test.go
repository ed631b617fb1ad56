package provider

import (
	"encoding/json"
	"os"
	"slices"
	"testing"

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

func TestEmailList(t *testing.T) {
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
			name: "as Terraform normalises them: NFC before and after lower-casing, Unicode spaces trimmed",
			users: []shorterloop.User{
				{ID: 1, Email: "zo\u00eb@example.com"},
				{ID: 2, Email: "ZOE\u0308@example.com"},
				{ID: 3, Email: "I\u0307lker@example.com"},
				{ID: 4, Email: "\u0130lker@example.com"},
				{ID: 5, Email: "STRA\u1E9EE@example.de"},
				{ID: 6, Email: "\u00a0stra\u00dfe@example.de\u2003"},
				{ID: 7, Email: "\u00a0"},
			},
			want: []string{"ilker@example.com", "stra\u00dfe@example.de", "zo\u00eb@example.com"},
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
			got := emailList(keptUsers(tt.users, tt.f))
			if got == nil || !slices.Equal(got, tt.want) { // nil would be null
				t.Errorf("emails = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestVendorEmails(t *testing.T) {
	t.Parallel()
	got := emailList(keptUsers(vendorSegment(t).Users, userFilter{}))
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
