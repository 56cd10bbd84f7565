#!/bin/sh
# bench/server.sh: the server section of `make bench` (bench/run.sh runs it
# last; alone: BENCHGATE=/abs/benchgate SYNTH=/abs/synth sh bench/server.sh).
#
# wrk against a live `benchgate serve --threads 2` on 127.0.0.1 (a port the
# server picks), every figure a ratio to a reference measured in the same run,
# rounds interleaved so drift hits both alike:
#  1. GET .../benchmarks/parse/history?limit=1000 of a 1,000-point series, to
#     nginx serving a static file of the very same bytes (target: within 2x
#     of nginx's rate);
#  2. GET /healthz, to nginx serving a static file of the same bytes;
#  3. POST .../runs of one 100-benchmark x 10-sample run document, counting
#     201 answers only. nginx has nothing alike, so this one is a ratio to
#     benchgate's own /healthz rate. Each round uploads into a fresh database
#     (its own server), so rounds are alike and the read database stays as
#     it was.
#  4. GET /p/dash, a dashboard page of 100 benchmarks (50 a page, with their sparklines),
#     and GET /p/dash/b/bench-0050, a benchmark page with its chart, both of
#     30 runs and warm (charts cached), each to nginx serving the same bytes;
#  5. a cold chart: GET .../chart.svg from a server just started (nothing
#     cached: the queries, the change points and a gnuplot run), to a bare
#     gnuplot run of the very same script and data (kept once by a wrapper
#     given as --gnuplot). One request and one run per round.
#  6. a real project's dashboard: 300 benchmarks x 200 runs (tests/tools/project.py).
#     Its first page (50 rows, 50 sparklines) and its alerts page, warm, by
#     wrk, each to nginx serving the same bytes; the first page in headless
#     chromium (tests/tools/browser.py; skipped without chromium) at 1280 px,
#     its weight and the time to a full load (the last sparkline), warm and
#     from a fresh server, to nginx serving the page and every resource it
#     loads, byte for byte (targets: under 300 kB, under 1 s). The warm rounds
#     must start no gnuplot (benchgate_gnuplot_runs_total).
# Ratios are of medians and read as costs: reference rate / benchgate rate
# and benchgate p99 / reference p99, so 1 is parity and 2 twice the cost.
# Figures also go to out/times.txt (NAME SECONDS): 1 / rate as seconds per
# request, and the p99 latency. Skips (exit 0) when wrk, nginx or curl is
# missing; exits non-zero only when something failed to run, never on a ratio.
set -eu

: "${BENCHGATE:?set BENCHGATE to the benchgate binary, e.g. BENCHGATE=\$PWD/build/benchgate}"
: "${SYNTH:?set SYNTH to the synthetic-run generator, e.g. SYNTH=\$PWD/build/tests/synth}"
rounds=${BENCH_ROUNDS:-7}
secs=${BENCH_SERVER_SECONDS:-3}
wrk_opts="-t2 -c16 -d${secs}s --latency"

here=$(cd "$(dirname "$0")" && pwd)
out=$here/out
ref=$out/ref # built by bench/run.sh: times a whole process
mkdir -p "$out"

# ---- tools -----------------------------------------------------------------
nginx=$(command -v nginx 2>/dev/null || :)
[ -n "$nginx" ] || [ ! -x /usr/sbin/nginx ] || nginx=/usr/sbin/nginx
missing=
command -v wrk > /dev/null 2>&1 || missing="$missing wrk"
[ -n "$nginx" ] || missing="$missing nginx-light"
command -v curl > /dev/null 2>&1 || missing="$missing curl"
command -v gnuplot > /dev/null 2>&1 || missing="$missing gnuplot-nox"
command -v python3 > /dev/null 2>&1 || missing="$missing python3"
if [ -n "$missing" ]; then
    echo "server benchmark skipped: missing$missing; install with:"
    echo "  apt-get install wrk nginx-light curl gnuplot-nox python3"
    exit 0
fi

