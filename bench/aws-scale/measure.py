#!/usr/bin/env python3
"""Measures AWS-scale providers with awsscale_probe and prints a markdown table.

For each binary, in interleaved rounds (so a change in machine load hits every binary alike):
  * --runs starts with AutoMTLS (a P-521 client certificate, as Terraform sends): exec ->
    handshake line, connection, first GetProviderSchema, second GetProviderSchema;
  * --runs starts in plaintext (handshake only), comparable with bench/startup;
  * --mem-runs starts that idle 1 s after the handshake (VmRSS, RssAnon, threads), call
    GetProviderSchema twice and report VmHWM (peak) after the first call and after the second,
    and VmRSS/RssAnon right after and 1 s later.
Then one more start per binary copies /proc/<pid>/smaps after the calls, summarised by mapping.
With --cli NAME=PATH (repeatable), each CLI also runs `plan` of a configuration that declares
only the provider, --cli-runs times per binary, through bench/cli/rusage_wrapper.c standing in for
the provider binary (dev_overrides): the peak RSS (ru_maxrss) of the provider process as the real
CLI drives it (mTLS, its own gRPC client and flow control, every RPC it sends).

usage: measure.py --probe PROBE [--runs N] [--mem-runs M] [--json-out FILE] [--smaps-dir DIR]
                  [--cli NAME=PATH ...] [--cli-runs K] LABEL=BINARY [LABEL=BINARY ...]
The first binary whose label starts with "go" is the denominator of the ratios.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys


def probe(probe_bin: str, binary: str, *args: str) -> dict:
    r = subprocess.run([probe_bin, *args, "--", binary], capture_output=True, text=True,
                       timeout=600)
    if r.returncode != 0:
        raise SystemExit(f"probe failed on {binary}: {r.stderr.strip()}")
    return json.loads(r.stdout)


HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = "example.com/cppvider/awsscale"


def cli_setup(root: str) -> tuple[str, str]:
    """A wrapper directory (rusage_wrapper named as the provider) and a working directory."""
    wrapper_dir = os.path.join(root, "wrapper")
    work = os.path.join(root, "work")
    os.makedirs(wrapper_dir, exist_ok=True)
    os.makedirs(work, exist_ok=True)
    subprocess.run(["cc", "-O2", "-o", os.path.join(wrapper_dir, "terraform-provider-awsscale"),
                    os.path.join(HERE, "..", "cli", "rusage_wrapper.c")], check=True)
    with open(os.path.join(work, "main.tf"), "w") as f:
        f.write('terraform {\n  required_providers {\n    awsscale = { source = "' + SOURCE +
                '" }\n  }\n}\nprovider "awsscale" {\n  region = "eu-west-1"\n}\n')
    with open(os.path.join(root, "cli.tfrc"), "w") as f:
        f.write("provider_installation {\n  dev_overrides { \"" + SOURCE + "\" = \"" +
                wrapper_dir + "\" }\n  direct {}\n}\n")
    return wrapper_dir, work


def cli_plan(cli: str, binary: str, root: str, work: str) -> dict:
    """One `plan`; the provider processes' peak RSS (MiB) and CPU, and the CLI's wall time."""
    usage = os.path.join(root, "rusage.txt")
    if os.path.exists(usage):
        os.remove(usage)
    env = dict(os.environ, TF_CLI_CONFIG_FILE=os.path.join(root, "cli.tfrc"),
               BENCH_REAL_PROVIDER=os.path.abspath(binary), BENCH_RUSAGE_FILE=usage,
               TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1")
    env.pop("TF_LOG", None)
    r = subprocess.run([cli, "plan", "-input=false", "-no-color"], cwd=work, env=env,
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise SystemExit(f"{cli} plan failed with {binary}:\n{r.stdout}\n{r.stderr}")
    procs = []
    with open(usage) as f:
        for line in f:
            _, user, sys_, maxrss, status = line.split()
            procs.append((float(user) + float(sys_), int(maxrss) / 1024, int(status)))
    if not procs:
        raise SystemExit(f"{cli}: no provider process reported its rusage")
    return {"processes": len(procs), "peak_mib": max(p[1] for p in procs),
            "cpu_ms": sum(p[0] for p in procs) * 1000}


def med(xs: list[float]) -> float:
    return statistics.median(xs)


def quart(xs: list[float]) -> tuple[float, float]:
    if len(xs) < 2:
        return xs[0], xs[0]
    q = statistics.quantiles(xs, n=4)
    return q[0], q[2]


def smaps_summary(path: str, binary: str) -> dict[str, dict[str, int]]:
    """Rss and Anonymous (KiB) per kind of mapping: the binary, each library, heap, other anon."""
    out: dict[str, dict[str, int]] = {}
    name = None
    real = os.path.realpath(binary)
    with open(path) as f:
        for line in f:
            head = line.split()
            if not head:
                continue
            if "-" in head[0] and len(head) >= 5 and not head[0].endswith(":"):
                target = head[5] if len(head) >= 6 else ""
                if target == real or (target and os.path.basename(target) ==
                                      os.path.basename(binary)):
                    name = "binary"
                elif target == "[heap]":
                    name = "[heap]"
                elif target.startswith("["):
                    name = target
                elif target:
                    name = os.path.basename(target).split(".so")[0]
                else:
                    name = "anonymous mappings"
                out.setdefault(name, {"rss": 0, "anon": 0})
            elif head[0] == "Rss:" and name:
                out[name]["rss"] += int(head[1])
            elif head[0] == "Anonymous:" and name:
                out[name]["anon"] += int(head[1])
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--probe", required=True)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--mem-runs", type=int, default=3)
    ap.add_argument("--json-out")
    ap.add_argument("--smaps-dir")
    ap.add_argument("--cli", action="append", default=[], help="NAME=PATH of terraform/tofu")
    ap.add_argument("--cli-runs", type=int, default=3)
    ap.add_argument("--cli-root", default="/tmp/awsscale-cli")
    ap.add_argument("binaries", nargs="+", help="LABEL=PATH")
    a = ap.parse_args()
    bins = []
    for b in a.binaries:
        label, _, path = b.partition("=")
        bins.append((label, path))

    raw: dict[str, dict[str, list]] = {label: {"tls": [], "plain": [], "mem": []}
                                       for label, _ in bins}
    for label, path in bins:  # warm the page cache; not counted
        probe(a.probe, path, "--calls", "1")
    for i in range(a.runs):
        for label, path in bins:
            raw[label]["tls"].append(probe(a.probe, path, "--calls", "2"))
            raw[label]["plain"].append(probe(a.probe, path, "--plain", "--calls", "0"))
        print(f"round {i + 1}/{a.runs} done", file=sys.stderr)
    for i in range(a.mem_runs):
        for label, path in bins:
            raw[label]["mem"].append(probe(a.probe, path, "--calls", "2", "--idle-ms", "1000"))
    smaps = {}
    if a.smaps_dir:
        os.makedirs(a.smaps_dir, exist_ok=True)
        for label, path in bins:
            f = os.path.join(a.smaps_dir, f"{label}.smaps")
            probe(a.probe, path, "--calls", "2", "--idle-ms", "1000", "--smaps", f)
            smaps[label] = smaps_summary(f, path)

    clis = [c.partition("=")[::2] for c in a.cli]
    cli_raw: dict[tuple[str, str], list[dict]] = {}
    if clis:
        _, work = cli_setup(a.cli_root)
        for i in range(a.cli_runs):
            for cli_name, cli in clis:
                for label, path in bins:
                    cli_raw.setdefault((cli_name, label), []).append(
                        cli_plan(cli, path, a.cli_root, work))

    rows = {}
    for label, path in bins:
        t, p, m = raw[label]["tls"], raw[label]["plain"], raw[label]["mem"]
        rows[label] = {
            "binary": path,
            "size_mb": os.path.getsize(path) / 1e6,
            "handshake_tls": [x["handshake_ms"] for x in t],
            "handshake_plain": [x["handshake_ms"] for x in p],
            "connect": [x["connect_ms"] for x in t],
            "schema1": [x["schema_ms"][0] for x in t],
            "schema2": [x["schema_ms"][1] for x in t],
            "cpu1": [x["schema_cpu_ms"][0] for x in t],
            "cpu2": [x["schema_cpu_ms"][1] for x in t],
            "start_to_schema": [x["handshake_ms"] + x["connect_ms"] + x["schema_ms"][0]
                                for x in t],
            "schema_bytes": t[0]["schema_bytes"],
            "resources": t[0]["resources"],
            "attributes": t[0]["attributes"],
            "blocks": t[0]["blocks"],
            "diagnostics": t[0]["diagnostics"],
            "digest": t[0]["digest"],
            "idle_rss": [x["idle"]["rss_kib"] / 1024 for x in m],
            "idle_anon": [x["idle"]["anon_kib"] / 1024 for x in m],
            "idle_threads": [x["idle"]["threads"] for x in m],
            "peak_first": [x["after_first"]["hwm_kib"] / 1024 for x in m],
            "anon_first": [x["after_first"]["anon_kib"] / 1024 for x in m],
            "peak_hwm": [x["after"]["hwm_kib"] / 1024 for x in m],
            "after_rss": [x["after"]["rss_kib"] / 1024 for x in m],
            "after_anon": [x["after"]["anon_kib"] / 1024 for x in m],
            "later_rss": [x["after_idle"]["rss_kib"] / 1024 for x in m],
            "later_anon": [x["after_idle"]["anon_kib"] / 1024 for x in m],
        }
        if rows[label]["diagnostics"]:
            print(f"WARNING {label}: {t[0]['first_diagnostic']}", file=sys.stderr)

    base = next((l for l, _ in bins if l.startswith("go")), None)
    labels = [l for l, _ in bins]

    def cell(label: str, key: str, unit: str, quartiles: bool) -> str:
        xs = rows[label][key]
        if quartiles:
            q1, q3 = quart(xs)
            return f"{med(xs):.1f} {unit} [{q1:.1f}–{q3:.1f}]"
        return f"{med(xs):.1f} {unit}"

    figures = [
        ("exec → handshake, mTLS", "handshake_tls", "ms", True),
        ("exec → handshake, plaintext", "handshake_plain", "ms", True),
        ("TLS connect", "connect", "ms", True),
        ("first GetProviderSchema", "schema1", "ms", True),
        ("second GetProviderSchema", "schema2", "ms", True),
        ("provider CPU in the first call", "cpu1", "ms", True),
        ("provider CPU in the second call", "cpu2", "ms", True),
        ("exec → first schema received", "start_to_schema", "ms", True),
        ("idle RSS (1 s after handshake)", "idle_rss", "MiB", False),
        ("idle RssAnon", "idle_anon", "MiB", False),
        ("peak RSS (VmHWM) after the first GetProviderSchema", "peak_first", "MiB", False),
        ("RssAnon after the first GetProviderSchema", "anon_first", "MiB", False),
        ("peak RSS (VmHWM) after the second", "peak_hwm", "MiB", False),
        ("RSS right after", "after_rss", "MiB", False),
        ("RssAnon right after", "after_anon", "MiB", False),
        ("RSS 1 s later", "later_rss", "MiB", False),
        ("RssAnon 1 s later", "later_anon", "MiB", False),
        ("threads idle", "idle_threads", "", False),
    ]
    print(f"{a.runs} starts per timing cell (median [q1–q3]), {a.mem_runs} per memory cell "
          "(median)\n")
    head = "| figure | " + " | ".join(labels)
    head += " | " + " | ".join(f"{l} / {base}" for l in labels if l != base) if base else ""
    print(head + " |")
    print("|---" * (1 + len(labels) + (len(labels) - 1 if base else 0)) + "|")
    for title, key, unit, q in figures:
        line = f"| {title} | " + " | ".join(cell(l, key, unit, q) for l in labels)
        if base:
            b = med(rows[base][key])
            line += " | " + " | ".join(f"{med(rows[l][key]) / b:.2f}×" if b else "–"
                                       for l in labels if l != base)
        print(line + " |")
    for title, key, fmt in [("GetProviderSchema response", "schema_bytes", "{:,} B"),
                            ("binary size", "size_mb", "{:.1f} MB")]:
        line = f"| {title} | " + " | ".join(fmt.format(rows[l][key]) for l in labels)
        if base:
            line += " | " + " | ".join(f"{rows[l][key] / rows[base][key]:.2f}×"
                                       for l in labels if l != base)
        print(line + " |")
    for cli_name, _ in clis:
        for title, key in [(f"{cli_name} plan: provider peak RSS (ru_maxrss)", "peak_mib"),
                           (f"{cli_name} plan: provider CPU", "cpu_ms")]:
            unit = "MiB" if key == "peak_mib" else "ms"
            vals = {l: med([x[key] for x in cli_raw[(cli_name, l)]]) for l in labels}
            line = f"| {title} | " + " | ".join(f"{vals[l]:.1f} {unit}" for l in labels)
            if base:
                line += " | " + " | ".join(f"{vals[l] / vals[base]:.2f}×" if vals[base] else "–"
                                           for l in labels if l != base)
            print(line + " |")
    print()
    for cli_name, _ in clis:
        for l in labels:
            xs = cli_raw[(cli_name, l)]
            print(f"- {cli_name} plan, {l}: {xs[0]['processes']} provider process(es) per plan; "
                  "peak RSS per run " + ", ".join(f"{x['peak_mib']:.1f}" for x in xs) + " MiB")
    for l in labels:
        r = rows[l]
        print(f"- {l}: {r['binary']}: {r['resources']} resource schemas, {r['attributes']} "
              f"attributes, {r['blocks']} nested blocks, {r['diagnostics']} diagnostics, "
              f"schema digest {r['digest']}")
    digests = {rows[l]["digest"] for l in labels}
    print(f"- schemas identical across binaries: {'yes' if len(digests) == 1 else 'NO'}")
    if smaps:
        print("\nResident memory by mapping after the calls and 1 s idle (KiB: Rss / of which "
              "anonymous), largest first:\n")
        for l in labels:
            items = sorted(smaps[l].items(), key=lambda kv: -kv[1]["rss"])[:8]
            print(f"- {l}: " + ", ".join(f"{k} {v['rss']}/{v['anon']}" for k, v in items))
    if a.json_out:
        with open(a.json_out, "w") as f:
            json.dump({"raw": raw, "rows": rows, "smaps": smaps,
                       "cli": {f"{c}/{l}": v for (c, l), v in cli_raw.items()}}, f, indent=1)


if __name__ == "__main__":
    main()
