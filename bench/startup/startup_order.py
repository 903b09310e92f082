#!/usr/bin/env python3
"""Writes cmake/startup-order.ld: the input sections a static provider runs (text) and reads
(rodata) from exec until it idles after the handshake, gathered at the front of their output
sections.

Why: the kernel maps up to 64 KiB of page-cache neighbours around every page fault in a file
mapping (fault-around), so start-up code spread over a 23 MB binary made almost every 64 KiB window
of its text resident (idle RSS 13 MiB, of which 0.9 MiB anonymous). Gathered, the same code fills
a few MiB. Debian's static archives are not built with -ffunction-sections, so their sections
are whole objects; cppvider's own code (static preset) is per function.

usage: startup_order.py [BUILD_DIR]        default build/static (the `static` preset)

Steps, for terraform-provider-rawtest (the plugin layer) and terraform-provider-localfs (a
framework provider): build it in BUILD_DIR and relink it with a link map; run it under callgrind
(--dump-instr) with mTLS and in plaintext until it idles (a few seconds after the handshake
line), collecting every executed instruction address; map them to input sections; write the
linker script. Rerun after upgrading gRPC, protobuf or OpenSSL, or after large changes to the
plugin layer; stale entries match nothing and cost nothing.
"""
import bisect
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time

COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# The plugin layer alone, and a framework provider (the localfs example): what they run at
# start-up covers gRPC, OpenSSL, protobuf and cppvider's own layers.
TARGETS = ["tests/e2e/terraform-provider-rawtest", "examples/local/terraform-provider-localfs"]


def relink_with_map(build, target, out, map_file):
    subprocess.run(["cmake", "--build", build, "--target", os.path.basename(target)], check=True,
                   capture_output=True)
    cmd = subprocess.run(["ninja", "-C", build, "-t", "commands", target], check=True,
                         capture_output=True, text=True).stdout.strip().splitlines()[-1]
    cmd = cmd.replace(f"-o {target}", f"-o {out} -Wl,-Map={map_file}")
    subprocess.run(cmd, shell=True, check=True, cwd=build)


def host_certificate(tmp):
    key, crt = os.path.join(tmp, "host.key"), os.path.join(tmp, "host.crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-521", "-sha512", "-nodes", "-keyout", key, "-out", crt,
                    "-days", "1", "-subj", "/O=HashiCorp/CN=localhost"],
                   check=True, capture_output=True)
    with open(crt) as f:
        return f.read()


