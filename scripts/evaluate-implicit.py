"""Evaluates the Python library `implicit` on the split the Rust harness wrote.

Reads target/eval/<dataset>/{train,test}.tsv (written by
`cargo run -p vitrine-recommender --example evaluate`): the weighted training matrix
(profile, item, weight) and per test profile its held-out items. Trains implicit's
CosineRecommender and AlternatingLeastSquares over a small grid each and prints, for the
best setting of each by NDCG@10 (and with --grid for every setting), the same metrics with
the same definitions as recommender/src/metrics.rs: recall@10 = hits / min(10, |held out|),
NDCG@10 with gain 1/log2(rank + 1), coverage = distinct items in any top 10 / training
items. Already-bought items (the profile's training row) are filtered, as ours are.

Run through scripts/evaluate-implicit.sh, which creates the venv.
"""

import argparse
import itertools
import math
import os
import sys
import time
import warnings

import numpy as np
import scipy.sparse as sp
from implicit.als import AlternatingLeastSquares
from implicit.nearest_neighbours import CosineRecommender

K = 10
DATA_SETS = ["onlineretail", "groceries", "synthetic", "tafeng"]

# CosineRecommender converts its own intermediate matrix and warns about it (< 1 ms, harmless).
warnings.filterwarnings("ignore", message="Method expects CSR input")

# The grids: implicit's defaults plus the usual ranges, so the baseline is tuned, not strawmanned.
COSINE_GRID = [{"K": k} for k in (20, 50, 100, 200)]
ALS_GRID = [
    {"factors": f, "regularization": r, "alpha": a, "iterations": 20}
    for f, r, a in itertools.product((8, 16, 32, 64, 128), (1.0, 10.0, 30.0, 100.0), (1.0, 10.0, 40.0))
]


def load(directory):
    with open(os.path.join(directory, "train.tsv")) as f:
        header = f.readline()
        sizes = dict(part.split("=") for part in header[1:].split())
        rows = np.loadtxt(f, dtype=np.float64, ndmin=2)
    n_profiles, n_items = int(sizes["profiles"]), int(sizes["items"])
    user_items = sp.csr_matrix(
        (rows[:, 2].astype(np.float32), (rows[:, 0].astype(np.int64), rows[:, 1].astype(np.int64))),
        shape=(n_profiles, n_items),
    ).tocsr()
    tests = []
    with open(os.path.join(directory, "test.tsv")) as f:
        for line in f:
            profile, items = line.rstrip("\n").split("\t")
            tests.append((int(profile), [int(i) for i in items.split()]))
    return user_items, tests


def recall_at_k(ranked, relevant, k):
    ideal = min(k, len(relevant))
    if ideal == 0:
        return 0.0
    return sum(1 for r in ranked[:k] if r in relevant) / ideal


def ndcg_at_k(ranked, relevant, k):
    ideal = sum(1.0 / math.log2(r + 1) for r in range(1, min(k, len(relevant)) + 1))
    if ideal == 0.0:
        return 0.0
    dcg = sum(1.0 / math.log2(i + 2) for i, r in enumerate(ranked[:k]) if r in relevant)
    return dcg / ideal


def evaluate(model, user_items, tests):
    started = time.perf_counter()
    model.fit(user_items, show_progress=False)
    fit_s = time.perf_counter() - started
    users = np.array([p for p, _ in tests], dtype=np.int64)
    started = time.perf_counter()
    ids, _ = model.recommend(users, user_items[users].tocsr(), N=K, filter_already_liked_items=True)
    query_us = (time.perf_counter() - started) / max(len(users), 1) * 1e6
    recall = ndcg = 0.0
    shown = set()
    for (_, relevant), row in zip(tests, ids):
        ranked = [int(i) for i in row if i >= 0]
        relevant = set(relevant)
        recall += recall_at_k(ranked, relevant, K)
        ndcg += ndcg_at_k(ranked, relevant, K)
        shown.update(ranked[:K])
    n = max(len(tests), 1)
    return recall / n, ndcg / n, len(shown) / user_items.shape[1], fit_s, query_us


