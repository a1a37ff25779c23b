#!/usr/bin/env python3
"""A random fault tree as a blastmap estate, for the availability benchmark.

Basic events are resources with their own `availability`; gates are
services: an OR gate (fails when any input fails) `requires` all its
inputs, an AND gate (fails when all fail) requires `any` of them, a vote
gate (fails when more than n-k fail) is a `quorum: k`. Gates draw their
inputs from everything below them, so inputs are shared (a DAG, as real
fault trees are), which is what makes exact computation hard. One
function (the top event) requires the top gate.

Usage: scripts/gen-fault-tree.py [--events 300] [--gates 200] [--seed 1] > tree.json
"""
import argparse
import json
import random


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--events", type=int, default=300)
    p.add_argument("--gates", type=int, default=200)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    rng = random.Random(a.seed)
    resources = {}
    below = []
    for i in range(a.events):
        rid = f"e{i:04d}"
        resources[rid] = {"availability": round(rng.uniform(0.99, 0.99999), 5)}
        below.append(rid)
    services = {}
    for g in range(a.gates):
        gid = f"g{g:04d}"
        # Mostly recent inputs (a layered tree), some from anywhere (sharing).
        n = rng.randint(2, 4)
        recent = below[-max(8, len(below) // 10):]
        inputs = sorted({rng.choice(recent if rng.random() < 0.8 else below) for _ in range(n)})
        if len(inputs) < 2:
            inputs.append(below[0] if inputs[0] != below[0] else below[1])
            inputs = sorted(set(inputs))
        kind = rng.random()
        if kind < 0.45:
            entry = [{"all": inputs}]
        elif kind < 0.9:
            entry = [{"any": inputs}]
        else:
            entry = [{"quorum": max(1, len(inputs) - 1), "of": inputs}]
        services[gid] = {"requires": entry}
        below.append(gid)
    doc = {
        "version": 1,
        "functions": {"top": {"requires": [below[-1]]}},
        "services": services,
        "resources": resources,
    }
    json.dump(doc, __import__("sys").stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
