#!/usr/bin/env python3
# Generates the synthetic estates of BENCHMARKS.md: `scripts/bench` and
# `scripts/bench-ab` run it (python3 scripts/gen_estate.py --services N -o FILE).
# Its output must stay byte-identical for a given set of arguments, so that
# new figures stay comparable with the ones already in BENCHMARKS.md: change
# the shape only together with new figures for every size.
"""Deterministic synthetic estate generator for benchmarks (format: docs/estate-format.md, JSON).

Shape, modelled on published studies of large microservice call graphs (shallow,
tiered, with a few heavily shared platform services):
- every logical service sits in one tier: edge (5 %), backend-for-frontend (10 %),
  domain (40 %), platform (30 %), data (15 %);
- it is deployed in 1-3 regions; each regional deployment needs a quorum or any-of
  group of instances spread over zones, often a database (Multi-AZ or not), sometimes
  a regional table or queue, rarely a third party;
- it calls 0-4 services of deeper tiers (popular ones more often: a handful of
  platform services end up shared by thousands), 70 % as hard requirements and the
  rest optional; 3 % of calls go sideways within the tier, so cycles exist;
- one multi-region service in ten lets a deployment whose database is gone fall back to
  its sibling region (a cycle that must not hold itself up, SPEC §3.1);
- business functions each need 2-6 entry services (edge or backend-for-frontend).
Resources ~= 8 x services; nodes ~= 11 x services.

usage: gen_estate.py --services N [--regions R] [--zones Z] [--seed S] [-o FILE]
"""
import argparse, json, random, sys

TIERS = [("edge", 0.05), ("bff", 0.10), ("domain", 0.40), ("platform", 0.30), ("data", 0.15)]


def tiers_of(n, rnd):
    """Tier index of each service, in a shuffled but deterministic order."""
    out = []
    for t, (_, share) in enumerate(TIERS):
        out += [t] * (round(n * share) if t < len(TIERS) - 1 else n - len(out))
    out = out[:n] + [len(TIERS) - 1] * max(0, n - len(out))
    rnd.shuffle(out)
    return out


def popular(members, rnd):
    """A member, skewed towards the first ones (the shared hubs of a tier)."""
    return members[int(len(members) * rnd.random() ** 3)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--services", type=int, required=True)
    ap.add_argument("--regions", type=int, default=4)
    ap.add_argument("--zones", type=int, default=3, help="zones per region")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-o", default="-")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    regions = [f"region-{i}" for i in range(a.regions)]
    zones = {r: [f"{r}-az{j}" for j in range(1, a.zones + 1)] for r in regions}
    accounts = [f"{100000000000 + i}" for i in range(max(1, a.services // 100))]
    functions, services, resources, externals = {}, {}, {}, {}
    for e in range(max(1, a.services // 500)):
        externals[f"ext-{e}"] = {"description": "third party"}
    ext_ids = sorted(externals)
    crit = ["critical", "high", "medium", "low"]
    tier = tiers_of(a.services, rnd)
    by_tier = [[s for s in range(a.services) if tier[s] == t] for t in range(len(TIERS))]

    def res(rid, **body):
        resources[rid] = body
        return rid

    for s in range(a.services):
        name = f"svc-{s}"
        acct = rnd.choice(accounts)
        k = rnd.choices([1, 2, 3], weights=[5, 4, 1])[0]
        regs = rnd.sample(regions, min(k, len(regions)))
        deps = []
        for r in sorted(regs):
            dep = f"{name}@{r}"
            req = []
            zs = zones[r]
            n_inst = rnd.randint(2, 6)
            inst = [res(f"arn:aws:ec2:{r}:{acct}:instance/i-{s:07d}{r[-1]}{i}",
                        zones=[zs[i % len(zs)]], tags={"service": name})
                    for i in range(n_inst)]
            if rnd.random() < 0.3:
                req.append({"quorum": max(1, n_inst // 2 + 1), "of": inst})
            else:
                req.append({"any": inst})
            if rnd.random() < 0.6:
                z2 = rnd.sample(zs, min(2, len(zs)))
                req.append(res(f"arn:aws:rds:{r}:{acct}:db:{name}-db",
                               zones=sorted(z2) if rnd.random() < 0.7 else [z2[0]],
                               tags={"service": name}))
            if rnd.random() < 0.4:
                req.append(res(f"arn:aws:dynamodb:{r}:{acct}:table/{name}", zones="*",
                               tags={"service": name}))
            if rnd.random() < 0.3:
                req.append(res(f"arn:aws:sqs:{r}:{acct}:{name}-q", zones="*",
                               tags={"service": name}))
            if rnd.random() < 0.02:
                req.append(rnd.choice(ext_ids))
            services[dep] = {"region": r, "account": acct, "requires": req}
            deps.append(dep)
        if len(deps) > 1 and rnd.random() < 0.1:
            # cross-region fallback: a deployment whose database is gone calls its sibling
            for j, dep in enumerate(deps):
                reqs = services[dep]["requires"]
                for q, r in enumerate(reqs):
                    if isinstance(r, str) and ":rds:" in r:
                        reqs[q] = {"any": [r, deps[(j + 1) % len(deps)]]}
        body = {"requires": [{"any": deps}] if rnd.random() < 0.8 or len(deps) == 1
                else [{"all": deps}]}
        deeper = [t for t in range(tier[s] + 1, len(TIERS)) if by_tier[t]]
        calls = set()
        for _ in range(rnd.randint(0, 4)):
            if rnd.random() < 0.03:
                t = rnd.choice(by_tier[tier[s]])  # sideways: may close a cycle
            elif deeper:
                t = popular(by_tier[rnd.choice(deeper)], rnd)
            else:
                continue
            if t != s:
                calls.add(f"svc-{t}")
        calls = sorted(calls)
        hard = [c for c in calls if rnd.random() < 0.7]
        soft = [c for c in calls if c not in hard]
        body["requires"] += hard
        if soft:
            body["optional"] = soft
        body["tags"] = {"tier": TIERS[tier[s]][0]}
        services[name] = body
    entry = by_tier[0] + by_tier[1] or list(range(a.services))
    for f in range(max(1, a.services // 20)):
        need = sorted({f"svc-{rnd.choice(entry)}" for _ in range(rnd.randint(2, 6))})
        functions[f"fn-{f}"] = {"criticality": rnd.choice(crit), "requires": need}
    doc = {"version": 1, "functions": functions, "services": services,
           "resources": resources, "externals": externals}
    out = sys.stdout if a.o == "-" else open(a.o, "w")
    json.dump(doc, out, sort_keys=True, separators=(",", ":"))
    out.write("\n")
    n = len(functions) + len(services) + len(resources) + len(externals)
    print(f"nodes={n} functions={len(functions)} services={len(services)} resources={len(resources)}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
