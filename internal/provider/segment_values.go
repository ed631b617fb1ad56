package provider

import (
	"cmp"
	"context"
	"fmt"
	"slices"
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
	return &stateTypes{
		state:        objectAt(path.Empty()).TerraformType(ctx),
		user:         objectAt(users),
		subscription: objectAt(users.AtName("subscriptions").AtListIndex(0)),
		membership:   objectAt(users.AtName("memberships").AtListIndex(0)),
	}
})

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
