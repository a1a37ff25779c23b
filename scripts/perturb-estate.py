#!/usr/bin/env python3
"""Writes a copy of an estate JSON with a share of its nodes changed, for the
`diff` benchmark (BENCHMARKS.md): every N-th resource moves to another zone
list or region, deterministically.
Usage: scripts/perturb-estate.py IN.json OUT.json [--share 0.01]"""
import argparse
import json

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("input")
parser.add_argument("output")
parser.add_argument("--share", type=float, default=0.01)
args = parser.parse_args()
with open(args.input) as f:
    doc = json.load(f)
ids = [(section, key) for section in ("resources", "services") for key in sorted(doc.get(section, {}))]
step = max(1, round(1 / args.share))
changed = 0
for i, (section, key) in enumerate(ids):
    if i % step:
        continue
    node = doc[section][key]
    tags = node.setdefault("tags", {})
    tags["perturbed"] = "yes"
    if isinstance(node.get("zones"), list) and len(node["zones"]) > 1:
        node["zones"] = node["zones"][:1]
    changed += 1
with open(args.output, "w") as f:
    json.dump(doc, f, sort_keys=True)
print(f"changed {changed} of {len(ids)} nodes")
