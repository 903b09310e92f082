#!/usr/bin/env bash
# The whole test suite, as CI runs it (README's second command):
#   1. dependencies (scripts/setup.sh) and real Terraform + OpenTofu (scripts/get-clients.sh)
#   2. formatting check
#   3. release build: unit, integration and e2e tests (ctest)
#   4. the static provider build (what providers ship): plugin integration and e2e tests again
#   5. the same suite built with AddressSanitizer + UndefinedBehaviorSanitizer
#   6. the concurrency toolkit (runtime, http, cache, batch, mock API) under ThreadSanitizer
#   7. bounded libFuzzer runs of the decoders (clang, ASan+UBSan)
# Options: --fast skips steps 4 to 7 (for quick local iterations; CI never uses it).
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache hits across clones of the repository (CI builds a fresh clone each time).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
fast=0
[ "${1:-}" = "--fast" ] && fast=1
jobs="${CPPVIDER_JOBS:-$(nproc)}"

bash scripts/setup.sh
clients="$(bash scripts/get-clients.sh)"
eval "$clients"
export TERRAFORM TOFU
echo "== clients: $("$TERRAFORM" version 2>/dev/null | grep -m1 -E '^Terraform v'), $("$TOFU" version 2>/dev/null | grep -m1 -E '^OpenTofu v')"

echo "== format check"
bash scripts/check-format.sh

run_suite() {
  local preset="$1"
  echo "== build ($preset)"
  cmake --preset "$preset" >/dev/null
  cmake --build "build/$preset" -j"$jobs"
  echo "== test ($preset)"
  ctest --test-dir "build/$preset" --output-on-failure -j"$jobs" -LE fuzz
}

run_suite release
if [ "$fast" = 0 ]; then
  # Its own link (static archives, cmake/startup-order.ld layout, -ffunction-sections) must pass
  # the same plugin tests and real CLIs as the release build.
  echo "== static provider: plugin integration and e2e tests"
  cmake --preset static >/dev/null
  cmake --build build/static -j"$jobs" --target terraform-provider-rawtest
  static_rawtest="$PWD/build/static/tests/e2e/terraform-provider-rawtest"
  RAWTEST_PROVIDER="$static_rawtest" build/release/tests/integration/plugin_integration_test --gtest_brief=1
  RAWTEST_PROVIDER="$static_rawtest" python3 tests/e2e/e2e_plugin.py
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_suite asan
  echo "== ThreadSanitizer: runtime, http, cache, batch, mock API"
  tsan_tests=(runtime/runtime_unit_test http/http_test cache/cache_test batch/batch_test
              mock_api/mock_api_test)
  cmake --preset tsan >/dev/null
  cmake --build build/tsan -j"$jobs" --target "${tsan_tests[@]##*/}"
  for t in "${tsan_tests[@]}"; do
    TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 "build/tsan/tests/unit/$t" --gtest_brief=1
  done
  if [ -f tests/fuzz/CMakeLists.txt ]; then
    echo "== fuzz (bounded runs)"
    cmake --preset fuzz >/dev/null
    cmake --build build/fuzz -j"$jobs"
    if ! ctest --test-dir build/fuzz --output-on-failure -L fuzz; then
      # CI shows the end of the log: put what reproduces the failure there.
      bash scripts/fuzz-digest.sh build/fuzz
      exit 1
    fi
  fi
fi
echo "== all tests passed"