fail() { echo "bench: server: $*" >&2; exit 1; }
[ -x "$ref" ] || fail "$ref is missing: bench/run.sh builds it (make bench)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/benchgate-server.XXXXXX")
read_pid='' up_pid='' nginx_pid=''
cleanup() {
    for p in $read_pid $up_pid $nginx_pid; do
        kill -TERM "$p" 2>/dev/null || :
    done
    for p in $read_pid $up_pid $nginx_pid; do
        wait "$p" 2>/dev/null || :
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- servers ---------------------------------------------------------------
# start_serve DB [ARGS...]: benchgate serve on 127.0.0.1, a port of its choosing; sets
# started_pid and started_port. Its log (a line per request) goes to
# $tmp/serve.log, tallied at the end.
start_serve() {
    sdb=$1
    shift
    : > "$sdb.out" # before the job opens it: the loop below reads it
    "$BENCHGATE" serve --listen 127.0.0.1:0 --db "$sdb" --threads 2 "$@" > "$sdb.out" \
        2>> "$tmp/serve.log" &
    started_pid=$!
    started_port=
    n=0
    while [ -z "$started_port" ]; do
        started_port=$(sed -n 's|^benchgate .*: listening on http://127\.0\.0\.1:\([0-9][0-9]*\) .*|\1|p' \
            "$sdb.out")
        [ -z "$started_port" ] || break
        if ! kill -0 "$started_pid" 2>/dev/null; then
            tail -n 5 "$tmp/serve.log" >&2
            fail "benchgate serve --db $sdb exited before it listened"
        fi
        n=$((n + 1))
        [ "$n" -lt 100 ] || fail "benchgate serve --db $sdb printed no listening line in 10 s"
        sleep 0.1
    done
}

# stop_serve PID DB: SIGTERM, then it must exit 0 after "benchgate: stopped".
stop_serve() {
    kill -TERM "$1"
    rc=0
    wait "$1" || rc=$?
    if [ "$rc" -ne 0 ] || ! grep -q '^benchgate: stopped$' "$2.out"; then
        tail -n 5 "$tmp/serve.log" >&2
        fail "benchgate serve --db $2 did not stop cleanly on SIGTERM (exit status $rc)"
    fi
}

# alive PID WHAT: fails when a server is gone (a crash under load).
alive() {
    if ! kill -0 "$1" 2>/dev/null; then
        tail -n 5 "$tmp/serve.log" >&2
        fail "$2 died during the benchmark"
    fi
}

# ---- a 1,000-point history --------------------------------------------------
db=$tmp/read.db
i=1
while [ "$i" -le 1000 ]; do
    # compiler given, so collect spawns nothing (no git, no cc --version)
    printf '{"benchgate": 1, "results": [{"name": "parse", "metric": "time", "unit": "ns", "direction": "lower", "samples": [%d, %d, %d, %d, %d]}]}\n' \
        $((1000 + i % 17)) $((1010 + i % 13)) $((1020 + i % 11)) $((990 + i % 7)) $((1005 + i % 5)) |
        "$BENCHGATE" collect --db "$db" --project bench --branch main --commit $((1000000 + i)) \
            --timestamp $((1700000000 + 3600 * i)) --meta compiler=none -q - ||
        fail "benchgate collect failed on history run $i"
    i=$((i + 1))
done

# ---- dashboards: 100 benchmarks x 30 runs, in the same database -------------
i=1
while [ "$i" -le 30 ]; do
    "$SYNTH" "$i" 100 10 0 0.02 > "$tmp/dash-run.json" || fail "synth failed"
    "$BENCHGATE" collect --db "$db" --project dash --branch main --commit $((2000000 + i)) \
        --timestamp $((1700000000 + 3600 * i)) --meta compiler=none -q "$tmp/dash-run.json" ||
        fail "benchgate collect failed on dashboard run $i"
    i=$((i + 1))
done

# ---- a real project: 300 benchmarks x 200 runs, in the same database ----------
tools=$here/../tests/tools
python3 "$tools/project.py" "$tmp/big" 200 300 || fail "tests/tools/project.py failed"
i=1
while [ "$i" -le 200 ]; do
    "$BENCHGATE" collect --db "$db" --project big --branch main --commit "$(printf 'c%06x' "$i")" \
        --timestamp $((1700000000 + 3600 * i)) --meta compiler=none -q \
        "$tmp/big/run-$(printf %03d "$i").json" || fail "benchgate collect failed on big run $i"
    i=$((i + 1))
done
rm -rf "$tmp/big"

start_serve "$db"
read_pid=$started_pid
base=http://127.0.0.1:$started_port
history_url="$base/api/v1/projects/bench/benchmarks/parse/history?limit=1000"
healthz_url=$base/healthz

# The static files are the API's own answers, byte for byte.
www=$tmp/nginx/www
mkdir -p "$www" "$tmp/nginx/tmp"
code=$(curl -sS -o "$www/history.json" -w '%{http_code}' "$history_url")
[ "$code" = 200 ] || fail "GET $history_url answered $code"
points=$(grep -c '"run_id": ' "$www/history.json" || :)
[ "$points" = 1000 ] || fail "the history has $points points, not 1000"
code=$(curl -sS -o "$www/healthz.json" -w '%{http_code}' "$healthz_url")
[ "$code" = 200 ] || fail "GET $healthz_url answered $code"
# the dashboards: the first request draws the charts, the copies are warm
project_url=$base/p/dash
bench_url=$base/p/dash/b/bench-0050
for f in project bench; do
    eval "url=\$${f}_url"
    code=$(curl -sS -o "$www/$f.html" -w '%{http_code}' "$url")
    [ "$code" = 200 ] || fail "GET $url answered $code"
done
sparks=$(grep -o '<img class="spark"' "$www/project.html" | wc -l)
[ "$sparks" -eq 50 ] || fail "the project page has $sparks sparklines, not 50 (a page of them)"
grep -q '<svg' "$www/bench.html" || fail "the benchmark page has no chart"
project_bytes=$(wc -c < "$www/project.html" | tr -d ' ')
bench_bytes=$(wc -c < "$www/bench.html" | tr -d ' ')
# the big project's first page and alerts page, and everything the first page loads
# (stylesheet, sparklines), at the paths the page names them by, for nginx: the
# first request draws the sparklines, the copies are warm. Prints the bytes of
# the page, its stylesheet, its sparklines and how many.
big_url=$base/p/big
alerts_url=$base/p/big/alerts
big_weight=$(python3 - "$base" "$www" <<'PY'
import os, re, sys, urllib.parse, urllib.request
base, www = sys.argv[1], sys.argv[2]
def get(path, dest):
    with urllib.request.urlopen(base + path, timeout=60) as r:
        body = r.read()
    dest = os.path.join(www, urllib.parse.unquote(dest.split("?")[0]).lstrip("/"))
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with open(dest, "wb") as f:
        f.write(body)
    return body
page = get("/p/big", "/p/big/index.html")
get("/p/big/alerts", "/p/big/alerts/index.html")
html = page.decode()
css = sum(len(get(h, h)) for h in re.findall(r'<link rel="stylesheet" href="([^"]*)"', html))
sparks = [s.replace("&amp;", "&") for s in re.findall(r'<img class="spark"[^>]* src="([^"]*)"', html)]
print(len(page), css, sum(len(get(s, s)) for s in sparks), len(sparks))
PY
) || fail "cannot copy the big project's first page"
read -r big_html big_css big_sparks big_nsparks <<EOF
$big_weight
EOF
[ "$big_nsparks" -eq 50 ] || fail "the big project's first page has $big_nsparks sparklines, not 50"
history_bytes=$(wc -c < "$www/history.json" | tr -d ' ')
healthz_bytes=$(wc -c < "$www/healthz.json" | tr -d ' ')

# ---- the upload: a fresh database with a token, copied for every round ------
template=$tmp/upload-template.db
token=$("$BENCHGATE" token create --project bench --db "$template" | tail -n 1)
[ -n "$token" ] || fail "benchgate token create printed no token"
[ ! -e "$template-wal" ] || fail "$template-wal left behind by benchgate token create"
awk 'BEGIN {
    printf "{\"benchgate\": 1, \"results\": ["
    for (b = 0; b < 100; b++) {
        printf "%s\n  {\"name\": \"upload-%03d\", \"metric\": \"time\", \"unit\": \"ns\", \"direction\": \"lower\", \"samples\": [", b ? "," : "", b
        for (s = 0; s < 10; s++)
            printf "%s%.1f", s ? ", " : "", 1000 + 7 * b + 3.1 * s
        printf "]}"
    }
    printf "\n]}\n"
}' > "$tmp/upload.json"
upload_bytes=$(wc -c < "$tmp/upload.json" | tr -d ' ')
# wrk runs one Lua state per thread: each counts its answers, done() adds them up
cat > "$tmp/upload.lua" <<EOF
local f = assert(io.open("$tmp/upload.json", "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) created = 0; other = 0 end
function response(status, headers, body)
  if status == 201 then created = created + 1 else other = other + 1 end
end
function done(summary, latency, requests)
  local c, o = 0, 0
  for _, t in ipairs(threads) do c = c + t:get("created"); o = o + t:get("other") end
  io.write(string.format("benchgate-upload: %d created, %d other, %.6f seconds\n",
                         c, o, summary.duration / 1e6))
end
EOF
updb=$tmp/upload.db
fresh_upload_server() {
    rm -f "$updb" "$updb-wal" "$updb-shm" "$updb.out"
    cp "$template" "$updb"
    start_serve "$updb"
    up_pid=$started_pid
    upload_url=http://127.0.0.1:$started_port/api/v1/projects/bench/runs
}
# one upload by hand first: the token and the document must be accepted
fresh_upload_server
code=$(curl -sS -o "$tmp/upload-answer.json" -w '%{http_code}' -X POST \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    --data-binary "@$tmp/upload.json" "$upload_url")
[ "$code" = 201 ] || fail "POST $upload_url answered $code: $(cat "$tmp/upload-answer.json")"
grep -q '"benchmarks": 100, "samples": 1000' "$tmp/upload-answer.json" ||
    fail "the upload did not store 100 x 10 samples: $(cat "$tmp/upload-answer.json")"
stop_serve "$up_pid" "$updb"
up_pid=

# ---- nginx: the two files, on a free port of 127.0.0.1 -----------------------
nginx_conf() {  # PORT
    temps=
    for m in proxy fastcgi uwsgi scgi; do
        "$nginx" -V 2>&1 | grep -q -- "--without-http_${m}_module" ||
            temps="$temps ${m}_temp_path $tmp/nginx/tmp;"
    done
    cat <<EOF
worker_processes 2;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
$( [ "$(id -u)" != 0 ] || echo 'user root;  # the temporary folder is private to its owner')
events { worker_connections 256; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    # connections stay open as long as wrk likes, as they do with benchgate
    keepalive_requests 1000000;
    keepalive_timeout 60s;
    types { application/json json; text/html html; text/css css; image/svg+xml svg; }
    default_type application/json;
    client_body_temp_path $tmp/nginx/tmp;
   $temps
    server {
        listen 127.0.0.1:$1;
        root $www;
        # a page at /p/big is the file p/big/index.html, as its sparklines are under p/big/
        location / { try_files \$uri \$uri/index.html =404; }
    }
}
EOF
}
nginx_e=
"$nginx" -h 2>&1 | grep -q -- '-e filename' && nginx_e="-e $tmp/nginx/error.log"
k=0
while :; do
    nginx_port=$((20000 + ($$ + 997 * k) % 10000))
    nginx_conf "$nginx_port" > "$tmp/nginx/nginx.conf"
    # shellcheck disable=SC2086  # $nginx_e is meant to be split
    "$nginx" $nginx_e -p "$tmp/nginx/" -c "$tmp/nginx/nginx.conf" -g 'daemon off;' \
        > "$tmp/nginx/stderr" 2>&1 &
    nginx_pid=$!
    # ready once our own file comes back; gone when the port was taken
    n=0
    while kill -0 "$nginx_pid" 2>/dev/null; do
        if curl -s "http://127.0.0.1:$nginx_port/healthz.json" 2>/dev/null |
            cmp -s - "$www/healthz.json"; then
            break 2
        fi
        n=$((n + 1))
        [ "$n" -lt 100 ] || fail "nginx on 127.0.0.1:$nginx_port does not answer after 10 s"
        sleep 0.1
    done
    wait "$nginx_pid" || :
    nginx_pid=
    if ! grep -qs 'Address already in use' "$tmp/nginx/stderr" "$tmp/nginx/error.log"; then
        cat "$tmp/nginx/stderr" "$tmp/nginx/error.log" >&2 2>/dev/null || :
        fail "nginx did not start"
    fi
    k=$((k + 1))
    [ "$k" -lt 20 ] || fail "no free port for nginx in 20 tries"
done
nbase=http://127.0.0.1:$nginx_port
curl -s "$nbase/history.json" | cmp -s - "$www/history.json" ||
    fail "nginx does not serve history.json as it is"

# ---- rounds -------------------------------------------------------------------
# measure NAME PID URL [LUA]: one wrk run; appends "NAME RATE P99 BAD ERRORS" to
# $tmp/figures, where BAD counts answers other than 2xx/3xx (uploads: other
# than 201) and ERRORS wrk's socket errors.
measure() {
    name=$1 pid=$2 url=$3
    log=$tmp/wrk-$name-$r.txt
    # shellcheck disable=SC2086  # $wrk_opts is meant to be split
    if ! wrk $wrk_opts ${4:+-s "$4"} "$url" > "$log" 2>&1; then
        cat "$log" >&2
        fail "wrk failed on $url"
    fi
    alive "$pid" "the server of $url"
    fig=$(awk '
    function secs(v,    n, u) {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        return u == "us" ? n / 1e6 : u == "ms" ? n / 1e3 : u == "s" ? n : u == "m" ? n * 60 : -1
    }
    /^Requests\/sec:/ { rate = $2 }
    /^ *99%/ { p99 = secs($2) }
    /Non-2xx or 3xx responses:/ { bad = $NF }
    /Socket errors:/ { gsub(/,/, ""); err = $4 + $6 + $8 + $10 }
    /^benchgate-upload:/ { up = 1; created = $2; other = $4; dur = $6 }
    END {
        if (up) { if (dur <= 0) exit; rate = created / dur; bad = other }
        if (rate == "" || p99 == "" || p99 < 0) exit
        printf "%.6g %.6g %d %d\n", rate, p99, bad, err
    }' "$log")
    if [ -z "$fig" ]; then
        cat "$log" >&2
        fail "cannot read the figures of wrk on $url"
    fi
    echo "$name $fig" >> "$tmp/figures"
}

# browse NAME URL: URL loaded once in headless chromium at 1280 x 900, its cache
# off; appends "NAME LOAD_MS FULL_MS BYTES REQUESTS" to $tmp/loads (see
# tests/tools/browser.py). Does nothing without chromium.
chromium=$(command -v chromium 2>/dev/null || command -v chromium-browser 2>/dev/null || :)
: > "$tmp/loads"
browse() {
    [ -n "$chromium" ] || return 0
    python3 "$tools/browser.py" "$2" --width 1280 --height 900 > "$tmp/browse.json" ||
        fail "chromium could not load $2"
    python3 - "$1" "$tmp/browse.json" >> "$tmp/loads" <<'PY' || fail "chromium did not load all of $2"
import json, sys
r = json.load(open(sys.argv[2]))
if r["unloaded"]:
    sys.exit("%d images never loaded" % r["unloaded"])
print(sys.argv[1], r["load_ms"], r["full_ms"], r["bytes"], r["requests"])
PY
}

# gnuplot_runs BASE: the server's benchgate_gnuplot_runs_total
gnuplot_runs() {
    curl -sS "$1/metrics" | sed -n 's/^benchgate_gnuplot_runs_total \([0-9]*\)$/\1/p'
}

gnuplot_before=$(gnuplot_runs "$base")
: > "$tmp/figures"
r=0
while [ "$r" -lt "$rounds" ]; do
    measure serve-history-1000 "$read_pid" "$history_url"
    measure nginx-history-file "$nginx_pid" "$nbase/history.json"
    measure serve-healthz "$read_pid" "$healthz_url"
    measure nginx-healthz-file "$nginx_pid" "$nbase/healthz.json"
    measure serve-project-page "$read_pid" "$project_url"
    measure nginx-project-file "$nginx_pid" "$nbase/project.html"
    measure serve-bench-page "$read_pid" "$bench_url"
    measure nginx-bench-file "$nginx_pid" "$nbase/bench.html"
    measure serve-big-page "$read_pid" "$big_url"
    measure nginx-big-file "$nginx_pid" "$nbase/p/big"
    measure serve-big-alerts "$read_pid" "$alerts_url"
    measure nginx-big-alerts "$nginx_pid" "$nbase/p/big/alerts"
    browse serve-big-warm "$big_url"
    browse nginx-big "$nbase/p/big"
    fresh_upload_server
    measure serve-upload-100x10 "$up_pid" "$upload_url" "$tmp/upload.lua"
    stop_serve "$up_pid" "$updb"
    up_pid=
    r=$((r + 1))
done
gnuplot_warm=$(($(gnuplot_runs "$base") - gnuplot_before))
stop_serve "$read_pid" "$db"
read_pid=
kill -TERM "$nginx_pid"
wait "$nginx_pid" || :
nginx_pid=

# ---- a cold chart against a bare gnuplot, interleaved -------------------------
# the reference: the chart's own script and data, copied by a wrapper as the
# server runs gnuplot once, with the job folder's name changed to the copy's
job=$tmp/job
cat > "$tmp/keep-gnuplot" <<EOF
#!/bin/sh
[ "\$1" = --version ] && exec gnuplot --version
d=\$(dirname "\$1")
mkdir -p "$job" && cp "\$d"/* "$job/" && sed "s|\$d|$job|g" "\$1" > "$job/script.gp"
exec gnuplot "\$@"
EOF
chmod +x "$tmp/keep-gnuplot"
start_serve "$db" --gnuplot "$tmp/keep-gnuplot"
read_pid=$started_pid
chart_url=http://127.0.0.1:$started_port/p/dash/b/bench-0050/chart.svg
code=$(curl -sS -o /dev/null -w '%{http_code}' "$chart_url")
[ "$code" = 200 ] && [ -s "$job/script.gp" ] || fail "the chart's script was not kept ($code)"
stop_serve "$read_pid" "$db"
read_pid=
: > "$tmp/cold"
r=0
while [ "$r" -lt "$rounds" ]; do
    start_serve "$db"
    read_pid=$started_pid
    chart_url=http://127.0.0.1:$started_port/p/dash/b/bench-0050/chart.svg
    t=$(curl -sS -o "$tmp/cold.svg" -w '%{http_code} %{time_total}' "$chart_url")
    [ "${t% *}" = 200 ] || fail "GET $chart_url answered ${t% *}"
    grep -q '</svg>' "$tmp/cold.svg" || fail "GET $chart_url drew no SVG"
    echo "cold-chart ${t#* }" >> "$tmp/cold"
    # the big project's first page from a server that has drawn nothing of it
    browse serve-big-cold "http://127.0.0.1:$started_port/p/big"
    stop_serve "$read_pid" "$db"
    read_pid=
    rm -f "$job"/*.svg
    # (its warnings, as the server's, kept aside: under LC_ALL=C it cannot convert a
    # degree sign it never draws)
    t=$(HOME=$job LC_ALL=C "$ref" time gnuplot "$job/script.gp" 2> "$tmp/bare-gnuplot.err") ||
        fail "a bare gnuplot run failed: $(cat "$tmp/bare-gnuplot.err")"
    ls "$job"/*.svg > /dev/null 2>&1 || fail "a bare gnuplot run drew nothing"
    echo "bare-gnuplot $t" >> "$tmp/cold"
    r=$((r + 1))
done
cat "$tmp/cold" >> "$out/times.txt"

# times.txt: seconds per request (1 / rate) and the p99, one line per round
awk '{ printf "%s %.9g\n%s-p99 %.9g\n", $1, 1 / $2, $1, $3 }' "$tmp/figures" >> "$out/times.txt"

# ---- report -------------------------------------------------------------------
echo
awk -v rounds="$rounds" -v secs="$secs" -v hb="$history_bytes" -v zb="$healthz_bytes" \
    -v ub="$upload_bytes" -v pb="$project_bytes" -v bb="$bench_bytes" -v gb="$big_html" \
    -v ab="$(wc -c < "$www/p/big/alerts/index.html" | tr -d ' ')" '
function sort(a, n,    k, j, x) {
    for (k = 2; k <= n; k++) { x = a[k]; for (j = k - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
}
function median(s,    a, c) {
    c = split(s, a, " "); sort(a, c); lo = a[1]; hi = a[c]
    return c % 2 ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
}
function ms(s) { return sprintf("%8.2f ms", s * 1e3) }
function row(name, label,    m) {
    m = median(rate[name]); rate_lo = lo; rate_hi = hi
    med_rate[name] = m; med_p99[name] = median(p99[name])
    printf "  %-40s %9.0f  [%7.0f .. %7.0f] %s %4d%s\n", label, m, rate_lo, rate_hi,
        ms(med_p99[name]), n[name], (bad[name] + err[name] > 0 ? sprintf("  (%d non-2xx, %d socket errors)", bad[name], err[name]) : "")
}
# pair(S, N, LABEL_S, LABEL_N, TARGET): the two rows and their ratios
function pair(s, n, ls, ln, target) {
    row(s, ls)
    row(n, ln)
    printf "  ratio nginx/benchgate rate = %.2f%s, p99 benchgate/nginx = %.2f\n",
        med_rate[n] / med_rate[s], target, med_p99[s] / med_p99[n]
}
{ rate[$1] = rate[$1] " " $2; p99[$1] = p99[$1] " " $3; bad[$1] += $4; err[$1] += $5; n[$1]++ }
END {
    printf "server: benchgate serve --threads 2 vs nginx (2 workers), wrk -t2 -c16, %d s each, %d rounds:\n", secs, rounds
    printf "  %-40s %9s  %-19s %11s %4s\n", "", "req/s", "[min .. max]", "p99", "runs"
    pair("serve-history-1000", "nginx-history-file", "benchgate GET history, 1000 points",
         "nginx, static file of the same " hb " B", " (target <= 2)")
    pair("serve-healthz", "nginx-healthz-file", "benchgate GET /healthz",
         "nginx, static file of the same " zb " B", "")
    row("serve-upload-100x10", "benchgate POST run, 100 x 10 (" int(ub / 1000) " kB), 201s")
    printf "  no nginx reference: ratio benchgate /healthz rate / upload rate = %.1f\n",
        med_rate["serve-healthz"] / med_rate["serve-upload-100x10"]
    pair("serve-project-page", "nginx-project-file", "benchgate GET /p/dash, 100 benchmarks, 50 shown",
         "nginx, static file of the same " pb " B", " (target <= 2)")
    pair("serve-bench-page", "nginx-bench-file", "benchgate GET a benchmark page, 30 runs",
         "nginx, static file of the same " bb " B", " (target <= 2)")
    pair("serve-big-page", "nginx-big-file", "benchgate GET /p/big, 300 x 200, page 1",
         "nginx, static file of the same " gb " B", " (target <= 2)")
    pair("serve-big-alerts", "nginx-big-alerts", "benchgate GET /p/big/alerts, 20 runs",
         "nginx, static file of the same " ab " B", " (target <= 2)")
}' "$tmp/figures"

# the big project's first page in chromium: seconds to the full load in times.txt
awk '{ printf "big-load-%s %.6f\n", $1, $3 / 1e3 }' "$tmp/loads" >> "$out/times.txt"
if [ -z "$chromium" ]; then
    echo "the first page in a browser: skipped, no chromium (apt-get install chromium)"
else
    awk -v rounds="$rounds" -v html="$big_html" -v css="$big_css" -v sparks="$big_sparks" \
        -v nsparks="$big_nsparks" -v warm_gnuplot="$gnuplot_warm" '
    function median(s,    a, c, k, j, x) {
        c = split(s, a, " ")
        for (k = 2; k <= c; k++) { x = a[k]; for (j = k - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
        lo = a[1]; hi = a[c]
        return c % 2 ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
    }
    { load[$1] = load[$1] " " $2; full[$1] = full[$1] " " $3; bytes[$1] = $4; req[$1] = $5; n[$1]++ }
    function line(name, label,    f) {
        f = median(full[name]); flo = lo; fhi = hi
        med[name] = f
        printf "  %-44s %7.0f ms  [%5.0f .. %5.0f]  load event %5.0f ms  %4d\n", label, f, flo, fhi,
            median(load[name]), n[name]
    }
    END {
        printf "the first page of /p/big (300 benchmarks x 200 runs) in headless chromium, 1280 x 900, %d rounds:\n", rounds
        printf "  weight: page %.1f kB + stylesheet %.1f kB + %d sparklines %.1f kB = %.1f kB (target < 300 kB);\n",
            html / 1e3, css / 1e3, nsparks, sparks / 1e3, (html + css + sparks) / 1e3
        printf "  chromium counted %.1f kB in %d requests\n", bytes["serve-big-warm"] / 1e3, req["serve-big-warm"]
        printf "  %-44s %10s  %-15s  %-21s %4s\n", "", "full load", "[min .. max]", "(median)", "runs"
        line("serve-big-warm", "benchgate, warm (charts cached)")
        line("nginx-big", "nginx, the same bytes as static files")
        line("serve-big-cold", "benchgate, cold (a fresh server: one gnuplot)")
        printf "  ratio warm benchgate / nginx = %.2f, cold / nginx = %.2f (target: under 1000 ms)\n",
            med["serve-big-warm"] / med["nginx-big"], med["serve-big-cold"] / med["nginx-big"]
        printf "  gnuplot runs during the warm rounds (wrk and chromium): %d (must be 0)\n", warm_gnuplot
    }' "$tmp/loads"
fi
awk -v rounds="$rounds" '
{ v[$1] = v[$1] " " $2; n[$1]++ }
function median(s,    a, c, k, j, x) {
    c = split(s, a, " ")
    for (k = 2; k <= c; k++) { x = a[k]; for (j = k - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
    return c % 2 ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
}
END {
    c = median(v["cold-chart"]); g = median(v["bare-gnuplot"])
    printf "cold chart (fresh server, GET chart.svg of 30 runs) vs a bare gnuplot run, %d rounds:\n", rounds
    printf "  benchgate %.1f ms, bare gnuplot %.1f ms: ratio %.2f (%d and %d samples)\n",
        c * 1e3, g * 1e3, c / g, n["cold-chart"], n["bare-gnuplot"]
}' "$tmp/cold"

# what the server said about its answers: status counts, and its errors
awk '$2 ~ /^(GET|POST|HEAD)$/ { path = $3; sub(/\?.*/, "", path); sub(/.*\/history$/, ".../history", path)
        sub(/.*\/runs$/, ".../runs", path); sub(/\/b\/.*\/spark\.svg$/, "/b/.../spark.svg", path)
        c[$2 " " path " " $4]++; next }
     / error: / { e[$0]++ }
     END {
        printf "  server log:"
        for (k in c) printf " [%s: %d]", k, c[k]
        printf "\n"
        for (k in e) printf "  server error x %d: %s\n", e[k], k
     }' "$tmp/serve.log"
