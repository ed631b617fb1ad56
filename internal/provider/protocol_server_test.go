package provider

import (
	"bytes"
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/bench"
	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

// protocolServer does not forward the framework's list resource, action and
// state store calls, which terraform-plugin-go keeps in interfaces of their
// own: a provider that defined any would have them hidden.
func TestProtocolServerHidesNothingTheProviderDefines(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := NewProtocol6("test")()
	meta, err := s.GetMetadata(ctx, &tfprotov6.GetMetadataRequest{})
	if err != nil || len(meta.Diagnostics) > 0 {
		t.Fatalf("GetMetadata: %v %+v", err, meta.Diagnostics)
	}
	schemas, err := s.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || len(schemas.Diagnostics) > 0 {
		t.Fatalf("GetProviderSchema: %v %+v", err, schemas.Diagnostics)
	}
	for _, kind := range []struct {
		name    string
		defined int
	}{
		{"list resources", len(meta.ListResources) + len(schemas.ListResourceSchemas)},
		{"actions", len(meta.Actions) + len(schemas.ActionSchemas)},
		{"state stores", len(meta.StateStores) + len(schemas.StateStoreSchemas)},
	} {
		if kind.defined > 0 {
			t.Errorf("the provider defines %s, which protocolServer does not forward to the framework", kind.name)
		}
	}
	if len(meta.DataSources) != 1 || len(schemas.DataSourceSchemas) != 1 {
		t.Errorf("the framework reports %d data sources and %d data source schemas, want 1", len(meta.DataSources), len(schemas.DataSourceSchemas))
	}
}

// frameworkReads is the provider's server, counting the reads that
// protocolServer leaves to the framework.
type frameworkReads struct {
	tfprotov6.ProviderServer
	n atomic.Int64
}

func (f *frameworkReads) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	f.n.Add(1)
	return f.ProviderServer.ReadDataSource(ctx, req)
}

// countedServer is NewProtocol6's server with its framework reads counted.
func countedServer() (*protocolServer, *frameworkReads) {
	s := NewProtocol6("test")().(*protocolServer)
	reads := &frameworkReads{ProviderServer: s.ProviderServer}
	s.ProviderServer = reads
	return s, reads
}

