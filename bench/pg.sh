#!/bin/sh
# bench/pg.sh: the PostgreSQL section of `make bench`. bench/run.sh runs it
# under tests/pg/with-cluster.sh, which gives it a throwaway cluster in
# BENCHGATE_TEST_PG (alone: sh tests/pg/with-cluster.sh env BENCHGATE=...
# SYNTH=... sh bench/pg.sh). Every figure is a ratio to a reference measured
# in the same run, rounds interleaved so drift hits all alike:
#  1. samples as bytea (benchgate's choice) or float8[]: one transaction
#     inserting 10,000 results x 30 samples, reading them all back, and the
#     table's size on disk (bench/pgref.c);
#  2. uploads: POST of a 100-benchmark x 10-sample run by 16 concurrent
#     clients (bench/uploads.c, 201s only), to one server on SQLite, one on
#     PostgreSQL, and three on one PostgreSQL database (the clients spread
#     round-robin over them, as a balancer would); every server --threads 2,
#     a fresh store each round. Reported: uploads/s and p99 latency;
#  3. check of 10,000 benchmarks x 30 samples on PostgreSQL, as a ratio to a
#     bare libpq read of the same samples (bench/pgref.c read).
# Figures go to out/times.txt (NAME SECONDS) like the rest of make bench.
set -eu

: "${BENCHGATE:?set BENCHGATE to the benchgate binary}"
: "${SYNTH:?set SYNTH to the synthetic-run generator}"
: "${BENCHGATE_TEST_PG:?run under tests/pg/with-cluster.sh (a throwaway PostgreSQL cluster)}"
rounds=${BENCH_ROUNDS:-7}
secs=${BENCH_UPLOAD_SECONDS:-5}
clients=16

here=$(cd "$(dirname "$0")" && pwd)
out=$here/out
mkdir -p "$out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/benchgate-pgbench.XXXXXX")
pids=''
cleanup() {
    for p in $pids; do
        kill -TERM "$p" 2>/dev/null || :
    done
    for p in $pids; do
        wait "$p" 2>/dev/null || :
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
fail() { echo "bench: pg: $*" >&2; exit 1; }
record() { echo "$1 $2" >> "$out/times.txt"; }

# shellcheck disable=SC2046  # pkg-config output is meant to be split
${CC:-cc} -std=c11 -Wall -Wextra -Werror -O2 -D_POSIX_C_SOURCE=200809L \
    $(pkg-config --cflags libpq) "$here/pgref.c" -o "$tmp/pgref" $(pkg-config --libs libpq)
${CC:-cc} -std=c11 -Wall -Wextra -Werror -O2 -D_POSIX_C_SOURCE=200809L \
    "$here/uploads.c" -o "$tmp/uploads" $(pkg-config --libs libcurl)

# store NAME: a new schema of the cluster, as a locator benchgate opens
store() {
    s=bench_$1_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
    psql -X -q -v ON_ERROR_STOP=1 -d "$BENCHGATE_TEST_PG" -c "CREATE SCHEMA $s" > /dev/null ||
        fail "cannot create a schema"
    echo "$BENCHGATE_TEST_PG&options=-csearch_path%3D$s"
}

# medians NAME...: "NAME MEDIAN MIN MAX COUNT" per name from times.txt
medians() {
    for name in "$@"; do
        awk -v n="$name" '$1 == n { print $2 }' "$out/times.txt" | sort -g |
            awk -v n="$name" '{ v[++c] = $1 } END {
                m = c % 2 ? v[(c + 1) / 2] : (v[c / 2] + v[c / 2 + 1]) / 2
                printf "%s %.9g %.9g %.9g %d\n", n, m, v[1], v[c], c }'
    done
}

# ---- 1. samples: bytea or float8[] ------------------------------------------
scratch=$(store samples)
r=0
while [ "$r" -lt "$rounds" ]; do
    for f in bytea 'float8[]'; do
        line=$("$tmp/pgref" samples "$scratch" 10000 30 "$f") || fail "pgref samples $f"
        # shellcheck disable=SC2086  # three numbers
        set -- $line
        tag=$(echo "$f" | tr -d '[]')
        record "pg-samples-$tag-insert" "$1"
        record "pg-samples-$tag-read" "$2"
        record "pg-samples-$tag-bytes" "$3"
    done
    r=$((r + 1))
