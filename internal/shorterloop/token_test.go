package shorterloop_test

import (
	"context"
	"encoding/base64"
	"errors"
	"testing"
	"time"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

func TestTokenExpiredAtOn401(t *testing.T) {
	jwt := func(payload string) string {
		return "eyJhbGciOiJIUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".c2lnbmF0dXJl"
	}
	expired := jwt(`{"exp":1743831834,"email":"ann@example.com"}`)
	tests := []struct {
		name   string
		token  string
		status int
		want   time.Time
	}{
		{name: "expired JWT, 401", token: expired, status: 401, want: time.Date(2025, 4, 5, 5, 43, 54, 0, time.UTC)},
		{name: "expired JWT, 403", token: expired, status: 403},
		{name: "expired JWT, 500", token: expired, status: 500},
		{name: "valid JWT, 401", token: jwt(`{"exp":4102444800}`), status: 401},
		{name: "JWT without exp, 401", token: jwt(`{"sub":"x"}`), status: 401},
		{name: "malformed JWT, 401", token: "eyJhbGciOiJIUzI1NiJ9.!!!.c2ln", status: 401},
		{name: "not a JWT, 401", token: "sl-known-token-5c1d9e7f2a4b", status: 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, tt.status, "application/json", `{"message":"invalid token"}`)
			c := newClient(t, srv.URL, func(c *shorterloop.Config) { c.Token = tt.token })
			_, err := c.GetSegment(context.Background(), 18)
			var apiErr *shorterloop.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want an *APIError", err)
			}
			if !apiErr.TokenExpiredAt.Equal(tt.want) {
				t.Errorf("TokenExpiredAt = %s, want %s", apiErr.TokenExpiredAt, tt.want)
			}
		})
	}
}
