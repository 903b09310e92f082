#!/usr/bin/env python3
"""Writes the byte-level test vectors in this directory.

Expected bytes come from two places, never from cppvider's own encoder:
  * hex strings copied verbatim from upstream tests (the "source" field names the test);
  * bytes assembled below from the published rules: the msgpack spec, Terraform's
    docs/plugin-protocol/object-wire-format.md and go-cty's cty/msgpack (marshal.go,
    unknown.go, dynamic.go), with vmihailenco/msgpack's choice of the most compact int,
    str8 for 32..255-byte strings, fixext for 1/2/4/8/16-byte extension bodies.
Run it after editing; the output is committed and read by tests/unit/cty.

Value descriptions ("value"):
  null                          null of the case's type
  true / false / "text" / 12    known primitives; numbers may also be decimal strings such as
                                "1e400" or "+Inf" (type "number"), or {"float64_bits": "<hex>"}
  [..] / {..}                   list, set, tuple / map, object (missing attributes are null)
  {"unknown": true}             unknown
  {"unknown": {...}}            refined unknown: not_null, prefix, lower/upper [number, inclusive],
                                min_length, max_length
  {"dynamic": T, "value": v}    a value of concrete type T where the type is dynamic
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


# ---- msgpack per the spec, compact forms as vmihailenco/msgpack writes them -------------------

def mp_uint(n):
    if n <= 0x7F:
        return bytes([n])
    if n <= 0xFF:
        return b"\xcc" + struct.pack(">B", n)
    if n <= 0xFFFF:
        return b"\xcd" + struct.pack(">H", n)
    if n <= 0xFFFFFFFF:
        return b"\xce" + struct.pack(">I", n)
    return b"\xcf" + struct.pack(">Q", n)


def mp_int(n):
    if n >= 0:
        return mp_uint(n)
    if n >= -32:
        return struct.pack(">b", n)
    if n >= -128:
        return b"\xd0" + struct.pack(">b", n)
    if n >= -32768:
        return b"\xd1" + struct.pack(">h", n)
    if n >= -(2 ** 31):
        return b"\xd2" + struct.pack(">i", n)
    return b"\xd3" + struct.pack(">q", n)


def mp_f64(x):
    return b"\xcb" + struct.pack(">d", x)


def mp_str(s):
    b = s.encode() if isinstance(s, str) else s
    n = len(b)
    if n < 32:
        return bytes([0xA0 | n]) + b
    if n <= 0xFF:
        return b"\xd9" + bytes([n]) + b
    if n <= 0xFFFF:
        return b"\xda" + struct.pack(">H", n) + b
    return b"\xdb" + struct.pack(">I", n) + b


def mp_bin(b):
    b = b.encode() if isinstance(b, str) else b
    if len(b) <= 0xFF:
        return b"\xc4" + bytes([len(b)]) + b
    return b"\xc5" + struct.pack(">H", len(b)) + b


def mp_arr(n):
    return bytes([0x90 | n]) if n < 16 else b"\xdc" + struct.pack(">H", n)


def mp_map(n):
    return bytes([0x80 | n]) if n < 16 else b"\xde" + struct.pack(">H", n)


def mp_ext(code, body):
    n = len(body)
    fixed = {1: 0xD4, 2: 0xD5, 4: 0xD6, 8: 0xD7, 16: 0xD8}
    if n in fixed:
        head = bytes([fixed[n]])
    elif n <= 0xFF:
        head = b"\xc7" + bytes([n])
    elif n <= 0xFFFF:
        head = b"\xc8" + struct.pack(">H", n)
    else:
        head = b"\xc9" + struct.pack(">I", n)
    return head + bytes([code]) + body


NIL, TRUE, FALSE, UNKNOWN = b"\xc0", b"\xc3", b"\xc2", b"\xd4\x00\x00"


def refined(*entries):
    """entries: (key, encoded value bytes), in go-cty's order."""
    body = mp_map(len(entries)) + b"".join(mp_int(k) + v for k, v in entries)
    return mp_ext(12, body)


def bound(num_bytes, inclusive):
    return mp_arr(2) + num_bytes + (TRUE if inclusive else FALSE)


def dyn(type_json, value_bytes):
    return mp_arr(2) + mp_bin(type_json) + value_bytes


def case(name, typ, value, data, source, **extra):
    c = {"name": name, "type": typ, "value": value, "hex": data.hex() if isinstance(data, bytes) else data,
         "source": source}
    c.update(extra)
    return c


# ---- terraform-plugin-go tftypes/value_msgpack_test.go TestValueFromMsgPack (verbatim hex) -------

