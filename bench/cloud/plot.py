#!/usr/bin/python3
"""Plots the CSV written by `cloud_throughput_bench --csv FILE` into a PNG (Debian's
python3-matplotlib; run.sh installs it). Usage: plot.py results.csv out.png"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(src, dst):
    rows = list(csv.DictReader(open(src)))
    creates = [r for r in rows if r["section"] == "creates"]
    reads = [r for r in rows if r["section"] == "reads"]
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4.2))

    labels = [r["label"] for r in creates]
    x = range(len(creates))
    a.bar([i - 0.2 for i in x], [float(r["seconds"]) for r in creates], 0.4, label="measured")
    a.bar([i + 0.2 for i in x], [float(r["ideal_seconds"]) for r in creates], 0.4,
          label="ideal: N x 40 ms / 10")
    a.set_xticks(list(x), labels)
    a.set_ylabel("wall time (s)")
    a.set_title("creates through the hooks, 10 at a time\n(20 ms per API call, 2 calls each)")
    a.legend()

    names = [r["label"] for r in reads]
    secs = [float(r["seconds"]) for r in reads]
    bars = b.bar(range(len(reads)), secs, color=["#999", "#5b8", "#36c"])
    b.set_yscale("log")
    b.set_xticks(range(len(reads)), [n.split(" (")[0] for n in names])
    b.set_ylabel("wall time (s, log scale)")
    b.set_title("reading 1 000 servers (20 ms per API call)")
    for bar, r in zip(bars, reads):
        b.annotate(f"{float(r['seconds']):.3f} s\n{r['api_calls']} calls",
                   (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                   ha="center", va="bottom", fontsize=8)
    fig.tight_layout()
    fig.savefig(dst, dpi=110)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
