#!/usr/bin/env python3
"""Whole-CLI benchmark (issue 5): real Terraform and real OpenTofu run plan, apply, a no-op plan
and destroy over N resources of a small resource type, once per provider implementation, and
each step's wall time, the CPU time of every provider process the CLI started in that step
(user + system, summed) and their peak RSS (max over processes) are recorded.

Providers (all serve the resource bench_item: name required, description and size optional,
id computed; no backing store):
  fw   bench/cli/framework_provider.cpp  the cppvider framework
  raw  bench/cli/raw_provider.cpp        the same straight on cppvider's plugin layer (the floor)
  tpf  bench/cli/go-tpf/                 the same on HashiCorp's terraform-plugin-framework

How provider CPU is measured: the CLI configuration's dev_overrides point the provider's source
address at a directory holding only rusage_wrapper (compiled here with cc, named as the
provider binary). The wrapper fork+execs the real provider (BENCH_REAL_PROVIDER) with the same
arguments, environment and standard streams, forwards signals, waits, and appends the child's
rusage (utime, stime, maxrss) as one line to BENCH_RUSAGE_FILE, a file per step. "CLI CPU" is
the CLI's own CPU: the rusage of the CLI process (os.wait4, which includes descendants it
reaped) minus the providers'.

Usage (run.sh builds the providers first and passes their paths):
  run.py --fw BIN --raw BIN [--tpf BIN] [--n 10,100,1000] [--clients terraform,tofu]
         [--providers fw,raw,tpf] [--repeat 1] [--json out.json] [--keep]
Standard library only. Prints markdown tables.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

SOURCE = "example.com/cppvider/bench"
HERE = os.path.dirname(os.path.abspath(__file__))
TOFU_DEFAULT = os.path.expanduser("~/.cache/cppvider/clients/tofu-v1.12.6/tofu")

CONFIG = """terraform {
  required_providers {
    bench = { source = "%(source)s" }
  }
}

