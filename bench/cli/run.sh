#!/usr/bin/env bash
# Whole-CLI benchmark of issue 5: real Terraform and OpenTofu over N small resources, provider
# CPU and memory per step, the cppvider framework against the framework-less floor (and
# terraform-plugin-framework when its module builds offline). Builds what it needs, then runs
# bench/cli/run.py with every argument passed through:
#
#   bash bench/cli/run.sh                              # N = 10, 100, 1000 on both CLIs
#   bash bench/cli/run.sh --n 10,100 --clients tofu    # a quick run
#
#   BUILD_DIR   CMake build directory (default build/release, preset "release")
#   NO_TPF=1    skip the terraform-plugin-framework provider
set -euo pipefail
cd "$(dirname "$0")/../.."
build="${BUILD_DIR:-build/release}"
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1

if [ ! -f "$build/build.ninja" ]; then
  cmake --preset release -B "$build" >/dev/null
fi
cmake --build "$build" --target terraform-provider-bench-fw terraform-provider-bench-raw >/dev/null
args=(--fw "$build/bench/cli/terraform-provider-bench-fw"
      --raw "$build/bench/cli/terraform-provider-bench-raw")

if [ "${NO_TPF:-0}" != 1 ]; then
  go="${GO:-go}"
  if ! command -v "$go" >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then go=/usr/local/go/bin/go; fi
  tpf="$PWD/$build/bench/cli/terraform-provider-bench-tpf"
  # Offline from the module cache, as bench/go-baseline builds; stripped and without cgo, as
  # HashiCorp's release builds are.
  if (cd bench/cli/go-tpf && CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--p=1}" GOPROXY="${GOPROXY:-off}" \
        "$go" build -buildvcs=false -trimpath -ldflags="-s -w" -o "$tpf" .) >/dev/null 2>&1; then
    args+=(--tpf "$tpf")
  else
    echo "run.sh: the terraform-plugin-framework provider did not build; measuring fw and raw only" >&2
  fi
fi

exec python3 bench/cli/run.py "${args[@]}" "$@"
