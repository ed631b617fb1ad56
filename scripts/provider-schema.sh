#!/usr/bin/env bash
# Prints the JSON schema of the provider built from this checkout, as reported
# by `providers schema -json` of the Terraform or OpenTofu binary given:
#
#   scripts/provider-schema.sh PATH-TO-TERRAFORM-OR-TOFU >schema.json
#
# `make generate` and `make docs-check` hand it to tfplugindocs, so docs are
# rendered with the same CLI as the tests use and nothing is downloaded.
# The provider is reported as registry.terraform.io/hashicorp/shorterloop,
# the address tfplugindocs looks for, with either CLI.
set -euo pipefail
tf="$(command -v "${1:?usage: $0 PATH-TO-TERRAFORM-OR-TOFU}")"
[[ "$tf" = /* ]] || tf="$PWD/$tf"
cd "$(dirname "$0")/.."

dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
platform="$(go env GOOS)_$(go env GOARCH)"
go build -o "$dir/terraform-provider-shorterloop" .
# Terraform and OpenTofu resolve provider "shorterloop" on different registry hosts.
for host in registry.terraform.io registry.opentofu.org; do
  mkdir -p "$dir/plugins/$host/hashicorp/shorterloop/0.0.1/$platform"
  cp "$dir/terraform-provider-shorterloop" "$dir/plugins/$host/hashicorp/shorterloop/0.0.1/$platform/"
done
echo 'provider "shorterloop" {}' >"$dir/main.tf"
cd "$dir"
export CHECKPOINT_DISABLE=1
"$tf" init -input=false -backend=false -plugin-dir=plugins >/dev/null
"$tf" providers schema -json |
  sed 's#"registry.opentofu.org/hashicorp/shorterloop"#"registry.terraform.io/hashicorp/shorterloop"#'
