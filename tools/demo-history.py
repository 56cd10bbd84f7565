#!/usr/bin/env python3
"""demo-history.py: writes samples/history/ for `make demo` (run once; the
output is committed, so the demo needs no Python).

Nineteen earlier runs of main, made from the real hyperfine output in
samples/hyperfine-main.json: every sample is scaled by a small deterministic
jitter, and in runs 1-7 render-page is 15% slower than it is now (a speed-up
merged at run 8, which the dashboard marks as a change point). The twentieth
main run is hyperfine-main.json itself. Also writes runs.txt: one line per
run, FILE COMMIT TIMESTAMP, oldest first.
"""
import hashlib
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
samples = os.path.join(here, "..", "samples")
out_dir = os.path.join(samples, "history")
base = json.load(open(os.path.join(samples, "hyperfine-main.json")))
last_ts = 1763800000  # the timestamp demo.sh gives hyperfine-main.json
os.makedirs(out_dir, exist_ok=True)
lines = []
for i in range(1, 20):
    doc = json.loads(json.dumps(base))
    for k, r in enumerate(doc["results"]):
        slow = 1.15 if (r["command"] == "render-page" and i <= 7) else 1.0
        times = [t * slow * (1 + 0.004 * (((i * 7 + j * 3 + k) % 9) - 4)) for j, t in
                 enumerate(r["times"])]
        r["times"] = times
        s = sorted(times)
        n = len(s)
        r["mean"] = sum(times) / n
        r["median"] = (s[(n - 1) // 2] + s[n // 2]) / 2
        r["min"], r["max"] = s[0], s[-1]
        r["stddev"] = (sum((t - r["mean"]) ** 2 for t in times) / (n - 1)) ** 0.5
    name = "main-%02d.json" % i
    with open(os.path.join(out_dir, name), "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    commit = hashlib.sha1(("benchgate demo run %d" % i).encode()).hexdigest()
    lines.append("%s %s %d" % (name, commit, last_ts - 86400 * (20 - i)))
with open(os.path.join(out_dir, "runs.txt"), "w") as f:
    f.write("\n".join(lines) + "\n")
sys.exit(0)
