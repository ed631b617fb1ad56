package shorterloop

import (
	"encoding/base64"
	"math"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
)

// tokenExpiry returns the exp claim of a JWT, unverified. It reads no other
// claim; ok is false for a token that is not a JWT or has no numeric exp.
func tokenExpiry(token string) (exp time.Time, ok bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}, false
	}
	var claims struct {
		Exp *float64 `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Exp == nil || *claims.Exp <= 0 || *claims.Exp >= 253402300800 { // year 10000
		return time.Time{}, false
	}
	sec, frac := math.Modf(*claims.Exp)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
}
