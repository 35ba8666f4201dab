#!/usr/bin/env python3
"""Budget 5: the bundle's size, brotli-compressed (quality 11, as served precompressed).

The bundle is split at the lazy routes (src/pages.rs). The budgets apply to what the first
page — the request list, where a signed-in user lands — loads: the main wasm module, and the
main module with the JS glue and the stylesheet. Each lazily loaded page is also measured as
if opened directly (main module + the chunks its manifest entry names + the loader), and
checked against growth only — except the request editor, budget 6's other page, which
keeps the 350 KB first-load budget. Every figure fails when it grows more than 5% over the one
committed in bench/sizes.txt.

    bench/sizes.py PKG_DIR COMMITTED RESULTS [--accept]

With --accept, COMMITTED is rewritten with the figures just measured (for a change that is
meant to grow or shrink the bundle; commit the file with it).
"""
import json
import os
import re
import sys

pkg, committed_path, results_path = sys.argv[1:4]
accept = "--accept" in sys.argv[4:]


def br(name):
    return os.path.getsize(os.path.join(pkg, name + ".br"))


def committed():
    figures = {}
    for line in open(committed_path):
        parts = line.split()
        if len(parts) == 2 and not line.startswith("#"):
            figures[parts[0]] = int(parts[1])
    return figures


def kb(n):
    return f"{n / 1024:.1f}"


was = committed()
rows, measured = [], {}


def check(name, key, size, budget_kb=None):
    measured[key] = size
    before = was.get(key)
    ok = (budget_kb is None or size <= budget_kb * 1024) and (before is None or size <= before * 1.05)
    label = f"{name} (committed: {kb(before) if before else 'none'} KB)"
    budget = str(budget_kb) if budget_kb is not None else "≤ 105% of committed"
    rows.append(f"{label}\t{kb(size)}\t{budget}\tKB\t{'yes' if ok else 'NO'}\n")


main = br("amidesk_bg.wasm")
glue = br("amidesk.js") + br("amidesk.css")
check("5. hydration wasm: the main module (shell, request list, sign-in), brotli", "wasm", main, 250)
check("5. all first-load assets of the request list (wasm + js + css), brotli", "all", main + glue, 350)

manifest = json.load(open(os.path.join(pkg, "__wasm_split_manifest.json")))
loader = br("__wasm_split.______________________.js")
for key, files in sorted(manifest.items()):
    route = re.sub(r"^__|_view_\d+$", "", key)
    chunks = sum(br(f + ".wasm") for f in files)
    # The request editor is also one of budget 6's pages: it keeps the first-load budget.
    budget = 350 if route == "new_request_route" else None
    check(f"5. {route} opened directly: all assets ({len(files)} chunks + main)", route,
          main + chunks + loader + glue, budget)

with open(results_path, "a") as out:
    out.writelines(rows)
print("measured (bytes):", " ".join(f"{k} {v}" for k, v in measured.items()))
if accept:
    with open(committed_path, "w") as out:
        out.write(
            "# Brotli (quality 11) sizes in bytes, as last measured and accepted: the main module (wasm),\n"
            "# the request list's first load (all), and each lazily loaded page opened directly.\n"
            "# `make bench` fails when a figure grows more than 5% over these (or past its budget).\n"
            "# Rewritten by `make bench-accept-sizes`.\n")
        out.writelines(f"{k} {v}\n" for k, v in measured.items())
    print(f"{committed_path} rewritten with these figures")
else:
    print(f"(when a change is meant to change them: make bench-accept-sizes)")
