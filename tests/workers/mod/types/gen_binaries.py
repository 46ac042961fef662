#!/usr/bin/env python3
"""Writes the binary fixtures of modules_types.test.js: add.wasm, base.wasm and blob.bin.
The Wasm modules are assembled by hand (WebAssembly binary format, core spec 5.x), so no
toolchain is needed. Run from anywhere: python3 gen_binaries.py"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
I32 = 0x7F


def leb(n):
    """Unsigned LEB128."""
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def name(s):
    b = s.encode()
    return leb(len(b)) + b


def vec(items):
    return leb(len(items)) + b"".join(items)


def section(sid, payload):
    return bytes([sid]) + leb(len(payload)) + payload


def functype(params, results):
    return b"\x60" + vec([bytes([p]) for p in params]) + vec([bytes([r]) for r in results])


def body(code):
    b = b"\x00" + code  # no locals
    return leb(len(b)) + b


HEADER = b"\x00asm" + b"\x01\x00\x00\x00"
LOCAL_GET, CALL, I32_ADD, END = 0x20, 0x10, 0x6A, 0x0B

# add.wasm: (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
add = HEADER + section(1, vec([functype([I32, I32], [I32])])) \
    + section(3, vec([leb(0)])) \
    + section(7, vec([name("add") + b"\x00" + leb(0)])) \
    + section(10, vec([body(bytes([LOCAL_GET, 0, LOCAL_GET, 1, I32_ADD, END]))]))

# base.wasm: imports env.base: () -> i32; exports addBase(x) = x + base().
base = HEADER + section(1, vec([functype([], [I32]), functype([I32], [I32])])) \
    + section(2, vec([name("env") + name("base") + b"\x00" + leb(0)])) \
    + section(3, vec([leb(1)])) \
    + section(7, vec([name("addBase") + b"\x00" + leb(1)])) \
    + section(10, vec([body(bytes([LOCAL_GET, 0, CALL, 0, I32_ADD, END]))]))

# blob.bin: bytes that are not valid UTF-8, to show no text decoding happens.
blob = bytes([0, 1, 2, 0xFF, 0x80, 0xFE])

for fname, data in [("add.wasm", add), ("base.wasm", base), ("blob.bin", blob)]:
    with open(os.path.join(HERE, fname), "wb") as f:
        f.write(data)
    print(f"{fname}: {len(data)} bytes")