TFTYPES = "hashicorp/terraform-plugin-go tftypes/value_msgpack_test.go TestValueFromMsgPack"
NINES = "9" * 100
S, N, B, D = "string", "number", "bool", "dynamic"
upstream = [
    ("hello-string", S, "hello", "a568656c6c6f"),
    ("empty-string", S, "", "a0"),
    ("null-string", S, None, "c0"),
    ("unknown-string", S, {"unknown": True}, "d40000"),
    ("true-bool", B, True, "c3"),
    ("false-bool", B, False, "c2"),
    ("null-bool", B, None, "c0"),
    ("unknown-bool", B, {"unknown": True}, "d40000"),
    ("int-number", N, 1, "01"),
    ("float-number", N, "1.5", "cb3ff8000000000000"),
    ("big-number", N, NINES, "d964" + NINES.encode().hex()),
    ("awkward-fraction-number", N, "0.8", "a3302e38"),
    ("positive-infinity-number", N, "+Inf", "cb7ff0000000000000"),
    ("negative-infinity-number", N, "-Inf", "cbfff0000000000000"),
    ("dynamic-bool", D, {"dynamic": B, "value": True}, "92c40622626f6f6c22c3"),
    ("dynamic-list", D, {"dynamic": ["list", S], "value": ["hello"]},
     "92c4115b226c697374222c22737472696e67225d91a568656c6c6f"),
    ("dynamic-map", D, {"dynamic": ["map", S], "value": {"hello": "hello"}},
     "92c4105b226d6170222c22737472696e67225d81a568656c6c6fa568656c6c6f"),
    ("dynamic-number", D, {"dynamic": N, "value": 1}, "92c408226e756d6265722201"),
    ("dynamic-object", ["object", {"greeting": D}], {"greeting": {"dynamic": S, "value": "hello"}},
     "81a86772656574696e6792c40822737472696e6722a568656c6c6f"),
    ("dynamic-set", D, {"dynamic": ["set", S], "value": ["hello"]},
     "92c4105b22736574222c22737472696e67225d91a568656c6c6f"),
    ("dynamic-string", D, {"dynamic": S, "value": "hello"}, "92c40822737472696e6722a568656c6c6f"),
    ("list-dynamic", ["list", D], [{"dynamic": S, "value": "hello"}], "9192c40822737472696e6722a568656c6c6f"),
    ("list-string-hello", ["list", S], ["hello"], "91a568656c6c6f"),
    ("list-string-unknown", ["list", S], [{"unknown": True}], "91d40000"),
    ("list-string-null-string", ["list", S], [None], "91c0"),
    ("list-string-null", ["list", S], None, "c0"),
    ("list-string-empty", ["list", S], [], "90"),
    ("set-dynamic", ["set", D], [{"dynamic": S, "value": "hello"}], "9192c40822737472696e6722a568656c6c6f"),
    ("set-string-hello", ["set", S], ["hello"], "91a568656c6c6f"),
    ("set-string-unknown", ["set", S], [{"unknown": True}], "91d40000"),
    ("set-string-null-string", ["set", S], [None], "91c0"),
    ("set-string-empty", ["set", S], [], "90"),
    ("map-dynamic", ["map", D], {"greeting": {"dynamic": S, "value": "hello"}},
     "81a86772656574696e6792c40822737472696e6722a568656c6c6f"),
    ("map-string-hello", ["map", S], {"greeting": "hello"}, "81a86772656574696e67a568656c6c6f"),
    ("map-string-unknown", ["map", S], {"greeting": {"unknown": True}}, "81a86772656574696e67d40000"),
    ("map-string-null", ["map", S], {"greeting": None}, "81a86772656574696e67c0"),
    ("map-string-empty", ["map", S], {}, "80"),
    ("tuple-dynamic", ["tuple", [D, D]], [{"dynamic": S, "value": "hello"}, {"dynamic": S, "value": "world"}],
     "9292c40822737472696e6722a568656c6c6f92c40822737472696e6722a5776f726c64"),
    ("tuple-string-hello", ["tuple", [S]], ["hello"], "91a568656c6c6f"),
    ("tuple-string-unknown", ["tuple", [S]], [{"unknown": True}], "91d40000"),
    ("tuple-string-null", ["tuple", [S]], [None], "91c0"),
    ("tuple-empty", ["tuple", []], [], "90"),
    ("object-dynamic", ["object", {"greeting": D}], {"greeting": {"dynamic": S, "value": "hello"}},
     "81a86772656574696e6792c40822737472696e6722a568656c6c6f"),
    ("object-string-hello", ["object", {"greeting": S}], {"greeting": "hello"}, "81a86772656574696e67a568656c6c6f"),
    ("object-string-unknown", ["object", {"greeting": S}], {"greeting": {"unknown": True}},
     "81a86772656574696e67d40000"),
    ("object-string-null", ["object", {"greeting": S}], {"greeting": None}, "81a86772656574696e67c0"),
    ("object-string-multi-null", ["object", {"a": S, "b": S}], {"a": None, "b": None}, "82a161c0a162c0"),
    ("object-string-multi-unknown", ["object", {"a": S, "b": S}], {"a": {"unknown": True}, "b": {"unknown": True}},
     "82a161d40000a162d40000"),
    ("object-empty", ["object", {}], {}, "80"),
    ("string-dynamic-null", D, {"dynamic": S, "value": None}, "92c40822737472696e6722c0"),
    ("dynamic-null", D, None, "c0"),
    ("object-dynamic-null", ["object", {"a": D}], {"a": None}, "81a161c0"),
    ("dynamic-unknown", D, {"unknown": True}, "d40000"),
    ("dynamic-list-string-hello", ["list", D], [{"dynamic": S, "value": "hello"}], "9192c40822737472696e6722a568656c6c6f"),
    ("dynamic-list-string-null", ["list", D], [{"dynamic": S, "value": None}], "9192c40822737472696e6722c0"),
    ("dynamic-list-unknown", ["list", D], [{"unknown": True}], "91d40000"),
]
msgpack_cases = [case(n, t, v, h, TFTYPES) for (n, t, v, h) in upstream]

# ---- go-cty cty/msgpack/roundtrip_test.go TestRoundTrip: bytes from the rules -------------------

GOCTY_RT = "zclconf/go-cty cty/msgpack/roundtrip_test.go TestRoundTrip"
NOT_NULL = (1, FALSE)
L = ["list", S]
msgpack_cases += [
    case("string-unknown-not-null", S, {"unknown": {"not_null": True}}, refined(NOT_NULL), GOCTY_RT),
    case("string-unknown-prefix", S, {"unknown": {"prefix": "foo-"}}, refined((2, mp_str("foo-"))), GOCTY_RT),
    case("string-unknown-not-null-prefix", S, {"unknown": {"not_null": True, "prefix": "foo-"}},
         refined(NOT_NULL, (2, mp_str("foo-"))), GOCTY_RT),
    case("bool-unknown-not-null", B, {"unknown": {"not_null": True}}, refined(NOT_NULL), GOCTY_RT),
    case("number-max-int64", N, "9223372036854775807", mp_int(2 ** 63 - 1), GOCTY_RT),
    case("number-2^63", N, "9223372036854775808", mp_f64(2.0 ** 63), GOCTY_RT),
    case("number-2^63+1", N, "9223372036854775809", mp_str("9223372036854775809"), GOCTY_RT),
    case("number-2^64", N, "18446744073709551616", mp_f64(2.0 ** 64), GOCTY_RT),
    case("number-unknown-not-null", N, {"unknown": {"not_null": True}}, refined(NOT_NULL), GOCTY_RT),
    case("number-unknown-lower-inclusive", N, {"unknown": {"lower": [0, True]}}, refined((3, bound(mp_int(0), True))), GOCTY_RT),
    case("number-unknown-lower-exclusive", N, {"unknown": {"lower": [0, False]}}, refined((3, bound(mp_int(0), False))), GOCTY_RT),
    case("number-unknown-upper-inclusive", N, {"unknown": {"upper": [0, True]}}, refined((4, bound(mp_int(0), True))), GOCTY_RT),
    case("number-unknown-upper-exclusive", N, {"unknown": {"upper": [0, False]}}, refined((4, bound(mp_int(0), False))), GOCTY_RT),
    case("number-unknown-range-inclusive", N, {"unknown": {"lower": [0, True], "upper": [1, True]}},
         refined((3, bound(mp_int(0), True)), (4, bound(mp_int(1), True))), GOCTY_RT),
    case("list-unknown", L, {"unknown": True}, UNKNOWN, GOCTY_RT),
    case("list-unknown-not-null", L, {"unknown": {"not_null": True}}, refined(NOT_NULL), GOCTY_RT),
    case("list-unknown-min-1", L, {"unknown": {"min_length": 1}}, refined((5, mp_int(1))), GOCTY_RT),
    case("list-unknown-max-1", L, {"unknown": {"max_length": 1}}, refined((6, mp_int(1))), GOCTY_RT),
    case("list-unknown-min-1-max-2", L, {"unknown": {"min_length": 1, "max_length": 2}},
         refined((5, mp_int(1)), (6, mp_int(2))), GOCTY_RT),
    case("list-unknown-max-1-not-null", L, {"unknown": {"not_null": True, "max_length": 1}},
         refined(NOT_NULL, (6, mp_int(1))), GOCTY_RT),
    case("empty-object-type-empty-value", ["object", {}], {}, mp_map(0), GOCTY_RT),
    case("dynamic-string-null", D, {"dynamic": S, "value": None}, dyn('"string"', NIL), GOCTY_RT),
]

