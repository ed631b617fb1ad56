#!/usr/bin/env bash
# Prints the path of a pinned tool, building it from the Go module proxy first
# when no working copy is cached:
#
#   scripts/toolchain.sh TOOL
#
# TOOL is terraform (the oldest supported Terraform), terraform-newest,
# tofu, tofu-newest, goreleaser, golangci-lint or actionlint.
#
# Builds land in a cache shared by every clone on the machine
# ($SHORTERLOOP_TOOLS_CACHE, default ${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-shorterloop)
# as version-named binaries (terraform-1.5.7, tofu-1.10.10, ...), linked from
# the clone's git-ignored .tools/. A cached binary is reused only when a line
# of its version output names exactly the pinned version. Progress goes to stderr.
set -euo pipefail

TERRAFORM_VERSION=1.5.7
TERRAFORM_NEWEST_VERSION=1.16.4
TOFU_VERSION=1.10.10
TOFU_NEWEST_VERSION=1.12.6
GORELEASER_VERSION=2.15.1
GOLANGCI_LINT_VERSION=2.15.0
ACTIONLINT_VERSION=1.7.12

root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"
cache="${SHORTERLOOP_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-shorterloop}"

log() { echo "toolchain: $*" >&2; }

# version: the pinned version; args: how to ask a binary for its version;
# want: a regular expression for one whole line of its answer.
case "${1:-}" in
  terraform)        version=$TERRAFORM_VERSION;        args=(version);   want='Terraform vVERSION' ;;
  terraform-newest) version=$TERRAFORM_NEWEST_VERSION; args=(version);   want='Terraform vVERSION' ;;
  tofu)             version=$TOFU_VERSION;             args=(version);   want='OpenTofu vVERSION' ;;
  tofu-newest)      version=$TOFU_NEWEST_VERSION;      args=(version);   want='OpenTofu vVERSION' ;;
  goreleaser)       version=$GORELEASER_VERSION;       args=(--version); want='GitVersion: +vVERSION' ;;
  golangci-lint)    version=$GOLANGCI_LINT_VERSION;    args=(version);   want='golangci-lint has version v?VERSION .*' ;;
  actionlint)       version=$ACTIONLINT_VERSION;       args=(-version);  want='vVERSION' ;;
  *) echo "usage: $0 terraform|terraform-newest|tofu|tofu-newest|goreleaser|golangci-lint|actionlint" >&2; exit 2 ;;
esac
tool="${1%-newest}"
name="$tool-$version"
escaped="${version//./\\.}"
want="${want/VERSION/$escaped}"

# works BINARY: the binary runs and reports the pinned version. grep reads
# the whole answer: grep -q would stop at the match, and under pipefail the
# binary's SIGPIPE on its next line would fail the check.
works() {
  [ -x "$1" ] && CHECKPOINT_DISABLE=1 "$1" "${args[@]}" 2>/dev/null | grep -xE "$want" >/dev/null
}

# build OUT: builds the pinned version of the tool into OUT.
build() {
  case "$tool" in
    terraform)     build_cli github.com/hashicorp/terraform . "$1" ;;
    tofu)          build_cli github.com/opentofu/opentofu ./cmd/tofu "$1" ;;
    goreleaser)    GOBIN="$work" go install "github.com/goreleaser/goreleaser/v2@v$version" && mv "$work/goreleaser" "$1" ;;
    golangci-lint) GOBIN="$work" go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v$version" && mv "$work/golangci-lint" "$1" ;;
    actionlint)    GOBIN="$work" go install "github.com/rhysd/actionlint/cmd/actionlint@v$version" && mv "$work/actionlint" "$1" ;;
  esac
}

# build_cli MODULE PACKAGE OUT: builds Terraform or OpenTofu inside a copy of
# its module from the proxy, because go install refuses modules with replace
# directives. Terraform (1.9 and later) replaces the remote-state backends
# that live in nested modules (S3, GCS, OCI, ...) and internal/legacy with
# directories that the proxy's copy lacks: those are dropped from go.mod, and
# the backends from internal/backend/init (the tests use the local backend).
# version.dev=no drops the -dev suffix, as the projects' release builds do.
build_cli() {
  local module="$1" pkg="$2" out="$3" dir src="$work/src" init m alias
  dir="$(cd "$work" && go mod download -json "$module@v$version" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -n "$dir" ] || { log "go mod download gave no module directory"; return 1; }
  cp -R "$dir" "$src" && chmod -R u+w "$src"
  init="$src/internal/backend/init/init.go"
  for m in $(awk '$1 == "replace" && $3 == "=>" && $4 ~ /^\.\// { print $2 "=" $4 }' "$src/go.mod"); do
    [ ! -d "$src/${m#*=}" ] || continue
    m="${m%%=*}"
    sed -i "\#[[:space:]]${m}[[:space:]]#d" "$src/go.mod"
    [ -f "$init" ] || continue
    for alias in $(awk -v m="\"$m\"" '$2 == m { print $1 }' "$init"); do
      sed -i -E "/[[:space:]]$alias([[:space:]]|\.)/d" "$init"
    done
  done
  (cd "$src" && CGO_ENABLED=0 go build -mod=mod -trimpath \
    -ldflags "-s -w -X $module/version.dev=no" -o "$out" "$pkg")
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
