#!/usr/bin/env bash
# Prints the path of a pinned tool, building it from the Go module proxy first
# when no working copy is cached:
#
#   scripts/toolchain.sh terraform|tofu|goreleaser|golangci-lint|terraform-profiling
#
# terraform-profiling is the Terraform that the machine has on PATH in CI,
# built so that it writes a CPU profile of itself to $TERRAFORM_CPU_PROFILE:
# make bench uses it to show where Terraform spends its time.
#
# Builds land in a cache shared by every clone on the machine
# ($SHORTERLOOP_TOOLS_CACHE, default ${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-shorterloop)
# as version-named binaries (terraform-1.5.7, tofu-1.10.10, ...), linked from
# the clone's git-ignored .tools/. A cached binary is reused only when a line
# of its version output names exactly the pinned version. Progress goes to stderr.
set -euo pipefail

TERRAFORM_VERSION=1.5.7
TERRAFORM_PROFILING_VERSION=1.11.4
TOFU_VERSION=1.10.10
GORELEASER_VERSION=2.15.1
GOLANGCI_LINT_VERSION=2.15.0

root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"
cache="${SHORTERLOOP_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-shorterloop}"

log() { echo "toolchain: $*" >&2; }

# version: the pinned version; args: how to ask a binary for its version;
# want: a regular expression for one whole line of its answer.
case "${1:-}" in
  terraform)     version=$TERRAFORM_VERSION;     args=(version);   want='Terraform vVERSION' ;;
  terraform-profiling) version=$TERRAFORM_PROFILING_VERSION; args=(version); want='Terraform vVERSION' ;;
  tofu)          version=$TOFU_VERSION;          args=(version);   want='OpenTofu vVERSION' ;;
  goreleaser)    version=$GORELEASER_VERSION;    args=(--version); want='GitVersion: +vVERSION' ;;
  golangci-lint) version=$GOLANGCI_LINT_VERSION; args=(version);   want='golangci-lint has version v?VERSION .*' ;;
  *) echo "usage: $0 terraform|tofu|goreleaser|golangci-lint|terraform-profiling" >&2; exit 2 ;;
esac
tool="$1"
name="$tool-$version"
escaped="${version//./\\.}"
want="${want/VERSION/$escaped}"

# works BINARY: the binary runs and reports the pinned version.
works() {
  [ -x "$1" ] && CHECKPOINT_DISABLE=1 "$1" "${args[@]}" 2>/dev/null | grep -qxE "$want"
}

# build OUT: builds the pinned version of the tool into OUT.
build() {
  local dir
  case "$tool" in
    terraform)     GOBIN="$work" go install "github.com/hashicorp/terraform@v$version" && mv "$work/terraform" "$1" ;;
    goreleaser)    GOBIN="$work" go install "github.com/goreleaser/goreleaser/v2@v$version" && mv "$work/goreleaser" "$1" ;;
    golangci-lint) GOBIN="$work" go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v$version" && mv "$work/golangci-lint" "$1" ;;
    tofu)
      # OpenTofu's go.mod has replace directives, which go install refuses, so
      # build ./cmd/tofu inside the downloaded module. version.dev=no drops the
      # -dev suffix, as in OpenTofu's own release builds.
      dir="$(cd "$work" && go mod download -json "github.com/opentofu/opentofu@v$version" |
        sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
      [ -n "$dir" ] || { log "go mod download gave no module directory"; return 1; }
      (cd "$dir" && CGO_ENABLED=0 go build -trimpath \
        -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" -o "$1" ./cmd/tofu) ;;
    terraform-profiling) build_profiling_terraform "$1" ;;
  esac
}

# build_profiling_terraform OUT: Terraform's own source from the module proxy,
# with a main that profiles realMain. The state backends that Terraform keeps
# in modules of their own (S3, GCS, ...) are not in the proxy's copy, so they
# are left out; the benchmarks use the local backend. Symbols stay in the
# binary for pprof.
build_profiling_terraform() {
  local dir src="$work/src"
  dir="$(cd "$work" && go mod download -json "github.com/hashicorp/terraform@v$version" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -n "$dir" ] || { log "go mod download gave no module directory"; return 1; }
  cp -R "$dir" "$src" && chmod -R u+w "$src"
  local nested='remote-state/(azure|consul|cos|gcs|kubernetes|oss|pg|s3)"?'
  local init="$src/internal/backend/init/init.go" alias
  for alias in $(grep -E "$nested$" "$init" | awk '{print $1}'); do
    sed -i -E "/[[:space:]]$alias([[:space:]]|\.)/d" "$init"
  done
  sed -i -E "\#$nested( |$)#d; /^godebug tlskyber/d" "$src/go.mod"
  grep -qx 'func main() {' "$src/main.go" && grep -q '^func realMain() int {' "$src/main.go" ||
    { log "Terraform $version's main.go is not shaped as expected"; return 1; }
  sed -i '/^func main() {$/,/^}$/d' "$src/main.go"
  cat >"$src/main_profile.go" <<'GO'
package main

import (
	"os"
	"runtime/pprof"
)

func main() {
	path := os.Getenv("TERRAFORM_CPU_PROFILE")
	if path == "" {
		os.Exit(realMain())
	}
	f, err := os.Create(path)
	if err != nil {
		panic(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		panic(err)
	}
	code := realMain()
	pprof.StopCPUProfile()
	if err := f.Close(); err != nil {
		panic(err)
	}
	os.Exit(code)
}
GO
  (cd "$src" && CGO_ENABLED=0 go build -mod=mod \
    -ldflags "-X github.com/hashicorp/terraform/version.dev=no" -o "$1" .)
}

if ! works "$tools/$name"; then
  mkdir -p "$cache" "$tools"
  if ! works "$cache/$name"; then
    log "building $name into $cache (takes minutes, once per machine)"
    start=$SECONDS
    work="$(mktemp -d "$cache/.build.XXXXXX")"
    trap 'rm -rf "$work"' EXIT
    build "$work/$name"
    works "$work/$name" || { log "the build of $name does not report it: want a line matching $want"; exit 1; }
    mv -f "$work/$name" "$cache/$name"
    log "built $name in $((SECONDS - start))s"
  fi
  ln -sfn "$cache/$name" "$tools/$name"
fi
echo "$tools/$name"