# Prefix truncation (TestRoundTrip_truncatesStringPrefixRefinement): longer than 256 bytes is cut
# to 255 and made safe (a trailing letter dropped); exactly 256 bytes ending in '-' is kept.
TRUNC = "zclconf/go-cty cty/msgpack/roundtrip_test.go TestRoundTrip_truncatesStringPrefixRefinement"
msgpack_cases += [
    case("string-prefix-1023-a", S, {"unknown": {"prefix": "a" * 1023}}, refined((2, mp_str("a" * 254))), TRUNC,
         decodes_to={"unknown": {"prefix": "a" * 254}}),
    case("string-prefix-1023-b-not-null", S, {"unknown": {"not_null": True, "prefix": "b" * 1023}},
         refined(NOT_NULL, (2, mp_str("b" * 254))), TRUNC, decodes_to={"unknown": {"not_null": True, "prefix": "b" * 254}}),
    case("string-prefix-256-ending-in-dash", S, {"unknown": {"prefix": "c" * 255 + "-"}},
         refined((2, mp_str("c" * 255 + "-"))), TRUNC),
    case("string-prefix-emoji-cut", S, {"unknown": {"prefix": "d" * 255 + "\U0001f937"}},
         refined((2, mp_str("d" * 254))), TRUNC, decodes_to={"unknown": {"prefix": "d" * 254}}),
]

# ---- Rows of the wire format the issue lists, bytes from object-wire-format.md + marshal.go --------

RULES = "rules: Terraform docs/plugin-protocol/object-wire-format.md + go-cty cty/msgpack/marshal.go"
UNK_RULES = "rules: object-wire-format.md refined unknowns + go-cty cty/msgpack/unknown.go marshalUnknownValue"
for n_, v_ in [(2 ** 53, "9007199254740992"), (-1, "-1"), (-32, "-32"), (-33, "-33"), (127, "127"), (128, "128"),
               (255, "255"), (256, "256"), (65535, "65535"), (65536, "65536"), (2 ** 32, "4294967296"),
               (-128, "-128"), (-129, "-129"), (-32768, "-32768"), (-32769, "-32769"), (-(2 ** 31), "-2147483648"),
               (-(2 ** 31) - 1, "-2147483649"), (-(2 ** 63), "-9223372036854775808")]:
    msgpack_cases.append(case("number-int-" + v_, N, v_, mp_int(n_), RULES))
msgpack_cases += [
    case("number-min-int64-minus-1", N, "-9223372036854775809", mp_str("-9223372036854775809"), RULES),
    case("number-1e400", N, "1e400", mp_str("1" + "0" * 400), RULES),
    case("number-decimal-0.1", N, "0.1", mp_str("0.1"), RULES),
    case("number-float64-0.1", N, {"float64_bits": "3fb999999999999a"}, mp_f64(0.1), RULES),
    case("number-negative-zero", N, {"float64_bits": "8000000000000000"}, mp_int(0), RULES),
    case("number-2^64+1", N, "18446744073709551617", mp_str("18446744073709551617"), RULES),
    case("number-decimal-1e300", N, "1e300", mp_str("1" + "0" * 300), RULES),
    case("number-float64-1e300", N, {"float64_bits": struct.pack(">d", 1e300).hex()}, mp_f64(1e300), RULES),
    case("number-tiny-decimal", N, "1e-400", mp_str("0." + "0" * 399 + "1"), RULES),
    case("number-long-decimal", N, "3.14159265358979323846264338327950288419716939937510",
         mp_str("3.1415926535897932384626433832795028841971693993751"), RULES),
    case("number-negative-fraction", N, "-2.5", mp_f64(-2.5), RULES),
    case("string-31-bytes", S, "x" * 31, mp_str("x" * 31), RULES),
    case("string-32-bytes", S, "x" * 32, mp_str("x" * 32), RULES),
    case("string-300-bytes", S, "y" * 300, mp_str("y" * 300), RULES),
    case("string-utf8", S, "h\u00e9llo \u4e16\u754c \U0001f600", mp_str("h\u00e9llo \u4e16\u754c \U0001f600"), RULES),
    case("list-16-elements", ["list", N], list(range(16)), mp_arr(16) + b"".join(mp_int(i) for i in range(16)), RULES),
    case("map-16-entries", ["map", B], {"k%02d" % i: i % 2 == 0 for i in range(16)},
         mp_map(16) + b"".join(mp_str("k%02d" % i) + (TRUE if i % 2 == 0 else FALSE) for i in range(16)), RULES),
    case("string-unknown-prefix-fixext4", S, {"unknown": {"prefix": "a"}}, refined((2, mp_str("a"))), UNK_RULES),
    case("number-unknown-big-bound", N, {"unknown": {"lower": ["9223372036854775809", False]}},
         refined((3, bound(mp_str("9223372036854775809"), False))), UNK_RULES),
    case("number-unknown-float-bounds", N, {"unknown": {"not_null": True, "lower": ["1.5", True], "upper": ["+Inf", True]}},
         refined(NOT_NULL, (3, bound(mp_f64(1.5), True))), UNK_RULES,
         decodes_to={"unknown": {"not_null": True, "lower": ["1.5", True]}}),
]
for kind in ["list", "set", "map"]:
    t = [kind, S]
    empty = mp_map(0) if kind == "map" else mp_arr(0)
    msgpack_cases += [
        case(kind + "-empty", t, {} if kind == "map" else [], empty, RULES),
        case(kind + "-null", t, None, NIL, RULES),
        case(kind + "-unknown", t, {"unknown": True}, UNKNOWN, RULES),
        case(kind + "-unknown-refined", t, {"unknown": {"not_null": True, "min_length": 1, "max_length": 3}},
             refined(NOT_NULL, (5, mp_int(1)), (6, mp_int(3))), UNK_RULES),
    ]
