#!/usr/bin/env python3
"""CPU samples per pass of each mode, by shared object: which library a mode's extra time is in.

Reads the pass trace `callers_bench` prints with CALLERS_TRACE=1 (lines "pass MODE START END",
CLOCK_MONOTONIC seconds) and the samples of `perf record -k CLOCK_MONOTONIC` over the same run,
and attributes each sample to the pass it falls in, so that modes timed in one process, their
passes alternated, are compared on the same host minute (comparing separate processes' CPU
time is at the mercy of this VM's speed, which moves 20-40% between minutes).

  CALLERS_TRACE=1 perf record -k CLOCK_MONOTONIC -F 1999 -o cb.data callers_bench ... 2> passes.txt
  perf script -i cb.data -F tid,time,ip,dso > samples.txt
  python3 bench/perf-by-mode.py passes.txt samples.txt
"""
import bisect
import collections
import re
import sys


def main(passes_path: str, samples_path: str) -> None:
    passes = []
    for line in open(passes_path):
        parts = line.split()
        if len(parts) == 4 and parts[0] == "pass":
            passes.append((float(parts[2]), float(parts[3]), parts[1]))
    passes.sort()
    starts = [p[0] for p in passes]
    count_by_mode = collections.Counter(p[2] for p in passes)
    samples = collections.defaultdict(collections.Counter)
    sample_line = re.compile(r"\s*\d+\s+([\d.]+):\s+\S+\s+\((.*)\)")
    for line in open(samples_path):
        m = sample_line.match(line)
        if not m:
            continue
        t = float(m.group(1))
        i = bisect.bisect_right(starts, t) - 1
        if i < 0 or t > passes[i][1]:
            continue  # between passes (the harness, the load)
        samples[passes[i][2]][m.group(2).split("/")[-1]] += 1
    objects = sorted({o for c in samples.values() for o in c}, key=lambda o: -sum(c[o] for c in samples.values()))[:6]
    base = samples.get("all")
    print(f"{'mode':14s} {'passes':>6s} {'total':>8s} " + " ".join(f"{o[:20]:>20s}" for o in objects))
    for mode, c in samples.items():
        n = count_by_mode[mode]
        total = sum(c.values()) / n
        cells = []
        for o in objects:
            v = c[o] / n
            rel = f" ({v / (base[o] / count_by_mode['all']):.3f})" if base and base[o] else ""
            cells.append(f"{v:9.1f}{rel:>11s}")
        rel_total = f" ({total / (sum(base.values()) / count_by_mode['all']):.3f})" if base else ""
        print(f"{mode:14s} {n:6d} {total:8.1f}{rel_total} " + " ".join(cells))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