def row(label, metrics):
    recall, ndcg, cov, fit_s, query_us = metrics
    print(f"{label:<60} {recall:>9.4f} {ndcg:>8.4f} {cov:>8.4f} {fit_s:>8.2f} {query_us:>11.1f}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--eval-dir", default="target/eval")
    parser.add_argument("--only", choices=DATA_SETS)
    parser.add_argument("--grid", action="store_true", help="print every setting, not only the best")
    parser.add_argument("--summary", action="store_true",
                        help="only print the table of every data set from the last runs' files")
    args = parser.parse_args()
    names = [args.only] if args.only else DATA_SETS
    if args.summary:
        summary(args.eval_dir, names)
        return
    for name in names:
        directory = os.path.join(args.eval_dir, name)
        if not os.path.exists(os.path.join(directory, "train.tsv")):
            sys.exit(f"{directory}/train.tsv missing: run the Rust harness first")
        user_items, tests = load(directory)
        print(f"\n## {name} (implicit): {user_items.shape[0]} profiles, {user_items.shape[1]} items, "
              f"{user_items.nnz} ratings; {len(tests)} test queries")
        print(f"{'model':<60} {'recall@10':>9} {'ndcg@10':>8} {'coverage':>8} {'fit_s':>8} {'q_mean_us':>11}")
        best = {}
        for family, grid, make in (
            ("implicit cosine", COSINE_GRID, lambda p: CosineRecommender(**p)),
            ("implicit als", ALS_GRID, lambda p: AlternatingLeastSquares(random_state=42, **p)),
        ):
            results = []
            for params in grid:
                metrics = evaluate(make(params), user_items, tests)
                label = family + " " + " ".join(f"{k}={v}" for k, v in params.items() if k != "iterations")
                results.append((metrics, label))
                if args.grid:
                    row(label, metrics)
            best_metrics, best_label = max(results, key=lambda r: (r[0][1], r[0][0]))
            row(best_label + " (best)", best_metrics)
            best[family] = (best_label, best_metrics)
            # The strictest bar for ours: each metric's maximum over the grid, whichever setting.
            print(f"{'  ' + family + ' grid maxima':<60} {max(r[0][0] for r in results):>9.4f} "
                  f"{max(r[0][1] for r in results):>8.4f}")
        with open(os.path.join(directory, "implicit.tsv"), "w") as f:
            for family, (label, (recall, ndcg, cov, fit_s, _)) in best.items():
                f.write(f"{family}\t{label}\t{recall:.4f}\t{ndcg:.4f}\t{cov:.4f}\t{fit_s:.2f}\n")
    summary(args.eval_dir, names)


def read_rows(path):
    """The rows of a summary file: label -> (model, recall, ndcg, coverage, seconds)."""
    rows = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                key, label, recall, ndcg, cov, seconds = line.rstrip("\n").split("\t")
                rows[key] = (label, float(recall), float(ndcg), float(cov), float(seconds))
    return rows


def summary(eval_dir, names):
    """One table of every data set run: the baselines, the served default, implicit's best,
    and the bars of issue 17 (served >= 0.98 x the better popularity, >= implicit's best;
    onlineretail >= 1.05 x implicit's best)."""
    print("\n## All data sets, NDCG@10 (recall@10)\n")
    print("| data set | popularity | recency popularity | served default | implicit cosine "
          "| implicit ALS | served / best popularity | served / implicit's best |")
    print("|---|---|---|---|---|---|---|---|")
    for name in names:
        ours = read_rows(os.path.join(eval_dir, name, "ours.tsv"))
        theirs = read_rows(os.path.join(eval_dir, name, "implicit.tsv"))
        if not {"popularity", "recency", "default"} <= ours.keys() or len(theirs) < 2:
            print(f"| {name} | (missing: run both harnesses) |")
            continue

        def cell(r):
            return f"{r[2]:.4f} ({r[1]:.4f}) {r[0]}"

        served = ours["default"][2]
        popular = max(ours["popularity"][2], ours["recency"][2])
        implicit_best = max(r[2] for r in theirs.values())
        bar = 1.05 if name == "onlineretail" else 1.0
        pop_ok = "met" if served >= 0.98 * popular else "NOT met"
        imp_ok = "met" if served >= bar * implicit_best else "NOT met"
        print(f"| {name} | {cell(ours['popularity'])} | {cell(ours['recency'])} | {cell(ours['default'])} "
              f"| {cell(theirs['implicit cosine'])} | {cell(theirs['implicit als'])} "
              f"| {served / popular:.3f} (bar 0.98: {pop_ok}) "
              f"| {served / implicit_best:.3f} (bar {bar:.2f}: {imp_ok}) |")


if __name__ == "__main__":
    main()
