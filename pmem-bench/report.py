#!/usr/bin/env python3
"""Joins one run's JMH results with the PMDK baseline into a markdown table.

Usage: report.py RESULTS_DIR
Reads RESULTS_DIR/pmdk.csv (lines "pmdk,<benchmark>,<mode>,<param>,<threads>,<ns_per_op>") and the
JMH JSON files that run-benchmarks.sh writes there (alloc-t*.json, open-warm.json, open-cold.json).
Prints the table on stdout. The ratio is ours / PMDK: below 1 we are faster.
"""
import csv
import json
import math
import statistics
import sys
from pathlib import Path

NS_PER_UNIT = {"ns/op": 1.0, "us/op": 1e3, "ms/op": 1e6, "s/op": 1e9}
MODES = ("process", "sync")
# The matrix run-benchmarks.sh asks for; a row JMH did not report is shown as failed, not dropped.
SIZES = (64, 256, 4096, 1048576)
THREADS = (1, 2)
OBJECTS = (200000, 2000000)
ALLOC = ((0, "alloc-free", "allocateFree"), (1, "alloc-into-free (published)", "allocateIntoFree"))
OPEN = ((2, "open-time (fresh JVM / exec'd process)", "open-cold.json", "open-time"),
        (3, "open-time-inproc (reopen in a warm process)", "open-warm.json", "open-time-inproc"))


def load_pmdk(path):
    """{(benchmark, mode, param, threads): ns_per_op}; empty if the baseline did not run."""
    rows = {}
    if not path.exists():
        return rows
    with path.open(newline="") as f:
        for rec in csv.reader(f):
            if len(rec) != 6 or rec[0] != "pmdk":
                continue  # not a result line
            _, bench, mode, param, threads, ns = rec
            rows[(bench, mode, int(param), int(threads))] = float(ns)
    return rows


def load_jmh(path):
    if not path.exists() or path.stat().st_size == 0:
        return []
    return json.loads(path.read_text())


def ns_of(result, value):
    return value * NS_PER_UNIT[result["primaryMetric"]["scoreUnit"]]


def method_of(result):
    return result["benchmark"].rsplit(".", 1)[1]


def our_rows(results_dir):
    """Rows (sort key, label, mode, param, threads, ours ns or None if failed, error ns, PMDK key)."""
    found = {}
    for path in results_dir.glob("alloc-t*.json"):
        for r in load_jmh(path):
            key = (method_of(r), r["params"]["durability"].lower(), int(r["params"]["size"]), r["threads"])
            err = r["primaryMetric"]["scoreError"]
            err = ns_of(r, err) if isinstance(err, (int, float)) and not math.isnan(err) else None
            found[key] = (ns_of(r, r["primaryMetric"]["score"]), err)
    rows = []
    for order, label, method in ALLOC:
        for m, mode in enumerate(MODES):
            for size in SIZES:
                for threads in THREADS:
                    ours, err = found.get((method, mode, size, threads), (None, None))
                    # The published path's PMDK counterpart (alloc into a pool-resident PMEMoid) is
                    # not in the baseline; comparing with its volatile alloc-free would flatter us.
                    key = ("alloc-free", mode, size, threads) if method == "allocateFree" else None
                    rows.append(((order, m, size, threads), label, mode, size, threads, ours, err, key))
    # Single shots: the median over all shots, as PMDK reports the median of its samples.
    for order, label, name, pmdk_bench in OPEN:
        shots_of = {}
        for r in load_jmh(results_dir / name):
            shots = [v for fork in r["primaryMetric"]["rawData"] for v in fork]
            shots_of[int(r["params"]["objects"])] = [ns_of(r, v) for v in shots]
        for objects in OBJECTS:
            shots = shots_of.get(objects)
            ours = statistics.median(shots) if shots else None
            label_n = f"{label}, median of {len(shots)}" if shots else label
            rows.append(((order, 0, objects, 1), label_n, "process", objects, 1, ours, None,
                         (pmdk_bench, "process", objects, 1)))
    rows.sort(key=lambda row: row[0])
    return rows


def human_size(n, objects):
    if objects:
        return f"{n // 1000}k objects" if n < 1_000_000 else f"{n / 1e6:g}M objects"
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale and n % scale == 0:
            return f"{n // scale} {unit}"
    return f"{n} B"


def fmt_ns(ns):
    return f"{ns:,.1f}" if ns < 10_000 else f"{ns:,.0f}"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    results_dir = Path(sys.argv[1])
    pmdk = load_pmdk(results_dir / "pmdk.csv")
    rows = our_rows(results_dir)
    used = set()

    print("| benchmark | mode | size/objects | threads | ours ns/op | PMDK ns/op | ratio (ours/PMDK) |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for _, label, mode, param, threads, ours, err, key in rows:
        if ours is None:
            ours_cell = "failed"
        else:
            ours_cell = fmt_ns(ours) + (f" ± {fmt_ns(err)}" if err is not None else "")
        if key is None:
            theirs_cell, ratio_cell = "n/a", "—"
        elif key in pmdk:
            used.add(key)
            theirs_cell = fmt_ns(pmdk[key])
            ratio_cell = f"{ours / pmdk[key]:.2f}" if ours is not None else "—"
        else:
            theirs_cell, ratio_cell = "pending", "—"
        size_cell = human_size(param, objects=label.startswith("open"))
        print(f"| {label} | {mode} | {size_cell} | {threads} | {ours_cell} | {theirs_cell} | {ratio_cell} |")

    rest = sorted(k for k in pmdk if k not in used)
    if rest:
        print()
        print("PMDK rows without a counterpart of ours in this run:")
        print()
        print("| benchmark | mode | param | threads | PMDK ns/op |")
        print("| --- | --- | ---: | ---: | ---: |")
        for bench, mode, param, threads in rest:
            print(f"| {bench} | {mode} | {param} | {threads} | {fmt_ns(pmdk[(bench, mode, param, threads)])} |")


if __name__ == "__main__":
    main()
