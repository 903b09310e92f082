#!/usr/bin/env python3
"""Start-up benchmark of a provider binary, measured the way a host experiences it.

For each mode (mTLS with a P-521 host certificate as Terraform sends, plaintext), spawn the
provider with go-plugin's environment N times and time exec -> handshake line read from the
pipe; report the median and quartiles. Then, for one process left idle 1 s after the handshake,
read its RSS (VmRSS and RssAnon), its thread count, and the binary size.

usage: startup_bench.py BINARY [BINARY ...] [--runs N] [--markdown]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"


def host_certificate(tmp):
    key = os.path.join(tmp, "host.key")
    crt = os.path.join(tmp, "host.crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-521", "-sha512", "-nodes", "-keyout", key, "-out", crt,
                    "-days", "1", "-subj", "/O=HashiCorp/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost"],
                   check=True, capture_output=True)
    with open(crt) as f:
        return f.read()


def env_for(mode, cert):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "PLUGIN_"))}
    env.update(TF_PLUGIN_MAGIC_COOKIE=COOKIE, PLUGIN_PROTOCOL_VERSIONS="6,5",
               PLUGIN_MIN_PORT="10000", PLUGIN_MAX_PORT="25000")
    if mode == "mtls":
        env["PLUGIN_CLIENT_CERT"] = cert
    return env


def one_start(binary, env, keep=False):
    t0 = time.perf_counter()
    p = subprocess.Popen([binary], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    line = p.stdout.readline()
    dt = time.perf_counter() - t0
    if not line.startswith(b"1|"):
        p.kill()
        raise SystemExit(f"{binary}: unexpected handshake {line!r}")
    if keep:
        return dt, p, line
    p.kill()
    p.wait()
    sock = line.decode().split("|")[3]
    if os.path.exists(sock):
        os.unlink(sock)
    return dt, None, line


def status_fields(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for l in f:
            k, _, v = l.partition(":")
            fields[k] = v.strip()
    return fields


def measure(binary, runs, cert):
    res = {"binary": binary, "size": os.path.getsize(binary)}
    for mode in ("mtls", "plain"):
        env = env_for(mode, cert)
        one_start(binary, env)  # warm the page cache
        times = sorted(one_start(binary, env)[0] * 1000 for _ in range(runs))
        q = statistics.quantiles(times, n=4)
        res[mode] = (statistics.median(times), q[0], q[2])
    _, p, line = one_start(binary, env_for("mtls", cert), keep=True)
    time.sleep(1.0)
    st = status_fields(p.pid)
    res["rss_kib"] = int(st["VmRSS"].split()[0])
    res["anon_kib"] = int(st.get("RssAnon", "0 kB").split()[0])
    res["threads"] = int(st["Threads"])
    p.kill()
    p.wait()
    sock = line.decode().split("|")[3]
    if os.path.exists(sock):
        os.unlink(sock)
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binaries", nargs="+")
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cert = host_certificate(tmp)
        results = [measure(b, a.runs, cert) for b in a.binaries]
    print("| binary | exec→handshake, mTLS (median [q1–q3]) | plaintext | idle RSS | "
          "of which anonymous | threads idle | size |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        m, p = r["mtls"], r["plain"]
        print(f"| {os.path.relpath(r['binary'])} | {m[0]:.2f} ms [{m[1]:.2f}–{m[2]:.2f}] | "
              f"{p[0]:.2f} ms [{p[1]:.2f}–{p[2]:.2f}] | {r['rss_kib']/1024:.1f} MiB | "
              f"{r['anon_kib']/1024:.1f} MiB | {r['threads']} | {r['size']/1e6:.1f} MB |")


if __name__ == "__main__":
    main()