// The fast path answers every configured, fully known read, with exactly
// what the framework path answers: state byte for byte, and diagnostics with
// their attribute paths, for every kind of segment and configuration. This
// is what keeps segmentModel in step with the schema.
func TestFastReadMatchesFrameworkRead(t *testing.T) {
	t.Parallel()
	api, srv := newFakeAPI(t)
	sub := func(first *string, status, role string) shorterloop.Subscription {
		return shorterloop.Subscription{FirstName: first, Status: status, UserRole: role}
	}
	opt := func(id int64, name string) shorterloop.SegmentOption {
		return shorterloop.SegmentOption{Value: name, UserSegment: shorterloop.UserSegment{
			SegmentOptionID: id, InitiativeID: -5, TeamID: 1 << 40, SubscriptionID: 70000, CreatedAt: "c", UpdatedAt: "u",
		}}
	}
	long := string(bytes.Repeat([]byte("x"), 70000))
	api.SetSegment(7, mixedSegment())
	api.SetSegment(8, shorterloop.Segment{ID: 8, Value: new("Edges " + long[:40]), CreatedAt: new(long[:300]), UserCount: new(int64(5)), Users: []shorterloop.User{
		{ID: 3, Email: " Dup@Example.com ", Subscriptions: []shorterloop.Subscription{sub(ptr("Ann"), "active", "admin"), sub(nil, "pending", "viewer")},
			SegmentOptions: []shorterloop.SegmentOption{opt(300, "c"), opt(19, "a"), opt(200, "b"), opt(19, "a2")}},
		{ID: 1, Email: "dup@example.com", Subscriptions: []shorterloop.Subscription{sub(ptr(long), "active", "viewer")}},
		{ID: -2, Email: "", SegmentOptions: []shorterloop.SegmentOption{opt(1, long[:20])}},
		{ID: 1 << 33, Email: "zoë@exämple.com"},
	}})
	api.SetSegment(9, shorterloop.Segment{ID: 9, Value: new("Empty"), CreatedAt: new("2025-01-01T00:00:00.000Z")})
	big := bench.Segment(300)
	api.SetSegment(10, big)
	short := bench.Segment(20)
	short.ID, short.UserCount = 11, new(int64(50))
	api.SetSegment(11, short)
	uncounted := bench.Segment(20)
	uncounted.ID, uncounted.Value, uncounted.CreatedAt, uncounted.UserCount = 12, nil, nil, nil
	api.SetSegment(12, uncounted)

	framework := providerserver.NewProtocol6(New("test")())()
	configure(t, framework, srv.URL)
	list := func(values ...string) []string { return values }
	yes, no := true, false
	queries := []segmentModel{
		{},
		{IncludeUsers: &yes},
		{IncludeUsers: &no},
		{Statuses: list("active")},
		{UserRoles: list("admin", "idm_member")},
		{Statuses: list("active"), UserRoles: list("viewer"), IncludeUsers: &no},
		{Statuses: list("nobody")},
		{AllowIncomplete: &yes},
		{AllowIncomplete: &no, IncludeUsers: &no},
	}
	orNull := func(b *bool) any {
		if b == nil {
			return "null"
		}
		return *b
	}
	for _, id := range []int64{7, 8, 9, 10, 11, 12, 18, 19, 999} {
		for _, q := range queries {
			q.ID = id
			name := fmt.Sprintf("id=%d,statuses=%q,user_roles=%q,include_users=%v,allow_incomplete=%v", id, q.Statuses, q.UserRoles, orNull(q.IncludeUsers), orNull(q.AllowIncomplete))
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				fast, fallbacks := countedServer()
				configure(t, fast, srv.URL)
				want := readSegmentThrough(t, framework, q)
				got := readSegmentThrough(t, fast, q)
				if n := fallbacks.n.Load(); n != 0 {
					t.Errorf("the framework answered %d read(s) of a configured, fully known configuration; the fast path should have", n)
				}
				if len(want.Diagnostics) > 0 && want.Diagnostics[0].Severity == tfprotov6.DiagnosticSeverityError {
					// Terraform ignores the state of a failed read.
				} else if !bytes.Equal(got.State.MsgPack, want.State.MsgPack) {
					t.Errorf("fast path state differs from the framework's:\nfast:      %s\nframework: %s", decodeState(t, got), decodeState(t, want))
				}
				if len(got.Diagnostics) != len(want.Diagnostics) {
					t.Fatalf("fast path diagnostics %v, framework's %v", got.Diagnostics, want.Diagnostics)
				}
				for i, d := range want.Diagnostics {
					g := got.Diagnostics[i]
					if g.Severity != d.Severity || g.Summary != d.Summary || g.Detail != d.Detail || !g.Attribute.Equal(d.Attribute) {
						t.Errorf("diagnostic %d:\nfast path: %+v\nframework: %+v", i, g, d)
					}
				}
			})
		}
	}
}

// Read diagnostics point at the argument they are about, on both paths.
func TestReadDiagnosticPaths(t *testing.T) {
	t.Parallel()
	api, srv := newFakeAPI(t)
	short := bench.Segment(20)
	short.ID, short.UserCount = 11, new(int64(50))
	api.SetSegment(11, short)
	framework := providerserver.NewProtocol6(New("test")())()
	configure(t, framework, srv.URL)
	fast, fallbacks := countedServer()
	configure(t, fast, srv.URL)
	yes := true
	tests := []struct {
		name, summary, path string
		q                   segmentModel
	}{
		{"segment not found", "Shorter Loop segment not found", "id", segmentModel{ID: 404}},
		{"incomplete answer", "Shorter Loop answer is incomplete", "allow_incomplete", segmentModel{ID: 11}},
		{"incomplete answer allowed", "Shorter Loop answer is incomplete", "allow_incomplete", segmentModel{ID: 11, AllowIncomplete: &yes}},
		{"status filter keeps nobody", "Shorter Loop segment filter keeps no users", "statuses", segmentModel{ID: 19, Statuses: []string{"Pending"}}},
		{"role filter keeps nobody", "Shorter Loop segment filter keeps no users", "user_roles", segmentModel{ID: 19, UserRoles: []string{"admin"}}},
	}
	for _, tt := range tests {
		for name, s := range map[string]tfprotov6.ProviderServer{"fast": fast, "framework": framework} {
			resp := readSegmentThrough(t, s, tt.q)
			want := tftypes.NewAttributePath().WithAttributeName(tt.path)
			if len(resp.Diagnostics) != 1 {
				t.Fatalf("%s, %s path: %d diagnostics, want 1", tt.name, name, len(resp.Diagnostics))
			}
			if d := resp.Diagnostics[0]; d.Summary != tt.summary || !d.Attribute.Equal(want) {
				t.Errorf("%s, %s path: %q at %v, want %q at %v", tt.name, name, d.Summary, d.Attribute, tt.summary, want)
			}
		}
	}
	if n := fallbacks.n.Load(); n != 0 {
		t.Errorf("the framework answered %d of the fast path's reads", n)
	}
}

