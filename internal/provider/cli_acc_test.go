package provider

import (
	"cmp"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/fakeapi"
	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

// TestAccCLI_tokenNeverLeaks runs Terraform at TF_LOG=TRACE with a known
// token, given by environment variable (plain, and with the "Bearer " that
// people paste with it) and by a sensitive variable, through a successful apply, through an API that echoes the
// token back in its error bodies, and then with an expired JWT that the API
// rejects. No token, nor the expired one's email claim, may appear anywhere:
// not in the logs, the output, the diagnostics, or the state.
func TestAccCLI_tokenNeverLeaks(t *testing.T) {
	t.Parallel()
	const token = "sl-known-token-5c1d9e7f2a4b"
	for _, via := range []string{"env", "env with Bearer prefix", "attribute"} {
		t.Run(via, func(t *testing.T) {
			t.Parallel()
			api := fakeapi.New(token, testInitiative)
			_, srv := serveAPI(t, api)
			api.SetFault(66, fakeapi.Fault{Status: 502, ContentType: "text/plain", Body: "upstream saw Authorization: Bearer " + token})
			api.SetBody(67, []byte(`{"success":false,"message":"token `+token+` is not allowed here"}`))

			providerBlock := `provider "shorterloop" {
  max_retries = 1
}
`
			tokenVar := "SHORTERLOOP_API_TOKEN"
			if via == "attribute" {
				tokenVar = "TF_VAR_token"
				providerBlock = `variable "token" {
  type      = string
  sensitive = true
}

provider "shorterloop" {
  api_token   = var.token
  max_retries = 1
}
`
			}
			logPath := filepath.Join(t.TempDir(), "terraform.log")
			pasted := token
			if via == "env with Bearer prefix" {
				pasted = "Bearer " + token
			}
			env := []string{tokenVar + "=" + pasted, "SHORTERLOOP_INITIATIVE_ID=" + testInitiative, "SHORTERLOOP_BASE_URL=" + srv.URL,
				"TF_LOG=TRACE", "TF_LOG_PATH=" + logPath}

			w := newCLIWorkspace(t, providerBlock+`
data "shorterloop_segment" "ok" {
  id = 19
}

output "emails" {
  value = data.shorterloop_segment.ok.emails
}
`, env...)
			var outputs []string
			out, err := w.run(t, "apply", "-auto-approve", "-input=false", "-no-color")
			if err != nil {
				t.Fatalf("apply: %v\n%s", err, out)
			}
			outputs = append(outputs, out)
			if !strings.Contains(out, "aarav.patel1@shorterloop.com") {
				t.Fatalf("apply did not read the segment:\n%s", out)
			}
			out, err = w.run(t, "show", "-json")
			if err != nil {
				t.Fatalf("show: %v\n%s", err, out)
			}
			outputs = append(outputs, out)

			for _, id := range []int{66, 67} {
				writeFile(t, filepath.Join(w.dir, "bad.tf"), fmt.Sprintf(`data "shorterloop_segment" "bad" {
  id = %d
}
`, id))
				out, err = w.run(t, "plan", "-input=false", "-no-color")
				if err == nil {
					t.Fatalf("plan of segment %d succeeded:\n%s", id, out)
				}
				if !strings.Contains(out, "[redacted]") {
					t.Errorf("the diagnostic for segment %d does not show the redaction:\n%s", id, out)
				}
				outputs = append(outputs, out)
			}

			// The last value of a variable in the environment wins.
			w.env = append(w.env, tokenVar+"="+expiredToken)
			if err := os.Remove(filepath.Join(w.dir, "bad.tf")); err != nil {
				t.Fatal(err)
			}
			out, err = w.run(t, "plan", "-input=false", "-no-color")
			if err == nil || !strings.Contains(strings.Join(strings.Fields(out), " "), "expired at 2025-04-05T05:43:54Z") {
				t.Fatalf("plan with the expired token: %v; want the expiry diagnostic:\n%s", err, out)
			}
			outputs = append(outputs, out)

			logs, err := os.ReadFile(logPath)
			if err != nil {
				t.Fatal(err)
			}
			state, err := os.ReadFile(filepath.Join(w.dir, "terraform.tfstate"))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(logs), "Reading Shorter Loop segment") {
				t.Fatalf("the TRACE log holds no provider lines (%d bytes); is TF_LOG honoured?", len(logs))
			}
			if !strings.Contains(string(logs), "401 Unauthorized") {
				t.Fatal("the TRACE log does not show the expired token's read")
			}
			expiredParts := strings.Split(expiredToken, ".")
			for name, text := range map[string]string{
				"TRACE log": string(logs), "state": string(state), "CLI output": strings.Join(outputs, "\n"),
			} {
				for _, secret := range append([]string{token, token[:14], expiredTokenEmail}, expiredParts[1:]...) {
					if i := strings.Index(text, secret); i >= 0 {
						t.Errorf("%q appears in the %s: …%s…", secret, name, text[max(0, i-200):min(len(text), i+100)])
					}
				}
			}
		})
	}
}

