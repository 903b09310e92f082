#!/usr/bin/env bash
# After a failed fuzz run: each input libFuzzer saved (crash, leak, timeout, out of memory), with
# the sanitizer's summary and the bytes in base64, so that the end of a CI log is enough to
# reproduce it:
#   base64 -d > input <<< '...'; build/fuzz/tests/fuzz/fuzz_cty_<target> input
set -uo pipefail
build="${1:-build/fuzz}"
dir="$build/tests/fuzz/artifacts"
log="$build/Testing/Temporary/LastTest.log"
echo "== fuzz failure digest"
if [ -f "$log" ]; then
  grep -E "^(SUMMARY|==[0-9]+==ERROR|fuzz property violated|ALARM|MS: )|runtime error" "$log" |
    head -n 20
fi
found=0
for f in "$dir"/*; do
  [ -f "$f" ] || continue
  found=1
  size=$(stat -c %s "$f")
  echo "-- $(basename "$f") ($size bytes)"
  if [ "$size" -le 16384 ]; then
    base64 -w 0 "$f"
    echo
  fi
done
[ "$found" = 1 ] || echo "(no input was saved in $dir)"
