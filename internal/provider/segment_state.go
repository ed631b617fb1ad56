package provider

import (
	"bytes"
	"cmp"
	"slices"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

// segmentModel is the data source's configuration and state, for the
// framework's Get and Set and for the fast path's msgpack encoder alike. Null
// is a nil pointer or slice. Fields are in name order, the order in which
// terraform-plugin-go writes an object's attributes, so that encoding the
// struct gives the framework's bytes: TestFastReadMatchesFrameworkRead holds
// it to the schema.
type segmentModel struct {
	AllowIncomplete *bool       `tfsdk:"allow_incomplete"`
	CreatedAt       *string     `tfsdk:"created_at"`
	Emails          []string    `tfsdk:"emails"`
	ID              int64       `tfsdk:"id"`
	IncludeUsers    *bool       `tfsdk:"include_users"`
	Name            *string     `tfsdk:"name"`
	Statuses        []string    `tfsdk:"statuses"`
	UserCount       *int64      `tfsdk:"user_count"`
	UserRoles       []string    `tfsdk:"user_roles"`
	Users           []userModel `tfsdk:"users"`
}

type userModel struct {
	Email         string              `tfsdk:"email"`
	ID            int64               `tfsdk:"id"`
	Memberships   []membershipModel   `tfsdk:"memberships"`
	Subscriptions []subscriptionModel `tfsdk:"subscriptions"`
}

type membershipModel struct {
	CreatedAt      string `tfsdk:"created_at"`
	InitiativeID   int64  `tfsdk:"initiative_id"`
	SegmentID      int64  `tfsdk:"segment_id"`
	SegmentName    string `tfsdk:"segment_name"`
	SubscriptionID int64  `tfsdk:"subscription_id"`
	TeamID         int64  `tfsdk:"team_id"`
	UpdatedAt      string `tfsdk:"updated_at"`
}

type subscriptionModel struct {
	FirstName *string `tfsdk:"first_name"`
	Status    string  `tfsdk:"status"`
	UserRole  string  `tfsdk:"user_role"`
}

func (m *segmentModel) withUsers() bool { return m.IncludeUsers == nil || *m.IncludeUsers }

func (m *segmentModel) incompleteAllowed() bool {
	return m.AllowIncomplete != nil && *m.AllowIncomplete
}

// setSegment fills the computed attributes from the segment and the users
// that the filters keep, sorted by id.
func (m *segmentModel) setSegment(seg *shorterloop.Segment, kept []*shorterloop.User) {
	m.Name, m.CreatedAt, m.UserCount = seg.Value, seg.CreatedAt, seg.UserCount
	m.Emails = emailList(kept)
	m.Users = nil
	if m.withUsers() {
		m.Users = make([]userModel, len(kept))
		for i, u := range kept {
			m.Users[i] = userModelOf(u)
		}
	}
}

func userModelOf(u *shorterloop.User) userModel {
	subs := make([]subscriptionModel, len(u.Subscriptions))
	for i, s := range u.Subscriptions {
		subs[i] = subscriptionModel{FirstName: s.FirstName, Status: s.Status, UserRole: s.UserRole}
	}
	opts := sortedOptions(u.SegmentOptions)
	mems := make([]membershipModel, len(opts))
	for i, o := range opts {
		us := o.UserSegment
		mems[i] = membershipModel{
			CreatedAt: us.CreatedAt, InitiativeID: us.InitiativeID, SegmentID: us.SegmentOptionID, SegmentName: o.Value,
			SubscriptionID: us.SubscriptionID, TeamID: us.TeamID, UpdatedAt: us.UpdatedAt,
		}
	}
	return userModel{Email: u.Email, ID: u.ID, Memberships: mems, Subscriptions: subs}
}

// sortedOptions returns the memberships sorted by segment id, without
// modifying opts, which may be shared: opts itself when already sorted.
func sortedOptions(opts []shorterloop.SegmentOption) []shorterloop.SegmentOption {
	bySegment := func(a, b shorterloop.SegmentOption) int {
		return cmp.Compare(a.UserSegment.SegmentOptionID, b.UserSegment.SegmentOptionID)
	}
	if slices.IsSortedFunc(opts, bySegment) {
		return opts
	}
	opts = slices.Clone(opts)
	slices.SortStableFunc(opts, bySegment)
	return opts
}

// encodeState encodes m in the plugin protocol's MessagePack, as
// terraform-plugin-go encodes the state that the framework's Read sets, with
// the same library.
func encodeState(m *segmentModel) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(256 + 48*len(m.Emails) + 464*len(m.Users)) // room for each email, and each user's other details
	enc := msgpack.NewEncoder(&buf)
	enc.SetCustomStructTag("tfsdk")
	// terraform-plugin-go writes every number as the shortest integer, which
	// the encoder does for int64 fields only when asked.
	enc.UseCompactInts(true)
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// EncodeMsgpack writes a user as encoding its struct would, without the
// reflection that costs most of a large segment's encoding. Writing to the
// state's bytes.Buffer cannot fail.
func (u *userModel) EncodeMsgpack(enc *msgpack.Encoder) error {
	w := stateWriter{enc}
	w.mapLen(4)
	w.str("email", u.Email)
	w.num("id", u.ID)
	w.listLen("memberships", len(u.Memberships))
	for _, m := range u.Memberships {
		w.mapLen(7)
		w.str("created_at", m.CreatedAt)
		w.num("initiative_id", m.InitiativeID)
		w.num("segment_id", m.SegmentID)
		w.str("segment_name", m.SegmentName)
		w.num("subscription_id", m.SubscriptionID)
		w.num("team_id", m.TeamID)
		w.str("updated_at", m.UpdatedAt)
	}
	w.listLen("subscriptions", len(u.Subscriptions))
	for _, s := range u.Subscriptions {
		w.mapLen(3)
		if w.key("first_name"); s.FirstName == nil {
			_ = enc.EncodeNil()
		} else {
			_ = enc.EncodeString(*s.FirstName)
		}
		w.str("status", s.Status)
		w.str("user_role", s.UserRole)
	}
	return nil
}

// stateWriter writes attributes with msgpack's Encoder into a buffer.
type stateWriter struct{ enc *msgpack.Encoder }

func (w stateWriter) mapLen(n int)            { _ = w.enc.EncodeMapLen(n) }
func (w stateWriter) key(k string)            { _ = w.enc.EncodeString(k) }
func (w stateWriter) str(k, v string)         { w.key(k); _ = w.enc.EncodeString(v) }
func (w stateWriter) num(k string, v int64)   { w.key(k); _ = w.enc.EncodeInt(v) }
func (w stateWriter) listLen(k string, n int) { w.key(k); _ = w.enc.EncodeArrayLen(n) }