TUP = ["tuple", [S, N]]
OBJ = ["object", {"a": S, "b": N}]
msgpack_cases += [
    case("tuple-null", TUP, None, NIL, RULES),
    case("tuple-unknown", TUP, {"unknown": True}, UNKNOWN, RULES),
    case("tuple-unknown-not-null", TUP, {"unknown": {"not_null": True}}, refined(NOT_NULL), UNK_RULES),
    case("tuple-values", TUP, ["x", 2], mp_arr(2) + mp_str("x") + mp_int(2), RULES),
    case("object-null", OBJ, None, NIL, RULES),
    case("object-unknown", OBJ, {"unknown": True}, UNKNOWN, RULES),
    case("object-unknown-not-null", OBJ, {"unknown": {"not_null": True}}, refined(NOT_NULL), UNK_RULES),
    case("set-unknown-elements-kept-apart", ["set", S], [{"unknown": True}, {"unknown": True}],
         mp_arr(2) + UNKNOWN + UNKNOWN, RULES),
    case("set-of-numbers-sorted", ["set", N], [1, 2, 10], mp_arr(3) + mp_int(1) + mp_int(2) + mp_int(10), RULES),
]

# Nested objects with optional attributes: optional-ness is part of the type, not of the bytes;
# every attribute is written, null when unset, keys sorted.
RULE_T = ["object", {"cidr": S, "port": N}, ["cidr"]]
RES_T = ["object", {"name": S, "rules": ["list", RULE_T], "settings": ["object", {"mode": S, "ttl": N}, ["mode", "ttl"]],
                    "tags": ["map", S]}, ["settings", "tags"]]
res_bytes = (mp_map(4) + mp_str("name") + mp_str("web") + mp_str("rules") + mp_arr(2)
             + mp_map(2) + mp_str("cidr") + NIL + mp_str("port") + mp_int(443)
             + mp_map(2) + mp_str("cidr") + mp_str("10.0.0.0/8") + mp_str("port") + mp_int(8080)
             + mp_str("settings") + mp_map(2) + mp_str("mode") + NIL + mp_str("ttl") + mp_int(300)
             + mp_str("tags") + NIL)
msgpack_cases += [
    case("nested-object-optional-attributes", RES_T,
         {"name": "web", "rules": [{"port": 443}, {"cidr": "10.0.0.0/8", "port": 8080}], "settings": {"ttl": 300},
          "tags": None}, res_bytes, RULES),
    case("nested-object-unknown-block", RES_T,
         {"name": {"unknown": {"not_null": True, "prefix": "web-"}}, "rules": {"unknown": True},
          "settings": None, "tags": {"env": "prod"}},
         mp_map(4) + mp_str("name") + refined(NOT_NULL, (2, mp_str("web-"))) + mp_str("rules") + UNKNOWN
         + mp_str("settings") + NIL + mp_str("tags") + mp_map(1) + mp_str("env") + mp_str("prod"), RULES),
]

# Dynamic values: [type JSON as bin, value]; type JSON as go-cty writes it (compact, sorted keys,
# optional names after the attributes).
DYN = "rules: object-wire-format.md \"dynamic\" row + go-cty cty/msgpack/dynamic.go + cty/json.go"
msgpack_cases += [
    case("dynamic-object-value", D, {"dynamic": ["object", {"a": N, "b": S}], "value": {"a": 1, "b": "x"}},
         dyn('["object",{"a":"number","b":"string"}]', mp_map(2) + mp_str("a") + mp_int(1) + mp_str("b") + mp_str("x")), DYN),
    case("dynamic-object-optional", D, {"dynamic": ["object", {"a": S}, ["a"]], "value": {"a": None}},
         dyn('["object",{"a":"string"},["a"]]', mp_map(1) + mp_str("a") + NIL), DYN),
    case("dynamic-typed-unknown", D, {"dynamic": S, "value": {"unknown": True}}, dyn('"string"', UNKNOWN), DYN),
    case("dynamic-typed-refined-unknown", D, {"dynamic": S, "value": {"unknown": {"not_null": True}}},
         dyn('"string"', refined(NOT_NULL)), DYN),
    case("dynamic-tuple", D, {"dynamic": ["tuple", [B, N]], "value": [True, 5]},
         dyn('["tuple",["bool","number"]]', mp_arr(2) + TRUE + mp_int(5)), DYN),
    case("dynamic-nested-list-of-dynamic", ["map", D],
         {"k": {"dynamic": ["list", S], "value": ["a"]}},
         mp_map(1) + mp_str("k") + dyn('["list","string"]', mp_arr(1) + mp_str("a")), DYN),
]

# ---- Decode-only: other encodings the format allows --------------------------------------------

ALT = "rules: msgpack spec (every int/float/str/bin/array/map width) + object-wire-format.md (any extension is unknown)"
decode_cases = [case("number-" + h, N, 1, h, ALT) for h in
                ["cc01", "cd0001", "ce00000001", "cf0000000000000001", "d001", "d10001", "d200000001", "d30000000000000001",
                 "cb3ff0000000000000", "ca3f800000", "a131", "c40131", "d90131"]]
