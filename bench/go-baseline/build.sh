#!/usr/bin/env bash
# Builds the Go yardstick provider (terraform-plugin-framework) for bench/startup.
#
# usage: build.sh [OUTPUT]        default OUTPUT: bench/go-baseline/out/terraform-provider-rawtest
#   STRIP=0 build.sh [OUTPUT]     keep the symbol table and DWARF (omit -ldflags="-s -w")
#
# The default build is stripped (-s -w), as release providers are. -s -w changes only the file
# size (symbol table and DWARF are not loaded at run time); STRIP=0 shows the unstripped size.
# Measured with framework v1.19.0, Go 1.26.8, linux/amd64: 17.9 MB stripped (17,866,914 B),
# 25.7 MB without -s -w (25,704,282 B). CGO_ENABLED=0 as HashiCorp's release builds use.
#
# Needs Go >= 1.25 (go.mod) and the module proxy or a warm module cache. GOFLAGS defaults to
# -p=1 to keep the build light on shared machines; set GOFLAGS to override.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/out/terraform-provider-rawtest}"
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
mkdir -p "$(dirname "$out")"

go="${GO:-go}"
if ! command -v "$go" >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  go=/usr/local/go/bin/go
fi

ldflags="-s -w"
if [ "${STRIP:-1}" = 0 ]; then
  ldflags=""
fi

cd "$here"
CGO_ENABLED="${CGO_ENABLED:-0}" GOFLAGS="${GOFLAGS:--p=1}" \
  "$go" build -buildvcs=false -trimpath -ldflags="$ldflags" -o "$out" .
echo "$out"
