#!/usr/bin/env bash
# Generates the schemas (gen_*.go) and builds the Go provider of the AWS-scale benchmark.
#
# usage: build.sh [OUTPUT]        default OUTPUT: bench/aws-scale/go/out/terraform-provider-awsscale
#
# Built as bench/go-baseline/build.sh builds its provider: stripped (-s -w), -trimpath,
# CGO_ENABLED=0 as HashiCorp's release builds use, GOFLAGS=-p=1 unless set (shared machines).
# Needs the module cache or the Go module proxy for terraform-plugin-framework v1.19.0 (the
# versions are those of bench/go-baseline/go.mod). Prints the build's time on stderr.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/out/terraform-provider-awsscale}"
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
mkdir -p "$(dirname "$out")"

go="${GO:-go}"
if ! command -v "$go" >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  go=/usr/local/go/bin/go
fi

python3 "$here/../generate.py" --go-out "$here"
cd "$here"
CGO_ENABLED="${CGO_ENABLED:-0}" GOFLAGS="${GOFLAGS:--p=1}" \
  /usr/bin/time -f "go build: %e s wall, %U s user + %S s system CPU, %M KiB peak" \
  "$go" build -buildvcs=false -trimpath -ldflags="-s -w" -o "$out" .
echo "$out"
