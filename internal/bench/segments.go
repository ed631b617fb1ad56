// Package bench generates synthetic Shorter Loop segments for benchmarks,
// shaped like the vendor's example body: users out of id order, about half of
// them without a first name, one or two subscriptions in mixed statuses, and
// one to three segment memberships each.
package bench

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

// SegmentID is the id of every generated segment.
const SegmentID = 19

// Sizes are the segment sizes (users) that the benchmarks measure.
var Sizes = []int{39, 1_000, 10_000, 100_000}

var (
	firstNames = []string{"Aarav", "Isha", "Rohan", "Priya", "Deepak", "Ananya", "Vikram", "Meera", "Kabir", "Sara"}
	lastNames  = []string{"patel", "sharma", "mehta", "iyer", "rao", "gupta", "singh", "nair", "kapoor", "das"}
	// statuses and their weights: half pending, a third active, the rest inactive.
	statuses = []string{"pending", "pending", "pending", "active", "active", "inactive"}
	others   = []shorterloop.SegmentOption{
		{Value: "Budget Conscious Families", UserSegment: shorterloop.UserSegment{SegmentOptionID: 18, InitiativeID: 1117, SubscriptionID: 1063}},
		{Value: "Early Adopters", UserSegment: shorterloop.UserSegment{SegmentOptionID: 23, InitiativeID: 1117}},
	}
)

// Segment returns segment 19, "Young Innovators", with n users. The same n
// always gives the same segment.
func Segment(n int) shorterloop.Segment {
	//nolint:gosec // G404: seeded on purpose, for repeatable data
	rng := rand.New(rand.NewPCG(uint64(n), 19))
	ids := rng.Perm(n) // users are not ordered by id, as in the vendor example
	users := make([]shorterloop.User, n)
	for i := range users {
		id := int64(1650 + ids[i])
		first, last := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
		subs := []shorterloop.Subscription{subscription(rng, first)}
		if i%10 == 9 {
			subs = append(subs, subscription(rng, first))
		}
		ts := fmt.Sprintf("2024-10-%02dT%02d:%02d:%02d.000Z", 24+rng.IntN(6), rng.IntN(24), rng.IntN(60), rng.IntN(60))
		opts := make([]shorterloop.SegmentOption, 0, 3)
		for _, o := range others[:rng.IntN(len(others)+1)] {
			o.UserSegment.CreatedAt, o.UserSegment.UpdatedAt = ts, ts
			opts = append(opts, o)
		}
		opts = append(opts, shorterloop.SegmentOption{Value: "Young Innovators", UserSegment: shorterloop.UserSegment{
			SegmentOptionID: SegmentID, CreatedAt: ts, UpdatedAt: ts,
		}})
		users[i] = shorterloop.User{
			ID:             id,
			Email:          email(first, last, id),
			Subscriptions:  subs,
			SegmentOptions: opts,
		}
	}
	return shorterloop.Segment{
		ID: SegmentID, Value: new("Young Innovators"), CreatedAt: new("2024-10-24T08:11:55.000Z"),
		Users: users, UserCount: new(int64(n)),
	}
}

func subscription(rng *rand.Rand, first string) shorterloop.Subscription {
	s := shorterloop.Subscription{UserRole: "idm_member", Status: statuses[rng.IntN(len(statuses))]}
	if rng.IntN(100) < 44 { // 22 of the vendor's 39 users have no first name
		s.FirstName = &first
	}
	return s
}

// email is lower-case like the vendor's, except for one user in seven.
func email(first, last string, id int64) string {
	if id%7 != 0 {
		first = strings.ToLower(first)
	}
	return fmt.Sprintf("%s.%s%d@shorterloop.com", first, last, id)
}

// Body returns the with-users response body for Segment(n), indented with
// two spaces like the vendor's example.
func Body(n int) []byte {
	body, err := json.MarshalIndent(struct {
		Success bool                `json:"success"` // before "data", as the API sends them
		Data    shorterloop.Segment `json:"data"`
	}{true, Segment(n)}, "", "  ")
	if err != nil {
		panic(err) // a Segment always marshals
	}
	return body
}

var bodies sync.Map // by size: func() []byte

// CachedBody is Body(n), generated once per process.
func CachedBody(n int) []byte {
	once, _ := bodies.LoadOrStore(n, sync.OnceValue(func() []byte { return Body(n) }))
	body, _ := once.(func() []byte)
	return body()
}
