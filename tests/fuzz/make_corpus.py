#!/usr/bin/env python3
"""Seed corpora for the cty fuzz targets, from tests/vectors/*.json.

msgpack and json targets take [1 byte n][n bytes of type JSON][payload]; type_json takes the text.
Usage: make_corpus.py <vectors dir> <output dir>
"""
import json
import os
import sys


def framed(type_json, payload):
    t = type_json.encode()
    return bytes([len(t)]) + t + payload if len(t) < 256 else None


def main():
    src, out = sys.argv[1], sys.argv[2]
    dirs = {name: os.path.join(out, name) for name in ("msgpack", "json", "type_json")}
    for d in dirs.values():
        os.makedirs(d, exist_ok=True)

    def put(kind, i, data):
        if data is not None:
            with open(os.path.join(dirs[kind], "seed_%04d" % i), "wb") as f:
                f.write(data)

    mp = json.load(open(os.path.join(src, "msgpack.json")))
    i = 0
    for group in mp.values():
        for c in group:
            put("msgpack", i, framed(json.dumps(c["type"], separators=(",", ":")), bytes.fromhex(c["hex"])))
            i += 1
    js = json.load(open(os.path.join(src, "json.json")))
    i = 0
    for group in ("encode_and_decode", "decode_only", "raw_state", "invalid"):
        for c in js[group]:
            text = bytes.fromhex(c["json_hex"]) if "json_hex" in c else c["json"].encode()
            put("json", i, framed(json.dumps(c["type"], separators=(",", ":")), text))
            i += 1
    tj = json.load(open(os.path.join(src, "type_json.json")))
    i = 0
    for group in tj.values():
        for c in group:
            put("type_json", i, bytes.fromhex(c["json_hex"]) if "json_hex" in c else c["json"].encode())
            i += 1


if __name__ == "__main__":
    main()
