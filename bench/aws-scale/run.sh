#!/usr/bin/env bash
# The AWS-scale benchmark: builds the cppvider provider of 1 500 generated resource types
# (release and static presets), the same provider on terraform-plugin-framework, and the
# measuring client, then measures start-up, GetProviderSchema and memory of each in one run.
# Results: a markdown table on stdout (bench/aws-scale/README.md explains every figure).
#
#   bash bench/aws-scale/run.sh [--runs N] [--mem-runs M] [--with-code] [--compile-times]
#
#   --runs N          starts per timing figure (default 10)
#   --mem-runs M      starts per memory figure (default 3)
#   --with-code       also build and measure the variant whose schemas are generated C++ code
#                     (16 more translation units; several minutes on 2 cores)
#   --compile-times   rebuild the generated sources without ccache and print their build times
#   --cli-runs K      `plan` runs per binary and CLI for the peak RSS as the real CLIs drive the
#                     provider (default 3; Terraform from PATH, OpenTofu from
#                     scripts/get-clients.sh; 0 skips)
#
# Build dirs: build/h-aws (release) and build/h-aws-static (static); override with
# AWS_BUILD_RELEASE / AWS_BUILD_STATIC. Only this benchmark's targets and their dependencies
# are built (-j2).
set -euo pipefail
cd "$(dirname "$0")/../.."

runs=10 mem_runs=3 with_code=0 compile_times=0 cli_runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --mem-runs) mem_runs="$2"; shift 2 ;;
    --with-code) with_code=1; shift ;;
    --compile-times) compile_times=1; shift ;;
    --cli-runs) cli_runs="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

rel="${AWS_BUILD_RELEASE:-build/h-aws}"
st="${AWS_BUILD_STATIC:-build/h-aws-static}"
[ -f "$rel/build.ninja" ] || cmake --preset release -B "$rel" >/dev/null
[ -f "$st/build.ninja" ] || cmake --preset static -B "$st" >/dev/null

providers=(terraform-provider-awsscale)
static_providers=(terraform-provider-awsscale)
# The code variant only in the static preset: 16 heavy translation units are enough once.
[ "$with_code" = 1 ] && static_providers+=(terraform-provider-awsscale-code)

echo "== building (cmake --build ... -j2)" >&2
cmake --build "$rel" -j2 --target "${providers[@]}" awsscale_probe >&2
cmake --build "$st" -j2 --target "${static_providers[@]}" >&2
echo "== building the Go provider" >&2
go_bin=$(bash bench/aws-scale/go/build.sh)

if [ "$compile_times" = 1 ]; then
  # Generated sources only: remove their outputs and rebuild them without ccache. The framework
  # libraries are already built and are not part of what the generator costs.
  for dir in "$rel" "$st"; do
    targets=("${providers[@]}")
    [ "$dir" = "$st" ] && targets=("${static_providers[@]}")
    for p in "${targets[@]}"; do
      find "$dir/bench/aws-scale/CMakeFiles/$p.dir" -name '*.o' -delete 2>/dev/null || true
      rm -f "$dir/bench/aws-scale/$p"
    done
    rm -rf "$dir/bench/aws-scale/gen"
    log_lines=$(wc -l < "$dir/.ninja_log")
    start=$(date +%s.%N)
    CCACHE_DISABLE=1 cmake --build "$dir" -j2 --target "${targets[@]}" >/dev/null
    end=$(date +%s.%N)
    echo "### compile times, $dir (-j2, no ccache): wall $(echo "$end - $start" | bc) s"
    python3 bench/aws-scale/compile_times.py --since-line "$log_lines" "$dir" bench/aws-scale/
    echo
  done
  echo "### CPU time per generated translation unit (compiled again, no ccache; load-proof)"
  python3 bench/aws-scale/compile_times.py --cpu "$rel" gen/table/awsscale_table.cpp \
    awsscale_from_table.cpp
  if [ "$with_code" = 1 ]; then  # one of the 15 schema files, and the registry
    python3 bench/aws-scale/compile_times.py --cpu "$st" gen/code/awsscale_code_00.cpp \
      gen/code/awsscale_code_registry.cpp
  fi
  echo
  # The Go package alone: a changed stamp file makes `go build` recompile the main package
  # (its dependencies stay cached), then link.
  echo "package main

const buildStamp = \"$(date +%s%N)\"" > bench/aws-scale/go/gen_stamp.go
  echo "### go build of the main package (compile + link, -p=1):"
  bash bench/aws-scale/go/build.sh 2>&1 >/dev/null | sed 's/^/    /'
  rm -f bench/aws-scale/go/gen_stamp.go
  echo
fi

echo "### generated sources"
ls -l "$rel/bench/aws-scale/gen/table/"*.cpp | awk '{printf "    %s %.2f MB\n", $9, $5/1e6}'
if [ "$with_code" = 1 ]; then
  du -cb "$st/bench/aws-scale/gen/code/"*.cpp | tail -1 | awk '{printf "    generated C++ code: %.2f MB in 16 files\n", $1/1e6}'
fi
du -cb bench/aws-scale/go/gen_*.go | tail -1 | awk '{printf "    generated Go: %.2f MB in %s\n", $1/1e6, "bench/aws-scale/go/gen_*.go"}'
echo

echo "### machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
bins=("cpp-release=$rel/bench/aws-scale/terraform-provider-awsscale"
      "cpp-static=$st/bench/aws-scale/terraform-provider-awsscale")
if [ "$with_code" = 1 ]; then
  bins+=("cpp-code-static=$st/bench/aws-scale/terraform-provider-awsscale-code")
fi
bins+=("go=$go_bin")
cli_args=()
if [ "$cli_runs" -gt 0 ]; then
  eval "$(bash scripts/get-clients.sh)"  # TERRAFORM=... TOFU=...
  cli_args=(--cli "terraform=$TERRAFORM" --cli "tofu=$TOFU" --cli-runs "$cli_runs")
fi
python3 bench/aws-scale/measure.py --probe "$rel/bench/aws-scale/awsscale_probe" "${cli_args[@]}" \
  --runs "$runs" --mem-runs "$mem_runs" --json-out "$rel/bench/aws-scale/results.json" \
  --smaps-dir "$rel/bench/aws-scale/smaps" "${bins[@]}"
echo "### load after: $(cut -d' ' -f1-3 /proc/loadavg)"