decode_cases += [
    case("number-float32-1.5", N, "1.5", "ca3fc00000", ALT),
    case("number-float32-inf", N, "+Inf", "ca7f800000", ALT),
    case("number-uint64-max", N, "18446744073709551615", "cfffffffffffffffff", ALT),
    case("number-uint64-2^63", N, "9223372036854775808", "cf8000000000000000", ALT),
    case("number-negative-zero-float", N, 0, "cb8000000000000000", ALT),
    case("number-string-exponent", N, "1e400", mp_str("1e400"), ALT),
    case("number-string-0.10", N, "0.1", mp_str("0.10"), ALT),
    case("string-bin8", S, "hello", "c40568656c6c6f", ALT),
    case("string-bin16", S, "hello", "c5000568656c6c6f", ALT),
    case("string-bin32", S, "hello", "c60000000568656c6c6f", ALT),
    case("string-str8", S, "hello", "d90568656c6c6f", ALT),
    case("string-str16", S, "hello", "da000568656c6c6f", ALT),
    case("string-str32", S, "hello", "db0000000568656c6c6f", ALT),
    case("list-array16", ["list", S], ["hello"], "dc0001a568656c6c6f", ALT),
    case("list-array32", ["list", S], ["hello"], "dd00000001a568656c6c6f", ALT),
    case("map-map16", ["map", S], {"a": "b"}, "de0001a161a162", ALT),
    case("map-map32", ["map", S], {"a": "b"}, "df00000001a161a162", ALT),
    case("map-unsorted-keys", ["map", N], {"a": 2, "b": 1}, "82a16201a16102", ALT),
    case("map-bin-keys", ["map", N], {"a": 2}, "81c4016102", ALT),
    case("object-unsorted-keys", ["object", {"a": S, "b": S}], {"a": None, "b": "x"}, "82a162a178a161c0", ALT),
    case("object-missing-attribute-is-null", ["object", {"a": S, "b": S}], {"a": "x"}, "81a161a178", ALT),
    case("object-empty-map-for-attributes", ["object", {"a": S}], {}, "80", ALT),
    case("set-duplicates-dropped", ["set", S], ["a", "b"], "93a161a162a161", ALT),
    case("set-numbers-equal-across-encodings", ["set", N], [1], "9301cb3ff0000000000000a131", ALT),
    case("unknown-fixext1-code5", S, {"unknown": True}, "d40500", ALT),
    case("unknown-fixext2", S, {"unknown": True}, "d5010000", ALT),
    case("unknown-fixext4", S, {"unknown": True}, "d60100000000", ALT),
    case("unknown-fixext8", S, {"unknown": True}, "d7010000000000000000", ALT),
    case("unknown-fixext16", S, {"unknown": True}, "d801" + "00" * 16, ALT),
    case("unknown-ext8-empty", S, {"unknown": True}, "c70000", ALT),
    case("unknown-ext16", S, {"unknown": True}, "c8000100" + "00", ALT),
    case("unknown-ext32", S, {"unknown": True}, "c90000000100" + "00", ALT),
    case("unknown-other-code-with-map-ignored", S, {"unknown": True}, "c703018101c2", ALT),
    case("unknown-code12-one-byte", S, {"unknown": True}, "d40c00", ALT),
    case("unknown-code12-future-key-ignored", S, {"unknown": {"not_null": True}}, refined(NOT_NULL, (7, NIL)).hex(), UNK_RULES),
    case("unknown-code12-trailing-bytes-ignored", S, {"unknown": {"not_null": True}},
         mp_ext(12, mp_map(1) + mp_int(1) + FALSE + b"\x00\x00").hex(), UNK_RULES),
    case("unknown-code12-null-true-is-null", S, None, refined((1, TRUE)).hex(), UNK_RULES),
    case("unknown-code12-on-dynamic-ignored", D, {"unknown": True}, refined(NOT_NULL).hex(), UNK_RULES),
    case("unknown-code12-length-uint8", ["list", S], {"unknown": {"min_length": 1}}, mp_ext(12, b"\x81\x05\xcc\x01").hex(), UNK_RULES),
    case("dynamic-type-json-as-str", D, {"dynamic": S, "value": "hello"}, "92a822737472696e6722a568656c6c6f", ALT),
    case("dynamic-array16", D, {"dynamic": S, "value": "hello"}, "dc000292c40822737472696e6722a568656c6c6f"[0:6] + "c40822737472696e6722a568656c6c6f", ALT),
    case("dynamic-type-json-with-spaces", D, {"dynamic": ["list", S], "value": ["a"]},
         dyn('[ "list" , "string" ]', mp_arr(1) + mp_str("a")).hex(), ALT),
]

# ---- Malformed input: an error naming the path, never a crash -------------------------------------

BAD = "malformed input (issue 4: bad input must give an error with the path)"
deep_dynamic = (mp_arr(2) + mp_bin('"dynamic"')) * 600 + NIL
invalid_cases = [
    case("empty-input", S, None, "", BAD, error_path="", error_contains="truncated"),
    case("truncated-string", S, None, "a56865", BAD, error_path="", error_contains="truncated"),
    case("truncated-nested", ["object", {"a": ["list", S]}], None, "81a16192a178", BAD, error_path=".a[1]", error_contains="truncated"),
    case("truncated-float64", N, None, "cb3ff0", BAD, error_path="", error_contains="truncated"),
    case("truncated-ext-header", S, None, "c7", BAD, error_path="", error_contains="truncated"),
    case("wrong-type-string-for-number", N, None, "a568656c6c6f", BAD, error_path="", error_contains="is not a number"),
    case("wrong-type-nested", ["object", {"port": N}], None, "81a4706f7274c3", BAD, error_path=".port", error_contains="number is required"),
    case("wrong-type-int-for-bool", B, None, "01", BAD, error_path="", error_contains="bool is required"),
    case("wrong-type-map-for-list", ["list", S], None, "80", BAD, error_path="", error_contains="list is required"),
    case("wrong-type-in-map", ["map", ["list", N]], None, "81a36b6579" + "91a178", BAD, error_path='["key"][0]', error_contains="is not a number"),
    case("reserved-byte-c1", S, None, "c1", BAD, error_path="", error_contains="string is required"),
    case("refinement-not-a-map", S, None, "c7020c0102", BAD, error_path="", error_contains="must be a map"),
    case("refinement-prefix-on-number", N, None, refined((2, mp_str(""))).hex(), BAD, error_path="", error_contains="string prefix refinement"),
    case("refinement-length-on-string", S, None, refined((5, mp_int(1))).hex(), BAD, error_path="", error_contains="length bound"),
    case("refinement-bound-not-array", N, None, refined((3, mp_int(1))).hex(), BAD, error_path="", error_contains="[number, bool]"),
    case("refinement-negative-length", ["list", S], None, refined((5, mp_int(-1))).hex(), BAD, error_path="", error_contains="out of range"),
    case("refinement-truncated-payload", S, None, "c7050c81", BAD, error_path="", error_contains="truncated"),
    case("refinement-nested-path", ["object", {"a": ["list", N]}], None, "81a16191" + refined((2, mp_str("x"))).hex(), BAD,
         error_path=".a[0]", error_contains="string prefix refinement"),
    case("refinement-oversize", S, None, mp_ext(12, mp_map(1) + mp_int(2) + mp_str("z" * 1100)).hex(), BAD,
         error_path="", error_contains="oversize"),
    case("refinement-prefix-invalid-utf8", S, None, refined((2, mp_str(b"\xff"))).hex(), BAD, error_path="", error_contains="UTF-8"),
    case("length-4GiB-array", ["list", S], None, "ddffffffff" + "a0" * 10, BAD, error_path="", error_contains="truncated"),
    case("length-4GiB-str", S, None, "dbffffffff" + "61" * 10, BAD, error_path="", error_contains="truncated"),
    case("length-4GiB-map", ["map", S], None, "dfffffffff" + "a0" * 10, BAD, error_path="", error_contains="truncated"),
    case("length-4GiB-ext", S, None, "c9ffffffff00" + "00" * 10, BAD, error_path="", error_contains="truncated"),
    case("length-4GiB-bin-type-json", D, None, "92c6ffffffff" + "00" * 10, BAD, error_path="", error_contains="truncated"),
    case("length-64k-array-in-object", ["object", {"a": ["set", S]}], None, "81a161dcffff" + "a0" * 10, BAD, error_path=".a", error_contains="truncated"),
    case("duplicate-object-key", ["object", {"a": S, "b": S}], None, "82a161c0a161c0", BAD, error_path=".a", error_contains="duplicate attribute"),
    case("duplicate-map-key", ["map", N], None, "82a16101a16102", BAD, error_path='["a"]', error_contains="duplicate map key"),
    case("unsupported-attribute", ["object", {"a": S}], None, "81a17ac0", BAD, error_path=".z", error_contains="unsupported attribute"),
    case("invalid-utf8-string", S, None, "a2c328", BAD, error_path="", error_contains="invalid UTF-8"),
    case("invalid-utf8-overlong", S, None, "a2c0af", BAD, error_path="", error_contains="invalid UTF-8"),
    case("invalid-utf8-surrogate", S, None, "a3eda080", BAD, error_path="", error_contains="invalid UTF-8"),
    case("invalid-utf8-in-list", ["list", S], None, "91a1ff", BAD, error_path="[0]", error_contains="invalid UTF-8"),
    case("invalid-utf8-object-key", ["object", {"a": S}], None, "81a1ffc0", BAD, error_path="", error_contains="invalid UTF-8"),
    case("invalid-utf8-map-key", ["map", S], None, "81a1ffc0", BAD, error_path="", error_contains="invalid UTF-8"),
    case("nan-float64", N, None, "cb7ff8000000000000", BAD, error_path="", error_contains="NaN"),
    case("nan-float32", N, None, "ca7fc00000", BAD, error_path="", error_contains="NaN"),
    case("nan-in-list", ["list", N], None, "9201cb7ff8000000000000", BAD, error_path="[1]", error_contains="NaN"),
    case("nan-string", N, None, mp_str("NaN").hex(), BAD, error_path="", error_contains="is not a number"),
    case("trailing-bytes", S, None, "a000", BAD, error_path="", error_contains="unexpected bytes"),
    case("tuple-wrong-length", ["tuple", [S]], None, "92a0a0", BAD, error_path="", error_contains="tuple of 1 elements"),
    case("dynamic-not-array", D, None, "a568656c6c6f", BAD, error_path="", error_contains="dynamic value"),
    case("dynamic-three-elements", D, None, "93c40822737472696e6722a0a0", BAD, error_path="", error_contains="[type, value]"),
    case("dynamic-bad-type-json", D, None, "92c403666f6fc0", BAD, error_path="", error_contains="invalid type JSON"),
    case("dynamic-type-mismatch", ["object", {"d": D}], None, "81a16492c40822737472696e672201", BAD, error_path=".d", error_contains="string is required"),
    case("nesting-600-dynamic", D, None, deep_dynamic.hex(), BAD, error_path="", error_contains="nesting too deep"),
]

