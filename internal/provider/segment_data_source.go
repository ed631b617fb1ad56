package provider

import (
	"context"

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
	ID              types.Int64  `tfsdk:"id"`
	Statuses        types.List   `tfsdk:"statuses"`
	UserRoles       types.List   `tfsdk:"user_roles"`
	IncludeUsers    types.Bool   `tfsdk:"include_users"`
	AllowIncomplete types.Bool   `tfsdk:"allow_incomplete"`
	Name            types.String `tfsdk:"name"`
	CreatedAt       types.String `tfsdk:"created_at"`
	UserCount       types.Int64  `tfsdk:"user_count"`
	Emails          types.List   `tfsdk:"emails"`
	Users           types.List   `tfsdk:"users"`
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
			"allow_incomplete": schema.BoolAttribute{
				MarkdownDescription: "Whether to accept an answer with fewer users than its `userCount`. Defaults to `false`: such an answer fails the read, " +
					"because feeding the short list downstream would remove the missing members. Set to `true` only where a short list is harmless, " +
					"such as a report or a list that only grows: the read then warns, and `emails` and `users` hold the users returned.",
				Optional: true,
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Display name of the segment; null when the API sends none.",
				Computed:            true,
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the segment was created, in RFC 3339 format (UTC); null when the API sends none.",
				Computed:            true,
			},
			"user_count": schema.Int64Attribute{
				MarkdownDescription: "Number of users in the segment as reported by the API, before `statuses` and `user_roles` filter them; " +
					"null when the API reports no count, which its documentation calls optional.",
				Computed: true,
			},
			"emails": schema.ListAttribute{
				MarkdownDescription: "Emails of the kept users as Terraform's `lower(trimspace(email))` gives them: trimmed, lower-cased, in Unicode NFC, " +
					"without empty values and duplicates, sorted. Ready for `for_each = toset(...)`.",
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
							MarkdownDescription: "Email as the API sends it, neither trimmed nor lower-cased, in Unicode NFC as Terraform holds every string.",
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
		resp.Diagnostics.Append(unexpectedProviderDataDiagnostic(req.ProviderData))
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
	q := segmentQuery{id: m.ID.ValueInt64(), includeUsers: m.IncludeUsers.ValueBoolPointer(), allowIncomplete: m.AllowIncomplete.ValueBoolPointer()}
	resp.Diagnostics.Append(listStrings(ctx, m.Statuses, &q.statuses)...)
	resp.Diagnostics.Append(listStrings(ctx, m.UserRoles, &q.userRoles)...)
	if resp.Diagnostics.HasError() {
		return
	}

	seg, kept, diags := d.data.read(ctx, q)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	m.Name = types.StringPointerValue(seg.Value)
	m.CreatedAt = types.StringPointerValue(seg.CreatedAt)
	m.UserCount = types.Int64PointerValue(seg.UserCount)
	m.Emails = emailsValue(kept)
	m.Users = types.ListNull(segmentTypes().user)
	if q.withUsers() {
		m.Users = usersValue(kept)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// read is the read that both paths share, the framework's Read and the
// protocol server's: the request, the checks of the answer, and the filters
// with their warnings. kept is the users that the filters keep, sorted by id.
func (d *providerData) read(ctx context.Context, q segmentQuery) (seg *shorterloop.Segment, kept []*shorterloop.User, diags diag.Diagnostics) {
	seg, diags = d.readSegment(ctx, q.id)
	if diags.HasError() {
		return nil, nil, diags
	}
	diags.Append(answerDiagnostics(seg, q, d.initiativeID)...)
	if diags.HasError() {
		return nil, nil, diags
	}
	kept = keptUsers(seg.Users, newUserFilter(q.statuses, q.userRoles))
	diags.Append(filterWarnings(seg, q.statuses, q.userRoles, len(kept), q.id, d.initiativeID)...)
	return seg, kept, diags
}

// listStrings reads a known list of strings; a null list leaves out nil.
func listStrings(ctx context.Context, l types.List, out *[]string) diag.Diagnostics {
	if l.IsNull() {
		return nil
	}
	return l.ElementsAs(ctx, out, false)
}
