// Package provider implements the Shorter Loop Terraform provider.
package provider

import (
	"context"
	"crypto/x509"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

// Environment variables read when the matching attribute is not set.
const (
	envAPIToken     = "SHORTERLOOP_API_TOKEN" //nolint:gosec // G101: the variable's name, not a credential
	envInitiativeID = "SHORTERLOOP_INITIATIVE_ID"
	envBaseURL      = "SHORTERLOOP_BASE_URL"
	envMaxRetries   = "SHORTERLOOP_MAX_RETRIES"
	envTimeout      = "SHORTERLOOP_REQUEST_TIMEOUT"
	envCACertFile   = "SHORTERLOOP_CA_CERT_FILE"

	envMaxRequestsPerSecond = "SHORTERLOOP_MAX_REQUESTS_PER_SECOND"
)

const (
	defaultMaxRetries       = 4
	maxMaxRetries           = 10
	maxRequestTimeout       = 10 * time.Minute
	maxMaxRequestsPerSecond = 1000
)

var _ provider.Provider = (*ShorterloopProvider)(nil)

// New returns a constructor for the provider at the given version.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &ShorterloopProvider{version: version}
	}
}

// ShorterloopProvider is the shorterloop provider.
type ShorterloopProvider struct {
	version string
}

type providerModel struct {
	APIToken       types.String `tfsdk:"api_token"`
	InitiativeID   types.String `tfsdk:"initiative_id"`
	BaseURL        types.String `tfsdk:"base_url"`
	MaxRetries     types.Int64  `tfsdk:"max_retries"`
	RequestTimeout types.String `tfsdk:"request_timeout"`
	// MaxRequestsPerSecond is a number, so fractions such as 0.5 are allowed.
	MaxRequestsPerSecond types.Float64 `tfsdk:"max_requests_per_second"`
	CACertPEM            types.String  `tfsdk:"ca_cert_pem"`
}

// providerData is handed to data sources by Configure.
type providerData struct {
	client       *shorterloop.Client
	initiativeID string
	token        string
	// unknown lists the attributes that Terraform could not resolve at plan time.
	unknown []string
	// segments shares segment reads within this provider process.
	segments *segmentCache
}

// withMasking returns ctx with the token masked in every log message and field.
func (d *providerData) withMasking(ctx context.Context) context.Context {
	if d.token == "" {
		return ctx
	}
	ctx = tflog.MaskMessageStrings(ctx, d.token)
	return tflog.MaskAllFieldValuesStrings(ctx, d.token)
}

func (p *ShorterloopProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "shorterloop"
	resp.Version = p.version
}

