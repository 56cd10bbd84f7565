#!/usr/bin/env python3
"""project.py: a seeded synthetic project's runs, as benchgate run documents.

usage: project.py DIR RUNS BENCHMARKS [SAMPLES]

Writes DIR/run-NNN.json for runs 1..RUNS of BENCHMARKS benchmarks named by
prefix ("parser/case-000", "render/case-001", ...), SAMPLES samples each
(default 10), 2% noise within a run and 1% from run to run. What a
dashboard must find in it, by design:
  - render/case-001 steps up 25% from run RUNS*0.6+1 (run 121 of 200) and
    stays there: a change point, "unchanged" in the newest run;
  - in the newest run, three benchmarks regress by 40%: those at rows 4,
    78 and 151 of the run (indexes 3, 77 and 150), when there are that many.
The same arguments write the same files on every machine.
"""
import json
import os
import random
import sys

GROUPS = ["parser", "render", "io", "net", "db", "cache"]


def name(i):
    return "%s/case-%03d" % (GROUPS[i % len(GROUPS)], i)


def main():
    out, runs, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    samples = int(sys.argv[4]) if len(sys.argv) > 4 else 10
    step_at = int(runs * 0.6) + 1
    regressed = [i for i in (3, 77, 150) if i < n]
    os.makedirs(out, exist_ok=True)
    for run in range(1, runs + 1):
        rng = random.Random(run * 1000003 + n)
        machine = 1 + rng.gauss(0, 0.01)
        results = []
        for i in range(n):
            level = (1 + i % 7) * 1e6 * machine * (1 + rng.gauss(0, 0.01))
            if i == 1 and run >= step_at:
                level *= 1.25
            if run == runs and i in regressed:
                level *= 1.40
            results.append({"name": name(i), "metric": "time", "unit": "ns",
                            "direction": "lower",
                            "samples": [round(level * max(0.1, 1 + rng.gauss(0, 0.02)), 1)
                                        for _ in range(samples)]})
        with open(os.path.join(out, "run-%03d.json" % run), "w") as f:
            json.dump({"benchgate": 1, "results": results}, f)


main()
