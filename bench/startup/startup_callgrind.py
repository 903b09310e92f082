#!/usr/bin/env python3
"""Instructions a provider runs until its handshake line, under callgrind (exact and repeatable,
unlike wall-clock times on a shared machine).

Starts BINARY under `valgrind --tool=callgrind` with go-plugin's environment (mTLS with a P-521
host certificate as Terraform sends, or plaintext), reads the handshake line, lets the process
settle for a moment and stops it with SIGTERM; then prints the total and the inclusive cost of the
functions that make up start-up (all threads; the identity is made on a second thread).

usage: startup_callgrind.py BINARY [--mode mtls|plain] [--out FILE]
       callgrind_annotate --inclusive=yes FILE     # the whole profile
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import startup_bench  # noqa: E402  (same directory)

# Inclusive costs worth a line each, matched against callgrind_annotate's function names.
FUNCTIONS = [
    ("dynamic loader relocations", r"_dl_relocate_object"),
    ("protobuf descriptor registration", r"AddDescriptorsRunner::AddDescriptorsRunner"),
    ("grpc_init", r"\bgrpc_init\b"),
    ("server identity (key + certificate)", r"generate_server_identity"),
    ("gRPC BuildAndStart", r"ServerBuilder::BuildAndStart"),
    ("  of which SSL_CTX_new", r"\bSSL_CTX_new \["),
    ("OpenSSL DRBG instantiation", r"RAND_get0_primary"),
    ("OpenSSL openssl.cnf", r"CONF_modules_load_file_ex"),
    ("OpenSSL OSSL_DECODER contexts", r"OSSL_DECODER_CTX_new_for_pkey"),
]


def profile(binary, mode, out):
    with tempfile.TemporaryDirectory() as tmp:
        cert = startup_bench.host_certificate(tmp) if mode == "mtls" else ""
    env = startup_bench.env_for(mode, cert)
    p = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", binary],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    line = p.stdout.readline()
    if not line.startswith(b"1|"):
        p.kill()
        raise SystemExit(f"{binary}: unexpected handshake {line!r}")
    time.sleep(0.3)
    p.send_signal(signal.SIGTERM)
    p.wait()
    sock = line.decode().split("|")[3]
    if os.path.exists(sock):
        os.unlink(sock)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--mode", choices=("mtls", "plain"), default="mtls")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    out = a.out or f"callgrind.{os.path.basename(a.binary)}.{a.mode}"
    profile(a.binary, a.mode, out)
    text = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", out],
                          capture_output=True, text=True, check=True).stdout
    total = re.search(r"^\s*([\d,]+) \(100.0%\)\s+PROGRAM TOTALS", text, re.M)
    print(f"{a.binary} ({a.mode}): {total.group(1) if total else '?'} instructions "
          f"(profile: {out})")
    for label, pattern in FUNCTIONS:
        costs = [int(m.group(1).replace(",", "")) for m in
                 re.finditer(r"^\s*([\d,]+) \([ \d.]+%\)\s+(.*)$", text, re.M)
                 if re.search(pattern, m.group(2))]
        if costs:
            print(f"  {label:40s} {max(costs) / 1e6:6.2f} M")


if __name__ == "__main__":
    main()
