#!/usr/bin/env bash
# Checks the release configuration without publishing or signing anything:
#
#   scripts/release-check.sh PATH-TO-GORELEASER
#
# Runs `goreleaser check` on .goreleaser.yml, then a snapshot release of
# .goreleaser.yml with its build matrix cut to linux/amd64 and darwin/arm64,
# and asserts that dist/ holds what the Terraform Registry expects: one zip per
# platform holding terraform-provider-shorterloop_v<version>, and a SHA256SUMS
# file covering exactly those zips and the registry manifest, which the release
# uploads as terraform-provider-shorterloop_<version>_manifest.json.
set -euo pipefail
goreleaser="${1:?usage: $0 PATH-TO-GORELEASER}"
cd "$(dirname "$0")/.."

name=terraform-provider-shorterloop
platforms=(linux_amd64 darwin_arm64)
targets="[$(IFS=,; echo "${platforms[*]}")]"

fail() { echo "release-check: $*" >&2; exit 1; }

"$goreleaser" --version | grep -m1 GitVersion || true
"$goreleaser" check .goreleaser.yml

# The release's before hook runs `go mod tidy`; check it would change nothing
# without letting the snapshot modify go.mod or go.sum.
go mod tidy -diff || fail "go.mod or go.sum is not tidy: run 'go mod tidy'"

# Same configuration, fewer platforms: the first build gets explicit targets.
config="$(mktemp "${TMPDIR:-/tmp}/goreleaser-snapshot.XXXXXX.yml")"
trap 'rm -f "$config"' EXIT
awk -v targets="$targets" '
  /^builds:/ { in_builds = 1 }
  in_builds && !done && /^  - / { sub(/^  - /, "  - targets: " targets "\n    "); done = 1 }
  { print }
' .goreleaser.yml >"$config"
grep -q "^  - targets: " "$config" || fail "could not restrict the builds in .goreleaser.yml to $targets"

"$goreleaser" release --config "$config" --snapshot --clean --skip=before,sign,publish

version="$(grep -o '"version":"[^"]*"' dist/metadata.json | head -n1 | cut -d'"' -f4)"
[ -n "$version" ] || fail "no version in dist/metadata.json"
sums="${name}_${version}_SHA256SUMS"
manifest="${name}_${version}_manifest.json"
[ -f "dist/$sums" ] || fail "dist/$sums is missing"

expected=("$manifest")
for p in "${platforms[@]}"; do
  zip="${name}_${version}_${p}.zip"
  [ -f "dist/$zip" ] || fail "dist/$zip is missing"
  unzip -Z1 "dist/$zip" | grep -qx "${name}_v${version}" ||
    fail "dist/$zip does not hold ${name}_v${version}: $(unzip -Z1 "dist/$zip" | tr '\n' ' ')"
  expected+=("$zip")
done
[ "$(find dist -maxdepth 1 -name '*.zip' | wc -l)" -eq "${#platforms[@]}" ] ||
  fail "dist/ holds other zips: $(cd dist && ls ./*.zip)"

listed="$(awk '{print $2}' "dist/$sums" | sort)"
[ "$listed" = "$(printf '%s\n' "${expected[@]}" | sort)" ] ||
  fail "dist/$sums lists: $(echo "$listed" | tr '\n' ' ')"
(cd dist && grep -v "  $manifest\$" "$sums" | sha256sum --quiet -c -) || fail "dist/$sums does not match the zips"
grep -qx "$(sha256sum <terraform-registry-manifest.json | cut -d' ' -f1)  $manifest" "dist/$sums" ||
  fail "dist/$sums does not hold the checksum of terraform-registry-manifest.json as $manifest"

echo "release-check: snapshot $version has the registry's file names:"
for p in "${platforms[@]}"; do
  echo "  dist/${name}_${version}_${p}.zip, holding ${name}_v${version}"
done
echo "  dist/$sums, covering the zips and $manifest"
