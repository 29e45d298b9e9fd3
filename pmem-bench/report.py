#!/usr/bin/env python3
"""Joins one run's JMH results with the PMDK baseline into markdown tables.

Usage: report.py RESULTS_DIR
Reads RESULTS_DIR/pmdk.csv (lines "pmdk,<benchmark>,<mode>,<param>,<threads>,<ns_per_op>") and the
JMH JSON files that run-benchmarks.sh writes there (alloc-t*.json, tx-t*.json, open-warm.json,
open-cold.json, recovery.json, recovery-pretouch.json). Prints on stdout the comparison table (the ratio is ours / PMDK:
below 1 we are faster), the PMDK rows without a counterpart, and the recovery table (ours only:
recovery time with little and much live data, and the ratio between them).
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
# (order, label, JMH method, PMDK benchmark)
ALLOC = ((0, "alloc-free", "allocateFree", "alloc-free"),
         (1, "alloc-into-free (published)", "allocateIntoFree", "alloc-into-free"))
# (order, label, JMH method, sizes, PMDK benchmark); allocFreePair has no size parameter (256 B).
TX = ((2, "tx-snapshot", "snapshotWrite", (64, 4096), "tx-snapshot"),
      (3, "tx-alloc (alloc tx + free tx, per pair)", "allocFreePair", (256,), "tx-alloc"))
OPEN = ((4, "open-time (fresh JVM / exec'd process)", "open-cold.json", "open-time"),
        (5, "open-time-inproc (reopen in a warm process)", "open-warm.json", "open-time-inproc"))
LIVE_MIB = (10, 100, 1024)


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


def loop_results(results_dir, pattern, default_size=None):
    """{(method, mode, size, threads): (ns, error ns or None)} from average-time JMH files."""
    found = {}
    for path in results_dir.glob(pattern):
        for r in load_jmh(path):
            size = int(r["params"].get("size", default_size))
            key = (method_of(r), r["params"]["durability"].lower(), size, r["threads"])
            err = r["primaryMetric"]["scoreError"]
            err = ns_of(r, err) if isinstance(err, (int, float)) and not math.isnan(err) else None
            found[key] = (ns_of(r, r["primaryMetric"]["score"]), err)
    return found


def our_rows(results_dir):
    """Rows (sort key, label, mode, param, threads, ours ns or None if failed, error ns, PMDK key)."""
    rows = []
    found = loop_results(results_dir, "alloc-t*.json")
    for order, label, method, pmdk_bench in ALLOC:
        for m, mode in enumerate(MODES):
            for size in SIZES:
                for threads in THREADS:
                    ours, err = found.get((method, mode, size, threads), (None, None))
                    rows.append(((order, m, size, threads), label, mode, size, threads, ours, err,
                                 (pmdk_bench, mode, size, threads)))
    found = loop_results(results_dir, "tx-t*.json", default_size=256)
    for order, label, method, sizes, pmdk_bench in TX:
        for m, mode in enumerate(MODES):
            for size in sizes:
                for threads in THREADS:
                    ours, err = found.get((method, mode, size, threads), (None, None))
                    rows.append(((order, m, size, threads), label, mode, size, threads, ours, err,
                                 (pmdk_bench, mode, size, threads)))
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
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale and n % scale == 0:
            return f"{n // scale} {unit}"
    return f"{n} B"


def fmt_ns(ns):
    return f"{ns:,.1f}" if ns < 10_000 else f"{ns:,.0f}"


def fmt_ms(ns):
    return f"{ns / 1e6:,.2f}"


# (file, label of the JVM heap it ran with, live sizes run-benchmarks.sh asks for in it)
RECOVERY = (("recovery.json", "default", LIVE_MIB),
            ("recovery-pretouch.json", "pre-touched", (LIVE_MIB[0], LIVE_MIB[-1])))


def recovery_shots(path):
    """{(mode, liveMiB, txSpanMiB): (open ns per shot, report ns per shot, cpu ns per shot, poolMiB)}."""
    shots = {}
    for r in load_jmh(path):
        p = r["params"]
        key = (p["durability"].lower(), int(p["liveMiB"]), p.get("txSpanMiB", "all"))

        def aux(name):  # already ns, one value per shot
            raw = r.get("secondaryMetrics", {}).get(name, {}).get("rawData", [])
            return [v for fork in raw for v in fork]

        opens = [ns_of(r, v) for fork in r["primaryMetric"]["rawData"] for v in fork]
        shots[key] = (opens, aux("recoveryNanos"), aux("openCpuNanos"), p.get("poolMiB"))
    return shots


def median_ms(values):
    return fmt_ms(statistics.median(values)) if values else "n/a"


def ratio_of(values, base):
    return f"{statistics.median(values) / statistics.median(base):.2f}" if values and base else "—"


def recovery_table(results_dir):
    """Recovery after a crash, by live data: JMH's single shots of PmemPool.open, the pool's own
    RecoveryReport.time and the opening thread's CPU time (secondary results, one per shot)."""
    runs = [(heap, expected, recovery_shots(results_dir / name)) for name, heap, expected in RECOVERY]
    if not any(shots for _, _, shots in runs):
        return
    print()
    print("Recovery after a crash (ours; one interrupted transaction rolled back per shot; medians, in ms; "
          "ratio = this row / the 10 MiB row of the same mode and heap; tx span = how much of the live "
          "data the interrupted transaction's blocks are spread over; heap pre-touched = "
          "-Xms2g -Xmx2g -XX:+AlwaysPreTouch):")
    print()
    print("| JVM heap | mode | live data | tx span | pool | shots | open | open, min - max "
          "| RecoveryReport.time | opening thread's CPU | ratio (open) | ratio (report) |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for heap, expected, shots in runs:
        if not shots:
            continue
        for mode in MODES:
            if not any(k[0] == mode for k in shots):
                continue  # a mode this file was not run in
            base = shots.get((mode, LIVE_MIB[0], "all"), ([], [], [], None))
            # The matrix run-benchmarks.sh asks for, plus whatever else the file holds. A span that
            # covers all the live data is the same configuration as "all": not repeated.
            keys = {(live, "all") for live in expected} | {k[1:] for k in shots if k[0] == mode}
            keys = sorted((k for k in keys if k[1] == "all" or int(k[1]) < k[0]),
                          key=lambda k: (k[1] != "all", k[0]))
            for live, span in keys:
                span_cell = "all" if span == "all" else human_size(int(span) << 20, False)
                live_cell = human_size(live << 20, False)
                opens, reports, cpus, pool_mib = shots.get((mode, live, span), ([], [], [], None))
                if not opens:
                    print(f"| {heap} | {mode} | {live_cell} | {span_cell} | | 0 | failed | | | | — | — |")
                    continue
                pool_cell = human_size(int(pool_mib) << 20, False) if pool_mib else ""
                print(f"| {heap} | {mode} | {live_cell} | {span_cell} | {pool_cell} | {len(opens)} "
                      f"| {median_ms(opens)} | {fmt_ms(min(opens))} - {fmt_ms(max(opens))} "
                      f"| {median_ms(reports)} | {median_ms(cpus)} "
                      f"| {ratio_of(opens, base[0])} | {ratio_of(reports, base[1])} |")


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
        if key in pmdk:
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

    recovery_table(results_dir)


if __name__ == "__main__":
    main()
