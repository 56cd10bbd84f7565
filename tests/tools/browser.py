#!/usr/bin/env python3
"""browser.py: a page in headless chromium, driven over the DevTools
protocol on a pipe (--remote-debugging-pipe: commands on fd 3, answers on
fd 4, each a JSON message ended by a NUL byte), so a test can ask the page
what it laid out at a given width, not only what its HTML says.

usage: browser.py URL [--width W] [--height H] [--screenshot PNG]
                  [--eval JS]... [--timeout SECONDS]

Loads URL in a viewport of W x H CSS pixels (a phone's, with touch, when W
is under 600), the browser's cache off, waits for the load event, then
prints one JSON object: "load_ms" (navigation start to the end of the load
event, from the page's own Navigation Timing), "full_ms" (to the last
response, once every image the layout displays is loaded, lazy ones
included, for at most 10 s), "unloaded" (displayed images still loading
then), "bytes" (the encoded bodies of the page and its resources),
"requests" and "eval" (each JS expression's value, in order; a promise is
awaited). --screenshot saves the whole page as a PNG. Exits 1 with a
message on any failure, and never runs longer than --timeout (default 60)
seconds.
"""
import argparse
import base64
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time


class Browser:
    def __init__(self, deadline):
        self.deadline = deadline
        self.next_id = 0
        self.buf = b""
        self.events = []
        self.profile = tempfile.mkdtemp(prefix="benchgate-chromium.")
        cmd_r, self.cmd_w = os.pipe()
        self.out_r, out_w = os.pipe()
        exe = shutil.which("chromium") or shutil.which("chromium-browser")
        if exe is None:
            raise RuntimeError("chromium is not installed: run 'make deps' (Debian package chromium)")

        # os.pipe's ends close on exec; dup2 to a new number makes an inheritable
        # copy, but not onto itself: first move both out of the way
        def fds():
            r, w = os.dup(cmd_r), os.dup(out_w)
            os.dup2(r, 3)
            os.dup2(w, 4)

        self.proc = subprocess.Popen(
            [exe, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-default-apps", "--no-first-run", "--disable-dev-shm-usage",
             "--disable-breakpad", "--no-pings", "--hide-scrollbars", "--mute-audio",
             "--user-data-dir=" + self.profile, "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=sys.stderr if os.environ.get("BROWSER_DEBUG") else subprocess.DEVNULL,
            close_fds=False, preexec_fn=fds)
        os.close(cmd_r)
        os.close(out_w)

    def close(self):
        try:
            self.send("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.cmd_w)
        os.close(self.out_r)
        shutil.rmtree(self.profile, ignore_errors=True)

    def _read_message(self):
        while b"\0" not in self.buf:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError("chromium did not answer in time")
            ready, _, _ = select.select([self.out_r], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.out_r, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.cmd_w, json.dumps(msg).encode() + b"\0")
        while True:
            m = self._read_message()
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, method, session):
        while True:
            for i, m in enumerate(self.events):
                if m.get("method") == method and m.get("sessionId") == session:
                    return self.events.pop(i)
            self.events.append(self._read_message())


# [load event end, last response end once every displayed image is done,
# encoded bytes of the page and its resources, requests, displayed images
# still not loaded 10 s later], or null before the load event has ended
TIMING = """(async () => {
    const n = performance.getEntriesByType('navigation')[0];
    if (!n || !(n.loadEventEnd > 0))
        return null;
    const shown = [...document.images].filter(i => i.getClientRects().length);
    await Promise.race([
        Promise.all(shown.filter(i => !i.complete).map(i => new Promise(done => {
            i.addEventListener('load', done);
            i.addEventListener('error', done); }))),
        new Promise(done => setTimeout(done, 10000))]);
    const res = performance.getEntriesByType('resource');
    return [n.loadEventEnd, res.reduce((t, r) => Math.max(t, r.responseEnd), n.loadEventEnd),
            n.encodedBodySize + res.reduce((t, r) => t + r.encodedBodySize, 0), 1 + res.length,
            shown.filter(i => !i.complete).length];
})()"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=900)
    ap.add_argument("--screenshot")
    ap.add_argument("--eval", action="append", default=[])
    ap.add_argument("--timeout", type=float, default=60)
    a = ap.parse_args()
    b = Browser(time.monotonic() + a.timeout)
    try:
        target = b.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        s = b.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        b.send("Page.enable", session=s)
        b.send("Network.enable", session=s)
        b.send("Network.setCacheDisabled", {"cacheDisabled": True}, session=s)
        phone = a.width < 600
        b.send("Emulation.setDeviceMetricsOverride",
               {"width": a.width, "height": a.height, "deviceScaleFactor": 1, "mobile": phone},
               session=s)
        if phone:
            b.send("Emulation.setTouchEmulationEnabled", {"enabled": True}, session=s)
        nav = b.send("Page.navigate", {"url": a.url}, session=s)
        if nav.get("errorText"):
            raise RuntimeError("cannot load %s: %s" % (a.url, nav["errorText"]))
        b.wait_event("Page.loadEventFired", s)
        # the load event's own end is set once its handlers return: read it after.
        # Lazy images the layout shows may still be loading then: "full_ms" waits
        # for every image the page displays (loaded or failed), and ends at the
        # last response
        timing = None
        for _ in range(100):
            timing = b.send("Runtime.evaluate", {"expression": TIMING, "returnByValue": True,
                                                 "awaitPromise": True}, session=s)["result"].get("value")
            if timing:
                break
            time.sleep(0.01)
        if not timing:
            raise RuntimeError("the page's load event never ended")
        values = []
        for expr in a.eval:
            r = b.send("Runtime.evaluate", {"expression": expr, "returnByValue": True,
                                            "awaitPromise": True}, session=s)
            if "exceptionDetails" in r:
                raise RuntimeError("%s: %s" % (expr, r["exceptionDetails"].get("text")))
            values.append(r["result"].get("value"))
        if a.screenshot:
            shot = b.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True},
                          session=s)
            with open(a.screenshot, "wb") as f:
                f.write(base64.b64decode(shot["data"]))
        print(json.dumps({"load_ms": round(timing[0], 1), "full_ms": round(timing[1], 1),
                          "bytes": timing[2], "requests": timing[3], "unloaded": timing[4],
                          "eval": values}))
    except RuntimeError as e:
        print("browser.py: %s" % e, file=sys.stderr)
        return 1
    finally:
        b.close()
    return 0


sys.exit(main())