// TestAccCLI_parallelReads applies 50 data sources, each on its own segment,
// at -parallelism=10 and checks every one got its own data.
func TestAccCLI_parallelReads(t *testing.T) {
	t.Parallel()
	api, srv := newFakeAPI(t)
	for i := int64(1); i <= 50; i++ {
		users := make([]shorterloop.User, i%7+1)
		for j := range users {
			users[j] = shorterloop.User{ID: i*100 + int64(j), Email: fmt.Sprintf("u%d-%d@example.com", i, j)}
		}
		api.SetSegment(i, shorterloop.Segment{ID: i, Value: new(fmt.Sprintf("Segment %d", i)), UserCount: new(int64(int64(len(users)))), Users: users})
	}
	w := newCLIWorkspace(t, `
data "shorterloop_segment" "s" {
  for_each = toset([for i in range(1, 51) : tostring(i)])
  id       = tonumber(each.key)
}

output "segments" {
  value = { for k, s in data.shorterloop_segment.s : k => { name = s.name, emails = s.emails, user_count = s.user_count } }
}
`, fakeAPIEnv(srv)...)
	if out, err := w.run(t, "apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=10"); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	out, err := w.run(t, "output", "-json", "segments")
	if err != nil {
		t.Fatalf("output: %v\n%s", err, out)
	}
	var got map[string]struct {
		Name      string   `json:"name"`
		Emails    []string `json:"emails"`
		UserCount int64    `json:"user_count"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(got) != 50 {
		t.Fatalf("got %d segments, want 50", len(got))
	}
	for i := int64(1); i <= 50; i++ {
		s := got[fmt.Sprint(i)]
		n := i%7 + 1
		if s.Name != fmt.Sprintf("Segment %d", i) || s.UserCount != n || int64(len(s.Emails)) != n || s.Emails[0] != fmt.Sprintf("u%d-0@example.com", i) {
			t.Errorf("segment %d = %+v", i, s)
		}
	}
}

// TestAccCLI_warnings checks the warnings users see when the API answers
// with another segment or a user count that does not match.
func TestAccCLI_warnings(t *testing.T) {
	t.Parallel()
	api, srv := newFakeAPI(t)
	api.SetSegment(8, shorterloop.Segment{ID: 8, Value: new("Long"), UserCount: new(int64(1)), Users: []shorterloop.User{{ID: 1, Email: "a@example.com"}, {ID: 2, Email: "b@example.com"}}})
	w := newCLIWorkspace(t, `
data "shorterloop_segment" "quirk" {
  id = 18
}

data "shorterloop_segment" "long" {
  id = 8
}
`, fakeAPIEnv(srv)...)
	out, err := w.run(t, "plan", "-input=false", "-no-color")
	if err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}
	expectOutput(t, out,
		"Warning: Shorter Loop answered with another segment",
		"Asked for segment 18 in initiative SHO-TEST, the API answered with segment 19 (\"Young Innovators\")",
		"Warning: Shorter Loop user count differs from the users returned",
		"Segment 8 in initiative SHO-TEST reports userCount 1 but the API returned 2 users",
	)
}

// TestAccCLI_filterMatchesNobody checks that a filter keeping none of a
// segment's users warns, naming the values present, while the plan succeeds;
// and that a filter on an empty segment does not. Terraform shows only the
// first of several warnings with the same summary, so each plan has one.
func TestAccCLI_filterMatchesNobody(t *testing.T) {
	t.Parallel()
	api, srv := newFakeAPI(t)
	api.SetSegment(9, shorterloop.Segment{ID: 9, Value: new("Empty")})
	w := newCLIWorkspace(t, `
data "shorterloop_segment" "empty" {
  id       = 9
  statuses = ["active"]
}
`, fakeAPIEnv(srv)...)
	tests := []struct {
		name, filters string
		want          []string
	}{
		{name: "status in the wrong case", filters: `statuses = ["Pending"]`, want: []string{
			`The filter statuses = ["Pending"] keeps none of the 39 users of segment 19 in initiative SHO-TEST, so emails lists nobody.`,
			`Statuses in the segment's subscriptions: "pending".`,
			`Matching is exact and case-sensitive`,
		}},
		{name: "both filters", filters: "statuses   = [\"pending\"]\n  user_roles = [\"admin\"]", want: []string{
			`The filters statuses = ["pending"] and user_roles = ["admin"] keep none of the 39 users of segment 19`,
			`A user is kept only when one subscription matches both.`,
			`Statuses in the segment's subscriptions: "pending". User roles in the segment's subscriptions: "idm_member".`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			writeFile(t, filepath.Join(w.dir, "filtered.tf"), fmt.Sprintf(`data "shorterloop_segment" "filtered" {
  id = 19
  %s
}

output "emails" {
  value = data.shorterloop_segment.filtered.emails
}
`, tt.filters))
			out, err := w.run(t, "plan", "-input=false", "-no-color")
			if err != nil {
				t.Fatalf("plan: %v\n%s", err, out)
			}
			expectOutput(t, out, append(tt.want, "+ emails = []", `Warning: Shorter Loop segment filter keeps no users with data.shorterloop_segment.filtered`)...)
			flat := strings.Join(strings.Fields(out), " ")
			if n := strings.Count(flat, "filter keeps no users"); n != 1 || strings.Contains(flat, "similar warning") {
				t.Errorf("plan output has %d filter warnings, want only the filtered segment's:\n%s", n, out)
			}
		})
	}
}

