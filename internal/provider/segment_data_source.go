package provider

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

var _ datasource.DataSourceWithConfigure = (*SegmentDataSource)(nil)

// NewSegmentDataSource returns the shorterloop_segment data source.
func NewSegmentDataSource() datasource.DataSource {
	return &SegmentDataSource{}
}

// SegmentDataSource reads one segment with its users.
type SegmentDataSource struct {
	data *providerData
}

type segmentModel struct {
	ID           types.Int64  `tfsdk:"id"`
	Statuses     types.List   `tfsdk:"statuses"`
	UserRoles    types.List   `tfsdk:"user_roles"`
	IncludeUsers types.Bool   `tfsdk:"include_users"`
	Name         types.String `tfsdk:"name"`
	CreatedAt    types.String `tfsdk:"created_at"`
	UserCount    types.Int64  `tfsdk:"user_count"`
	Emails       types.List   `tfsdk:"emails"`
	Users        types.List   `tfsdk:"users"`
}

func (d *SegmentDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_segment"
}

func (d *SegmentDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	filter := func(what string) schema.ListAttribute {
		return schema.ListAttribute{
			MarkdownDescription: "Keep only users with a subscription whose " + what + " is one of these values (exact, case-sensitive match). " +
				"With both `statuses` and `user_roles`, a single subscription must match both. `emails` and `users` are filtered; `user_count` is not.",
			ElementType: types.StringType,
			Optional:    true,
			Validators: []validator.List{
				listvalidator.SizeAtLeast(1),
				listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1)),
			},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one Shorter Loop segment with its users and their segment memberships.",
		Attributes: map[string]schema.Attribute{
			"id": schema.Int64Attribute{
				MarkdownDescription: "Segment (segment option) id, e.g. `19`.",
				Required:            true,
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"statuses":   filter("status (e.g. `pending`, `active`)"),
			"user_roles": filter("user role (e.g. `idm_member`)"),
			"include_users": schema.BoolAttribute{
				MarkdownDescription: "Whether to fill `users`. Defaults to `true`. Set to `false` for very large segments when only `emails` is needed: `users` is then null.",
				Optional:            true,
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Display name of the segment.",
				Computed:            true,
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the segment was created, in RFC 3339 format (UTC).",
				Computed:            true,
			},
			"user_count": schema.Int64Attribute{
				MarkdownDescription: "Number of users in the segment as reported by the API, before `statuses` and `user_roles` filter them.",
				Computed:            true,
			},
			"emails": schema.ListAttribute{
				MarkdownDescription: "Emails of the kept users: trimmed, lower-cased, without empty values and duplicates, sorted. " +
					"Ready for `for_each = toset(...)`.",
				ElementType: types.StringType,
				Computed:    true,
			},
			"users": schema.ListNestedAttribute{
				MarkdownDescription: "The kept users, sorted by id. Null when `include_users` is `false`.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id": schema.Int64Attribute{
							MarkdownDescription: "User id.",
							Computed:            true,
						},
						"email": schema.StringAttribute{
							MarkdownDescription: "Email as sent by the API.",
							Computed:            true,
						},
						"subscriptions": schema.ListNestedAttribute{
							MarkdownDescription: "The user's subscriptions to the initiative, in API order.",
							Computed:            true,
							NestedObject: schema.NestedAttributeObject{
								Attributes: map[string]schema.Attribute{
									"first_name": schema.StringAttribute{
										MarkdownDescription: "First name; null when the user has not set one.",
										Computed:            true,
									},
									"user_role": schema.StringAttribute{
										MarkdownDescription: "Role, e.g. `idm_member`.",
										Computed:            true,
									},
									"status": schema.StringAttribute{
										MarkdownDescription: "Subscription status, e.g. `pending`.",
										Computed:            true,
									},
								},
							},
						},
						"memberships": schema.ListNestedAttribute{
							MarkdownDescription: "Every segment the user belongs to (not only this one), sorted by segment id.",
							Computed:            true,
							NestedObject: schema.NestedAttributeObject{
								Attributes: map[string]schema.Attribute{
									"segment_id": schema.Int64Attribute{
										MarkdownDescription: "Id of the segment.",
										Computed:            true,
									},
									"segment_name": schema.StringAttribute{
										MarkdownDescription: "Display name of the segment.",
										Computed:            true,
									},
									"initiative_id": schema.Int64Attribute{
										MarkdownDescription: "Numeric initiative id of the membership; `0` when unset.",
										Computed:            true,
									},
									"team_id": schema.Int64Attribute{
										MarkdownDescription: "Team id of the membership; `0` when unset.",
										Computed:            true,
									},
									"subscription_id": schema.Int64Attribute{
										MarkdownDescription: "Subscription id of the membership; `0` when unset.",
										Computed:            true,
									},
									"created_at": schema.StringAttribute{
										MarkdownDescription: "When the user joined the segment, in RFC 3339 format (UTC).",
										Computed:            true,
									},
									"updated_at": schema.StringAttribute{
										MarkdownDescription: "When the membership last changed, in RFC 3339 format (UTC).",
										Computed:            true,
									},
								},
							},
						},
					},
				},
			},
		},
	}
}

