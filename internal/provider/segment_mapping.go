package provider

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

// stateTypes is the shape of the data source's state.
type stateTypes struct {
	// state is the state's type in the plugin protocol.
	state tftypes.Type
	// user, subscription and membership are the objects in users.
	user, subscription, membership types.ObjectType
	// The most that appendSegmentState writes for the segment, a user, a
	// subscription and a membership, but for the contents of their strings
	// and lists.
	segmentFixed, userFixed, subscriptionFixed, membershipFixed int
}

// segmentTypes reads the state's shape from the data source's schema, the one
// place that describes it.
var segmentTypes = sync.OnceValue(func() *stateTypes {
	ctx := context.Background()
	var resp datasource.SchemaResponse
	(&SegmentDataSource{}).Schema(ctx, datasource.SchemaRequest{}, &resp)
	// Without these objects, the schema and the code disagree: every test fails.
	objectAt := func(p path.Path) types.ObjectType {
		t, diags := resp.Schema.TypeAtPath(ctx, p)
		obj, ok := t.(types.ObjectType)
		if diags.HasError() || !ok {
			panic(fmt.Sprintf("shorterloop_segment's schema has no object at %q: %v", p, diags))
		}
		return obj
	}
	users := path.Root("users").AtListIndex(0)
	segment := objectAt(path.Empty())
	s := &stateTypes{
		state:        segment.TerraformType(ctx),
		user:         objectAt(users),
		subscription: objectAt(users.AtName("subscriptions").AtListIndex(0)),
		membership:   objectAt(users.AtName("memberships").AtListIndex(0)),
	}
	s.segmentFixed, s.userFixed = fixedSize(segment), fixedSize(s.user)
	s.subscriptionFixed, s.membershipFixed = fixedSize(s.subscription), fixedSize(s.membership)
	return s
})

// userFilter keeps users with at least one subscription matching every set
// criterion. A nil set does not filter.
type userFilter struct {
	statuses  map[string]bool
	userRoles map[string]bool
}

func newUserFilter(statuses, userRoles []string) userFilter {
	set := func(values []string) map[string]bool {
		if values == nil {
			return nil
		}
		m := make(map[string]bool, len(values))
		for _, v := range values {
			m[v] = true
		}
		return m
	}
	return userFilter{statuses: set(statuses), userRoles: set(userRoles)}
}

func (f userFilter) keep(u *shorterloop.User) bool {
	if f.statuses == nil && f.userRoles == nil {
		return true
	}
	for _, s := range u.Subscriptions {
		if (f.statuses == nil || f.statuses[s.Status]) && (f.userRoles == nil || f.userRoles[s.UserRole]) {
			return true
		}
	}
	return false
}

// keptUsers returns the users that pass f, sorted by id.
func keptUsers(users []shorterloop.User, f userFilter) []*shorterloop.User {
	// Sorting by id, then position, is stable without a stable sort's
	// O(n log² n) moves.
	type keyed struct {
		id, pos int64
	}
	keys := make([]keyed, 0, len(users))
	for i := range users {
		if f.keep(&users[i]) {
			keys = append(keys, keyed{users[i].ID, int64(i)})
		}
	}
	slices.SortFunc(keys, func(a, b keyed) int { return cmp.Or(cmp.Compare(a.id, b.id), cmp.Compare(a.pos, b.pos)) })
	kept := make([]*shorterloop.User, len(keys))
	for i, k := range keys {
		kept[i] = &users[k.pos]
	}
	return kept
}

