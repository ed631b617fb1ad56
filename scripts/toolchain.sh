#!/usr/bin/env bash
# Prints the path of a pinned tool, building it from the Go module proxy first
# when no working copy is cached:
#
#   scripts/toolchain.sh terraform|tofu|goreleaser|golangci-lint
#
# Builds land in a cache shared by every clone on the machine
# ($SHORTERLOOP_TOOLS_CACHE, default ${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-shorterloop)
# as version-named binaries (terraform-1.5.7, tofu-1.10.10, ...), linked from
# the clone's git-ignored .tools/. A cached binary is reused only when a line
# of its version output names exactly the pinned version. Progress goes to stderr.
set -euo pipefail

TERRAFORM_VERSION=1.5.7
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
  tofu)          version=$TOFU_VERSION;          args=(version);   want='OpenTofu vVERSION' ;;
  goreleaser)    version=$GORELEASER_VERSION;    args=(--version); want='GitVersion: +vVERSION' ;;
  golangci-lint) version=$GOLANGCI_LINT_VERSION; args=(version);   want='golangci-lint has version v?VERSION .*' ;;
  *) echo "usage: $0 terraform|tofu|goreleaser|golangci-lint" >&2; exit 2 ;;
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
  esac
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