# ---- Type JSON: terraform-plugin-go tftypes/type_json_test.go TestTypeJSON, go-cty cty/json.go -----

TT = "hashicorp/terraform-plugin-go tftypes/type_json_test.go TestTypeJSON"
type_cases = [
    {"name": "string", "json": '"string"', "canonical": '"string"', "source": TT},
    {"name": "number", "json": '"number"', "canonical": '"number"', "source": TT},
    {"name": "bool", "json": '"bool"', "canonical": '"bool"', "source": TT},
    {"name": "dynamic", "json": '"dynamic"', "canonical": '"dynamic"', "source": TT},
    {"name": "list-string", "json": '["list","string"]', "canonical": '["list","string"]', "source": TT},
    {"name": "set-string", "json": '["set","string"]', "canonical": '["set","string"]', "source": TT},
    {"name": "map-string", "json": '["map","string"]', "canonical": '["map","string"]', "source": TT},
    {"name": "object-string_number_bool", "json": '["object",{"foo":"string","bar":"number","baz":"bool"}]',
     "canonical": '["object",{"bar":"number","baz":"bool","foo":"string"}]', "source": TT},
    {"name": "object-string_number_bool-optional_string",
     "json": '["object",{"foo":"string","bar":"number","baz":"bool"},["foo"]]',
     "canonical": '["object",{"bar":"number","baz":"bool","foo":"string"},["foo"]]', "source": TT},
    {"name": "object-string_number_bool-optional_string-number",
     "json": '["object",{"foo":"string","bar":"number","baz":"bool"},["bar", "foo"]]',
     "canonical": '["object",{"bar":"number","baz":"bool","foo":"string"},["bar","foo"]]', "source": TT},
    {"name": "object-string_number_bool-optional_string-number-bool",
     "json": '["object",{"foo":"string","bar":"number","baz":"bool"},["bar","baz","foo"]]',
     "canonical": '["object",{"bar":"number","baz":"bool","foo":"string"},["bar","baz","foo"]]', "source": TT},
    {"name": "tuple-string_number_bool", "json": '["tuple",["string","number","bool"]]',
     "canonical": '["tuple",["string","number","bool"]]', "source": TT},
    {"name": "object-very_complicated",
     "json": '["object",{\n "foo":["tuple",[\n  ["object",{"a":"number","b":"string","c":"bool"}],\n  "string",\n  "number",\n  ["list",[\n   "tuple", ["string","bool"]\n  ]]\n ]],\n "bar":["set",["object",{\n  "red":"string","blue":["list","string"],"green":"number"\n }]]\n}]',
     "canonical": '["object",{"bar":["set",["object",{"blue":["list","string"],"green":"number","red":"string"}]],"foo":["tuple",[["object",{"a":"number","b":"string","c":"bool"}],"string","number",["list",["tuple",["string","bool"]]]]]}]',
     "source": TT},
    {"name": "empty-object", "json": '["object",{}]', "canonical": '["object",{}]', "source": "zclconf/go-cty cty/json.go MarshalJSON"},
    {"name": "empty-tuple", "json": '["tuple",[]]', "canonical": '["tuple",[]]', "source": "zclconf/go-cty cty/json.go MarshalJSON"},
    {"name": "escaped-attribute-name", "json": '["object",{"a\\"b":"string"}]', "canonical": '["object",{"a\\"b":"string"}]',
     "source": "RFC 8259 string escapes"},
]
TJ_BAD = "malformed type JSON (zclconf/go-cty cty/json.go UnmarshalJSON rejects these)"
type_invalid = [
    {"name": "invalid-utf8", "json_hex": b'"\xff"'.hex(), "error_contains": "invalid UTF-8", "source": TJ_BAD},
] + [
    {"name": n, "json": j, "error_contains": e, "source": TJ_BAD} for n, j, e in [
        ("unknown-primitive", '"strin"', "unknown primitive"),
        ("unknown-kind", '["lst","string"]', "unknown type kind"),
        ("extra-data", '"string" "number"', "unexpected data"),
        ("missing-element", '["list"]', "expected ','"),
        ("list-extra-argument", '["list","string","number"]', "expected ']'"),
        ("duplicate-attribute", '["object",{"a":"string","a":"number"}]', "duplicate object attribute"),
        ("optional-not-attribute", '["object",{"a":"string"},["b"]]', "not an attribute"),
        ("object-not-object", '["object",["a"]]', "expected '{'"),
        ("tuple-not-array", '["tuple","string"]', "expected '['"),
        ("number-not-type", "42", "expected a type"),
        ("empty", "", "expected a type"),
        ("truncated", '["list",', "expected a type"),
        ("nesting-300", '["list",' * 300 + '"string"' + "]" * 300, "nested too deeply"),
    ]
]

