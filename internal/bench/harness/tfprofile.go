package main

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// tfProfile is where Terraform's own CPU time went in a few plans.
type tfProfile struct {
	Version string
	Plans   int
	Total   time.Duration            // all samples
	Cum     map[string]time.Duration // by function, over all plans
	Top     string                   // pprof -top -cum, first lines
}

// tfFunctions are the functions of Terraform that the report names, with
// what they do.
var tfFunctions = []struct{ name, does string }{
	{"github.com/hashicorp/terraform/internal/states.(*ResourceInstanceObject).Encode",
		"stores the data source's value, in the refreshed and in the working state: unknowns to nulls, unmarking, JSON"},
	{"github.com/zclconf/go-cty/cty/json.Marshal", "of which the JSON encoding"},
	{"math/big.(*Float).Text", "of which formatting numbers"},
	{"github.com/hashicorp/terraform/internal/plugin6.decodeDynamicValue", "decodes the provider's answer (msgpack)"},
	{"github.com/zclconf/go-cty/cty.Value.MarkWithPaths", "copies the value to mark it (no attribute is sensitive)"},
	{"runtime.gcBgMarkWorker", "collects garbage, in the background"},
}

const profilePlans = 3

var totalSamples = regexp.MustCompile(`Total samples = (\S+)`)

// terraformProfile runs `terraform plan` in dir a few times with profileTF, a
// build of the measured Terraform that profiles itself, and reads the
// profiles with pprof. The provider runs in processes of its own, so it is
// not in them.
func terraformProfile(ctx context.Context, dir string, env []string, tf, profileTF string) (*tfProfile, error) {
	want, err := terraformVersion(ctx, tf)
	if err != nil {
		return nil, err
	}
	p := &tfProfile{Plans: profilePlans, Cum: map[string]time.Duration{}}
	if p.Version, err = terraformVersion(ctx, profileTF); err != nil {
		return nil, err
	}
	if p.Version != want {
		step("not profiling Terraform: the profiling build is Terraform %s, the plans ran on %s", p.Version, want)
		return nil, nil
	}
	step("profiling terraform plan %d times", p.Plans)
	var paths []string
	for i := range p.Plans {
		path := filepath.Join(dir, fmt.Sprintf("terraform-%d.pprof", i))
		cmd := command(ctx, profileTF, "plan", "-input=false", "-lock=false", "-no-color")
		cmd.Dir, cmd.Env = dir, append(env, "TERRAFORM_CPU_PROFILE="+path)
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("profiled terraform plan: %w\n%s", err, out)
		}
		paths = append(paths, path)
	}
	out, err := command(ctx, "go", append([]string{"tool", "pprof", "-top", "-cum", "-nodecount", "100000", profileTF}, paths...)...).Output()
	if err != nil {
		return nil, fmt.Errorf("go tool pprof: %w", err)
	}
	return p, p.parse(string(out))
}

// parse reads the output of pprof -top -cum.
func (p *tfProfile) parse(top string) error {
	m := totalSamples.FindStringSubmatch(top)
	if m == nil {
		return fmt.Errorf("pprof printed no total:\n%s", top)
	}
	var err error
	if p.Total, err = time.ParseDuration(m[1]); err != nil {
		return fmt.Errorf("pprof total %q: %w", m[1], err)
	}
	var shown []string
	for _, line := range strings.Split(top, "\n") {
		switch {
		case strings.HasPrefix(line, "File:"), strings.HasPrefix(line, "Build ID:"), strings.HasPrefix(line, "Time:"):
			continue
		case len(shown) < 40:
			shown = append(shown, line)
		}
		f := strings.Fields(line)
		if len(f) < 6 {
			continue
		}
		cum, err := time.ParseDuration(f[3])
		if err != nil {
			continue
		}
		p.Cum[strings.TrimSuffix(strings.Join(f[5:], " "), " (inline)")] = cum
	}
	p.Top = strings.Join(shown, "\n") + "\n"
	if _, ok := p.Cum[tfFunctions[0].name]; !ok {
		return fmt.Errorf("the profile of terraform lacks %s:\n%s", tfFunctions[0].name, top)
	}
	return nil
}
