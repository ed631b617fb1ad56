package provider

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// NewProtocol6 returns the constructor of the provider's plugin protocol
// server: the framework's, except that it answers reads of
// shorterloop_segment itself, encoding the state model in the protocol's
// MessagePack without the framework's conversions.
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
	sch, typ := segmentSchema()
	config, err := req.Config.Unmarshal(typ)
	var m segmentModel
	// Get fails on unknown values and on values that the model's types do
	// not allow: the framework reports those.
	if err != nil || (tfsdk.Config{Raw: config, Schema: sch}).Get(ctx, &m).HasError() {
		return s.ProviderServer.ReadDataSource(ctx, req)
	}

	diags := data.read(ctx, &m)
	resp := &tfprotov6.ReadDataSourceResponse{State: req.Config} // Terraform ignores the state of a failed read
	if !diags.HasError() {
		state, err := encodeState(&m)
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

// segmentSchema is the data source's schema, and its type in the plugin
// protocol.
var segmentSchema = sync.OnceValues(func() (schema.Schema, tftypes.Type) {
	var resp datasource.SchemaResponse
	(&SegmentDataSource{}).Schema(context.Background(), datasource.SchemaRequest{}, &resp)
	return resp.Schema, resp.Schema.Type().TerraformType(context.Background())
})
