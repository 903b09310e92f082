#!/usr/bin/env python3
"""Build times of the generated sources.

  compile_times.py [--since-line N] BUILD_DIR PATTERN [PATTERN ...]
      per-output times from the ninja log: for outputs whose path contains a pattern, the
      latest build's wall time (start and end in ms since that build began); with
      --since-line, only entries after line N (what one build appended). With -j2 two
      compiles overlap and a loaded machine stretches them: use --cpu for figures that load
      does not change.
  compile_times.py --cpu BUILD_DIR SUFFIX [SUFFIX ...]
      compiles each source whose path ends with a suffix again, with the exact command of
      compile_commands.json (without ccache, output to a temporary file), under /usr/bin/time:
      CPU seconds (user + system) and the compiler's peak memory.
"""
import json
import os
import shlex
import subprocess
import sys
import tempfile


def from_ninja_log(build: str, patterns: list[str], since_line: int = 0) -> None:
    latest: dict[str, tuple[int, int]] = {}
    with open(os.path.join(build, ".ninja_log")) as f:
        for n, line in enumerate(f, start=1):
            if n <= since_line or line.startswith("#"):
                continue
            start, end, _mtime, out, *_ = line.rstrip("\n").split("\t")
            if os.path.isabs(out):  # custom commands are logged under both spellings
                out = os.path.relpath(out, os.path.abspath(build))
            if any(p in out for p in patterns):
                latest[out] = (int(start), int(end))
    total = 0
    for out, (s, e) in sorted(latest.items()):
        total += e - s
        size = ""
        path = os.path.join(build, out)
        if os.path.exists(path):
            size = f"  {os.path.getsize(path) / 1e6:.1f} MB"
        print(f"{(e - s) / 1000:8.1f} s  {out}{size}")
    print(f"{total / 1000:8.1f} s  total of {len(latest)} steps")


def cpu_times(build: str, suffixes: list[str]) -> None:
    with open(os.path.join(build, "compile_commands.json")) as f:
        commands = json.load(f)
    for entry in commands:
        if not any(entry["file"].endswith(s) for s in suffixes):
            continue
        args = shlex.split(entry["command"])
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "x.o")
            args[args.index("-o") + 1] = out
            stats = os.path.join(tmp, "time")
            subprocess.run(["/usr/bin/time", "-o", stats, "-f", "%U %S %M", *args],
                           cwd=entry["directory"], check=True)
            user, system, peak_kib = open(stats).read().split()
            size = os.path.getsize(out)
        src = os.path.getsize(entry["file"])
        print(f"{float(user) + float(system):7.1f} s CPU  {int(peak_kib) / 1024:6.0f} MiB peak  "
              f"{src / 1e6:5.2f} MB source -> {size / 1e6:5.2f} MB object  "
              f"{os.path.relpath(entry['file'], build)}")


def main() -> None:
    if sys.argv[1] == "--cpu":
        cpu_times(sys.argv[2], sys.argv[3:])
    elif sys.argv[1] == "--since-line":
        from_ninja_log(sys.argv[3], sys.argv[4:], int(sys.argv[2]))
    else:
        from_ninja_log(sys.argv[1], sys.argv[2:])


if __name__ == "__main__":
    main()