def profile(binary, out_file, cert):
    env = dict(os.environ, TF_PLUGIN_MAGIC_COOKIE=COOKIE, PLUGIN_PROTOCOL_VERSIONS="6,5")
    if cert:
        env["PLUGIN_CLIENT_CERT"] = cert
    p = subprocess.Popen(["valgrind", "--tool=callgrind", "--dump-instr=yes",
                          f"--callgrind-out-file={out_file}", binary], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    line = p.stdout.readline()
    if not line.startswith(b"1|"):
        p.kill()
        raise SystemExit(f"no handshake line under callgrind: {line!r}")
    time.sleep(6)  # gRPC starts behind the line; let it reach idle under valgrind's slowness
    p.send_signal(signal.SIGTERM)
    p.wait()
    sock = line.decode().split("|")[3]
    if os.path.exists(sock):
        os.unlink(sock)


def text_ranges(binary):
    """[start, end) of the binary's executable LOAD segments (a non-PIE static binary)."""
    out = []
    for line in subprocess.run(["readelf", "-lW", binary], check=True, capture_output=True,
                               text=True).stdout.splitlines():
        parts = line.split()
        if parts and parts[0] == "LOAD" and "E" in parts[6:-1]:
            vaddr, memsz = int(parts[2], 16), int(parts[5], 16)
            out.append((vaddr, vaddr + memsz))
    return out


def executed_addresses(callgrind_file, binary):
    """Instruction addresses with a cost inside `binary`'s text, from --dump-instr output.
    Addresses, not callgrind's object names: it does not always name the binary's mapping."""
    ranges = text_ranges(binary)
    pos, out = 0, set()
    for line in open(callgrind_file):
        tok = line.split(" ", 1)[0].strip()
        if not tok or "=" in tok:
            continue
        if tok.startswith("0x"):
            pos = int(tok, 16)
        elif tok[0] in "+-":
            n = int(tok[1:], 16) if tok[1:].startswith("0x") else int(tok[1:])
            pos = pos + n if tok[0] == "+" else pos - n
        elif tok != "*":
            continue
        if any(lo <= pos < hi for lo, hi in ranges):
            out.add(pos)
    return out


def input_sections(map_file, output_prefix):
    """(address, size, section name, file) of input sections in output sections `output_prefix`."""
    secs, inside = [], False
    lines = open(map_file).read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("."):
            inside = line.split()[0].startswith(output_prefix)
        if inside and line.startswith(" ."):
            parts = line.split()
            if len(parts) == 1 and i + 1 < len(lines):
                i += 1
                parts = parts + lines[i].split()
            if len(parts) >= 4 and parts[1].startswith("0x"):
                size = int(parts[2], 16)
                if size:
                    secs.append((int(parts[1], 16), size, parts[0], " ".join(parts[3:])))
        i += 1
    secs.sort()
    return secs


def pattern(section_file):
    m = re.match(r"(.*)\((.*)\)$", section_file)
    if m:  # archive member
        return f"*{os.path.basename(m.group(1))}:{m.group(2)}"
    return "*" + os.path.basename(section_file)


def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build/static"))
    hot = {}  # (file pattern, section name) -> size, in the first binary's order
    n_addrs = 0
    with tempfile.TemporaryDirectory() as tmp:
        cert = host_certificate(tmp)
        for target in TARGETS:
            name = os.path.basename(target)
            binary, map_file = os.path.join(tmp, name), os.path.join(tmp, name + ".map")
            relink_with_map(build, target, binary, map_file)
            addrs = set()
            for mode, c in (("mtls", cert), ("plain", None)):
                out = os.path.join(tmp, f"cg.{name}.{mode}")
                profile(binary, out, c)
                addrs |= executed_addresses(out, binary)
            n_addrs += len(addrs)
            text = input_sections(map_file, ".text")
            starts = [s[0] for s in text]
            found = set()
            for a in addrs:
                j = bisect.bisect_right(starts, a) - 1
                if j >= 0 and a < text[j][0] + text[j][1]:
                    found.add(j)
            for j in sorted(found):
                hot.setdefault((pattern(text[j][3]), text[j][2]), text[j][1])
    hot_files = sorted({f for f, _ in hot})
    text_lines = [f"    {f}({name})" for f, name in hot]
    size = sum(hot.values())
    hot_sections = hot
    with open(os.path.join(ROOT, "cmake", "startup-order.ld"), "w") as f:
        f.write("/* Generated by bench/startup/startup_order.py; see there and docs/benchmarks.md.\n"
                f"   {len(hot_sections)} text input sections ({size // 1024} KiB) that a static\n"
                "   provider runs before it idles, then the read-only data of the same objects,\n"
                "   each gathered at the front of its output section. */\n")
        f.write("SECTIONS\n{\n  .text.startup_order :\n  {\n")
        f.write("\n".join(text_lines))
        f.write("\n  }\n}\nINSERT BEFORE .text;\n\n")
        f.write("SECTIONS\n{\n  .rodata.startup_order :\n  {\n")
        f.write("\n".join(f"    {p}(.rodata .rodata.*)" for p in hot_files))
        f.write("\n  }\n}\nINSERT BEFORE .rodata;\n")
    print(f"cmake/startup-order.ld: {len(hot_sections)} text sections ({size // 1024} KiB), "
          f"read-only data of {len(hot_files)} objects; {n_addrs} instruction addresses")


if __name__ == "__main__":
    main()
