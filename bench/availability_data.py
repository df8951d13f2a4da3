#!/usr/bin/env python3
"""Loads a large store network into a running Vitrine API for the availability benchmark:
N stores spread over Germany, Austria and Switzerland, M products, and stock for every
store × product (streamed: 5,000,000 rows for 1,000 × 5,000). Stdlib only.

    bench/availability_data.py --api http://127.0.0.1:18180 --key sk_… [--stores 1000] [--skus 5000]
"""
import argparse
import json
import random
import time
import urllib.request

HOURS = {d: [["09:00", "20:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
HOURS["sat"] = [["09:00", "18:00"]]


def post(api, key, path, lines):
    """POSTs an iterator of NDJSON lines as one chunked request; returns the ImportResult."""
    def chunks():
        buffer = []
        for line in lines:
            buffer.append(line)
            if len(buffer) == 10_000:
                yield ("\n".join(buffer) + "\n").encode()
                buffer = []
        if buffer:
            yield ("\n".join(buffer) + "\n").encode()
    request = urllib.request.Request(
        f"{api}{path}", data=chunks(), method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/x-ndjson",
                 "Transfer-Encoding": "chunked"})
    with urllib.request.urlopen(request, timeout=3600) as response:
        answer = json.load(response)
    if answer.get("errors"):
        raise SystemExit(f"{path}: unexpected errors {answer['errors'][:3]}")
    return answer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--api", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--stores", type=int, default=1000)
    parser.add_argument("--skus", type=int, default=5000)
    args = parser.parse_args()
    rng = random.Random(5)
    stores = (json.dumps({
        "store_id": f"S{i:04d}", "name": f"Filiale {i}", "street": "Hauptstraße 1",
        "postcode": "00000", "city": f"Stadt {i}", "country": "DE",
        "lat": round(rng.uniform(46.5, 54.5), 4), "lon": round(rng.uniform(6.5, 15.5), 4),
        "timezone": "Europe/Berlin", "opening_hours": HOURS}) for i in range(args.stores))
    products = (json.dumps({
        "sku": f"P{i:05d}", "title": f"Artikel {i}", "price_minor": 1990, "currency": "EUR",
        "url": f"https://bench.example/p/{i}", "image_url": f"https://bench.example/p/{i}.png",
        "category": "bench"}) for i in range(args.skus))
    stock = (f'{{"store_id":"S{s:04d}","sku":"P{p:05d}","quantity":{(s * 7 + p * 13) % 9}}}'
             for s in range(args.stores) for p in range(args.skus))
    for path, lines in (("/v1/stores", stores), ("/v1/products", products), ("/v1/stock", stock)):
        started = time.perf_counter()
        answer = post(args.api, args.key, path, lines)
        elapsed = time.perf_counter() - started
        print(f"import {path}: {answer['upserted']} rows in {elapsed:.1f} s "
              f"= {answer['upserted'] / elapsed:,.0f} rows/s")


if __name__ == "__main__":
    main()