// TestAccCLI_tokensAsPasted reads a segment with the token as people paste
// it: from a file with its trailing newline, and with the "Bearer " prefix
// that the API's portal shows; and refuses a token broken in two, naming
// where it came from and never showing it.
func TestAccCLI_tokensAsPasted(t *testing.T) {
	t.Parallel()
	_, srv := newFakeAPI(t)
	base := []string{"SHORTERLOOP_INITIATIVE_ID=" + testInitiative, "SHORTERLOOP_BASE_URL=" + srv.URL}
	read := `
data "shorterloop_segment" "members" {
  id = 19
}
`
	tests := []struct {
		name, config string
		env          []string
		file         string
		wantError    []string
	}{
		{name: "file() with a trailing newline", config: "provider \"shorterloop\" {\n  api_token = file(\"token.txt\")\n}\n", file: testToken + "\n"},
		{name: "Bearer prefix in the environment", env: []string{"SHORTERLOOP_API_TOKEN=Bearer " + testToken}},
		{name: "file() with a byte-order mark and CRLF", config: "provider \"shorterloop\" {\n  api_token = file(\"token.txt\")\n}\n", file: "\uFEFF" + testToken + "\r\n"},
		{name: "token broken by a line break", env: []string{"SHORTERLOOP_API_TOKEN=" + testToken[:6] + "\n" + testToken[6:]},
			wantError: []string{"Error: Invalid Shorter Loop API token", "The API token in SHORTERLOOP_API_TOKEN contains a line break"}},
		{name: "token with a zero-width space", env: []string{"SHORTERLOOP_API_TOKEN=" + testToken[:6] + "\u200b" + testToken[6:]},
			wantError: []string{"Error: Invalid Shorter Loop API token", "The API token in SHORTERLOOP_API_TOKEN contains a character outside ASCII"}},
		{name: "initiative with a line break", env: []string{"SHORTERLOOP_API_TOKEN=" + testToken, "SHORTERLOOP_INITIATIVE_ID=" + testInitiative + "\nSHO-2"},
			wantError: []string{"Error: Invalid Shorter Loop initiative", `The initiative key in SHORTERLOOP_INITIATIVE_ID, "` + testInitiative + `\nSHO-2", contains a line break`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newCLIWorkspace(t, tt.config+read, append(base, tt.env...)...)
			if tt.file != "" {
				writeFile(t, filepath.Join(w.dir, "token.txt"), tt.file)
			}
			out, err := w.run(t, "plan", "-input=false", "-no-color")
			flat := strings.Join(strings.Fields(out), " ")
			if tt.wantError == nil {
				if err != nil || !strings.Contains(out, "Read complete") {
					t.Fatalf("plan: %v, want the segment read:\n%s", err, out)
				}
				return
			}
			if err == nil {
				t.Fatalf("plan succeeded, want an error:\n%s", out)
			}
			for _, want := range tt.wantError {
				if !strings.Contains(flat, want) {
					t.Errorf("plan output lacks %q:\n%s", want, out)
				}
			}
			if strings.Contains(out, testToken[6:]) {
				t.Errorf("plan output shows part of the token:\n%s", out)
			}
		})
	}
}

