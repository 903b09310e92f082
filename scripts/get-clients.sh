#!/usr/bin/env bash
# Provides the real Terraform and OpenTofu CLIs the e2e tests drive, cached outside the repository.
# Prints two lines, TERRAFORM=<path> and TOFU=<path>, or fails saying why.
#   Terraform: the one on PATH; where PATH has none, 1.8.5 built from its Go module.
#   OpenTofu:  1.12.x built from its Go module (the first build takes minutes on 2 cores).
#   --terraform-only: skip OpenTofu (the demo needs only one CLI).
set -euo pipefail
only_terraform=0
[ "${1:-}" = "--terraform-only" ] && only_terraform=1

cache="${CPPVIDER_CLIENT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cppvider/clients}"
tofu_version="${CPPVIDER_TOFU_VERSION:-v1.12.6}"
tf_fallback_version="v1.8.5"
mkdir -p "$cache"

need_go() {
  command -v go >/dev/null 2>&1 && return 0
  [ -x /usr/local/go/bin/go ] && { export PATH="/usr/local/go/bin:$PATH"; return 0; }
  echo "get-clients: Go is needed to build $1 and none is installed" >&2
  exit 1
}

# Terraform
if command -v terraform >/dev/null 2>&1; then
  terraform_bin="$(command -v terraform)"
else
  terraform_bin="$cache/terraform-$tf_fallback_version/terraform"
  if [ ! -x "$terraform_bin" ]; then
    need_go Terraform
    echo "get-clients: building Terraform $tf_fallback_version from its Go module" >&2
    GOBIN="$(dirname "$terraform_bin")" GOFLAGS=-mod=mod \
      go install "github.com/hashicorp/terraform@$tf_fallback_version" >&2
  fi
fi

# OpenTofu: its go.mod replaces hcl with a remote module, so `go install` refuses it; building
# inside the downloaded module works (see docs/testing.md).
tofu_bin="$cache/tofu-$tofu_version/tofu"
if [ "$only_terraform" = 0 ] && [ ! -x "$tofu_bin" ]; then
  need_go OpenTofu
  echo "get-clients: building OpenTofu $tofu_version from its Go module (first time only)" >&2
  dir="$(GOFLAGS=-mod=mod go mod download -json "github.com/opentofu/opentofu@$tofu_version" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')"
  tmp="$cache/tofu-$tofu_version.tmp"
  mkdir -p "$tmp"
  (cd "$dir" && GOTOOLCHAIN=auto CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/tofu" ./cmd/tofu) >&2
  mkdir -p "$(dirname "$tofu_bin")"
  mv "$tmp/tofu" "$tofu_bin"
  rmdir "$tmp" 2>/dev/null || true
fi

"$terraform_bin" version >/dev/null 2>&1 || { echo "get-clients: $terraform_bin does not run" >&2; exit 1; }
echo "TERRAFORM=$terraform_bin"
if [ "$only_terraform" = 0 ]; then
  "$tofu_bin" version >/dev/null 2>&1 || { echo "get-clients: $tofu_bin does not run" >&2; exit 1; }
  echo "TOFU=$tofu_bin"
fi