done
echo
echo "PostgreSQL: samples as bytea or float8[], 10000 results x 30 samples, $rounds rounds, medians [min..max]:"
medians pg-samples-bytea-insert pg-samples-float8-insert pg-samples-bytea-read \
    pg-samples-float8-read pg-samples-bytea-bytes pg-samples-float8-bytes > "$tmp/m"
awk '{ m[$1] = $2; lo[$1] = $3; hi[$1] = $4 }
END {
    printf "  %-10s insert %7.1f ms [%.1f..%.1f]  read %6.1f ms [%.1f..%.1f]  table %6.2f MB\n",
        "bytea", m["pg-samples-bytea-insert"] * 1e3, lo["pg-samples-bytea-insert"] * 1e3,
        hi["pg-samples-bytea-insert"] * 1e3, m["pg-samples-bytea-read"] * 1e3,
        lo["pg-samples-bytea-read"] * 1e3, hi["pg-samples-bytea-read"] * 1e3,
        m["pg-samples-bytea-bytes"] / 1e6
    printf "  %-10s insert %7.1f ms [%.1f..%.1f]  read %6.1f ms [%.1f..%.1f]  table %6.2f MB\n",
        "float8[]", m["pg-samples-float8-insert"] * 1e3, lo["pg-samples-float8-insert"] * 1e3,
        hi["pg-samples-float8-insert"] * 1e3, m["pg-samples-float8-read"] * 1e3,
        lo["pg-samples-float8-read"] * 1e3, hi["pg-samples-float8-read"] * 1e3,
        m["pg-samples-float8-bytes"] / 1e6
    printf "  ratio float8[] / bytea: insert %.2f, read %.2f, size %.2f\n",
        m["pg-samples-float8-insert"] / m["pg-samples-bytea-insert"],
        m["pg-samples-float8-read"] / m["pg-samples-bytea-read"],
        m["pg-samples-float8-bytes"] / m["pg-samples-bytea-bytes"]
}' "$tmp/m"

# ---- 2. uploads: SQLite, PostgreSQL, three servers on PostgreSQL -------------
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

# serve DB: one server on 127.0.0.1 (a free port), its URL appended to $urls
serve() {
    n=$(( $(echo $pids | wc -w) + 1 ))
    : > "$tmp/serve.$n.out" # before the job opens it: the loop below reads it
    "$BENCHGATE" serve --listen 127.0.0.1:0 --db "$1" --threads 2 > "$tmp/serve.$n.out" \
        2> "$tmp/serve.$n.err" &
    pids="$pids $!"
    i=0
    while ! grep -q 'listening on' "$tmp/serve.$n.out"; do
        i=$((i + 1))
        [ "$i" -lt 100 ] || { cat "$tmp/serve.$n.err" >&2; fail "a server did not start"; }
        sleep 0.1
    done
    urls="$urls http://127.0.0.1:$(sed -n 's|.*127\.0\.0\.1:\([0-9]*\).*|\1|p' "$tmp/serve.$n.out")"
}

stop_all() {
    for p in $pids; do
        kill -TERM "$p"
    done
    for p in $pids; do
        wait "$p" || fail "a server did not stop cleanly"
    done
    pids=''
}

# upload NAME DB SERVERS: a fresh store DB, SERVERS servers on it, the load
upload() {
    name=$1 db=$2 n=$3 urls=''
    token=$("$BENCHGATE" token create --project bench --db "$db" | tail -n 1)
    i=0
    while [ "$i" -lt "$n" ]; do
        serve "$db"
        i=$((i + 1))
    done
    # shellcheck disable=SC2086  # urls is a list
    line=$("$tmp/uploads" "$secs" "$clients" "$tmp/upload.json" "$token" $urls) ||
        fail "$name: uploads were refused: $line"
    stop_all
    rate=$(echo "$line" | sed -n 's/.* rate=\([0-9.]*\).*/\1/p')
    p99=$(echo "$line" | sed -n 's/.* p99_ms=\([0-9.]*\).*/\1/p')
    created=$(echo "$line" | sed -n 's/^created=\([0-9]*\).*/\1/p')
    [ "${created:-0}" -gt 0 ] || fail "$name: no upload was stored: $line"
    record "$name-rate" "$rate"
    record "$name-p99" "$(awk -v ms="$p99" 'BEGIN { printf "%.4f", ms / 1000 }')"
    record "$name-count" "$created"
}

