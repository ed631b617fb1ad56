package provider

import (
	"cmp"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

var (
	subscriptionType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"first_name": types.StringType,
		"user_role":  types.StringType,
		"status":     types.StringType,
	}}
	membershipType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"segment_id":      types.Int64Type,
		"segment_name":    types.StringType,
		"initiative_id":   types.Int64Type,
		"team_id":         types.Int64Type,
		"subscription_id": types.Int64Type,
		"created_at":      types.StringType,
		"updated_at":      types.StringType,
	}}
	userType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"id":            types.Int64Type,
		"email":         types.StringType,
		"subscriptions": types.ListType{ElemType: subscriptionType},
		"memberships":   types.ListType{ElemType: membershipType},
	}}
)

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
	kept := make([]*shorterloop.User, 0, len(users))
	for i := range users {
		if f.keep(&users[i]) {
			kept = append(kept, &users[i])
		}
	}
	slices.SortStableFunc(kept, func(a, b *shorterloop.User) int { return cmp.Compare(a.ID, b.ID) })
	return kept
}

// emailsValue lists the users' emails trimmed and lower-cased, without
// empty ones and duplicates, sorted.
func emailsValue(users []*shorterloop.User) types.List {
	emails := make([]string, 0, len(users))
	for _, u := range users {
		if e := strings.ToLower(strings.TrimSpace(u.Email)); e != "" {
			emails = append(emails, e)
		}
	}
	slices.Sort(emails)
	emails = slices.Compact(emails)
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
	return types.ListValueMust(userType, elems)
}

func userValue(u *shorterloop.User) types.Object {
	subs := make([]attr.Value, len(u.Subscriptions))
	for i, s := range u.Subscriptions {
		subs[i] = types.ObjectValueMust(subscriptionType.AttrTypes, map[string]attr.Value{
			"first_name": types.StringPointerValue(s.FirstName),
			"user_role":  types.StringValue(s.UserRole),
			"status":     types.StringValue(s.Status),
		})
	}
	opts := slices.Clone(u.SegmentOptions)
	slices.SortStableFunc(opts, func(a, b shorterloop.SegmentOption) int {
		return cmp.Compare(a.UserSegment.SegmentOptionID, b.UserSegment.SegmentOptionID)
	})
	mems := make([]attr.Value, len(opts))
	for i, o := range opts {
		us := o.UserSegment
		mems[i] = types.ObjectValueMust(membershipType.AttrTypes, map[string]attr.Value{
			"segment_id":      types.Int64Value(us.SegmentOptionID),
			"segment_name":    types.StringValue(o.Value),
			"initiative_id":   types.Int64Value(us.InitiativeID),
			"team_id":         types.Int64Value(us.TeamID),
			"subscription_id": types.Int64Value(us.SubscriptionID),
			"created_at":      types.StringValue(us.CreatedAt),
			"updated_at":      types.StringValue(us.UpdatedAt),
		})
	}
	return types.ObjectValueMust(userType.AttrTypes, map[string]attr.Value{
		"id":            types.Int64Value(u.ID),
		"email":         types.StringValue(u.Email),
		"subscriptions": types.ListValueMust(subscriptionType, subs),
		"memberships":   types.ListValueMust(membershipType, mems),
	})
}
