#!/usr/bin/env python3
"""Generates OTLP/JSON trace exports for BENCHMARKS.md (`collect traces`).

ExportTraceServiceRequest as the OpenTelemetry collector's file exporter
writes it: resourceSpans (one per service and batch, with service.name and
a few more resource attributes), scopeSpans, spans with hex traceId, spanId
and parentSpanId, numeric kind, timestamps, status and attributes. Traces
have 5-50 spans across ~200 services that call each other along a fixed
random call graph; some client spans call databases and queues that emit
no spans of their own (peer.service / server.address). Deterministic for a
given --seed.

Two layouts of the same spans:
  --layout document  one JSON document {"resourceSpans": [...]} (default)
  --layout lines     JSON lines: one request (a batch of traces) per line

usage: scripts/gen-otlp.py --megabytes N [--layout document|lines]
                           [--seed S] [--services K] -o FILE
A megabyte is 10^6 bytes; the file stops after the batch that passes N.
"""
import argparse
import json
import random

SERVER, CLIENT, INTERNAL, PRODUCER, CONSUMER = 2, 3, 1, 4, 5
TRACES_PER_BATCH = 20


def call_graph(rng, services):
    """Each service calls 1-4 services further down the list, and some a
    database or a queue: a layered graph, no cycles, ~600 edges."""
    names = [f"svc-{i:03d}-{rng.choice(['api', 'worker', 'gateway', 'store', 'auth'])}"
             for i in range(services)]
    calls = {}
    for i, name in enumerate(names):
        later = names[i + 1:]
        calls[name] = rng.sample(later, min(len(later), rng.randint(1, 4)))
    backends = [f"postgres-{i}" for i in range(20)] + [f"kafka-{i}" for i in range(5)]
    leaves = {name: rng.sample(backends, rng.randint(0, 2)) for name in names}
    return names, calls, leaves


def kv(key, value):
    return {"key": key, "value": {"stringValue": value}}


def trace(rng, names, calls, leaves, t0):
    """One trace: a dict service -> list of spans."""
    trace_id = f"{rng.getrandbits(128):032x}"
    size = rng.randint(5, 50)
    by_service = {}
    # (span id, service, depth) of spans that may get children.
    open_spans = []

    def emit(service, parent, kind, name, attrs):
        span_id = f"{rng.getrandbits(64):016x}"
        start = t0 + rng.randint(0, 10**9)
        span = {
            "traceId": trace_id,
            "spanId": span_id,
            "parentSpanId": parent or "",
            "name": name,
            "kind": kind,
            "startTimeUnixNano": str(start),
            "endTimeUnixNano": str(start + rng.randint(10**5, 10**8)),
            "attributes": attrs,
            "status": {},
        }
        by_service.setdefault(service, []).append(span)
        return span_id

    root_service = rng.choice(names[: len(names) // 4])
    root = emit(root_service, None, SERVER, "GET /",
                [kv("http.request.method", "GET"), kv("url.path", "/"),
                 {"key": "http.response.status_code", "value": {"intValue": "200"}}])
    open_spans.append((root, root_service))
    count = 1
    while count < size:
        parent, service = rng.choice(open_spans)
        r = rng.random()
        if r < 0.55 and calls[service]:
            callee = rng.choice(calls[service])
            client = emit(service, parent, CLIENT, f"POST /{callee}",
                          [kv("http.request.method", "POST"),
                           kv("server.address", f"{callee}.svc.cluster.local")])
            server = emit(callee, client, SERVER, f"POST /{callee}",
                          [kv("http.request.method", "POST"), kv("http.route", "/v1/op")])
            open_spans.append((server, callee))
            count += 2
        elif r < 0.7 and leaves[service]:
            backend = rng.choice(leaves[service])
            if backend.startswith("kafka"):
                emit(service, parent, PRODUCER, f"{backend} publish",
                     [kv("messaging.system", "kafka"), kv("peer.service", backend)])
            else:
                emit(service, parent, CLIENT, "SELECT orders",
                     [kv("db.system", "postgresql"), kv("peer.service", backend),
                      kv("db.statement", "SELECT * FROM orders WHERE id = $1")])
            count += 1
        else:
            span = emit(service, parent, INTERNAL, "compute", [kv("code.function", "handle")])
            open_spans.append((span, service))
            count += 1
    return by_service


def batch(rng, names, calls, leaves, t0):
    """One export request's resourceSpans: the spans of TRACES_PER_BATCH
    traces, grouped by service."""
    spans = {}
    for _ in range(TRACES_PER_BATCH):
        for service, s in trace(rng, names, calls, leaves, t0).items():
            spans.setdefault(service, []).extend(s)
    return [
        {
            "resource": {"attributes": [
                kv("service.name", service),
                kv("service.namespace", "shop"),
                kv("telemetry.sdk.language", "java"),
                kv("host.name", f"{service}-{rng.randint(0, 9)}"),
            ]},
            "scopeSpans": [{
                "scope": {"name": "io.opentelemetry.http", "version": "1.32.0"},
                "spans": s,
            }],
        }
        for service, s in spans.items()
    ]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--megabytes", type=float, required=True)
    p.add_argument("--layout", choices=["document", "lines"], default="document")
    p.add_argument("--seed", type=int, default=19)
    p.add_argument("--services", type=int, default=200)
    p.add_argument("-o", "--output", required=True)
    a = p.parse_args()
    rng = random.Random(a.seed)
    names, calls, leaves = call_graph(rng, a.services)
    limit = int(a.megabytes * 1_000_000)
    written, n, spans = 0, 0, 0
    dumps = json.JSONEncoder(separators=(",", ":")).encode
    t0 = 1_764_460_800_000_000_000
    with open(a.output, "w") as f:
        if a.layout == "document":
            f.write('{"resourceSpans":[')
            written += 18
        while written < limit:
            resources = batch(rng, names, calls, leaves, t0 + n * 10**9)
            spans += sum(len(r["scopeSpans"][0]["spans"]) for r in resources)
            if a.layout == "document":
                text = dumps(resources)[1:-1]
                if n:
                    text = "," + text
            else:
                text = dumps({"resourceSpans": resources}) + "\n"
            f.write(text)
            written += len(text)
            n += 1
        if a.layout == "document":
            f.write("]}\n")
    print(f"{a.output}: {written / 1e6:.1f} MB, {n * TRACES_PER_BATCH} traces, {spans} spans")


if __name__ == "__main__":
    main()