r=0
while [ "$r" -lt "$rounds" ]; do
    rm -f "$tmp/up.db" "$tmp/up.db-wal" "$tmp/up.db-shm"
    upload upload-sqlite "$tmp/up.db" 1
    upload upload-pg "$(store up1)" 1
    upload upload-pg-3 "$(store up3)" 3
    r=$((r + 1))
done
echo
echo "uploads of a 100-benchmark run, $clients clients, ${secs} s a round after 1 s of warm-up, every server --threads 2, $rounds rounds, medians [min..max]:"
medians upload-sqlite-rate upload-sqlite-p99 upload-sqlite-count upload-pg-rate upload-pg-p99 \
    upload-pg-count upload-pg-3-rate upload-pg-3-p99 upload-pg-3-count > "$tmp/m"
awk '{ m[$1] = $2; lo[$1] = $3; hi[$1] = $4; tot[$1] = 0 }
END {
    split("upload-sqlite upload-pg upload-pg-3", k, " ")
    split("one server, SQLite|one server, PostgreSQL|three servers, one PostgreSQL", label, "|")
    for (i = 1; i <= 3; i++)
        printf "  %-32s %6.1f uploads/s [%.1f..%.1f]  p99 %6.1f ms [%.1f..%.1f]\n", label[i],
            m[k[i] "-rate"], lo[k[i] "-rate"], hi[k[i] "-rate"], m[k[i] "-p99"] * 1e3,
            lo[k[i] "-p99"] * 1e3, hi[k[i] "-p99"] * 1e3
    printf "  ratio to SQLite, uploads/s: PostgreSQL %.2f, three servers %.2f; p99: %.2f, %.2f\n",
        m["upload-pg-rate"] / m["upload-sqlite-rate"], m["upload-pg-3-rate"] / m["upload-sqlite-rate"],
        m["upload-pg-p99"] / m["upload-sqlite-p99"], m["upload-pg-3-p99"] / m["upload-sqlite-p99"]
}' "$tmp/m"

# ---- 3. check 10,000 benchmarks on PostgreSQL --------------------------------
db=$(store check)
"$SYNTH" 1 10000 30 0 0.05 > "$tmp/base.json"
"$SYNTH" 2 10000 30 0 0.05 > "$tmp/cur.json"
"$BENCHGATE" collect --db "$db" -q --project bench --branch main --meta compiler=none "$tmp/base.json"
"$BENCHGATE" collect --db "$db" -q --project bench --branch feature --meta compiler=none "$tmp/cur.json"
"$BENCHGATE" check --db "$db" --project bench --branch feature > /dev/null || [ $? -eq 1 ] ||
    fail "check on PostgreSQL failed"
ref=$out/ref # bench/run.sh builds it: times a whole process
r=0
while [ "$r" -lt "$rounds" ]; do
    record pg-check-10000x30 "$("$ref" time "$BENCHGATE" check --db "$db" --project bench --branch feature)"
    record pg-check-10000x30-no-ci "$("$ref" time "$BENCHGATE" check --db "$db" --project bench \
        --branch feature --resamples 0)"
    record pg-ref-read-samples "$("$tmp/pgref" read "$db" 1 2)"
    r=$((r + 1))
done
echo
echo "check 10000 benchmarks x 30 samples on PostgreSQL, $rounds rounds, medians [min..max]:"
medians pg-check-10000x30 pg-check-10000x30-no-ci pg-ref-read-samples > "$tmp/m"
awk '{ m[$1] = $2; printf "  %-28s %8.1f ms  [%.1f .. %.1f]\n", $1, $2 * 1e3, $3 * 1e3, $4 * 1e3 }
END {
    printf "  ratio check / bare libpq read = %.2f (with the 95%% bootstrap interval), %.2f without it\n",
        m["pg-check-10000x30"] / m["pg-ref-read-samples"], m["pg-check-10000x30-no-ci"] / m["pg-ref-read-samples"]
}' "$tmp/m"
