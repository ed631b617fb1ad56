package main

import (
	"slices"
	"testing"
	"time"
)

func TestTargets(t *testing.T) {
	plan := func(wall time.Duration, terraformMB, providerMB float64) planResult {
		return planResult{Wall: wall, MinWall: wall - 100*time.Millisecond, MaxWall: wall + 100*time.Millisecond, TerraformMB: terraformMB, ProviderMB: providerMB}
	}
	for _, tc := range []struct {
		name  string
		plans map[string]planResult
		many  *manyResult
		want  []target
	}{
		{
			name: "met",
			plans: map[string]planResult{
				key(10_000, "full"): plan(4*time.Second, 210, 40), key(100_000, "full"): plan(40*time.Second, 1690, 190),
				key(10_000, "no-users"): plan(500*time.Millisecond, 74, 30), key(100_000, "no-users"): plan(1700*time.Millisecond, 108, 90),
			},
			want: []target{
				{"full detail, 10,000 users: plan", "4.00 s (3.90–4.10 s), 250 MB", "reported"},
				{"full detail, 100,000 users: plan", "40.00 s (39.90–40.10 s), 1880 MB", "reported"},
				{"`include_users = false`, 100,000 users: plan under 3 s", "1.70 s", "yes"},
				{"`include_users = false`, 100,000 users: under 300 MB peak, terraform + provider", "198 MB (terraform 108 + provider 90)", "yes"},
				{"100,000 users cost at most 12x 10,000, every mode: plan wall time", "full 10.0x, no-users 3.4x", "yes"},
			},
		},
		{
			name: "missed",
			plans: map[string]planResult{
				key(10_000, "no-users"): plan(200*time.Millisecond, 74, 30), key(100_000, "no-users"): plan(3*time.Second, 250, 50),
			},
			want: []target{
				{"`include_users = false`, 100,000 users: plan under 3 s", "3.00 s", "**no**"},
				{"`include_users = false`, 100,000 users: under 300 MB peak, terraform + provider", "300 MB (terraform 250 + provider 50)", "**no**"},
				{"100,000 users cost at most 12x 10,000, every mode: plan wall time", "no-users 15.0x", "**no**"},
			},
		},
		{
			name:  "small sizes only",
			plans: map[string]planResult{key(39, "full"): plan(time.Second, 60, 20)},
		},
		{
			name: "many segments",
			many: &manyResult{Wall: 15200 * time.Millisecond, Requests: 64},
			want: []target{{"60 segments against an API accepting 5 requests a second: plan, close to one request a read", "15.20 s against a floor of 12.00 s, 1.07 requests a read", "reported"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := (&report{Plans: tc.plans, Many: tc.many}).targets()
			if !slices.Equal(got, tc.want) {
				t.Errorf("targets:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}