func (p *ShorterloopProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads segments and their members from [Shorter Loop](https://shorterloop.com).",
		Attributes: map[string]schema.Attribute{
			"api_token": schema.StringAttribute{
				MarkdownDescription: "Shorter Loop API bearer token. Can also be set with the `" + envAPIToken + "` environment variable. " +
					"Prefer the environment variable so that the token stays out of configuration files. " +
					"Surrounding whitespace, such as the trailing newline that `file()` keeps, a byte-order mark, and a leading `Bearer ` copied with the token are removed.",
				Optional:  true,
				Sensitive: true,
				Validators: []validator.String{settingValidator[string]{
					description: "value must be an API token, one string without spaces or line breaks", parse: parseToken,
				}},
			},
			"initiative_id": schema.StringAttribute{
				MarkdownDescription: "Initiative (product) key sent in the `initiativeId` header, e.g. `SHO-MJXR` from " +
					"`https://app.shorterloop.com/<ORG>/product/SHO-MJXR/dashboard`. Can also be set with the `" + envInitiativeID + "` environment variable.",
				Optional: true,
				Validators: []validator.String{settingValidator[string]{
					description: "value must be an initiative key such as SHO-MJXR", parse: parseInitiative,
				}},
			},
			"base_url": schema.StringAttribute{
				MarkdownDescription: "Base URL of the Shorter Loop API. Defaults to `" + shorterloop.DefaultBaseURL + "`. " +
					"Can also be set with the `" + envBaseURL + "` environment variable. Must be an absolute `https` URL; " +
					"plain `http` is accepted only for loopback hosts (`localhost`, `127.0.0.1`, `::1`), because the token is a bearer secret.",
				Optional:   true,
				Validators: []validator.String{baseURLValidator},
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How many times a transient failure (connection error, timeout, HTTP 429, 500, 502, 503 or 504) is retried, "+
					"with capped exponential backoff and jitter, honouring `Retry-After`. `0` disables retries. Defaults to `%d`; at most `%d`. "+
					"Can also be set with the `%s` environment variable.", defaultMaxRetries, maxMaxRetries, envMaxRetries),
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(0, maxMaxRetries)},
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Time limit of one request attempt, body included, as a duration such as `30s` or `1m30s`. "+
					"Defaults to `%s`; at most `%s`. Can also be set with the `%s` environment variable.", shorterloop.DefaultRequestTimeout, maxRequestTimeout, envTimeout),
				Optional: true,
				Validators: []validator.String{settingValidator[time.Duration]{
					description: "value must be a duration from 1ms to " + maxRequestTimeout.String() + ", such as 30s", parse: parseTimeout,
				}},
			},
			"max_requests_per_second": schema.Float64Attribute{
				MarkdownDescription: fmt.Sprintf("Most requests a second that this provider configuration sends to the API, from the first request: "+
					"for teams that share the API's quota with other tools. A number above `0` and at most `%d`; fractions such as `0.5` are allowed. "+
					"Unset, the provider sends freely until the API answers `429` (or `503` with `Retry-After`); then all its reads wait out the `Retry-After` "+
					"and send no faster than the API accepted, speeding up again as requests succeed. "+
					"Can also be set with the `%s` environment variable.", maxMaxRequestsPerSecond, envMaxRequestsPerSecond),
				Optional: true,
				Validators: []validator.Float64{settingValidator[float64]{
					description: fmt.Sprintf("value must be a number above 0 and at most %d", maxMaxRequestsPerSecond), parse: parseMaxRequestsPerSecond,
				}},
			},
			"ca_cert_pem": schema.StringAttribute{
				MarkdownDescription: "Extra certificate authorities to trust for the API's TLS certificate, as one or more PEM certificates, " +
					"for example `file(\"corp-ca.pem\")`: the CA of a TLS-inspecting proxy or a private CA. They are added to the system's trusted roots. " +
					"Can also be set with the `" + envCACertFile + "` environment variable, the path of a PEM file, which is not read when this attribute is set. " +
					"Proxies set with `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` are used either way.",
				Optional: true,
			},
		},
	}
}

func (p *ShorterloopProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}

	if unknown := m.unknownAttributes(); len(unknown) > 0 {
		if req.ClientCapabilities.DeferralAllowed {
			resp.Deferred = &provider.Deferred{Reason: provider.DeferredReasonProviderConfigUnknown}
			return
		}
		// Not an error yet: only a data source read during plan needs the values.
		resp.DataSourceData = &providerData{unknown: unknown}
		return
	}

	cfg, diags := clientConfig(m, os.Getenv)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg.Log = logToTflog
	cfg.UserAgent = fmt.Sprintf("terraform-provider-shorterloop/%s (+https://registry.terraform.io/providers/shorterloop/shorterloop) Terraform/%s", p.version, req.TerraformVersion)

	client, err := shorterloop.NewClient(cfg)
	if err != nil {
		resp.Diagnostics.Append(invalidConfigDiagnostic(err))
		return
	}
	data := &providerData{client: client, initiativeID: cfg.InitiativeID, token: cfg.Token, segments: newSegmentCache()}
	tflog.Debug(data.withMasking(ctx), "Configured Shorter Loop client", map[string]any{
		"base_url":                cfg.BaseURL,
		"initiative_id":           cfg.InitiativeID,
		"max_retries":             cfg.MaxRetries,
		"request_timeout":         cfg.RequestTimeout.String(),
		"max_requests_per_second": cfg.MaxRequestsPerSecond,
		"extra_ca_certs":          cfg.RootCAs != nil,
	})
	resp.DataSourceData = data
}

func (p *ShorterloopProvider) Resources(_ context.Context) []func() resource.Resource {
	return nil
}

