#!/usr/bin/env python3
"""Generates the estates of BENCHMARKS.md's long-chain and long-cycle rows.

chain: function f requires s0, s0 requires s1, ... requires db (a resource):
       every node is a single point of failure of f.
cycle: function f requires s0, s0 requires s1, ... s(N-1) requires s0: one
       strongly connected component of N services; losing any takes f down.

usage: scripts/gen-chain.py chain|cycle N [-o FILE]   (JSON; stdout by default)
"""
import json
import sys


def estate(shape, n):
    services = {}
    for i in range(n):
        if i + 1 < n:
            nxt = f"s{i + 1}"
        else:
            nxt = "db" if shape == "chain" else "s0"
        services[f"s{i}"] = {"requires": [nxt]}
    doc = {
        "version": 1,
        "functions": {"f": {"criticality": "critical", "requires": ["s0"]}},
        "services": services,
    }
    if shape == "chain":
        doc["resources"] = {"db": {}}
    return doc


def main(argv):
    if len(argv) < 3 or argv[1] not in ("chain", "cycle"):
        sys.exit(__doc__)
    shape, n = argv[1], int(argv[2])
    out = argv[4] if len(argv) > 4 and argv[3] == "-o" else None
    text = json.dumps(estate(shape, n), separators=(",", ":"))
    if out:
        with open(out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main(sys.argv)
