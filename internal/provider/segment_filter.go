package provider

import (
	"cmp"
	"slices"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
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

// emailList lists the users' emails as Terraform computes
// lower(trimspace(email)): Terraform holds every string in Unicode NFC, so
// each email is normalised, trimmed, lower-cased and normalised again. Empty
// ones and duplicates are left out, and the list is sorted.
func emailList(users []*shorterloop.User) []string {
	emails := make([]string, 0, len(users))
	for _, u := range users {
		if e := norm.NFC.String(strings.ToLower(strings.TrimSpace(norm.NFC.String(u.Email)))); e != "" {
			emails = append(emails, e)
		}
	}
	slices.Sort(emails)
	return slices.Compact(emails)
}
