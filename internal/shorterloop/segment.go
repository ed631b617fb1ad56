package shorterloop

// Segment is one segment option with its users, as returned by
// GET /api/v2/segments/with-users/{segmentId}.
//
// Value, CreatedAt and UserCount are nil when the API leaves them out or
// sends null: the API's page calls the count optional.
type Segment struct {
	ID        int64   `json:"id"`
	Value     *string `json:"value"`
	CreatedAt *string `json:"createdAt"`
	Users     []User  `json:"users"`
	UserCount *int64  `json:"userCount"`
}

// User is a member of a segment.
type User struct {
	ID             int64           `json:"id"`
	Email          string          `json:"email"`
	Subscriptions  []Subscription  `json:"user_subscriptions"`
	SegmentOptions []SegmentOption `json:"segmentOptions"`
}

// Subscription is a user's subscription to the initiative.
type Subscription struct {
	// FirstName is nil when the API sends null.
	FirstName *string `json:"firstName"`
	UserRole  string  `json:"userRole"`
	Status    string  `json:"status"`
}

// SegmentOption is a segment the user belongs to, not necessarily the one requested.
type SegmentOption struct {
	Value       string      `json:"value"`
	UserSegment UserSegment `json:"user_segment"`
}

// UserSegment is the membership record linking a user to a segment option.
type UserSegment struct {
	SegmentOptionID int64  `json:"segmentOptionId"`
	InitiativeID    int64  `json:"initiativeId"`
	TeamID          int64  `json:"teamId"`
	SubscriptionID  int64  `json:"subscriptionId"`
	CreatedAt       string `json:"createdAt"`
	UpdatedAt       string `json:"updatedAt"`
}

// segmentEnvelope is the response body of the with-users endpoint.
type segmentEnvelope struct {
	Success *bool    `json:"success"`
	Data    *Segment `json:"data"`
	Message string   `json:"message"`
	Error   any      `json:"error"`
}