// TestAccCLI_corporateNetwork reads a segment the way a corporate network
// serves it: through an HTTPS proxy, the only way to the API's name, with a
// certificate from a private CA. Each run starts a fresh provider process,
// which reads the proxy variables set for that run.
func TestAccCLI_corporateNetwork(t *testing.T) {
	t.Parallel()
	ca := newTestCA(t, "Corp Proxy CA")
	proxy, authProxy := newConnectProxy(t, ""), newConnectProxy(t, "corp:s3cret")
	caFile := filepath.Join(t.TempDir(), "corp-ca.pem")
	writeFile(t, caFile, ca.pem)
	valid := time.Now().Add(time.Hour)

	tests := []struct {
		name string
		// certHost and notAfter make the API's certificate.
		certHost string
		notAfter time.Time
		// caAttr is the ca_cert_pem expression, if any.
		caAttr string
		// proxyURL defaults to proxy's.
		proxyURL  string
		env       []string
		wantError []string
	}{
		{name: "ca_cert_pem", certHost: "api.shorterloop.test", notAfter: valid, caAttr: `file("corp-ca.pem")`},
		{name: "SHORTERLOOP_CA_CERT_FILE", certHost: "api.shorterloop.test", notAfter: valid, env: []string{envCACertFile + "=" + caFile}},
		{name: "ca_cert_pem wins over the file", certHost: "api.shorterloop.test", notAfter: valid, caAttr: `file("corp-ca.pem")`,
			env: []string{envCACertFile + "=" + filepath.Join(t.TempDir(), "missing.pem")}},
		{name: "no CA setting", certHost: "api.shorterloop.test", notAfter: valid,
			wantError: []string{"Error: Shorter Loop's certificate is not trusted", "api.shorterloop.test:PORT presented was issued by \"CN=Corp Proxy CA\"",
				"A TLS-inspecting proxy or a private CA may have signed it", "ca_cert_pem", envCACertFile}},
		{name: "certificate for another name", certHost: "other.shorterloop.test", notAfter: valid, caAttr: `file("corp-ca.pem")`,
			wantError: []string{"Error: Shorter Loop's certificate does not match base_url", "valid for other.shorterloop.test, not api.shorterloop.test", "Set base_url"}},
		{name: "expired certificate", certHost: "api.shorterloop.test", notAfter: time.Now().Add(-time.Hour), caAttr: `file("corp-ca.pem")`,
			wantError: []string{"Error: Shorter Loop's certificate is not valid", "certificate has expired", "clock"}},
		{name: "proxy credentials in HTTPS_PROXY", certHost: "api.shorterloop.test", notAfter: valid, caAttr: `file("corp-ca.pem")`,
			proxyURL: "http://corp:s3cret@" + authProxy.addr},
		{name: "proxy wants credentials", certHost: "api.shorterloop.test", notAfter: valid, caAttr: `file("corp-ca.pem")`,
			proxyURL: "http://" + authProxy.addr,
			wantError: []string{"Error: The proxy asks for credentials", "proxy http://" + authProxy.addr, "407 Proxy Authentication Required",
				"HTTPS_PROXY=http://user:password@", "NO_PROXY"}},
		{name: "proxy refuses the credentials", certHost: "api.shorterloop.test", notAfter: valid, caAttr: `file("corp-ca.pem")`,
			proxyURL: "http://corp:n0t-the-password@" + authProxy.addr,
			wantError: []string{"Error: The proxy refused its credentials", "proxy http://corp:xxxxx@" + authProxy.addr, "407 Proxy Authentication Required",
				"did not accept the user name and password in its URL"}},
		{name: "proxy refuses the host", caAttr: `file("corp-ca.pem")`,
			wantError: []string{"Error: The proxy refused the connection to Shorter Loop", "it answered 403 Forbidden", "allow api.shorterloop.test:1", "NO_PROXY"}},
		{name: "proxy cannot be reached", caAttr: `file("corp-ca.pem")`, proxyURL: "http://127.0.0.1:1", env: []string{envMaxRetries + "=0"},
			wantError: []string{"Error: Cannot reach the proxy", "proxyconnect tcp: dial tcp 127.0.0.1:1", "Check HTTPS_PROXY"}},
		{name: "ca_cert_pem holds no certificate", caAttr: `"corp-ca.pem"`,
			wantError: []string{"Error: Invalid CA certificates", "ca_cert_pem holds no PEM certificate"}},
		{name: "unreadable SHORTERLOOP_CA_CERT_FILE", env: []string{envCACertFile + "=/nonexistent/corp-ca.pem"},
			wantError: []string{"Error: Cannot read " + envCACertFile, "open /nonexistent/corp-ca.pem: no such file or directory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			host := "api.shorterloop.test:1"
			if tt.certHost != "" {
				tlsAPI := httptest.NewUnstartedServer(fakeapi.New(testToken, testInitiative))
				tlsAPI.TLS = &tls.Config{Certificates: []tls.Certificate{ca.issue(t, tt.certHost, tt.notAfter)}, MinVersion: tls.VersionTLS12}
				tlsAPI.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
				tlsAPI.StartTLS()
				t.Cleanup(tlsAPI.Close)
				_, port, _ := net.SplitHostPort(tlsAPI.Listener.Addr().String())
				host = "api.shorterloop.test:" + port
				proxy.route(host, tlsAPI.Listener.Addr().String())
				authProxy.route(host, tlsAPI.Listener.Addr().String())
			}
			proxyURL := cmp.Or(tt.proxyURL, "http://"+proxy.addr)
			caLine := ""
			if tt.caAttr != "" {
				caLine = "  ca_cert_pem   = " + tt.caAttr + "\n"
			}
			config := fmt.Sprintf(`
provider "shorterloop" {
  api_token     = %q
  initiative_id = %q
  base_url      = "https://%s"
%s}

data "shorterloop_segment" "members" {
  id = 19
}
`, testToken, testInitiative, host, caLine)
			w := newCLIWorkspace(t, config, append(proxyEnv(proxyURL), tt.env...)...)
			writeFile(t, filepath.Join(w.dir, "corp-ca.pem"), ca.pem)
			out, err := w.run(t, "plan", "-input=false", "-no-color")
			flat := strings.Join(strings.Fields(out), " ")
			if tt.wantError == nil {
				if err != nil || !strings.Contains(out, "Read complete") {
					t.Fatalf("plan: %v, want the segment read:\n%s", err, out)
				}
				if proxy.connects(host)+authProxy.connects(host) == 0 {
					t.Errorf("the proxy saw no CONNECT %s", host)
				}
				return
			}
			if err == nil {
				t.Fatalf("plan succeeded, want an error:\n%s", out)
			}
			for _, want := range tt.wantError {
				if !strings.Contains(flat, strings.ReplaceAll(want, "api.shorterloop.test:PORT", host)) {
					t.Errorf("plan output lacks %q:\n%s", want, out)
				}
			}
			if strings.Contains(out, "n0t-the-password") || strings.Contains(out, "s3cret") {
				t.Errorf("plan output shows the proxy's password:\n%s", out)
			}
		})
	}
}
