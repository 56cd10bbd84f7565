#!/usr/bin/env python3
"""github_stub.py: a stand-in for the part of GitHub's REST API that
`benchgate comment` uses, for the tests: loopback only, on a port the kernel
picks (written to PORT_FILE once listening), every request recorded as one
JSON line in LOG (method, path, authorization header, body).

    github_stub.py PORT_FILE LOG [MODE]

MODE: ok (default) keeps comments in memory as GitHub would; forbidden
answers 403 to every write, as to a fork's read-only token; broken answers
500 to everything. The test stops it by its PID.
"""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

port_file, log_path = sys.argv[1], sys.argv[2]
mode = sys.argv[3] if len(sys.argv) > 3 else "ok"
comments = {}  # id -> {"id", "body", "issue"}
next_id = [1000]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def record(self, body):
        with open(log_path, "a") as f:
            f.write(json.dumps({"method": self.command, "path": self.path,
                                "authorization": self.headers.get("Authorization"),
                                "user_agent": self.headers.get("User-Agent"),
                                "body": body}) + "\n")

    def answer(self, status, doc):
        data = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n).decode() if n else None
        body = json.loads(raw) if raw else None
        self.record(body)
        if mode == "broken":
            return self.answer(500, {"message": "Server Error"})
        parts = self.path.split("?")[0].strip("/").split("/")
        write = self.command != "GET"
        if mode == "forbidden" and write:
            return self.answer(403, {"message": "Resource not accessible by integration"})
        # repos/O/R/issues/N/comments
        if len(parts) == 6 and parts[3] == "issues" and parts[5] == "comments":
            issue = int(parts[4])
            if self.command == "GET":
                query = parse_qs(urlsplit(self.path).query)
                page = int(query.get("page", ["1"])[0])
                mine = [c for c in sorted(comments.values(), key=lambda c: c["id"])
                        if c["issue"] == issue]
                return self.answer(200, mine[(page - 1) * 100:page * 100])
            if self.command == "POST":
                next_id[0] += 1
                c = {"id": next_id[0], "body": body["body"], "issue": issue}
                comments[c["id"]] = c
                return self.answer(201, c)
        # repos/O/R/issues/comments/ID
        if len(parts) == 6 and parts[3] == "issues" and parts[4] == "comments":
            c = comments.get(int(parts[5]))
            if c is None or self.command != "PATCH":
                return self.answer(404, {"message": "Not Found"})
            c["body"] = body["body"]
            return self.answer(200, c)
        # repos/O/R/pulls/N: the pull request's head (STUB_PR_HEAD)
        if len(parts) == 5 and parts[3] == "pulls" and self.command == "GET":
            return self.answer(200, {"number": int(parts[4]), "head": {
                "sha": os.environ.get("STUB_PR_HEAD", "2" * 40)}})
        if len(parts) == 4 and parts[3] == "check-runs" and self.command == "POST":
            return self.answer(201, {"id": 1, "name": body["name"]})
        return self.answer(404, {"message": "Not Found"})

    do_GET = do_POST = do_PATCH = handle_any


server = HTTPServer(("127.0.0.1", 0), Handler)
# comments made before a test's first run: other people's, and a long list
for i in range(int(sys.argv[4]) if len(sys.argv) > 4 else 0):
    next_id[0] += 1
    comments[next_id[0]] = {"id": next_id[0], "body": "LGTM %d" % i, "issue": 7}
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
