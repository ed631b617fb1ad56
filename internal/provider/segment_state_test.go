package provider

import (
	"reflect"
	"testing"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

func TestUserModelOf(t *testing.T) {
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
	want := userModel{
		Email: "Mixed@Example.com", // the API's value unchanged
		ID:    7,
		Memberships: []membershipModel{ // sorted by segment id
			{SegmentID: 18, SegmentName: "Budget Conscious Families", TeamID: 4, CreatedAt: "c18", UpdatedAt: "u18"},
			{SegmentID: 19, SegmentName: "Young Innovators", InitiativeID: 1117, SubscriptionID: 1063, CreatedAt: "c19", UpdatedAt: "u19"},
		},
		Subscriptions: []subscriptionModel{ // in API order, a null first name kept null
			{FirstName: nil, UserRole: "idm_member", Status: "pending"},
			{FirstName: ptr("Deepak Rao"), UserRole: "admin", Status: "active"},
		},
	}
	if got := userModelOf(u); !reflect.DeepEqual(got, want) {
		t.Errorf("userModelOf = %+v\nwant %+v", got, want)
	}
	// The API's own slice is left in its order.
	if u.SegmentOptions[0].UserSegment.SegmentOptionID != 19 {
		t.Error("userModelOf reordered the API struct")
	}
}

// Null is nil in the model: users is null only without include_users, and
// the lists the API leaves out are empty.
func TestSetSegmentNullsAndEmptyLists(t *testing.T) {
	t.Parallel()
	no := false
	seg := &shorterloop.Segment{ID: 1, Value: ptr("One")}
	for _, tt := range []struct {
		name      string
		q         segmentModel
		kept      []*shorterloop.User
		wantUsers []userModel
	}{
		{"users without subscriptions or memberships", segmentModel{ID: 1}, []*shorterloop.User{{ID: 1}},
			[]userModel{{ID: 1, Memberships: []membershipModel{}, Subscriptions: []subscriptionModel{}}}},
		{"no users kept", segmentModel{ID: 1}, nil, []userModel{}},
		{"include_users = false", segmentModel{ID: 1, IncludeUsers: &no}, []*shorterloop.User{{ID: 1}}, nil},
	} {
		m := tt.q
		m.setSegment(seg, tt.kept)
		if !reflect.DeepEqual(m.Users, tt.wantUsers) {
			t.Errorf("%s: users = %#v, want %#v", tt.name, m.Users, tt.wantUsers)
		}
		if m.Emails == nil || *m.Name != "One" || m.CreatedAt != nil || m.UserCount != nil {
			t.Errorf("%s: emails %#v, name %v, created_at %v, user_count %v; want [], One, null, null", tt.name, m.Emails, m.Name, m.CreatedAt, m.UserCount)
		}
	}
}
