"""Writes a sample shop's exports into the current directory, in the formats Vitrine imports:
products.csv, stores.ndjson, stock.csv and orders.ndjson (web orders and till receipts of the
last 120 days). A stand-in for your own exports in the getting-started guide; deterministic.

Usage: python3 sample-shop.py
"""
import csv
import json
import random
import time

SHOP = "https://www.muster.example"
KINDS = [
    ("Regenjacke", "jacken", 12900), ("Mütze", "accessoires", 1990),
    ("Wanderschuh", "schuhe", 14900), ("Wandersocken", "accessoires", 1490),
    ("Tagesrucksack", "rucksaecke", 7900), ("Trinkflasche", "accessoires", 1990),
    ("Zelt", "zelte", 24900), ("Isomatte", "schlafen", 5990),
    ("Schlafsack", "schlafen", 11900), ("Stirnlampe", "accessoires", 3490),
    ("Fleecejacke", "jacken", 6990), ("Handschuhe", "accessoires", 2490),
]
OPEN = {day: [["10:00", "20:00"]] for day in ["mon", "tue", "wed", "thu", "fri"]}
OPEN["sat"] = [["09:30", "18:00"]]
STORES = [
    ("muster-berlin", "Muster Berlin Mitte", "Rosenthaler Str. 40", "10178", "Berlin", "DE",
     52.5260, 13.4020, "Europe/Berlin"),
    ("muster-hamburg", "Muster Hamburg", "Mönckebergstr. 7", "20095", "Hamburg", "DE",
     53.5510, 10.0000, "Europe/Berlin"),
    ("muster-wien", "Muster Wien", "Mariahilfer Str. 88", "1070", "Wien", "AT",
     48.1970, 16.3480, "Europe/Vienna"),
]


def main():
    rng = random.Random(7)
    skus = [f"MO-{1001 + i}" for i in range(len(KINDS))]
    with open("products.csv", "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["sku", "title", "price_minor", "currency", "url", "image_url", "category"])
        for sku, (title, category, price) in zip(skus, KINDS):
            out.writerow([sku, title, price, "EUR", f"{SHOP}/p/{sku}",
                          f"{SHOP}/img/{sku}.jpg", category])
    with open("stores.ndjson", "w") as f:
        for store_id, name, street, postcode, city, country, lat, lon, tz in STORES:
            f.write(json.dumps({
                "store_id": store_id, "name": name, "street": street, "postcode": postcode,
                "city": city, "country": country, "lat": lat, "lon": lon, "timezone": tz,
                "opening_hours": OPEN}) + "\n")
    with open("stock.csv", "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["store_id", "sku", "quantity"])
        for store in STORES:
            for sku in skus:
                out.writerow([store[0], sku, rng.choice([0, 2, 5, 12])])
    # Baskets go in pairs (a jacket with a cap, boots with socks, …): what "bought together"
    # should find. Customers K-1 … K-300; K-1001 bought boots in Berlin last week.
    now = int(time.time())
    with open("orders.ndjson", "w") as f:
        for n in range(900):
            pair = rng.randrange(len(skus) // 2) * 2
            basket = [skus[pair], skus[pair + 1]]
            if rng.random() < 0.3:
                basket.append(rng.choice(skus))
            till = rng.random() < 0.4
            order = {
                "id": f"order-{n}", "type": "purchase",
                "occurred_at": now - rng.randrange(120 * 86400),
                "customer_id": f"K-{1 + rng.randrange(300)}",
                "order_id": f"{'R' if till else 'W'}-{n}",
                "channel": "store" if till else "web", "currency": "EUR",
                "lines": [{"sku": sku, "quantity": 1,
                           "unit_price_minor": KINDS[skus.index(sku)][2]}
                          for sku in dict.fromkeys(basket)],
            }
            if till:
                order["store_id"] = rng.choice(STORES)[0]
            f.write(json.dumps(order) + "\n")
        f.write(json.dumps({
            "id": "receipt-K-1001", "type": "purchase", "occurred_at": now - 6 * 86400,
            "customer_id": "K-1001", "order_id": "R-K-1001", "channel": "store",
            "store_id": "muster-berlin", "currency": "EUR",
            "lines": [{"sku": "MO-1003", "quantity": 1, "unit_price_minor": 14900}]}) + "\n")


if __name__ == "__main__":
    main()
