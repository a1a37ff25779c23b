#!/usr/bin/env python3
"""Generates a Backstage catalog for BENCHMARKS.md (`collect backstage`).

One multi-document catalog-info.yaml with --entities entities: Domains
(1 %), Systems (5 %), APIs (15 %), Resources (20 %) and Components (the
rest). Every Component belongs to a System (spec.system), provides 0-2
APIs, consumes 0-3 APIs of other components, and dependsOn 0-3 Resources
and 0-2 Components; Systems name a Domain. References are written in the
forms Backstage accepts (`resource:default/x`, `component:x`, `x`).
Deterministic for a given --seed.

usage: scripts/gen-backstage.py --entities N [--seed S] -o FILE
"""
import argparse
import random


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--entities", type=int, required=True)
    p.add_argument("--seed", type=int, default=19)
    p.add_argument("-o", "--output", required=True)
    a = p.parse_args()
    rng = random.Random(a.seed)
    n = a.entities
    domains = [f"domain-{i}" for i in range(max(1, n // 100))]
    systems = [f"system-{i}" for i in range(max(1, n // 20))]
    apis = [f"api-{i}" for i in range(max(1, n * 15 // 100))]
    resources = [f"db-{i}" for i in range(max(1, n // 5))]
    components = [f"component-{i}"
                  for i in range(n - len(domains) - len(systems) - len(apis) - len(resources))]
    # Each API is provided by one component (a few by two).
    provider = {}
    for api in apis:
        provider.setdefault(rng.choice(components), []).append(api)
    docs = []

    def entity(kind, name, spec, extra=""):
        docs.append(
            f"apiVersion: backstage.io/v1alpha1\nkind: {kind}\nmetadata:\n"
            f"  name: {name}\n  description: {kind} {name} of the generated catalog\n"
            f"  annotations:\n    github.com/project-slug: example/{name}\n"
            f"  tags: [generated, bench]\n{extra}spec:\n{spec}")

    def refs(field, items):
        if not items:
            return ""
        return f"  {field}:\n" + "".join(f"    - {i}\n" for i in items)

    for d in domains:
        entity("Domain", d, "  owner: group:default/platform\n")
    for s in systems:
        entity("System", s, f"  owner: group:default/platform\n  domain: {rng.choice(domains)}\n")
    for api in apis:
        entity("API", api,
               f"  type: openapi\n  lifecycle: production\n  owner: team-a\n"
               f"  system: {rng.choice(systems)}\n"
               f"  definition: |\n    openapi: 3.0.0\n    info:\n      title: {api}\n")
    for r in resources:
        entity("Resource", r,
               f"  type: database\n  owner: team-a\n  system: {rng.choice(systems)}\n")
    for i, c in enumerate(components):
        later = components[i + 1:]
        depends = [f"resource:default/{r}" for r in rng.sample(resources, rng.randint(0, 3))]
        depends += [f"component:{x}" for x in rng.sample(later, min(len(later), rng.randint(0, 2)))]
        consumes = rng.sample(apis, rng.randint(0, 3))
        entity("Component", c,
               f"  type: service\n  lifecycle: production\n  owner: team-{i % 40}\n"
               f"  system: {rng.choice(systems)}\n"
               + refs("providesApis", provider.get(c, []))
               + refs("consumesApis", consumes)
               + refs("dependsOn", depends))
    with open(a.output, "w") as f:
        f.write("---\n".join(docs))
    print(f"{a.output}: {len(docs)} entities ({len(domains)} domains, {len(systems)} systems, "
          f"{len(apis)} APIs, {len(resources)} resources, {len(components)} components), "
          f"{sum(map(len, docs)) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