// Reads the fast path does not take go to the framework.
func TestFastReadFallsBackToFramework(t *testing.T) {
	t.Parallel()
	_, srv := newFakeAPI(t)
	tests := []struct {
		name        string
		configured  bool
		override    map[string]tftypes.Value
		wantSummary string
	}{
		{name: "not configured", override: nil, wantSummary: "Provider not configured"},
		{name: "unknown value", configured: true, override: map[string]tftypes.Value{
			"statuses": tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, tftypes.UnknownValue),
		}},
		{name: "id not an integer", configured: true, override: map[string]tftypes.Value{"id": tftypes.NewValue(tftypes.Number, 19.5)},
			wantSummary: "Value Conversion Error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, fallbacks := countedServer()
			if tt.configured {
				configure(t, s, srv.URL)
			}
			resp, err := s.ReadDataSource(context.Background(), &tfprotov6.ReadDataSourceRequest{
				TypeName: "shorterloop_segment", Config: segmentConfig(t, segmentModel{ID: 19}, tt.override),
			})
			if err != nil {
				t.Fatal(err)
			}
			if n := fallbacks.n.Load(); n != 1 {
				t.Errorf("the framework answered %d reads, want 1", n)
			}
			if tt.wantSummary != "" && (len(resp.Diagnostics) == 0 || resp.Diagnostics[0].Summary != tt.wantSummary) {
				t.Errorf("diagnostics = %+v, want %q", resp.Diagnostics, tt.wantSummary)
			}
		})
	}
}

func configure(t testing.TB, s tfprotov6.ProviderServer, url string) {
	t.Helper()
	ctx := context.Background()
	schemas, err := s.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	typ := schemas.Provider.ValueType().(tftypes.Object)
	attrs := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		attrs[name] = tftypes.NewValue(at, nil)
	}
	attrs["api_token"] = tftypes.NewValue(tftypes.String, testToken)
	attrs["initiative_id"] = tftypes.NewValue(tftypes.String, testInitiative)
	attrs["base_url"] = tftypes.NewValue(tftypes.String, url)
	cfg, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, attrs))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := s.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: &cfg})
	if err != nil || len(resp.Diagnostics) > 0 {
		t.Fatalf("ConfigureProvider: %v %+v", err, resp.Diagnostics)
	}
}

// segmentConfig encodes q as a data source configuration; override replaces
// attributes.
func segmentConfig(t testing.TB, q segmentModel, override map[string]tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	strs := func(values []string) tftypes.Value {
		typ := tftypes.List{ElementType: tftypes.String}
		if values == nil {
			return tftypes.NewValue(typ, nil)
		}
		elems := make([]tftypes.Value, len(values))
		for i, v := range values {
			elems[i] = tftypes.NewValue(tftypes.String, v)
		}
		return tftypes.NewValue(typ, elems)
	}
	attrs := map[string]tftypes.Value{}
	_, st := segmentSchema()
	typ := st.(tftypes.Object)
	for name, typ := range typ.AttributeTypes {
		attrs[name] = tftypes.NewValue(typ, nil)
	}
	attrs["id"] = tftypes.NewValue(tftypes.Number, q.ID)
	attrs["statuses"] = strs(q.Statuses)
	attrs["user_roles"] = strs(q.UserRoles)
	if q.IncludeUsers != nil {
		attrs["include_users"] = tftypes.NewValue(tftypes.Bool, *q.IncludeUsers)
	}
	if q.AllowIncomplete != nil {
		attrs["allow_incomplete"] = tftypes.NewValue(tftypes.Bool, *q.AllowIncomplete)
	}
	for name, v := range override {
		attrs[name] = v
	}
	cfg, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, attrs))
	if err != nil {
		t.Fatal(err)
	}
	return &cfg
}

func readSegmentThrough(t testing.TB, s tfprotov6.ProviderServer, q segmentModel) *tfprotov6.ReadDataSourceResponse {
	t.Helper()
	resp, err := s.ReadDataSource(context.Background(), &tfprotov6.ReadDataSourceRequest{
		TypeName: "shorterloop_segment", Config: segmentConfig(t, q, nil),
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.State == nil {
		resp.State = &tfprotov6.DynamicValue{}
	}
	return resp
}

func decodeState(t *testing.T, resp *tfprotov6.ReadDataSourceResponse) string {
	if len(resp.State.MsgPack) == 0 {
		return "(none)"
	}
	_, typ := segmentSchema()
	v, err := resp.State.Unmarshal(typ)
	if err != nil {
		return "undecodable: " + err.Error()
	}
	return v.String()
}
