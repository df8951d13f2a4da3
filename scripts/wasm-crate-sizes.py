#!/usr/bin/env python3
"""Code bytes of a wasm per crate, by the function names in its `name` section.

Usage: scripts/wasm-crate-sizes.py target/wasm32-unknown-unknown/release/vitrine-widgets.wasm

For the wasm as rustc and LTO leave it (before wasm-bindgen and wasm-opt, which strip the
names), so the figures are raw bytes of function bodies, an estimate of each crate's share:
a function is counted for the first crate of CRATES its (mangled) name mentions, so generic
code instantiated for a crate's types counts for that crate.
"""
import sys

CRATES = [
    "serde_wasm_bindgen", "tachys", "reactive_graph", "leptos", "any_spawner", "or_poisoned",
    "throw_error", "send_wrapper", "slotmap", "futures", "serde", "vitrine_widgets",
    "wasm_bindgen_futures", "web_sys", "js_sys", "wasm_bindgen", "lol_alloc", "alloc", "core",
    "std",
]


def leb(data, pos):
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, pos


def main(path):
    data = open(path, "rb").read()
    pos = 8
    imported = 0
    bodies = []
    names = {}
    while pos < len(data):
        section, pos = data[pos], pos + 1
        size, pos = leb(data, pos)
        end = pos + size
        if section == 2:  # imports: functions come first in the index space
            count, p = leb(data, pos)
            for _ in range(count):
                for _ in range(2):
                    length, p = leb(data, p)
                    p += length
                kind, p = data[p], p + 1
                if kind == 0:
                    _, p = leb(data, p)
                    imported += 1
                elif kind == 1:
                    p += 1
                    flags, p = leb(data, p)
                    _, p = leb(data, p)
                    if flags & 1:
                        _, p = leb(data, p)
                elif kind == 2:
                    flags, p = leb(data, p)
                    _, p = leb(data, p)
                    if flags & 1:
                        _, p = leb(data, p)
                elif kind == 3:
                    p += 2
        elif section == 10:
            count, p = leb(data, pos)
            for _ in range(count):
                length, p = leb(data, p)
                bodies.append(length)
                p += length
        elif section == 0:
            length, p = leb(data, pos)
            if data[p:p + length] == b"name":
                p += length
                while p < end:
                    sub, p = data[p], p + 1
                    sub_size, p = leb(data, p)
                    sub_end = p + sub_size
                    if sub == 1:
                        count, q = leb(data, p)
                        for _ in range(count):
                            index, q = leb(data, q)
                            length, q = leb(data, q)
                            names[index] = data[q:q + length].decode("utf-8", "replace")
                            q += length
                    p = sub_end
        pos = end
    totals = {}
    for i, length in enumerate(bodies):
        name = names.get(imported + i, "")
        crate = next((c for c in CRATES if c in name), "other")
        totals[crate] = totals.get(crate, 0) + length
    all_code = sum(bodies)
    for crate, size in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"{crate:<22} {size:>8}  {100 * size / all_code:5.1f} %")
    print(f"{'code total':<22} {all_code:>8}  ({len(names)} names)")


main(sys.argv[1])
