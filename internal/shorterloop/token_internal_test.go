package shorterloop

import (
	"encoding/base64"
	"testing"
	"time"
)

// jwtWith returns a JWT-shaped token with the given payload and a dummy signature.
func jwtWith(payload string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc([]byte(payload)) + ".c2lnbmF0dXJl"
}

func TestTokenExpiry(t *testing.T) {
	tests := []struct {
		name   string
		token  string
		want   time.Time
		wantOK bool
	}{
		// The vendor's documentation example: issued at 1743572634, expired 72 hours later.
		{name: "expired", token: jwtWith(`{"iat":1743572634,"exp":1743831834,"email":"ann@example.com"}`),
			want: time.Date(2025, 4, 5, 5, 43, 54, 0, time.UTC), wantOK: true},
		{name: "valid", token: jwtWith(`{"exp":4102444800}`), want: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC), wantOK: true},
		{name: "fractional exp", token: jwtWith(`{"exp":1743831834.5}`), want: time.Date(2025, 4, 5, 5, 43, 54, 5e8, time.UTC), wantOK: true},
		{name: "padded payload", token: "eyJhbGciOiJIUzI1NiJ9." + base64.URLEncoding.EncodeToString([]byte(`{"exp":1743831834}`)) + ".c2ln",
			want: time.Date(2025, 4, 5, 5, 43, 54, 0, time.UTC), wantOK: true},
		{name: "no exp", token: jwtWith(`{"sub":"user","email":"ann@example.com"}`)},
		{name: "exp null", token: jwtWith(`{"exp":null}`)},
		{name: "exp a string", token: jwtWith(`{"exp":"1743831834"}`)},
		{name: "exp zero", token: jwtWith(`{"exp":0}`)},
		{name: "exp negative", token: jwtWith(`{"exp":-5}`)},
		{name: "exp beyond year 9999", token: jwtWith(`{"exp":1e20}`)},
		{name: "payload not JSON", token: jwtWith(`exp=1743831834`)},
		{name: "payload a JSON array", token: jwtWith(`[1743831834]`)},
		{name: "payload not base64url", token: "eyJhbGciOiJIUzI1NiJ9.!!!.c2ln"},
		{name: "two parts", token: "eyJhbGciOiJIUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(`{"exp":1743831834}`))},
		{name: "four parts", token: jwtWith(`{"exp":1743831834}`) + ".x"},
		{name: "not a JWT", token: "sl-known-token-5c1d9e7f2a4b"},
		{name: "empty", token: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tokenExpiry(tt.token)
			if ok != tt.wantOK || !got.Equal(tt.want) {
				t.Errorf("tokenExpiry = %s, %v; want %s, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