func (d *SegmentDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if req.ProviderData == nil {
		return
	}
	data, ok := req.ProviderData.(*providerData)
	if !ok {
		resp.Diagnostics.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider; please report it.", req.ProviderData))
		return
	}
	d.data = data
}

// Read is the framework's read of the data source. The provider's server,
// NewProtocol6, answers reads itself (protocolServer.ReadDataSource) with the
// same state, byte for byte, and runs Read only for those it leaves to the
// framework: when the provider is not configured, as when its configuration
// is not known yet, and for a configuration with unknown values or values that
// the schema's types do not allow. Under a plain providerserver server, Read
// answers every read.
func (d *SegmentDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m segmentModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if d.data == nil || d.data.client == nil {
		resp.Diagnostics.Append(notConfiguredDiagnostic(d.data))
		return
	}
	ctx = d.data.withMasking(ctx)
	id := m.ID.ValueInt64()

	var statuses, roles []string
	resp.Diagnostics.Append(listStrings(ctx, m.Statuses, &statuses)...)
	resp.Diagnostics.Append(listStrings(ctx, m.UserRoles, &roles)...)
	if resp.Diagnostics.HasError() {
		return
	}

	seg, diags := d.data.readSegment(ctx, id)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	kept := keptUsers(seg.Users, newUserFilter(statuses, roles))
	resp.Diagnostics.Append(filterWarnings(seg, statuses, roles, len(kept), id, d.data.initiativeID)...)
	m.Name = types.StringValue(seg.Value)
	m.CreatedAt = types.StringValue(seg.CreatedAt)
	m.UserCount = types.Int64Value(seg.UserCount)
	m.Emails = emailsValue(kept)
	m.Users = types.ListNull(segmentTypes().user)
	if m.IncludeUsers.IsNull() || m.IncludeUsers.ValueBool() {
		m.Users = usersValue(kept)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// listStrings reads a known list of strings; a null list leaves out nil.
func listStrings(ctx context.Context, l types.List, out *[]string) diag.Diagnostics {
	if l.IsNull() {
		return nil
	}
	return l.ElementsAs(ctx, out, false)
}

func notConfiguredDiagnostic(data *providerData) diag.Diagnostic {
	if data != nil && len(data.unknown) > 0 {
		return diag.NewErrorDiagnostic("Provider configuration is not known yet",
			fmt.Sprintf("The provider's %s depends on values that are known only after apply, but this data source is read during plan. "+
				"Set them from values known at plan time (variables or the SHORTERLOOP_* environment variables), "+
				"or apply the resources they come from first (terraform apply -target=...).", strings.Join(data.unknown, " and ")))
	}
	return diag.NewErrorDiagnostic("Provider not configured",
		"The shorterloop provider was not configured before this data source was read. This is a bug in the provider; please report it.")
}

// segmentWarnings reports answers that differ from what was asked.
func segmentWarnings(seg *shorterloop.Segment, id int64, initiative string) diag.Diagnostics {
	var diags diag.Diagnostics
	if seg.ID != id {
		diags.AddWarning("Shorter Loop answered with another segment",
			fmt.Sprintf("Asked for segment %d in initiative %s, the API answered with segment %d (%q). "+
				"The data source keeps id = %d and shows the data it received. Check that segment %d is the one you mean.",
				id, initiative, seg.ID, seg.Value, id, id))
	}
	if seg.UserCount != int64(len(seg.Users)) {
		diags.AddWarning("Shorter Loop user count differs from the users returned",
			fmt.Sprintf("Segment %d in initiative %s reports userCount %d but the API returned %d users. "+
				"user_count shows the reported number; emails and users hold the users returned.",
				id, initiative, seg.UserCount, len(seg.Users)))
	}
	return diags
}

// filterWarnings warns when the statuses and user_roles filters keep none of
// a non-empty segment's users, naming the values its subscriptions do have.
// kept is the number of users the filters kept.
func filterWarnings(seg *shorterloop.Segment, statuses, userRoles []string, kept int, id int64, initiative string) diag.Diagnostics {
	if kept > 0 || len(seg.Users) == 0 || (statuses == nil && userRoles == nil) {
		return nil
	}
	var filters, present []string
	add := func(name, what string, values []string, field func(shorterloop.Subscription) string) {
		if values == nil {
			return
		}
		filters = append(filters, name+" = ["+quoted(values)+"]")
		seen := map[string]bool{}
		for _, u := range seg.Users {
			for _, s := range u.Subscriptions {
				seen[field(s)] = true
			}
		}
		present = append(present, fmt.Sprintf("%s in the segment's subscriptions: %s.", what, someValues(slices.Sorted(maps.Keys(seen)), 10)))
	}
	add("statuses", "Statuses", statuses, func(s shorterloop.Subscription) string { return s.Status })
	add("user_roles", "User roles", userRoles, func(s shorterloop.Subscription) string { return s.UserRole })
	detail := fmt.Sprintf("The filter %s keeps none of the %d users of segment %d in initiative %s, so emails lists nobody.",
		filters[0], len(seg.Users), id, initiative)
	if len(filters) == 2 {
		detail = fmt.Sprintf("The filters %s and %s keep none of the %d users of segment %d in initiative %s, so emails lists nobody. "+
			"A user is kept only when one subscription matches both.", filters[0], filters[1], len(seg.Users), id, initiative)
	}
	var diags diag.Diagnostics
	diags.AddWarning("Shorter Loop segment filter keeps no users", detail+" "+strings.Join(present, " ")+
		` Matching is exact and case-sensitive: for example, statuses = ["Active"] does not keep a subscription whose status is "active".`)
	return diags
}

// quoted quotes values and joins them with commas.
func quoted(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, ", ")
}

// someValues quotes the first n of values, then says how many more there are.
func someValues(values []string, n int) string {
	if len(values) == 0 {
		return "none"
	}
	s := quoted(values[:min(n, len(values))])
	if len(values) > n {
		s += fmt.Sprintf(" and %d more", len(values)-n)
	}
	return s
}

// readErrorDiagnostic turns a client error into a diagnostic summary and detail.
func readErrorDiagnostic(err error, id int64, initiative string) (string, string) {
	what := fmt.Sprintf("Reading segment %d in initiative %s failed: %s.", id, initiative, err)
	var apiErr *shorterloop.APIError
	var redirect *shorterloop.RedirectError
	var tooLarge *shorterloop.BodyTooLargeError
	var timeout interface{ Timeout() bool }
	switch {
	case errors.As(err, &apiErr) && !apiErr.TokenExpiredAt.IsZero():
		return "Shorter Loop API token expired", what +
			fmt.Sprintf(" The API token expired at %s, %s ago. Set a fresh token in %s or api_token.",
				apiErr.TokenExpiredAt.UTC().Format(time.RFC3339), roughDuration(time.Since(apiErr.TokenExpiredAt)), envAPIToken)
	case errors.Is(err, shorterloop.ErrUnauthorized):
		return "Shorter Loop rejected the API token", what +
			" Check that api_token (or " + envAPIToken + ") holds a valid, unexpired Shorter Loop API token."
	case errors.Is(err, shorterloop.ErrForbidden):
		return "No access to the Shorter Loop initiative", what +
			fmt.Sprintf(" The token is valid but has no access to initiative %s. Check initiative_id (or %s), or use a token of a user with access to it.", initiative, envInitiativeID)
	case errors.Is(err, shorterloop.ErrNotFound):
		return "Shorter Loop segment not found", what +
			fmt.Sprintf(" Initiative %s has no segment %d. Check the data source's id and the provider's initiative_id.", initiative, id)
	case errors.Is(err, context.Canceled):
		return "Reading the Shorter Loop segment was interrupted", what
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusTooManyRequests:
		return "Shorter Loop rate limit reached", what +
			" The provider retries within max_retries and a wait budget of " + shorterloop.DefaultRetryBudget.String() + "; wait a while, then run Terraform again."
	case errors.As(err, &apiErr) && apiErr.StatusCode >= 500:
		return "Shorter Loop API error", what +
			" The API or a proxy in front of it failed; try again later, and contact Shorter Loop support if it persists."
	case errors.As(err, &apiErr):
		return "Shorter Loop API error", what + " Check the provider configuration and the data source arguments."
	case errors.As(err, &redirect):
		return "Shorter Loop API redirected to another host", what +
			" Set base_url (or " + envBaseURL + ") to the address the API answers at."
	case errors.As(err, &tooLarge):
		return "Shorter Loop response too large", what +
			" The provider refuses bodies this large to protect memory. Check base_url (or " + envBaseURL + ") points at the Shorter Loop API."
	case errors.Is(err, shorterloop.ErrInvalidResponse):
		return "Unexpected response from Shorter Loop", what +
			" The API answered, but not with a segment the provider can read. Check base_url (or " + envBaseURL + ") points at the Shorter Loop API; if it does, try again later."
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &timeout) && timeout.Timeout():
		return "Shorter Loop did not answer in time", what +
			" Raise request_timeout (or " + envTimeout + ") if the segment is large or the network slow, or try again later."
	}
	return "Cannot reach Shorter Loop", what + " Check base_url (or " + envBaseURL + ") and your network connection, then try again."
}

// roughDuration says d in its largest whole unit: seconds, minutes, hours or,
// from two days, days.
func roughDuration(d time.Duration) string {
	n, unit := int64(d/time.Second), "second"
	switch {
	case d >= 48*time.Hour:
		n, unit = int64(d/(24*time.Hour)), "day"
	case d >= time.Hour:
		n, unit = int64(d/time.Hour), "hour"
	case d >= time.Minute:
		n, unit = int64(d/time.Minute), "minute"
	}
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