// emailList lists the users' emails trimmed and lower-cased, without empty
// ones and duplicates, sorted.
func emailList(users []*shorterloop.User) []string {
	// Sorting on the first 16 bytes, kept next to each email, settles most
	// comparisons without reading the emails, which are spread over memory.
	type keyed struct {
		hi, lo uint64
		email  string
	}
	keys := make([]keyed, 0, len(users))
	for _, u := range users {
		if e := strings.ToLower(strings.TrimSpace(u.Email)); e != "" {
			var prefix [16]byte
			copy(prefix[:], e)
			keys = append(keys, keyed{binary.BigEndian.Uint64(prefix[:8]), binary.BigEndian.Uint64(prefix[8:]), e})
		}
	}
	slices.SortFunc(keys, func(a, b keyed) int {
		return cmp.Or(cmp.Compare(a.hi, b.hi), cmp.Compare(a.lo, b.lo), strings.Compare(a.email, b.email))
	})
	emails := make([]string, 0, len(keys))
	for i, k := range keys {
		if i == 0 || k.email != keys[i-1].email {
			emails = append(emails, k.email)
		}
	}
	return emails
}

// emailsValue is emailList as the emails attribute.
func emailsValue(users []*shorterloop.User) types.List {
	emails := emailList(users)
	elems := make([]attr.Value, len(emails))
	for i, e := range emails {
		elems[i] = types.StringValue(e)
	}
	return types.ListValueMust(types.StringType, elems)
}

// usersValue builds the users attribute.
func usersValue(users []*shorterloop.User) types.List {
	elems := make([]attr.Value, len(users))
	for i, u := range users {
		elems[i] = userValue(u)
	}
	return types.ListValueMust(segmentTypes().user, elems)
}