func (p *ShorterloopProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{NewSegmentDataSource}
}

func (m providerModel) unknownAttributes() []string {
	var unknown []string
	for name, v := range map[string]attr.Value{
		"api_token": m.APIToken, "base_url": m.BaseURL, "initiative_id": m.InitiativeID,
		"max_retries": m.MaxRetries, "request_timeout": m.RequestTimeout, "ca_cert_pem": m.CACertPEM,
		"max_requests_per_second": m.MaxRequestsPerSecond,
	} {
		if v.IsUnknown() {
			unknown = append(unknown, name)
		}
	}
	slices.Sort(unknown)
	return unknown
}

// clientConfig resolves the provider's attributes and their environment
// variables (an attribute wins) into a client configuration.
func clientConfig(m providerModel, getenv func(string) string) (shorterloop.Config, diag.Diagnostics) {
	// setting is the attribute's value or, when it is null, the variable's,
	// and the name of the one it came from.
	setting := func(v types.String, attr, env string) (raw, source string) {
		if v.IsNull() {
			return getenv(env), env
		}
		return v.ValueString(), attr
	}
	var cfg shorterloop.Config
	d := make([]diag.Diagnostic, 6)
	cfg.Token, d[0] = parseToken(setting(m.APIToken, "api_token", envAPIToken))
	cfg.InitiativeID, d[1] = parseInitiative(setting(m.InitiativeID, "initiative_id", envInitiativeID))
	cfg.BaseURL, d[2] = parseBaseURL(setting(m.BaseURL, "base_url", envBaseURL))
	cfg.RequestTimeout, d[3] = parseTimeout(setting(m.RequestTimeout, "request_timeout", envTimeout))
	if m.MaxRetries.IsNull() {
		cfg.MaxRetries, d[4] = parseMaxRetries(getenv(envMaxRetries))
	} else {
		cfg.MaxRetries = int(m.MaxRetries.ValueInt64())
	}
	rps, source := getenv(envMaxRequestsPerSecond), envMaxRequestsPerSecond
	if !m.MaxRequestsPerSecond.IsNull() {
		rps, source = strconv.FormatFloat(m.MaxRequestsPerSecond.ValueFloat64(), 'g', -1, 64), "max_requests_per_second"
	}
	cfg.MaxRequestsPerSecond, d[5] = parseMaxRequestsPerSecond(rps, source)
	var diags diag.Diagnostics
	for _, d := range d {
		if d != nil {
			diags.Append(d)
		}
	}
	var caDiags diag.Diagnostics
	cfg.RootCAs, caDiags = rootCAs(m.CACertPEM, getenv)
	diags.Append(caDiags...)
	return cfg, diags
}

// rootCAs is the system's trusted roots plus the certificates of ca_cert_pem,
// or else of the file that SHORTERLOOP_CA_CERT_FILE names; nil when neither
// is set, which leaves the system's roots alone.
func rootCAs(attr types.String, getenv func(string) string) (*x509.CertPool, diag.Diagnostics) {
	pem, source := attr.ValueString(), "ca_cert_pem"
	if attr.IsNull() {
		file := strings.TrimSpace(getenv(envCACertFile))
		if file == "" {
			return nil, nil
		}
		b, err := os.ReadFile(file) //nolint:gosec // G304: the user names this file in SHORTERLOOP_CA_CERT_FILE for the provider to read
		if err != nil {
			return nil, diag.Diagnostics{unreadableCACertFileDiagnostic(err)}
		}
		pem, source = string(b), fmt.Sprintf("The file %s, named by %s,", file, envCACertFile)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM([]byte(pem)) {
		return nil, diag.Diagnostics{noCACertDiagnostic(source)}
	}
	return pool, nil
}

// logToTflog sends the client's messages to Terraform's log. ctx carries the
// token mask set up in Read.
func logToTflog(ctx context.Context, level, msg string, fields map[string]any) {
	switch level {
	case "error":
		tflog.Error(ctx, msg, fields)
	case "warn":
		tflog.Warn(ctx, msg, fields)
	case "info":
		tflog.Info(ctx, msg, fields)
	default:
		tflog.Debug(ctx, msg, fields)
	}
}
