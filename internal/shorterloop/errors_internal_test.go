package shorterloop

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSanitize(t *testing.T) {
	const secret = "s3cr3t.t0k3n"
	exactly200 := strings.Repeat("a", excerptMax)
	tests := []struct {
		name   string
		body   string
		html   bool
		secret string
		want   string
	}{
		{name: "empty", body: "", want: ""},
		{name: "plain", body: "hello world", want: "hello world"},
		{name: "whitespace collapsed and trimmed", body: "  a \t\r\n  b\n\n", want: "a b"},
		{name: "control characters become spaces", body: "a\x00\x01b\x7fc", want: "a b c"},
		{name: "invalid UTF-8 becomes a space", body: "a\xff\xfeb", want: "a b"},
		{name: "non-ASCII kept", body: "café – ünïcödé ✓", want: "café – ünïcödé ✓"},
		{name: "tags kept when not HTML", body: "<b>x</b> a<b", want: "<b>x</b> a<b"},
		{name: "tags stripped when HTML", body: "<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>", html: true, want: "502 Bad Gateway nginx"},
		{name: "tags separate words", body: "<td>one</td><td>two</td>", html: true, want: "one two"},
		{name: "attributes with spaces dropped", body: `<a href="x y" title="z">link</a>`, html: true, want: "link"},
		{name: "greater-than outside a tag kept", body: "a > b", html: true, want: "a > b"},
		{name: "unclosed tag drops the rest", body: "text <unclosed tag", html: true, want: "text"},
		{name: "secret redacted", body: "token " + secret + " rejected", secret: secret, want: "token [redacted] rejected"},
		{name: "secret redacted every time", body: secret + secret + " " + secret, secret: secret, want: "[redacted][redacted] [redacted]"},
		{name: "secret redacted inside HTML", body: "<pre>Bearer " + secret + "</pre>", html: true, secret: secret, want: "Bearer [redacted]"},
		{name: "secret cut at the end redacted", body: "auth: s3cr3t.t0", secret: secret, want: "auth: [redacted]"},
		{name: "secret cut to four bytes redacted", body: "auth: s3cr", secret: secret, want: "auth: [redacted]"},
		{name: "three bytes of the secret at the end kept", body: "auth: s3c", secret: secret, want: "auth: s3c"},
		{name: "whole and cut secret", body: secret + " and s3cr3t.t", secret: secret, want: "[redacted] and [redacted]"},
		{name: "start of the secret not at the end kept", body: "s3cr3t. x", secret: secret, want: "s3cr3t. x"},
		{name: "empty secret redacts nothing", body: "abc", secret: "", want: "abc"},
		{name: "exactly the maximum", body: exactly200, want: exactly200},
		{name: "one rune over the maximum", body: exactly200 + "b", want: exactly200 + "…"},
		{name: "space at the cut is not kept", body: exactly200 + " b", want: exactly200 + "…"},
		{name: "space just before the cut is not kept", body: exactly200[1:] + " b c", want: exactly200[1:] + "…"},
		{name: "space that fits is kept", body: exactly200[2:] + " b", want: exactly200[2:] + " b"},
		{name: "multi-byte runes counted as runes", body: strings.Repeat("é", excerptMax+10), want: strings.Repeat("é", excerptMax) + "…"},
		{name: "secret near the cut is redacted before cutting", body: strings.Repeat("a", excerptMax-3) + secret, secret: secret, want: strings.Repeat("a", excerptMax-3) + "[re…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sanitize([]byte(tt.body), tt.html, tt.secret)
			if got != tt.want {
				t.Errorf("sanitize(%q, %v) =\n  %q\nwant\n  %q", tt.body, tt.html, got, tt.want)
			}
			if tt.secret != "" && strings.Contains(got, tt.secret) {
				t.Errorf("result contains the secret: %q", got)
			}
			if n := utf8.RuneCountInString(got); n > excerptMax+1 {
				t.Errorf("result is %d runes, want at most %d", n, excerptMax+1)
			}
		})
	}
}

func TestSanitizeLongHTMLPage(t *testing.T) {
	page := "<html><head><title>Error</title></head><body>" + strings.Repeat("<div>word </div>\n", 1000) + "</body></html>"
	got := sanitize([]byte(page), true, "")
	if !strings.HasPrefix(got, "Error word word") || !strings.HasSuffix(got, "…") {
		t.Errorf("sanitize = %q", got)
	}
	if n := utf8.RuneCountInString(got); n > excerptMax+1 {
		t.Errorf("result is %d runes, want at most %d", n, excerptMax+1)
	}
	if strings.ContainsAny(got, "<>\n") || strings.Contains(got, "  ") {
		t.Errorf("result has markup or runs of whitespace: %q", got)
	}
}

func TestIsHTML(t *testing.T) {
	tests := map[string]bool{
		"text/html":                 true,
		"text/html; charset=utf-8":  true,
		"TEXT/HTML":                 true,
		"application/xhtml+xml":     true,
		"application/json":          false,
		"text/plain":                false,
		"":                          false,
		"not a media type;;;":       false,
		"application/json; x=html":  false,
		"text/html-ish":             false,
		"application/problem+json":  false,
		"text/html ; charset=UTF-8": true,
	}
	for ct, want := range tests {
		if got := isHTML(ct); got != want {
			t.Errorf("isHTML(%q) = %v, want %v", ct, got, want)
		}
	}
}
