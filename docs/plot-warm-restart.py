#!/usr/bin/env python3
"""Draws docs/warm-restart.png from docs/warm-restart.csv (the lines run-warm-restart-bench.sh
appends to demo-app/target/warm-restart-bench/results.csv).

    python3 docs/plot-warm-restart.py [CSV] [PNG]

Needs matplotlib (Debian: apt-get install python3-matplotlib; run it with /usr/bin/python3).
One panel per entry count: for each cache, after kill -9 and after a clean stop, the time from
process start until the whole set was served, cut into the cache's own part (pool open, JCache
manager, Redis client beans and redis-server's reload), the rest of the framework's start-up, and
serving the set; the back-end calls on the way are written on the bars. A last panel: the cache's
own part against the entry count.
"""
import csv
import math
import sys
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

here = Path(__file__).resolve().parent
src = Path(sys.argv[1]) if len(sys.argv) > 1 else here / "warm-restart.csv"
out = Path(sys.argv[2]) if len(sys.argv) > 2 else here / "warm-restart.png"

CACHES = ["pmem", "caffeine", "ehcache", "redis"]
LABELS = {"pmem": "pmem", "caffeine": "Caffeine", "ehcache": "Ehcache", "redis": "Redis"}
COLORS = {"pmem": "#1b7837", "caffeine": "#762a83", "ehcache": "#e08214", "redis": "#c51b7d"}
STOPS = ["kill", "clean"]


def num(v):
    return 0.0 if v in ("", "NaN") else float(v)


rows = {}
for r in csv.DictReader(src.open()):
    # the last run of a (cache, entries, stop) wins
    rows[(r["cache"], int(r["entries"]), r["stop"])] = r
sizes = sorted({k[1] for k in rows})

ncols = 2
nrows = math.ceil((len(sizes) + 1) / ncols)
fig, grid = plt.subplots(nrows, ncols, figsize=(13, 5 * nrows), squeeze=False)
axes = list(grid.flat)[: len(sizes) + 1]
for extra in list(grid.flat)[len(sizes) + 1:]:
    extra.set_visible(False)
for ax, n in zip(axes, sizes):
    x = 0
    ticks, labels = [], []
    latency = None
    for cache in CACHES:
        for stop in STOPS:
            r = rows.get((cache, n, stop))
            if r is None:
                x += 1
                continue
            latency = r["latency_ms"]
            own = (num(r["cache_beans_ms"]) + num(r["server_load_ms"])) / 1e3
            framework = (num(r["start_to_ready_ms"]) - num(r["cache_beans_ms"])) / 1e3
            serve = num(r["ready_to_done_ms"]) / 1e3
            ax.bar(x, framework, color="#bdbdbd", edgecolor="black", linewidth=0.4)
            ax.bar(x, own, bottom=framework, color="black", edgecolor="black", linewidth=0.4)
            ax.bar(x, serve, bottom=framework + own, color=COLORS[cache], edgecolor="black", linewidth=0.4,
                   hatch="//" if stop == "kill" else None)
            calls = int(r["backend_calls"])
            ax.text(x, framework + own + serve, f"{calls:,}", ha="center", va="bottom", fontsize=7)
            ticks.append(x)
            labels.append(f"{LABELS[cache]}\n{'kill' if stop == 'kill' else 'clean'}")
            x += 1
        x += 0.5
    ax.set_xticks(ticks)
    ax.set_xticklabels(labels, fontsize=8)
    ax.set_title(f"{n:,} entries (back end {latency} ms)")
    ax.set_ylabel("process start to whole set served (s)")
    ax.set_ylim(0, ax.get_ylim()[1] * 1.4)

legend = [
    plt.Rectangle((0, 0), 1, 1, color="#bdbdbd", ec="black", lw=0.4, label="framework start-up"),
    plt.Rectangle((0, 0), 1, 1, color="black", label="cache's own open / recovery"),
    plt.Rectangle((0, 0), 1, 1, fc="white", ec="black", lw=0.4, label="serving the set (colour: cache)"),
    plt.Rectangle((0, 0), 1, 1, fc="white", ec="black", lw=0.4, hatch="//", label="hatched: after kill -9"),
]
for ax in axes[:-1]:
    ax.annotate("on the bars: back-end calls after the restart", (0.02, 0.97), xycoords="axes fraction",
                fontsize=7, va="top")
axes[0].legend(handles=legend, fontsize=7, loc="upper left", bbox_to_anchor=(0, 0.93))

ax = axes[-1]
for cache in CACHES:
    for stop in STOPS:
        pts = [(n, (num(rows[(cache, n, stop)]["cache_beans_ms"]) + num(rows[(cache, n, stop)]["server_load_ms"])))
               for n in sizes if (cache, n, stop) in rows]
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", color=COLORS[cache],
                    linestyle="--" if stop == "kill" else "-",
                    label=f"{LABELS[cache]}, {'kill -9' if stop == 'kill' else 'clean'}")
    # the part that is the stored data's: pmem's pool open + recovery, redis-server's AOF reload
    only = {"pmem": ("pool_open_ms", "pmem pool open + recovery only"),
            "redis": ("server_load_ms", "redis-server reload only")}
    if cache in only:
        column, text = only[cache]
        for stop in STOPS:
            pts = [(n, num(rows[(cache, n, stop)][column])) for n in sizes if (cache, n, stop) in rows]
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="x", color=COLORS[cache], alpha=0.5,
                    linestyle="--" if stop == "kill" else "-",
                    label=f"{text}, {'kill -9' if stop == 'kill' else 'clean'}")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel("entries")
ax.set_ylabel("cache's own part of the restart (ms)")
ax.set_title("cache's own open / recovery")
ax.legend(fontsize=6.5, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.13))
ax.grid(True, which="both", alpha=0.3)

fig.suptitle("demo service warm restart: process start to whole working set served "
             "(2 vCPUs shared with other builds; one run per bar)", fontsize=10)
fig.tight_layout()
fig.savefig(out, dpi=110)
print(f"wrote {out}")