func userValue(u *shorterloop.User) types.Object {
	st := segmentTypes()
	subs := make([]attr.Value, len(u.Subscriptions))
	for i, s := range u.Subscriptions {
		subs[i] = types.ObjectValueMust(st.subscription.AttrTypes, map[string]attr.Value{
			"first_name": types.StringPointerValue(s.FirstName),
			"user_role":  types.StringValue(s.UserRole),
			"status":     types.StringValue(s.Status),
		})
	}
	opts := sortedOptions(u.SegmentOptions)
	mems := make([]attr.Value, len(opts))
	for i, o := range opts {
		us := o.UserSegment
		mems[i] = types.ObjectValueMust(st.membership.AttrTypes, map[string]attr.Value{
			"segment_id":      types.Int64Value(us.SegmentOptionID),
			"segment_name":    types.StringValue(o.Value),
			"initiative_id":   types.Int64Value(us.InitiativeID),
			"team_id":         types.Int64Value(us.TeamID),
			"subscription_id": types.Int64Value(us.SubscriptionID),
			"created_at":      types.StringValue(us.CreatedAt),
			"updated_at":      types.StringValue(us.UpdatedAt),
		})
	}
	return types.ObjectValueMust(st.user.AttrTypes, map[string]attr.Value{
		"id":            types.Int64Value(u.ID),
		"email":         types.StringValue(u.Email),
		"subscriptions": types.ListValueMust(st.subscription, subs),
		"memberships":   types.ListValueMust(st.membership, mems),
	})
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

// segmentQuery is the configuration of one read.
type segmentQuery struct {
	id                  int64
	statuses, userRoles []string // nil when not set
	includeUsers        *bool    // nil when not set, which means true
	allowIncomplete     *bool    // nil when not set, which means false
}

func (q segmentQuery) withUsers() bool { return q.includeUsers == nil || *q.includeUsers }

func (q segmentQuery) incompleteAllowed() bool { return q.allowIncomplete != nil && *q.allowIncomplete }

// appendSegmentState appends the data source's state to b in the plugin
// protocol's MessagePack encoding, byte for byte as terraform-plugin-go
// encodes the same value: object attributes in name order, numbers as the
// shortest integer, strings as the shortest string. It holds the same values
// as the framework path (Read with emailsValue and usersValue), without
// building them first. TestFastReadMatchesFrameworkRead holds its keys and
// types to the schema's.
func appendSegmentState(b []byte, q segmentQuery, seg *shorterloop.Segment, kept []*shorterloop.User) []byte {
	b = slices.Grow(b, segmentStateSize(q, seg, kept))

	b = msgpackMapLen(b, 10)
	b = msgpackBoolPointer(msgpackString(b, "allow_incomplete"), q.allowIncomplete)
	b = msgpackStringPointer(msgpackString(b, "created_at"), seg.CreatedAt)
	b = msgpackString(b, "emails")
	emails := emailList(kept)
	b = msgpackArrayLen(b, len(emails))
	for _, e := range emails {
		b = msgpackString(b, e)
	}
	b = msgpackInt(msgpackString(b, "id"), q.id)
	b = msgpackBoolPointer(msgpackString(b, "include_users"), q.includeUsers)
	b = msgpackStringPointer(msgpackString(b, "name"), seg.Value)
	b = msgpackStrings(msgpackString(b, "statuses"), q.statuses)
	b = msgpackString(b, "user_count")
	if seg.UserCount == nil {
		b = msgpackNil(b)
	} else {
		b = msgpackInt(b, *seg.UserCount)
	}
	b = msgpackStrings(msgpackString(b, "user_roles"), q.userRoles)
	b = msgpackString(b, "users")
	if !q.withUsers() {
		return msgpackNil(b)
	}
	b = msgpackArrayLen(b, len(kept))
	for _, u := range kept {
		b = msgpackMapLen(b, 4)
		b = msgpackString(msgpackString(b, "email"), u.Email)
		b = msgpackInt(msgpackString(b, "id"), u.ID)
		opts := sortedOptions(u.SegmentOptions)
		b = msgpackArrayLen(msgpackString(b, "memberships"), len(opts))
		for i := range opts {
			o := &opts[i]
			b = msgpackMapLen(b, 7)
			b = msgpackString(msgpackString(b, "created_at"), o.UserSegment.CreatedAt)
			b = msgpackInt(msgpackString(b, "initiative_id"), o.UserSegment.InitiativeID)
			b = msgpackInt(msgpackString(b, "segment_id"), o.UserSegment.SegmentOptionID)
			b = msgpackString(msgpackString(b, "segment_name"), o.Value)
			b = msgpackInt(msgpackString(b, "subscription_id"), o.UserSegment.SubscriptionID)
			b = msgpackInt(msgpackString(b, "team_id"), o.UserSegment.TeamID)
			b = msgpackString(msgpackString(b, "updated_at"), o.UserSegment.UpdatedAt)
		}
		b = msgpackArrayLen(msgpackString(b, "subscriptions"), len(u.Subscriptions))
		for i := range u.Subscriptions {
			s := &u.Subscriptions[i]
			b = msgpackMapLen(b, 3)
			b = msgpackStringPointer(msgpackString(b, "first_name"), s.FirstName)
			b = msgpackString(msgpackString(b, "status"), s.Status)
			b = msgpackString(msgpackString(b, "user_role"), s.UserRole)
		}
	}
	return b
}

// segmentStateSize is at least the size of appendSegmentState's output, and
// close to it: lengths and numbers are counted at their largest, strings at
// their length plus the largest header.
func segmentStateSize(q segmentQuery, seg *shorterloop.Segment, kept []*shorterloop.User) int {
	st := segmentTypes()
	str := func(list []string) (n int) {
		for _, s := range list {
			n += msgpackMaxHeader + len(s)
		}
		return n
	}
	n := st.segmentFixed + len(ptrValue(seg.CreatedAt)) + len(ptrValue(seg.Value)) + str(q.statuses) + str(q.userRoles)
	for _, u := range kept {
		n += msgpackMaxHeader + len(u.Email)
		if !q.withUsers() {
			continue
		}
		n += st.userFixed + len(u.Email)
		for _, s := range u.Subscriptions {
			n += st.subscriptionFixed + len(s.UserRole) + len(s.Status) + len(ptrValue(s.FirstName))
		}
		for _, o := range u.SegmentOptions {
			n += st.membershipFixed + len(o.Value) + len(o.UserSegment.CreatedAt) + len(o.UserSegment.UpdatedAt)
		}
	}
	return n
}

// fixedSize is the most that appendSegmentState writes for an object of type
// t but for the contents of its strings and lists: its map header, keys, and
// each value's number, bool, or string or list header.
func fixedSize(t types.ObjectType) int {
	n := len(msgpackMapLen(nil, len(t.AttrTypes)))
	for name, typ := range t.AttrTypes {
		n += len(msgpackString(nil, name))
		switch {
		case typ.Equal(types.Int64Type):
			n += msgpackMaxNumber
		case typ.Equal(types.BoolType):
			n++
		default:
			n += msgpackMaxHeader
		}
	}
	return n
}

// MessagePack, as github.com/vmihailenco/msgpack/v5 writes it for
// terraform-plugin-go.

// The largest a number, and a string's, list's or map's header, take.
const (
	msgpackMaxNumber = 9
	msgpackMaxHeader = 5
)

func msgpackNil(b []byte) []byte { return append(b, 0xc0) }

func msgpackBool(b []byte, v bool) []byte {
	if v {
		return append(b, 0xc3)
	}
	return append(b, 0xc2)
}

//nolint:gosec // G115: each conversion is to a size its case has checked the value fits
func msgpackInt(b []byte, n int64) []byte {
	switch {
	case n >= 0 && n <= math.MaxInt8:
		return append(b, byte(n))
	case n >= 0 && n <= math.MaxUint8:
		return append(b, 0xcc, byte(n))
	case n >= 0 && n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, 0xcd), uint16(n))
	case n >= 0 && n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, 0xce), uint32(n))
	case n >= 0:
		return binary.BigEndian.AppendUint64(append(b, 0xcf), uint64(n))
	case n >= -32:
		return append(b, byte(n))
	case n >= math.MinInt8:
		return append(b, 0xd0, byte(n))
	case n >= math.MinInt16:
		return binary.BigEndian.AppendUint16(append(b, 0xd1), uint16(n))
	case n >= math.MinInt32:
		return binary.BigEndian.AppendUint32(append(b, 0xd2), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(b, 0xd3), uint64(n))
}

