package main

import (
	"strings"
	"testing"
	"time"
)

const pprofTop = `File: terraform
Build ID: 520aabee81529d343d0ff0f1939dc5e23d97514f
Type: cpu
Time: 2026-11-27 23:17:13 UTC
Duration: 10.94s, Total samples = 12.46s (113.93%)
Showing nodes accounting for 10.08s, 80.90% of 12.46s total
      flat  flat%   sum%        cum   cum%
         0     0%     0%      7.23s 58.03%  github.com/hashicorp/terraform/internal/terraform.(*NodeAbstractResourceInstance).writeResourceInstanceState (inline)
         0     0%     0%      7.22s 57.95%  github.com/hashicorp/terraform/internal/states.(*ResourceInstanceObject).Encode
     0.03s  0.23% 41.82%      410ms  3.16%  math/big.nat.itoa
`

func TestTerraformProfileParse(t *testing.T) {
	p := &tfProfile{Cum: map[string]time.Duration{}}
	if err := p.parse(pprofTop); err != nil {
		t.Fatal(err)
	}
	if p.Total != 12460*time.Millisecond {
		t.Errorf("Total = %v, want 12.46s", p.Total)
	}
	for name, want := range map[string]time.Duration{
		"github.com/hashicorp/terraform/internal/terraform.(*NodeAbstractResourceInstance).writeResourceInstanceState": 7230 * time.Millisecond,
		"github.com/hashicorp/terraform/internal/states.(*ResourceInstanceObject).Encode":                              7220 * time.Millisecond,
		"math/big.nat.itoa": 410 * time.Millisecond,
	} {
		if got := p.Cum[name]; got != want {
			t.Errorf("Cum[%s] = %v, want %v", name, got, want)
		}
	}
	if len(p.Cum) != 3 {
		t.Errorf("parsed %d functions, want 3: %v", len(p.Cum), p.Cum)
	}
	if strings.Contains(p.Top, "Build ID") || strings.Contains(p.Top, "Time:") || !strings.HasPrefix(p.Top, "Type: cpu\n") {
		t.Errorf("Top keeps the lines that change between runs, or lost the first:\n%s", p.Top)
	}
}

func TestTerraformProfileParseRejects(t *testing.T) {
	for name, top := range map[string]string{
		"no total":    strings.Replace(pprofTop, "Total samples = 12.46s", "", 1),
		"no Encode":   strings.Replace(pprofTop, "states.(*ResourceInstanceObject).Encode", "states.Other", 1),
		"empty input": "",
	} {
		p := &tfProfile{Cum: map[string]time.Duration{}}
		if err := p.parse(top); err == nil {
			t.Errorf("%s: parse accepted it", name)
		}
	}
}

func TestShortFunc(t *testing.T) {
	for name, want := range map[string]string{
		"github.com/hashicorp/terraform/internal/states.(*ResourceInstanceObject).Encode": "internal/states.(*ResourceInstanceObject).Encode",
		"github.com/zclconf/go-cty/cty/json.Marshal":                                      "cty/json.Marshal",
		"github.com/zclconf/go-cty/cty.Value.MarkWithPaths":                               "cty.Value.MarkWithPaths",
		"math/big.(*Float).Text":                                                          "math/big.(*Float).Text",
		"runtime.gcBgMarkWorker":                                                          "runtime.gcBgMarkWorker",
	} {
		if got := shortFunc(name); got != want {
			t.Errorf("shortFunc(%q) = %q, want %q", name, got, want)
		}
	}
}