# ---- JSON values: go-cty cty/json/value_test.go, tftypes/value_json_test.go -------------------------

GJ = "zclconf/go-cty cty/json/value_test.go TestValueJSONable"
TJ = "hashicorp/terraform-plugin-go tftypes/value_json_test.go TestValueFromJSON"
TJO = "hashicorp/terraform-plugin-go tftypes/value_json_test.go TestValueFromJSONWithOpts"
json_cases = [
    # both directions (go-cty's Marshal output is byte-exact; Unmarshal gives the value back)
    {"name": "string", "type": S, "value": "hello", "json": '"hello"', "source": GJ},
    {"name": "string-empty", "type": S, "value": "", "json": '""', "source": GJ},
    {"name": "string-null", "type": S, "value": None, "json": "null", "source": GJ},
    {"name": "number-int", "type": N, "value": 2, "json": "2", "source": GJ},
    {"name": "number-float", "type": N, "value": "2.5", "json": "2.5", "source": GJ},
    {"name": "bool-true", "type": B, "value": True, "json": "true", "source": GJ},
    {"name": "bool-false", "type": B, "value": False, "json": "false", "source": GJ},
    {"name": "list-bools", "type": ["list", B], "value": [True, False], "json": "[true,false]", "source": GJ},
    {"name": "list-empty", "type": ["list", B], "value": [], "json": "[]", "source": GJ},
    {"name": "set-bools", "type": ["set", B], "value": [True, False], "json": "[false,true]", "source": GJ},
    {"name": "set-empty", "type": ["set", B], "value": [], "json": "[]", "source": GJ},
    {"name": "tuple", "type": ["tuple", [B, N]], "value": [True, 5], "json": "[true,5]", "source": GJ},
    {"name": "tuple-empty", "type": ["tuple", []], "value": [], "json": "[]", "source": GJ},
    {"name": "map-empty", "type": ["map", B], "value": {}, "json": "{}", "source": GJ},
    {"name": "map-bools", "type": ["map", B], "value": {"yes": True, "no": False}, "json": '{"no":false,"yes":true}', "source": GJ},
    {"name": "map-null", "type": ["map", B], "value": None, "json": "null", "source": GJ},
    {"name": "object-empty", "type": ["object", {}], "value": {}, "json": "{}", "source": GJ},
    {"name": "object", "type": ["object", {"bool": B, "number": N}], "value": {"bool": True, "number": 0},
     "json": '{"bool":true,"number":0}', "source": GJ},
    {"name": "dynamic-bool", "type": D, "value": {"dynamic": B, "value": True}, "json": '{"value":true,"type":"bool"}', "source": GJ},
    {"name": "dynamic-string", "type": D, "value": {"dynamic": S, "value": "hello"}, "json": '{"value":"hello","type":"string"}', "source": GJ},
    {"name": "dynamic-number", "type": D, "value": {"dynamic": N, "value": 5}, "json": '{"value":5,"type":"number"}', "source": GJ},
    {"name": "dynamic-list", "type": D, "value": {"dynamic": ["list", B], "value": [True, False]},
     "json": '{"value":[true,false],"type":["list","bool"]}', "source": GJ},
    {"name": "list-of-dynamic", "type": ["list", D], "value": [{"dynamic": B, "value": True}, {"dynamic": B, "value": False}],
     "json": '[{"value":true,"type":"bool"},{"value":false,"type":"bool"}]', "source": GJ},
    {"name": "object-with-dynamic", "type": ["object", {"static": B, "dynamic": D}],
     "value": {"static": True, "dynamic": {"dynamic": B, "value": True}},
     "json": '{"dynamic":{"value":true,"type":"bool"},"static":true}', "source": GJ},
    {"name": "dynamic-object", "type": D,
     "value": {"dynamic": ["object", {"dynamic": B, "static": B}], "value": {"static": True, "dynamic": True}},
     "json": '{"value":{"dynamic":true,"static":true},"type":["object",{"dynamic":"bool","static":"bool"}]}', "source": GJ},
    {"name": "number-big", "type": N, "value": "1e400", "json": "1" + "0" * 400, "source": RULES + " (JSON numbers are exact)"},
    {"name": "number-2^63+1", "type": N, "value": "9223372036854775809", "json": "9223372036854775809", "source": RULES},
    {"name": "number-decimal", "type": N, "value": "0.1", "json": "0.1", "source": RULES},
    {"name": "number-negative", "type": N, "value": "-12.75", "json": "-12.75", "source": RULES},
    {"name": "string-escapes", "type": S, "value": "a\"b\\c\nd\u0001", "json": '"a\\"b\\\\c\\nd\\u0001"', "source": "RFC 8259"},
]
json_decode_cases = [
    {"name": "string-from-number", "type": S, "value": "15", "json": "15", "source": TJ},
    {"name": "string-from-bool", "type": S, "value": "true", "json": "true", "source": TJ},
    {"name": "number-from-string", "type": N, "value": 5, "json": '"5"', "source": TJ},
    {"name": "bool-from-string", "type": B, "value": True, "json": '"true"', "source": TJ},
    {"name": "bool-from-string_int", "type": B, "value": True, "json": '"1"', "source": TJ},
    {"name": "bool-from-int", "type": B, "value": True, "json": "1", "source": TJ},
    {"name": "list-of-bools-from-strings", "type": ["list", B], "value": [True, False], "json": '["true","false"]', "source": TJ},
    {"name": "dynamic-set-of-bools", "type": D, "value": {"dynamic": ["set", B], "value": [True, False]},
     "json": '{"value":[true,false],"type":["set","bool"]}', "source": TJ},
    {"name": "dynamic-tuple-of-bools", "type": D, "value": {"dynamic": ["tuple", [B, B]], "value": [True, False]},
     "json": '{"value":[true,false],"type":["tuple",["bool","bool"]]}', "source": TJ},
    {"name": "dynamic-map-of-bools", "type": D, "value": {"dynamic": ["map", B], "value": {"true": True, "false": False}},
     "json": '{"value":{"true":true,"false":false},"type":["map","bool"]}', "source": TJ},
    {"name": "map-of-dynamic-bools", "type": ["map", D],
     "value": {"true": {"dynamic": B, "value": True}, "false": {"dynamic": B, "value": False}},
     "json": '{"true":{"value":true,"type":"bool"},"false":{"value":false,"type":"bool"}}', "source": TJ},
    {"name": "dynamic-type-before-value", "type": D, "value": {"dynamic": N, "value": 5}, "json": '{"type":"number","value":5}',
     "source": "object key order is insignificant (RFC 8259)"},
    {"name": "object-missing-attribute", "type": ["object", {"a": S, "b": N}], "value": {"a": "x"}, "json": '{"a":"x"}',
     "source": "zclconf/go-cty cty/json/unmarshal.go (missing attributes are null)"},
    {"name": "number-exponent", "type": N, "value": "1500", "json": "1.5e3", "source": RULES},
    {"name": "string-unicode-escape", "type": S, "value": "\u00e9\U0001f600", "json": '"\\u00e9\\ud83d\\ude00"', "source": "RFC 8259"},
    {"name": "whitespace", "type": ["list", N], "value": [1, 2], "json": " [ 1 ,\n\t2 ] ", "source": "RFC 8259"},
]
json_raw_state_cases = [
    {"name": "object-extra-attribute", "type": ["object", {"bool": B, "number": N}], "value": {"bool": True, "number": 0},
     "json": '{"bool":true,"number":0,"unknown":"whatever"}', "source": TJO},
    {"name": "older-provider-state", "type": ["object", {"id": S, "port": N, "enabled": B, "tags": ["map", S]}],
     "value": {"id": "i-123", "port": 8080, "enabled": True, "tags": None},
     "json": '{"id":"i-123","port":"8080","enabled":"true","removed_attr":{"nested":[1,2,{"x":null}]}}',
     "source": "Terraform raw state from older providers: numbers and bools as strings, removed and missing attributes"},
]
json_invalid = [
    {"name": "object-attribute-key-token-error", "type": ["object", {}], "json": "{{}}", "error_path": "",
     "error_contains": "expected a string", "source": TJ},
    {"name": "object-attribute-key-missing-error", "type": ["object", {"test": S}], "json": '{"not-test": "test-value"}',
     "error_path": ".not-test", "error_contains": "unsupported attribute", "source": TJ},
    {"name": "duplicate-object-key", "type": ["object", {"a": S}], "json": '{"a":"x","a":"y"}', "error_path": ".a",
     "error_contains": "duplicate attribute", "source": BAD},
    {"name": "duplicate-map-key", "type": ["map", S], "json": '{"b":"x","a":"y","b":"z"}', "error_path": '["b"]',
     "error_contains": "duplicate map key", "source": BAD},
    {"name": "invalid-utf8", "type": ["list", S], "json_hex": b'["ok","\xff"]'.hex(), "error_path": "[1]", "error_contains": "invalid UTF-8", "source": BAD},
    {"name": "lone-surrogate", "type": S, "json": '"\\ud800"', "error_path": "", "error_contains": "surrogate", "source": BAD},
    {"name": "truncated", "type": ["object", {"a": ["list", N]}], "json": '{"a":[1,2', "error_path": ".a", "error_contains": "expected", "source": BAD},
    {"name": "wrong-type-nested", "type": ["object", {"rules": ["list", ["object", {"port": N}]]}],
     "json": '{"rules":[{"port":1},{"port":"http"}]}', "error_path": ".rules[1].port", "error_contains": "number is required", "source": BAD},
    {"name": "nan-string", "type": N, "json": '"NaN"', "error_path": "", "error_contains": "number is required", "source": BAD},
    {"name": "nan-literal", "type": N, "json": "NaN", "error_path": "", "error_contains": "number is required", "source": BAD},
    {"name": "trailing-data", "type": N, "json": "1 2", "error_path": "", "error_contains": "unexpected data", "source": BAD},
    {"name": "leading-zero", "type": N, "json": "01", "error_path": "", "error_contains": "unexpected data", "source": "RFC 8259"},
    {"name": "control-character", "type": S, "json": '"a\nb"', "error_path": "", "error_contains": "control character", "source": "RFC 8259"},
    {"name": "unknown-in-dynamic", "type": D, "json": '{"value":1}', "error_path": "", "error_contains": "needs both", "source": GJ},
    {"name": "dynamic-nesting-40", "type": ["list", D], "json": "[" + '{"type":"dynamic","value":' * 40 + "null" + "}" * 40 + "]",
     "error_path": "[0]", "error_contains": "nested too deeply", "source": BAD},
    {"name": "tuple-too-long", "type": ["tuple", [S]], "json": '["a","b"]', "error_path": "", "error_contains": "tuple of 1", "source": BAD},
]
json_encode_invalid = [
    {"name": "unknown", "type": S, "value": {"unknown": True}, "error_path": "", "error_contains": "unknown", "source": "zclconf/go-cty cty/json/marshal.go"},
    {"name": "nested-unknown", "type": ["object", {"a": ["list", S]}], "value": {"a": ["x", {"unknown": True}]},
     "error_path": ".a[1]", "error_contains": "unknown", "source": "zclconf/go-cty cty/json/marshal.go"},
    {"name": "infinity", "type": N, "value": "+Inf", "error_path": "", "error_contains": "infinity", "source": "RFC 8259 (no infinities)"},
]
implied_cases = [
    {"name": "implied-object", "json": '{"a":[1,"x"],"b":null,"c":true}',
     "type": '["object",{"a":["tuple",["number","string"]],"b":"dynamic","c":"bool"}]',
     "source": "zclconf/go-cty cty/json/type_implied_test.go"},
    {"name": "implied-number", "json": "1.5", "type": '"number"', "source": "zclconf/go-cty cty/json/type_implied_test.go"},
    {"name": "implied-empty-array", "json": "[]", "type": '["tuple",[]]', "source": "zclconf/go-cty cty/json/type_implied_test.go"},
]


def write(name, doc):
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, ensure_ascii=True)
        f.write("\n")


write("msgpack.json", {"encode_and_decode": msgpack_cases, "decode_only": decode_cases, "invalid": invalid_cases})
write("type_json.json", {"valid": type_cases, "invalid": type_invalid})
write("json.json", {"encode_and_decode": json_cases, "decode_only": json_decode_cases, "raw_state": json_raw_state_cases,
                    "invalid": json_invalid, "encode_invalid": json_encode_invalid, "implied": implied_cases})
print(len(msgpack_cases), len(decode_cases), len(invalid_cases), len(type_cases), len(type_invalid),
      len(json_cases), len(json_decode_cases), len(json_invalid))
