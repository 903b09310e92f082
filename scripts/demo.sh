#!/usr/bin/env bash
# README's first command: installs what is missing, builds, and shows real Terraform driving a
# cppvider provider over gRPC with mutual TLS.
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache hits across clones of the repository (CI builds a fresh clone each time).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
root="$PWD"
bash scripts/setup.sh
eval "$(bash scripts/get-clients.sh --terraform-only)"

echo "== building (first time: a few minutes on 2 cores)"
cmake --preset release >/dev/null
cmake --build build/release --target terraform-provider-rawtest -j"$(nproc)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat > "$work/main.tf" <<'TF'
terraform {
  required_providers {
    rawtest = { source = "example.com/cppvider/rawtest" }
  }
}
provider "rawtest" {}
output "greeting" {
  value = provider::rawtest::echo("hello from a C++ provider")
}
TF
cat > "$work/dev.tfrc" <<TF
provider_installation {
  dev_overrides { "example.com/cppvider/rawtest" = "$root/build/release/tests/e2e" }
  direct {}
}
TF

echo "== terraform plan (the provider runs with mutual TLS; its log lines are in TF_LOG)"
(cd "$work" && TF_CLI_CONFIG_FILE="$work/dev.tfrc" TF_LOG=debug TF_LOG_PATH="$work/tf.log" \
  "$TERRAFORM" plan -no-color -input=false 2>&1 | grep -v '^$' | grep -E 'greeting|Changes to Outputs' )
echo "== what the provider logged (hclog JSON on stderr, re-emitted by Terraform)"
grep 'provider.terraform-provider-rawtest' "$work/tf.log" | grep -E 'plugin started|tf_rpc' | head -6 |
  sed -E 's/^[^ ]+ //'
launches=$(grep -c 'provider.terraform-provider-rawtest: plugin started' "$work/tf.log" || true)
echo "== Terraform started the provider $launches times for one plan."
