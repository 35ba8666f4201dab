#!/usr/bin/env python3
"""Prints the benchmark results as a Markdown table; exits 1 when a budget is missed."""
import sys

rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
print("| figure | measured | budget | unit | met |")
print("|---|---|---|---|---|")
for name, value, budget, unit, met in rows:
    print(f"| {name} | {value} | {budget} | {unit} | {met} |")
missed = [r[0] for r in rows if r[4] == "NO"]
if missed:
    print(f"\n{len(missed)} budget(s) missed:", *missed, sep="\n- ")
    sys.exit(1)
print(f"\nAll {sum(1 for r in rows if r[4] == 'yes')} budgets met.")
