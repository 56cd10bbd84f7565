#!/bin/sh
# bench/load.sh: the server under a mixed load (make load). On 127.0.0.1 only.
#
# wrk, 2 threads x 16 connections, LOAD_SECONDS (default 60) against
# `benchgate serve --threads 2` holding 30 runs of 50 benchmarks: of every 20
# requests, 1 uploads a run (a new commit each time, so every page's data
# keeps changing), 9 view dashboard pages (project, benchmark, run, chart),
# and 10 read the JSON API. Reports requests served, answers other than
# 2xx, socket errors, p99 latency, and the server's RSS after a warm-up and
# at the end. Fails (exit 1) on any error answer, on a crash, or when RSS grew
# by more than LOAD_RSS_MB (default 160): the answer and chart caches hold at
# most 64 MiB each, so growth past them and some slack is a leak.
#
# usage: BENCHGATE=/abs/benchgate SYNTH=/abs/synth sh bench/load.sh
set -eu
: "${BENCHGATE:?set BENCHGATE to the benchgate binary}"
: "${SYNTH:?set SYNTH to the synthetic-run generator}"
secs=${LOAD_SECONDS:-60}
rss_bound=${LOAD_RSS_MB:-160}
command -v wrk > /dev/null 2>&1 || { echo "load: wrk is missing (apt-get install wrk)"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/benchgate-load.XXXXXX")
pid=
cleanup() {
    [ -z "$pid" ] || { kill -TERM "$pid" 2>/dev/null || :; wait "$pid" 2>/dev/null || :; }
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "load: $*" >&2; exit 1; }

db=$tmp/load.db
i=1
while [ "$i" -le 30 ]; do
    "$SYNTH" "$i" 50 10 0 0.02 > "$tmp/run.json"
    "$BENCHGATE" collect -q --db "$db" --project load --branch main --commit $((3000000 + i)) \
        --timestamp $((1700000000 + 3600 * i)) --meta compiler=none "$tmp/run.json"
    i=$((i + 1))
done
token=$("$BENCHGATE" token create --project load --db "$db" | tail -n 1)
"$SYNTH" 99 50 10 0 0.02 > "$tmp/upload.json"

"$BENCHGATE" serve --listen 127.0.0.1:0 --db "$db" --threads 2 > "$tmp/serve.out" \
    2> "$tmp/serve.log" &
pid=$!
port=
n=0
while [ -z "$port" ]; do
    port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$tmp/serve.out")
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || fail "the server did not start: $(tail -n 3 "$tmp/serve.log")"
    n=$((n + 1))
    [ "$n" -lt 100 ] || fail "the server printed no listening line in 10 s"
    sleep 0.1
done
base=http://127.0.0.1:$port

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; }

cat > "$tmp/mix.lua" <<EOF
local f = assert(io.open("$tmp/upload.json", "rb"))
local doc = f:read("*a")
f:close()
local gets = {
  "/p/load", "/p/load/b/bench-0007", "/p/load/runs/30", "/p/load/b/bench-0012/chart.svg",
  "/p/load/b/bench-0003/spark.svg?metric=time&branch=main", "/", "/p/load?sort=change",
  "/p/load/b/bench-0031?x=time", "/p/load/runs/12",
  "/api/v1/projects", "/api/v1/projects/load/benchmarks", "/api/v1/projects/load/runs?limit=20",
  "/api/v1/projects/load/runs/29", "/api/v1/projects/load/benchmarks/bench-0001/history",
  "/api/v1/projects/load/benchmarks/bench-0020/history?limit=10", "/healthz", "/metrics",
  "/api/v1/projects/load/runs?branch=main", "/api/v1/projects/load/benchmarks/bench-0044/history",
}
local n, commit = 0, 0
function init(args) commit = math.random(1, 1000000) * 1000 end
function request()
  n = n + 1
  if n % 20 == 0 then
    commit = commit + 1
    return wrk.format("POST", "/api/v1/projects/load/runs?commit=" .. string.format("%x", commit),
                      { ["Authorization"] = "Bearer $token",
                        ["Content-Type"] = "application/json" }, doc)
  end
  return wrk.format("GET", gets[(n % 20)])
end
EOF

# warm-up: every page once, then the RSS to compare with
wrk -t2 -c16 -d5s -s "$tmp/mix.lua" "$base" > "$tmp/warm.txt" 2>&1 || fail "wrk failed: $(cat "$tmp/warm.txt")"
rss0=$(rss_kb)
wrk -t2 -c16 -d"${secs}s" --latency -s "$tmp/mix.lua" "$base" > "$tmp/wrk.txt" 2>&1 ||
    fail "wrk failed: $(cat "$tmp/wrk.txt")"
kill -0 "$pid" 2>/dev/null || fail "the server died under load: $(tail -n 5 "$tmp/serve.log")"
rss1=$(rss_kb)

total=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' "$tmp/wrk.txt")
rate=$(sed -n 's/^Requests\/sec: *//p' "$tmp/wrk.txt")
p99=$(sed -n 's/^ *99% *//p' "$tmp/wrk.txt")
bad=$(sed -n 's/.*Non-2xx or 3xx responses: *//p' "$tmp/wrk.txt")
sockerr=$(sed -n 's/.*Socket errors: *//p' "$tmp/wrk.txt")
uploads=$(grep -c ' POST /api/v1/projects/load/runs 201 ' "$tmp/serve.log" || :)
errors=$(grep -c ' error: ' "$tmp/serve.log" || :)
echo "load: ${secs} s, wrk -t2 -c16, benchgate serve --threads 2, 1 upload : 9 pages : 10 API"
echo "  requests served   $total ($rate/s), of which uploads stored: $uploads"
echo "  non-2xx answers   ${bad:-0}; socket errors: ${sockerr:-none}; server errors logged: $errors"
echo "  p99 latency       $p99"
echo "  RSS               $((rss0 / 1024)) MiB after warm-up, $((rss1 / 1024)) MiB at the end (bound: +$rss_bound MiB)"
[ -z "$bad" ] || fail "$bad answers were not 2xx"
[ "$errors" -eq 0 ] || fail "the server logged errors: $(grep ' error: ' "$tmp/serve.log" | head -n 3)"
[ $((rss1 - rss0)) -le $((rss_bound * 1024)) ] || fail "RSS grew by $(((rss1 - rss0) / 1024)) MiB"
kill -TERM "$pid"
wait "$pid" || fail "the server did not stop cleanly"
pid=
