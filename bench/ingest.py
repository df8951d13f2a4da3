#!/usr/bin/env python3
"""Bulk ingestion throughput: posts NDJSON batches of till/ERP events (secret key) to a
running Vitrine API and prints events/s. Stdlib only. Every event id is new, so each one is
really written (a retried id would be a cheap duplicate).

    bench/ingest.py --api http://127.0.0.1:18180 --key sk_… [--batches 20] [--batch-size 10000]
                    [--customers 5000] [--parallel 1] [--purchase-every 10]

Every `--purchase-every`-th event is a till purchase (the rest product views); purchases earn
loyalty points when the shop has a programme (the demo shop has).
"""
import argparse
import concurrent.futures
import json
import time
import urllib.request


def batch(run: str, number: int, size: int, customers: int, purchase_every: int) -> bytes:
    lines = []
    for i in range(size):
        n = number * size + i
        customer = f"B-{n % customers}"
        if n % purchase_every == 0:
            event = {"id": f"{run}-{n}", "type": "purchase", "customer_id": customer,
                     "order_id": f"{run}-O{n}", "channel": "store", "store_id": "ulm-muensterplatz",
                     "currency": "EUR", "occurred_at": 1_760_000_000 + n,
                     "lines": [{"sku": f"AH-{1001 + n % 42}", "quantity": 1, "unit_price_minor": 2490}]}
        else:
            event = {"id": f"{run}-{n}", "type": "view", "customer_id": customer,
                     "sku": f"AH-{1001 + n % 42}", "occurred_at": 1_760_000_000 + n}
        lines.append(json.dumps(event, separators=(",", ":")))
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--api", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--customers", type=int, default=5_000)
    parser.add_argument("--parallel", type=int, default=1)
    parser.add_argument("--purchase-every", type=int, default=10)
    args = parser.parse_args()
    run = f"bench{int(time.time())}"
    bodies = [batch(run, b, args.batch_size, args.customers, args.purchase_every)
              for b in range(args.batches)]
    started = time.perf_counter()
    # Several tills or ERP jobs at once: the server parses one request while it writes another.
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.parallel) as pool:
        stored = sum(pool.map(lambda body: post(args.api, args.key, body), bodies))
    elapsed = time.perf_counter() - started
    print(f"bulk ingestion: {stored} events in {elapsed:.2f} s = {stored / elapsed:,.0f} events/s "
          f"({args.batches} requests of {args.batch_size}, {args.customers} customers, "
          f"{args.parallel} at a time, every {args.purchase_every}. a purchase)")


def post(api: str, key: str, body: bytes) -> int:
    request = urllib.request.Request(
        f"{api}/v1/events/bulk", data=body, method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/x-ndjson"})
    with urllib.request.urlopen(request, timeout=300) as response:
        answer = json.load(response)
    if answer["errors"]:
        raise SystemExit(f"unexpected errors: {answer['errors'][:3]}")
    return answer["stored"]


if __name__ == "__main__":
    main()
