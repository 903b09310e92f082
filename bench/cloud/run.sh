#!/usr/bin/env bash
# The runtime benchmarks of docs/benchmarks.md: the cloud example under load, with a plot.
#   bash bench/cloud/run.sh            # builds, runs, writes docs/images/cloud-throughput.png
set -euo pipefail
cd "$(dirname "$0")/../.."
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
cmake --preset release >/dev/null
cmake --build build/release --target cloud_throughput_bench >/dev/null
csv="$(mktemp)"
build/release/bench/cloud/cloud_throughput_bench --csv "$csv"
if ! /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get install -y -q python3-matplotlib >/dev/null
fi
mkdir -p docs/images
/usr/bin/python3 bench/cloud/plot.py "$csv" docs/images/cloud-throughput.png
echo "plot: docs/images/cloud-throughput.png"