resource "bench_item" "r" {
  count       = %(n)d
  name        = "item-${count.index}"
  description = "benchmark item number ${count.index}"
  size        = count.index
}
"""

# (step name, CLI arguments, accepted exit codes). The no-op plan must find nothing to do.
STEPS = [
    ("plan", ["plan", "-input=false", "-no-color"], (0,)),
    ("apply", ["apply", "-auto-approve", "-input=false", "-no-color"], (0,)),
    ("noop-plan", ["plan", "-detailed-exitcode", "-input=false", "-no-color"], (0,)),
    ("destroy", ["destroy", "-auto-approve", "-input=false", "-no-color"], (0,)),
]


def fail(msg):
    print(f"run.py: {msg}", file=sys.stderr)
    sys.exit(1)


def find_clients(wanted):
    found = {}
    for name in wanted:
        if name == "terraform":
            path = os.environ.get("TERRAFORM") or shutil.which("terraform") or ""
        elif name == "tofu":
            path = os.environ.get("TOFU") or (TOFU_DEFAULT if os.path.exists(TOFU_DEFAULT)
                                              else shutil.which("tofu") or "")
        else:
            fail(f"unknown client {name!r} (terraform, tofu)")
        if not path or not os.access(path, os.X_OK):
            fail(f"{name} not found (set {name.upper()}, or run scripts/get-clients.sh)")
        found[name] = path
    return found


def client_version(path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("TF_CLI_CONFIG_FILE", "TOFU_CLI_CONFIG_FILE")}
    out = subprocess.run([path, "version", "-json"], capture_output=True, text=True,
                         env=env).stdout
    try:  # warnings about the CLI configuration may come before the JSON
        return json.loads(out[out.index("{"):]).get("terraform_version", "?")
    except ValueError:
        return "?"


def build_wrapper(bin_dir):
    os.makedirs(bin_dir, exist_ok=True)
    out = os.path.join(bin_dir, "terraform-provider-bench")
    cc = os.environ.get("CC", "cc")
    subprocess.run([cc, "-O2", "-Wall", "-Wextra", "-o", out,
                    os.path.join(HERE, "rusage_wrapper.c")], check=True)
    return out


def read_rusage(path):
    """[(utime+stime seconds, maxrss KiB, exit code)] of the provider processes of one step."""
    procs = []
    if not os.path.exists(path):
        return procs
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) != 5:
                continue
            procs.append((float(parts[1]) + float(parts[2]), int(parts[3]), int(parts[4])))
    return procs


def run_step(cli, args, work, env, rusage_file, expect):
    """Runs the CLI once; returns wall seconds, the CLI's total rusage CPU and the output."""
    log_path = os.path.join(work, f"{args[0]}-{int(time.time() * 1e6)}.log")
    with open(log_path, "w") as log:
        t0 = time.perf_counter()
        p = subprocess.Popen([cli, *args], cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
        # wait4 gives the CLI's rusage including the providers it reaped.
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
    with open(log_path) as f:
        output = f.read()
    if p.returncode not in expect:
        fail(f"{os.path.basename(cli)} {' '.join(args)} exited {p.returncode} in {work}\n"
             f"{output[-8000:]}")
    return wall, ru.ru_utime + ru.ru_stime, output


def check_output(step, n, output):
    """The step did what it should: the counts the CLI reports."""
    if step == "apply" and f"Resources: {n} added, 0 changed, 0 destroyed" not in output:
        fail(f"apply did not add {n} resources:\n{output[-4000:]}")
    if step == "destroy" and f"Resources: {n} destroyed" not in output:
        fail(f"destroy did not destroy {n} resources:\n{output[-4000:]}")
    if step == "plan" and f"Plan: {n} to add, 0 to change, 0 to destroy" not in output:
        fail(f"plan did not plan {n} creates:\n{output[-4000:]}")


def run_combo(cli_name, cli, provider_name, provider_bin, n, root, wrapper_dir, keep):
    work = tempfile.mkdtemp(prefix=f"{cli_name}-{provider_name}-{n}-", dir=root)
    cfg = os.path.join(work, "cli.tfrc")
    with open(cfg, "w") as f:
        f.write("provider_installation {\n"
                f'  dev_overrides {{ "{SOURCE}" = "{wrapper_dir}" }}\n'
                "  direct {}\n}\n")
    with open(os.path.join(work, "main.tf"), "w") as f:
        f.write(CONFIG % {"source": SOURCE, "n": n})
    env = dict(os.environ)
    for k in ("TF_LOG", "TF_LOG_PATH", "TF_LOG_PROVIDER", "TF_REATTACH_PROVIDERS",
              "TF_CLI_CONFIG_FILE", "TOFU_CLI_CONFIG_FILE", "TF_CLI_ARGS", "TF_PLUGIN_CACHE_DIR",
              "CPPVIDER_PRIVATE_STATE_SECRET"):
        env.pop(k, None)
    env.update(TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1", TF_CLI_CONFIG_FILE=cfg,
               TOFU_CLI_CONFIG_FILE=cfg, BENCH_REAL_PROVIDER=os.path.abspath(provider_bin))
    rows = []
    for step, args, expect in STEPS:
        rusage_file = os.path.join(work, f"rusage-{step}.txt")
        env["BENCH_RUSAGE_FILE"] = rusage_file
        wall, cli_total_cpu, output = run_step(cli, args, work, env, rusage_file, expect)
        check_output(step, n, output)
        procs = read_rusage(rusage_file)
        if not procs:
            fail(f"{cli_name} {step}: no provider process reported its rusage ({rusage_file})")
        bad = [p for p in procs if p[2] != 0]
        if bad:
            fail(f"{cli_name} {step}: a provider process exited {bad[0][2]}")
        cpu = sum(p[0] for p in procs)
        rows.append({
            "cli": cli_name, "provider": provider_name, "n": n, "step": step,
            "wall_s": wall, "provider_cpu_s": cpu, "provider_procs": len(procs),
            "provider_peak_rss_kib": max(p[1] for p in procs),
            "cli_cpu_s": max(0.0, cli_total_cpu - cpu),
        })
        print(f"  {cli_name:9} {provider_name:4} N={n:<5} {step:10} wall {wall:7.2f} s  "
              f"provider CPU {cpu:7.3f} s in {len(procs)} procs  peak RSS "
              f"{rows[-1]['provider_peak_rss_kib'] / 1024:6.1f} MiB  CLI CPU "
              f"{rows[-1]['cli_cpu_s']:7.2f} s", flush=True)
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return rows


def median_rows(runs):
    """Per (cli, provider, n, step): the median of each figure over the repeats."""
    grouped = {}
    for r in runs:
        grouped.setdefault((r["cli"], r["provider"], r["n"], r["step"]), []).append(r)
    out = []
    for key, rs in grouped.items():
        row = dict(rs[0])
        for field in ("wall_s", "provider_cpu_s", "provider_peak_rss_kib", "cli_cpu_s",
                      "provider_procs"):
            row[field] = statistics.median(x[field] for x in rs)
        row["repeats"] = len(rs)
        out.append(row)
    return out


def print_tables(rows, order):
    step_order = {s[0]: i for i, s in enumerate(STEPS)}
    rows = sorted(rows, key=lambda r: (order["cli"].index(r["cli"]), r["n"],
                                       order["provider"].index(r["provider"]),
                                       step_order[r["step"]]))
    print("\n### Per step\n")
    print("| CLI | provider | N | step | wall (s) | provider CPU (s) | provider procs "
          "| provider peak RSS (MiB) | CLI CPU (s) |")
    print("|---|---|---:|---|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['cli']} | {r['provider']} | {r['n']} | {r['step']} | {r['wall_s']:.2f} "
              f"| {r['provider_cpu_s']:.3f} | {r['provider_procs']:g} "
              f"| {r['provider_peak_rss_kib'] / 1024:.1f} | {r['cli_cpu_s']:.2f} |")

    totals = {}
    for r in rows:
        t = totals.setdefault((r["cli"], r["provider"], r["n"]),
                              {"wall_s": 0.0, "provider_cpu_s": 0.0, "rss": 0, "cli_cpu_s": 0.0,
                               "procs": 0})
        t["wall_s"] += r["wall_s"]
        t["provider_cpu_s"] += r["provider_cpu_s"]
        t["rss"] = max(t["rss"], r["provider_peak_rss_kib"])
        t["cli_cpu_s"] += r["cli_cpu_s"]
        t["procs"] += r["provider_procs"]
    print("\n### Totals of the four steps\n")
    print("| CLI | provider | N | wall (s) | provider CPU (s) | provider CPU per resource (ms) "
          "| provider procs | provider peak RSS (MiB) | CLI CPU (s) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for (cli, prov, n), t in totals.items():
        print(f"| {cli} | {prov} | {n} | {t['wall_s']:.2f} | {t['provider_cpu_s']:.3f} "
              f"| {t['provider_cpu_s'] * 1000 / n:.3f} | {t['procs']:g} | {t['rss'] / 1024:.1f} "
              f"| {t['cli_cpu_s']:.2f} |")

    print("\n### Provider CPU relative to the framework-less floor (raw)\n")
    print("Target of issue 5: the framework (fw) within 1.25x of raw at N=1000.\n")
    others = [p for p in order["provider"] if p != "raw"]
    if "raw" not in order["provider"] or not others:
        print("(needs raw and at least one other provider)")
        return totals
    print("| CLI | N | " + " | ".join(f"{p} / raw" for p in others) + " |")
    print("|---|---:|" + "---:|" * len(others))
    for cli in order["cli"]:
        for n in sorted({k[2] for k in totals}):
            base = totals.get((cli, "raw", n))
            if not base or base["provider_cpu_s"] <= 0:
                continue
            cells = []
            for p in others:
                t = totals.get((cli, p, n))
                cells.append(f"{t['provider_cpu_s'] / base['provider_cpu_s']:.2f}" if t else "-")
            print(f"| {cli} | {n} | " + " | ".join(cells) + " |")

    # Most of a small run's provider CPU is process start-up (every step starts 3-5 provider
    # processes); the slope between the smallest and the largest N is the per-resource cost.
    ns = sorted({k[2] for k in totals})
    if len(ns) < 2:
        return totals
    lo, hi = ns[0], ns[-1]
    print(f"\n### Marginal provider CPU per resource, N={lo} to N={hi} (all four steps)\n")
    print("| CLI | " + " | ".join(f"{p} (us)" for p in order["provider"]) + " | "
          + " | ".join(f"{p} / raw" for p in others) + " |")
    print("|---|" + "---:|" * (len(order["provider"]) + len(others)))
    for cli in order["cli"]:
        slope = {}
        for p in order["provider"]:
            a, b = totals.get((cli, p, lo)), totals.get((cli, p, hi))
            if a and b:
                slope[p] = (b["provider_cpu_s"] - a["provider_cpu_s"]) * 1e6 / (hi - lo)
        cells = [f"{slope[p]:.0f}" if p in slope else "-" for p in order["provider"]]
        ratios = [f"{slope[p] / slope['raw']:.2f}" if p in slope and slope.get("raw", 0) > 0
                  else "-" for p in others]
        print(f"| {cli} | " + " | ".join(cells + ratios) + " |")
    return totals


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", default="10,100,1000", help="resource counts, comma-separated")
    ap.add_argument("--clients", default="terraform,tofu")
    ap.add_argument("--providers", default="", help="default: fw,raw and tpf when given")
    ap.add_argument("--fw", default="", help="terraform-provider-bench-fw binary")
    ap.add_argument("--raw", default="", help="terraform-provider-bench-raw binary")
    ap.add_argument("--tpf", default="", help="terraform-plugin-framework binary (optional)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per cell; medians are reported")
    ap.add_argument("--json", default="", help="write every measured row here")
    ap.add_argument("--keep", action="store_true", help="keep the work directories")
    ap.add_argument("--work", default="", help="parent of the work directories (default: a "
                    "fresh temporary directory)")
    a = ap.parse_args()

    ns = [int(x) for x in a.n.split(",") if x.strip()]
    clients = find_clients([c.strip() for c in a.clients.split(",") if c.strip()])
    binaries = {"fw": a.fw, "raw": a.raw, "tpf": a.tpf}
    wanted = ([p.strip() for p in a.providers.split(",") if p.strip()] if a.providers
              else [p for p in ("fw", "raw", "tpf") if binaries[p]])
    for p in wanted:
        if p not in binaries:
            fail(f"unknown provider {p!r} (fw, raw, tpf)")
        if not binaries[p] or not os.access(binaries[p], os.X_OK):
            fail(f"provider {p}: binary not given or not executable ({binaries[p]!r})")

    root = a.work or tempfile.mkdtemp(prefix="cppvider-cli-bench-")
    os.makedirs(root, exist_ok=True)
    wrapper_dir = os.path.join(root, "wrapper")
    build_wrapper(wrapper_dir)

    print(f"# Whole-CLI benchmark, {time.strftime('%Y-%m-%d %H:%M:%S %Z')}")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start")
    for name, path in clients.items():
        print(f"{name}: {path} ({client_version(path)})")
    for p in wanted:
        print(f"provider {p}: {binaries[p]}")
    print(f"N = {ns}, repeats = {a.repeat}, -parallelism default (10)\n", flush=True)

    runs = []
    for cli_name, cli in clients.items():
        for n in ns:
            for rep in range(a.repeat):
                # Providers alternate within each (CLI, N) so load changes hit them alike.
                for p in wanted:
                    runs += run_combo(cli_name, cli, p, binaries[p], n, root, wrapper_dir, a.keep)
    print(f"\nload average at end {os.getloadavg()[0]:.2f}")

    rows = median_rows(runs)
    print_tables(rows, {"cli": list(clients), "provider": wanted})
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"runs": runs, "medians": rows}, f, indent=1)
        print(f"\nrows written to {a.json}")
    if not a.keep and not a.work:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
