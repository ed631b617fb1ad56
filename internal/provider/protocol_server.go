package provider

import (
	"context"
	"math/big"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// NewProtocol6 returns the constructor of the provider's plugin protocol
// server: the framework's, except that it answers reads of
// shorterloop_segment itself, writing the state in the protocol's encoding
// straight from the decoded segment.
//
// The framework would build the state as attribute values, convert them to
// protocol values, copy, convert back and compare them, then encode them:
// passes that allocate for every value and, for a large segment, take many
// times longer than the request and its decoding (DESIGN.md, "Two read
// paths"). Reads the fast path does not handle (an unconfigured or deferred
// provider, a configuration it does not expect) go to the framework, whose
// Read produces the same state, byte for byte.
func NewProtocol6(version string) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer {
		p := &configuredProvider{ShorterloopProvider: &ShorterloopProvider{version: version}}
		return &protocolServer{ProviderServer: providerserver.NewProtocol6(p)(), provider: p}
	}
}

// protocolServer forwards every call but ReadDataSource to the framework.
// The provider has no list resources, actions or state stores, whose calls
// terraform-plugin-go still keeps in interfaces of their own: those it does
// not forward.
type protocolServer struct {
	tfprotov6.ProviderServer
	provider *configuredProvider
}

// configuredProvider keeps what Configure handed to data sources, for the
// fast path.
type configuredProvider struct {
	*ShorterloopProvider
	data atomic.Pointer[providerData]
}

func (p *configuredProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	p.ShorterloopProvider.Configure(ctx, req, resp)
	data, _ := resp.DataSourceData.(*providerData)
	p.data.Store(data)
}

func (s *protocolServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	data := s.provider.data.Load()
	if req.TypeName != "shorterloop_segment" || data == nil || data.client == nil || req.Config == nil {
		return s.ProviderServer.ReadDataSource(ctx, req)
	}
	q, ok := segmentQueryFrom(req.Config)
	if !ok {
		return s.ProviderServer.ReadDataSource(ctx, req)
	}

	seg, kept, diags := data.read(ctx, q)
	resp := &tfprotov6.ReadDataSourceResponse{State: req.Config} // Terraform ignores the state of a failed read
	if !diags.HasError() {
		state, err := encodeSegmentState(q, seg, kept)
		if err != nil {
			return nil, err
		}
		resp.State = &tfprotov6.DynamicValue{MsgPack: state}
	}
	for _, d := range diags {
		resp.Diagnostics = append(resp.Diagnostics, protocolDiagnostic(d))
	}
	return resp, nil
}

// protocolDiagnostic is d as the framework sends it, whose conversion of
// attribute paths is internal.
func protocolDiagnostic(d diag.Diagnostic) *tfprotov6.Diagnostic {
	pd := &tfprotov6.Diagnostic{Severity: tfprotov6.DiagnosticSeverityWarning, Summary: d.Summary(), Detail: d.Detail()}
	if d.Severity() == diag.SeverityError {
		pd.Severity = tfprotov6.DiagnosticSeverityError
	}
	if d, ok := d.(diag.DiagnosticWithPath); ok {
		var steps []tftypes.AttributePathStep
		for _, step := range d.Path().Steps() {
			if name, ok := step.(path.PathStepAttributeName); ok { // the read's diagnostics name attributes only
				steps = append(steps, tftypes.AttributeName(name))
			}
		}
		pd.Attribute = tftypes.NewAttributePathWithSteps(steps)
	}
	return pd
}

// segmentQueryFrom reads a data source configuration. It reports false for a
// configuration that the framework should handle: one with unknown values, or
// values that the schema's types do not allow, which the framework reports.
func segmentQueryFrom(config *tfprotov6.DynamicValue) (segmentQuery, bool) {
	v, err := config.Unmarshal(segmentTypes().state)
	if err != nil || !v.IsFullyKnown() || v.IsNull() {
		return segmentQuery{}, false
	}
	var attrs map[string]tftypes.Value
	if v.As(&attrs) != nil {
		return segmentQuery{}, false
	}
	var q segmentQuery
	var id big.Float
	if attrs["id"].IsNull() || attrs["id"].As(&id) != nil {
		return segmentQuery{}, false
	}
	var exact big.Accuracy
	if q.id, exact = id.Int64(); exact != big.Exact {
		return segmentQuery{}, false
	}
	var ok bool
	if q.statuses, ok = stringsFrom(attrs["statuses"]); !ok {
		return segmentQuery{}, false
	}
	if q.userRoles, ok = stringsFrom(attrs["user_roles"]); !ok {
		return segmentQuery{}, false
	}
	if q.includeUsers, ok = boolFrom(attrs["include_users"]); !ok {
		return segmentQuery{}, false
	}
	if q.allowIncomplete, ok = boolFrom(attrs["allow_incomplete"]); !ok {
		return segmentQuery{}, false
	}
	return q, true
}

// boolFrom reads a bool, nil for null.
func boolFrom(v tftypes.Value) (*bool, bool) {
	if v.IsNull() {
		return nil, true
	}
	var b bool
	if v.As(&b) != nil {
		return nil, false
	}
	return &b, true
}

// stringsFrom reads a list of strings, nil for null.
func stringsFrom(v tftypes.Value) ([]string, bool) {
	if v.IsNull() {
		return nil, true
	}
	var elems []tftypes.Value
	if v.As(&elems) != nil {
		return nil, false
	}
	out := make([]string, len(elems))
	for i, e := range elems {
		if e.IsNull() || e.As(&out[i]) != nil {
			return nil, false
		}
	}
	return out, true
}
