package provider

import (
	"bytes"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

// segmentState is the data source's state as the fast path encodes it. Its
// fields are in name order, the order in which terraform-plugin-go writes an
// object's attributes, so that the encoding is the framework's, byte for
// byte: TestFastReadMatchesFrameworkRead holds it to the schema.
type segmentState struct {
	AllowIncomplete *bool       `msgpack:"allow_incomplete"`
	CreatedAt       *string     `msgpack:"created_at"`
	Emails          []string    `msgpack:"emails"`
	ID              int64       `msgpack:"id"`
	IncludeUsers    *bool       `msgpack:"include_users"`
	Name            *string     `msgpack:"name"`
	Statuses        []string    `msgpack:"statuses"`
	UserCount       *int64      `msgpack:"user_count"`
	UserRoles       []string    `msgpack:"user_roles"`
	Users           []userState `msgpack:"users"`
}

type userState struct {
	Email         string              `msgpack:"email"`
	ID            int64               `msgpack:"id"`
	Memberships   []membershipState   `msgpack:"memberships"`
	Subscriptions []subscriptionState `msgpack:"subscriptions"`
}

type membershipState struct {
	CreatedAt      string `msgpack:"created_at"`
	InitiativeID   int64  `msgpack:"initiative_id"`
	SegmentID      int64  `msgpack:"segment_id"`
	SegmentName    string `msgpack:"segment_name"`
	SubscriptionID int64  `msgpack:"subscription_id"`
	TeamID         int64  `msgpack:"team_id"`
	UpdatedAt      string `msgpack:"updated_at"`
}

type subscriptionState struct {
	FirstName *string `msgpack:"first_name"`
	Status    string  `msgpack:"status"`
	UserRole  string  `msgpack:"user_role"`
}

// encodeSegmentState encodes the data source's state in the plugin
// protocol's MessagePack, as terraform-plugin-go encodes the state that the
// framework's Read sets, with the same library: its values are those of
// emailsValue and usersValue, without building them first.
func encodeSegmentState(q segmentQuery, seg *shorterloop.Segment, kept []*shorterloop.User) ([]byte, error) {
	state := segmentState{
		AllowIncomplete: q.allowIncomplete,
		CreatedAt:       seg.CreatedAt,
		Emails:          emailList(kept),
		ID:              q.id,
		IncludeUsers:    q.includeUsers,
		Name:            seg.Value,
		Statuses:        q.statuses,
		UserCount:       seg.UserCount,
		UserRoles:       q.userRoles,
	}
	// Room for each user: its email, or its email and details.
	perUser := 48
	if q.withUsers() {
		perUser = 512
		state.Users = make([]userState, len(kept))
		for i, u := range kept {
			state.Users[i] = userStateOf(u)
		}
	}
	var buf bytes.Buffer
	buf.Grow(256 + perUser*len(kept))
	enc := msgpack.NewEncoder(&buf)
	// terraform-plugin-go writes every number as the shortest integer, which
	// the encoder does for int64 fields only when asked.
	enc.UseCompactInts(true)
	if err := enc.Encode(&state); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func userStateOf(u *shorterloop.User) userState {
	subs := make([]subscriptionState, len(u.Subscriptions))
	for i, s := range u.Subscriptions {
		subs[i] = subscriptionState{FirstName: s.FirstName, Status: s.Status, UserRole: s.UserRole}
	}
	opts := sortedOptions(u.SegmentOptions)
	mems := make([]membershipState, len(opts))
	for i, o := range opts {
		us := o.UserSegment
		mems[i] = membershipState{
			CreatedAt: us.CreatedAt, InitiativeID: us.InitiativeID, SegmentID: us.SegmentOptionID, SegmentName: o.Value,
			SubscriptionID: us.SubscriptionID, TeamID: us.TeamID, UpdatedAt: us.UpdatedAt,
		}
	}
	return userState{Email: u.Email, ID: u.ID, Memberships: mems, Subscriptions: subs}
}
