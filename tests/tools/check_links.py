#!/usr/bin/env python3
"""check_links.py DIR: every link in a published dashboard's HTML and SVG
files (href, src) either leaves the site (http:, https:, mailto:, a bare
#fragment) or is relative and names a file that exists under DIR. Prints
each broken link and exits 1 when there is one; prints the count checked."""
import html
import os
import re
import sys
from urllib.parse import unquote, urlsplit

root = os.path.realpath(sys.argv[1])
attr = re.compile(r'(?:href|src)="([^"]*)"')
broken, checked = [], 0
for dirpath, _, files in os.walk(root):
    for name in files:
        if not name.endswith((".html", ".svg")):
            continue
        path = os.path.join(dirpath, name)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for raw in attr.findall(text):
            link = html.unescape(raw)
            parts = urlsplit(link)
            if parts.scheme in ("http", "https", "mailto") or link.startswith("#"):
                continue
            checked += 1
            if link.startswith("/") or parts.scheme or parts.query:
                broken.append(f"{path}: {link}: not a relative link to a file")
                continue
            target = os.path.realpath(os.path.join(dirpath, unquote(parts.path)))
            if not target.startswith(root + os.sep) or not os.path.isfile(target):
                broken.append(f"{path}: {link}: no such file")
for b in broken[:20]:
    print(b)
print(f"{checked} links checked, {len(broken)} broken")
sys.exit(1 if broken else 0)
