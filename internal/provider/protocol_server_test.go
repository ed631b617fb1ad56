package provider

import (
	"bytes"
	"context"
	"fmt"
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

// The fast path answers exactly what the framework path answers, byte for
// byte, for every kind of segment and configuration. This is what keeps
// appendSegmentState in step with the schema.
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

	fast := NewProtocol6("test")()
	framework := providerserver.NewProtocol6(New("test")())()
	for _, s := range []tfprotov6.ProviderServer{fast, framework} {
		configure(t, s, srv.URL)
	}
	list := func(values ...string) []string { return values }
	yes, no := true, false
	queries := []segmentQuery{
		{},
		{includeUsers: &yes},
		{includeUsers: &no},
		{statuses: list("active")},
		{userRoles: list("admin", "idm_member")},
		{statuses: list("active"), userRoles: list("viewer"), includeUsers: &no},
		{statuses: list("nobody")},
		{allowIncomplete: &yes},
		{allowIncomplete: &no, includeUsers: &no},
	}
	for _, id := range []int64{7, 8, 9, 10, 11, 12, 18, 19, 999} {
		for _, q := range queries {
			q.id = id
			t.Run(fmt.Sprintf("%d/%+v", id, q), func(t *testing.T) {
				t.Parallel()
				want := readSegmentThrough(t, framework, q)
				got := readSegmentThrough(t, fast, q)
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
					if g.Severity != d.Severity || g.Summary != d.Summary || g.Detail != d.Detail {
						t.Errorf("diagnostic %d: fast path %+v, framework %+v", i, g, d)
					}
				}
			})
		}
	}
}

// Reads the fast path does not take go to the framework.
func TestFastReadFallsBackToFramework(t *testing.T) {
	t.Parallel()
	_, srv := newFakeAPI(t)
	t.Run("not configured", func(t *testing.T) {
		resp := readSegmentThrough(t, NewProtocol6("test")(), segmentQuery{id: 19})
		if len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Summary != "Provider not configured" {
			t.Errorf("diagnostics = %+v", resp.Diagnostics)
		}
	})
	t.Run("unknown value", func(t *testing.T) {
		s := NewProtocol6("test")()
		configure(t, s, srv.URL)
		cfg := segmentConfig(t, segmentQuery{id: 19}, map[string]tftypes.Value{
			"statuses": tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, tftypes.UnknownValue),
		})
		if _, ok := segmentQueryFrom(cfg); ok {
			t.Error("segmentQueryFrom accepted an unknown value")
		}
	})
	t.Run("id not an integer", func(t *testing.T) {
		s := NewProtocol6("test")()
		configure(t, s, srv.URL)
		cfg := segmentConfig(t, segmentQuery{}, map[string]tftypes.Value{"id": tftypes.NewValue(tftypes.Number, 19.5)})
		resp, err := s.ReadDataSource(context.Background(), &tfprotov6.ReadDataSourceRequest{TypeName: "shorterloop_segment", Config: cfg})
		if err != nil || len(resp.Diagnostics) == 0 || resp.Diagnostics[0].Severity != tfprotov6.DiagnosticSeverityError {
			t.Errorf("ReadDataSource = %+v, %v; want the framework's conversion error", resp, err)
		}
	})
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
func segmentConfig(t testing.TB, q segmentQuery, override map[string]tftypes.Value) *tfprotov6.DynamicValue {
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
	typ := segmentTypes().state.(tftypes.Object)
	for name, typ := range typ.AttributeTypes {
		attrs[name] = tftypes.NewValue(typ, nil)
	}
	attrs["id"] = tftypes.NewValue(tftypes.Number, q.id)
	attrs["statuses"] = strs(q.statuses)
	attrs["user_roles"] = strs(q.userRoles)
	if q.includeUsers != nil {
		attrs["include_users"] = tftypes.NewValue(tftypes.Bool, *q.includeUsers)
	}
	if q.allowIncomplete != nil {
		attrs["allow_incomplete"] = tftypes.NewValue(tftypes.Bool, *q.allowIncomplete)
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

func readSegmentThrough(t testing.TB, s tfprotov6.ProviderServer, q segmentQuery) *tfprotov6.ReadDataSourceResponse {
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
	v, err := resp.State.Unmarshal(segmentTypes().state)
	if err != nil {
		return "undecodable: " + err.Error()
	}
	return v.String()
}

// segmentStateSize bounds the state's size closely.
func TestSegmentStateSize(t *testing.T) {
	t.Parallel()
	big := bench.Segment(2000)
	yes, no := true, false
	for _, seg := range []*shorterloop.Segment{&big, vendorSegment(t), {ID: 1}, {ID: 2, Value: new("v"), CreatedAt: new("c"), UserCount: new(int64(1))}} {
		for _, q := range []segmentQuery{{}, {includeUsers: &yes}, {includeUsers: &no}, {statuses: []string{"active"}, userRoles: []string{"a", "b"}}} {
			kept := keptUsers(seg.Users, newUserFilter(q.statuses, q.userRoles))
			n, size := len(appendSegmentState(nil, q, seg, kept)), segmentStateSize(q, seg, kept)
			if size < n || size > n+n/2+256 {
				t.Errorf("%d users, %+v: size %d for %d bytes", len(seg.Users), q, size, n)
			}
		}
	}
}
