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
// segmentModel does not take, such as a fractional id. Under a plain providerserver server, Read
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
	resp.Diagnostics.Append(d.data.read(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// read is the read that both paths share, the framework's Read and the
// protocol server's: the request, the checks of the answer, the filters with
// their warnings, and the computed attributes of m.
func (d *providerData) read(ctx context.Context, m *segmentModel) diag.Diagnostics {
	seg, diags := d.readSegment(ctx, m.ID)
	if diags.HasError() {
		return diags
	}
	diags.Append(answerDiagnostics(seg, m, d.initiativeID)...)
	if diags.HasError() {
		return diags
	}
	kept := keptUsers(seg.Users, newUserFilter(m.Statuses, m.UserRoles))
	diags.Append(filterWarnings(seg, m.Statuses, m.UserRoles, len(kept), m.ID, d.initiativeID)...)
	m.setSegment(seg, kept)
	return diags
}
