#!/usr/bin/env bash
# Start-up, idle memory, threads and size of a provider on the plugin layer, dynamic and static
# builds side by side (and the terraform-plugin-framework baseline, when it can be built), in one
# run. Results: a markdown table on stdout (copied into docs/benchmarks.md).
#   bash bench/startup/run.sh [--runs N]
# RELEASE_DIR and STATIC_DIR choose the build directories (default build/release, build/static).
# Instruction counts until the handshake line: bench/startup/startup_callgrind.py BINARY.
# With Go on PATH, bench/startup/firstcall (a go-plugin-like client) also times exec until the
# first RPC is answered over mTLS, which is what a host waits for.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${2:-30}"
release_dir="${RELEASE_DIR:-build/release}"
static_dir="${STATIC_DIR:-build/static}"
cmake --preset release -B "$release_dir" >/dev/null && cmake --build "$release_dir" --target terraform-provider-rawtest >/dev/null
cmake --preset static -B "$static_dir" >/dev/null &&
  cmake --build "$static_dir" --target terraform-provider-rawtest terraform-provider-localfs >/dev/null
# The plugin layer (dynamic and static), then a framework provider (the localfs example, static).
bins=("$release_dir/tests/e2e/terraform-provider-rawtest" "$static_dir/tests/e2e/terraform-provider-rawtest"
      "$static_dir/examples/local/terraform-provider-localfs")
if [ -x bench/go-baseline/build.sh ] && bash bench/go-baseline/build.sh >/dev/null 2>&1; then
  bins+=(bench/go-baseline/out/terraform-provider-rawtest)
fi
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
python3 bench/startup/startup_bench.py "${bins[@]}" --runs "$runs"
if command -v go >/dev/null && (cd bench/startup/firstcall && go build -o ../../../build/firstcall . ) 2>/dev/null; then
  build/firstcall -runs "$runs" "${bins[@]}"
fi
