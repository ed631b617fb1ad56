#!/usr/bin/env bash
# Builds a signed snapshot of the whole release without publishing it:
#
#   scripts/release-check.sh PATH-TO-GORELEASER
#
# The checksums are signed by the `signs` section of .goreleaser.yml, with a
# throwaway key in a temporary GNUPGHOME. Then it checks what the Terraform
# Registry expects in dist/: one zip per target of .goreleaser.yml that
# `go tool dist list` has, each holding one binary named
# terraform-provider-shorterloop_v<version> and built for its os/arch; a
# SHA256SUMS file covering exactly those zips and the registry manifest (which
# the release uploads as terraform-provider-shorterloop_<version>_manifest.json);
# and its detached signature.
set -euo pipefail
goreleaser="${1:?usage: $0 PATH-TO-GORELEASER}"
cd "$(dirname "$0")/.."

name=terraform-provider-shorterloop

fail() { echo "release-check: $*" >&2; exit 1; }

for t in gpg unzip file sha256sum; do
  command -v "$t" >/dev/null || fail "$t is not installed: it is needed to sign and inspect the release"
done

"$goreleaser" --version | grep -m1 GitVersion || true
"$goreleaser" check .goreleaser.yml

# The release's before hook runs `go mod tidy`; check it would change nothing
# without letting the snapshot modify go.mod or go.sum.
go mod tidy -diff || fail "go.mod or go.sum is not tidy: run 'go mod tidy'"

# The targets that .goreleaser.yml lists and Go can build; any other is an error.
mapfile -t listed < <(sed -n '/^    targets:/,/^    [a-z]/ s/^      - //p' .goreleaser.yml)
[ ${#listed[@]} -gt 0 ] || fail "found no builds.targets in .goreleaser.yml"
mapfile -t platforms < <(printf '%s\n' "${listed[@]}" | grep -Fxf <(go tool dist list | tr / _))
[ ${#platforms[@]} -eq ${#listed[@]} ] ||
  fail ".goreleaser.yml lists targets that 'go tool dist list' lacks: $(printf '%s\n' "${listed[@]}" | grep -vFxf <(go tool dist list | tr / _) | tr '\n' ' ')"

export GNUPGHOME
GNUPGHOME="$(mktemp -d)"
unpacked="$(mktemp -d)"
trap 'gpgconf --kill gpg-agent 2>/dev/null || true; rm -rf "$GNUPGHOME" "$unpacked"' EXIT
gpg --batch --quiet --passphrase '' --quick-generate-key "release-check <release-check@example.invalid>" rsa3072 sign 1d
GPG_FINGERPRINT="$(gpg --with-colons --list-secret-keys | awk -F: '$1 == "fpr" { print $10; exit }')"
export GPG_FINGERPRINT

"$goreleaser" release --snapshot --clean --skip=before,publish

version="$(grep -o '"version":"[^"]*"' dist/metadata.json | head -n1 | cut -d'"' -f4)"
[ -n "$version" ] || fail "no version in dist/metadata.json"
sums="${name}_${version}_SHA256SUMS"
manifest="${name}_${version}_manifest.json"

gpg --verify "dist/$sums.sig" "dist/$sums" 2>&1 || fail "dist/$sums.sig is not a good signature of dist/$sums"

expected=("$manifest")
for p in "${platforms[@]}"; do
  zip="${name}_${version}_${p}.zip"
  [ -f "dist/$zip" ] || fail "dist/$zip is missing"
  expected+=("$zip")
  os="${p%_*}" arch="${p#*_}" bin="${name}_v${version}"
  [ "$os" != windows ] || bin="$bin.exe"
  case "$os" in
    linux) os_re='^ELF .*\(SYSV\)' ;;
    freebsd) os_re='^ELF .*\(FreeBSD\)' ;;
    darwin) os_re='^Mach-O ' ;;
    windows) os_re='^PE32\+? executable.*MS Windows' ;;
  esac
  case "$arch" in
    amd64) arch_re='x86-64|x86_64' ;;
    386) arch_re='Intel (80386|i386)' ;;
    arm) arch_re='ARM, EABI' ;;
    arm64) arch_re='[Aa]arch64|arm64|ARM64' ;;
  esac
  rm -rf "${unpacked:?}"/* && unzip -q "dist/$zip" -d "$unpacked"
  binaries="$(cd "$unpacked" && file -b -- * | grep -cE '^(ELF|Mach-O|PE32)' || true)"
  [ "$binaries" = 1 ] && [ -f "$unpacked/$bin" ] ||
    fail "dist/$zip should hold one binary, $bin: it holds $(cd "$unpacked" && file -- * | tr '\n' ' ')"
  what="$(file -b "$unpacked/$bin")"
  grep -qE "$os_re" <<<"$what" && grep -qE "$arch_re" <<<"$what" ||
    fail "$bin in dist/$zip is not built for $os/$arch: $what"
  echo "  $zip: $bin, $(cut -d, -f1-2 <<<"$what")"
done
[ "$(find dist -maxdepth 1 -name '*.zip' | wc -l)" -eq "${#platforms[@]}" ] ||
  fail "dist/ holds other zips: $(cd dist && ls ./*.zip)"

in_sums="$(awk '{print $2}' "dist/$sums" | sort)"
[ "$in_sums" = "$(printf '%s\n' "${expected[@]}" | sort)" ] ||
  fail "dist/$sums lists: $(echo "$in_sums" | tr '\n' ' ')"
(cd dist && grep -v "  $manifest\$" "$sums" | sha256sum --quiet -c -) || fail "dist/$sums does not match the zips"
grep -qx "$(sha256sum <terraform-registry-manifest.json | cut -d' ' -f1)  $manifest" "dist/$sums" ||
  fail "dist/$sums does not hold the checksum of terraform-registry-manifest.json as $manifest"

echo "release-check: snapshot $version has the registry's file names and a good signature:"
echo "  ${#platforms[@]} zips, each holding ${name}_v${version} built for its os/arch (above)"
echo "  dist/$sums, covering the zips and $manifest"
echo "  dist/$sums.sig, verified with the throwaway key $GPG_FINGERPRINT"
