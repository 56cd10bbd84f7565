#!/usr/bin/env python3
"""crawl.py: follows every link of a benchgate server's pages, from the
given paths, and says what each answered.

usage: crawl.py BASE_URL PATH... [--max N] [--seconds S] [--workers W]

Fetches each path, and every same-site URL its HTML or Atom names in an
href or src (anchors, images, stylesheets, feed links) once, breadth first,
with W requests at a time (default 2). Prints one line of counts by status
and content type, then a line per answer that was not 200, naming the page
that linked to it. Exits 1 when any answer was not 200, or when the crawl
was cut short by --max (default 5000) or --seconds (default 240).
"""
import argparse
import collections
import concurrent.futures
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser


class Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("href", "src") and v:
                self.found.append(v)

    handle_startendtag = handle_starttag


def fetch(base, path):
    req = urllib.request.Request(base + path, headers={"Accept": "text/html,*/*"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--max", type=int, default=5000)
    ap.add_argument("--seconds", type=float, default=240)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    host = urllib.parse.urlsplit(a.base).netloc
    seen = {p: "(start)" for p in a.paths}
    todo = collections.deque(a.paths)
    counts = collections.Counter()
    bad = []
    cut = None
    end = time.monotonic() + a.seconds
    with concurrent.futures.ThreadPoolExecutor(a.workers) as pool:
        while todo:
            if time.monotonic() > end:
                cut = "time ran out"
                break
            batch = [todo.popleft() for _ in range(min(len(todo), 4 * a.workers))]
            for path, (status, ctype, body) in zip(batch, pool.map(lambda p: fetch(a.base, p),
                                                                    batch)):
                kind = ctype.split(";")[0]
                counts["%d %s" % (status, kind)] += 1
                if status != 200:
                    bad.append("%d %s (linked from %s)" % (status, path, seen[path]))
                    continue
                if kind not in ("text/html", "application/atom+xml"):
                    continue
                p = Links()
                p.feed(body.decode("utf-8"))
                for link in p.found:
                    u = urllib.parse.urlsplit(urllib.parse.urljoin(a.base + path, link))
                    if u.scheme not in ("http", "https") or u.netloc != host:
                        continue  # a forge's commit page, a CI run: not ours to crawl
                    target = u.path + ("?" + u.query if u.query else "")
                    if target not in seen:
                        if len(seen) >= a.max:
                            cut = "more than %d URLs" % a.max
                            continue
                        seen[target] = path
                        todo.append(target)
    print("crawled %d URLs: %s" % (sum(counts.values()),
                                  ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
    for line in bad:
        print(line)
    if cut:
        print("cut short: %s" % cut)
    return 1 if bad or cut else 0


sys.exit(main())