//nolint:gosec // G115: each conversion is to a size its case has checked the value fits
func msgpackString(b []byte, s string) []byte {
	switch n := len(s); {
	case n < 32:
		b = append(b, 0xa0|byte(n))
	case n <= math.MaxUint8:
		b = append(b, 0xd9, byte(n))
	case n <= math.MaxUint16:
		b = binary.BigEndian.AppendUint16(append(b, 0xda), uint16(n))
	default:
		b = binary.BigEndian.AppendUint32(append(b, 0xdb), uint32(n))
	}
	return append(b, s...)
}

// msgpackBoolPointer writes *v, or null for nil.
func msgpackBoolPointer(b []byte, v *bool) []byte {
	if v == nil {
		return msgpackNil(b)
	}
	return msgpackBool(b, *v)
}

// msgpackStringPointer writes *s, or null for nil.
func msgpackStringPointer(b []byte, s *string) []byte {
	if s == nil {
		return msgpackNil(b)
	}
	return msgpackString(b, *s)
}

// ptrValue is *p, or the zero value for nil.
func ptrValue[T any](p *T) (v T) {
	if p != nil {
		v = *p
	}
	return v
}

// msgpackStrings writes a list of strings, or null for nil.
func msgpackStrings(b []byte, list []string) []byte {
	if list == nil {
		return msgpackNil(b)
	}
	b = msgpackArrayLen(b, len(list))
	for _, s := range list {
		b = msgpackString(b, s)
	}
	return b
}

func msgpackArrayLen(b []byte, n int) []byte { return msgpackLen(b, n, 0x90, 0xdc, 0xdd) }

func msgpackMapLen(b []byte, n int) []byte { return msgpackLen(b, n, 0x80, 0xde, 0xdf) }

//nolint:gosec // G115: each conversion is to a size its case has checked the value fits
func msgpackLen(b []byte, n int, fix, len16, len32 byte) []byte {
	switch {
	case n < 16:
		return append(b, fix|byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, len16), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(b, len32), uint32(n))
}
