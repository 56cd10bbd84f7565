#!/bin/sh
# bench/run.sh: what `make bench` runs (BENCHGATE=/abs/benchgate SYNTH=/abs/synth sh bench/run.sh).
#
# Machines are noisy, so every figure is a ratio to reference work measured in
# the same run (bench/ref.c), rounds interleaved so drift hits both alike:
#  1. collect: 1,000 benchmarks x 100 samples must cost no more than 3x
#     (cJSON parsing the same bytes + a bare SQLite insert of the same
#     samples in one transaction);
#  2. check: 10,000 benchmarks x 30 samples against a 10-run history, as a
#     ratio to simply reading those 11 runs' samples from the store (target <= 3).
#  3. server: wrk against `benchgate serve`, as ratios to nginx serving the
#     same bytes as a static file (bench/server.sh; skipped without wrk and
#     nginx).
#  4. PostgreSQL (bench/pg.sh, on a throwaway cluster): samples as bytea or
#     float8[]; uploads per second and p99 to one server on SQLite, one on
#     PostgreSQL and three on one PostgreSQL database; check on PostgreSQL
#     as a ratio to a bare libpq read of the same samples.
# Figures also go to bench/out/results.json in hyperfine --export-json shape,
# so benchgate can collect its own benchmarks. Exits non-zero only when
# something failed to run, never on a ratio.
set -eu

: "${BENCHGATE:?set BENCHGATE to the benchgate binary, e.g. BENCHGATE=\$PWD/build/benchgate}"
: "${SYNTH:?set SYNTH to the synthetic-run generator, e.g. SYNTH=\$PWD/build/tests/synth}"
rounds=${BENCH_ROUNDS:-7}

here=$(cd "$(dirname "$0")" && pwd)
out=$here/out
ref=$out/ref
mkdir -p "$out"
: > "$out/times.txt"  # one line per measurement: NAME SECONDS

# shellcheck disable=SC2046  # pkg-config output is meant to be split
${CC:-cc} -std=c11 -Wall -Wextra -Werror -O2 -D_POSIX_C_SOURCE=200809L \
    $(pkg-config --cflags libcjson sqlite3) "$here/ref.c" -o "$ref" \
    $(pkg-config --libs libcjson sqlite3) -lm

fresh() { rm -f "$1" "$1-wal" "$1-shm"; }
record() { echo "$1 $2" >> "$out/times.txt"; }

# summary TITLE NAME:LABEL... RATIO_EXPR TARGET: medians [min..max] per name,
# then the ratio of medians computed by RATIO_EXPR over m["NAME"].
summary() {
    title=$1 ratio=$2 target=$3
    shift 3
    awk -v title="$title" -v names="$*" -v target="$target" -v rounds="$rounds" '
    function sort(a, n,    k, j, x) {
        for (k = 2; k <= n; k++) { x = a[k]; for (j = k - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
    }
    { t[$1] = t[$1] " " $2 }
    END {
        printf "%s, %d rounds, medians [min..max]:\n", title, rounds
        n = split(names, nl, " ")
        for (k = 1; k <= n; k++) {
            split(nl[k], kv, "="); name = kv[1]; label = kv[2]; gsub(/_/, " ", label)
            c = split(t[name], a, " "); sort(a, c)
            m[k] = c % 2 ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
            printf "  %-34s %8.1f ms  [%6.1f .. %6.1f]\n", label, m[k] * 1e3, a[1] * 1e3, a[c] * 1e3
        }
        '"$ratio"'
    }' "$out/times.txt"
}

# ---- 1. collect ------------------------------------------------------------
input=$out/hyperfine-1000x100.json
"$ref" gen 1000 100 > "$input.tmp"
mv "$input.tmp" "$input"
collect() {
    "$@" "$BENCHGATE" collect --db "$out/collect.db" --project bench --branch main \
        --commit abcdef1 -q "$input"
}
# one untimed warm-up round: fills the page cache, and checks that every sample lands
fresh "$out/collect.db"
stored=$("$BENCHGATE" collect --db "$out/collect.db" --project bench --branch main \
    --commit abcdef1 "$input")
case $stored in
*" 1000 benchmarks, 100000 samples "*) ;;
*) echo "bench: collect did not store 1000 x 100 samples: $stored" >&2; exit 1 ;;
esac
r=0
while [ "$r" -lt "$rounds" ]; do
    fresh "$out/collect.db"
    record collect-1000x100 "$(collect "$ref" time)"
    record ref-cjson-parse "$("$ref" parse "$input")"
    record ref-sqlite-insert "$("$ref" insert "$input" "$out/ref.db")"
    r=$((r + 1))
done
fresh "$out/collect.db"
fresh "$out/ref.db"
summary "collect 1000 benchmarks x 100 samples ($(($(wc -c < "$input") / 1000)) kB input)" \
    'printf "  ratio collect / (parse + insert) = %.2f  (target <= %s)\n", m[1] / (m[2] + m[3]), target' \
    3.0 collect-1000x100=benchgate_collect ref-cjson-parse=reference:_cJSON_parse \
    ref-sqlite-insert=reference:_SQLite_insert

# ---- 2. check --------------------------------------------------------------
# The gate as CI runs it: 10,000 benchmarks x 30 samples against a history of
# 10 runs of main (each on a machine a little faster or slower, each
# benchmark's level moving 3%), against the time to read those 11 runs'
# samples from the store.
db=$out/check.db
fresh "$db"
for i in 1 2 3 4 5 6 7 8 9 10; do
    "$SYNTH" "$i" 10000 30 0 0.05 10000 0.03 > "$out/hist.json"
    "$BENCHGATE" collect --db "$db" -q --project bench --branch main --timestamp $((1000 + i)) \
        "$out/hist.json"
done
"$SYNTH" 99 10000 30 0 0.05 10000 0.03 > "$out/cur.json"
"$BENCHGATE" collect --db "$db" -q --project bench --branch feature --timestamp 2000 \
    "$out/cur.json"
rm -f "$out/hist.json" "$out/cur.json"
# the gate as users run it (the default text report); it must exit 0 or 1
check() {
    "$@" "$BENCHGATE" check --db "$db" --project bench --branch feature --fork-point 0000
}
check > /dev/null 2>&1 || [ $? -eq 1 ]
r=0
while [ "$r" -lt "$rounds" ]; do
    record check-10000x30 "$(check "$ref" time)"
    record check-10000x30-json "$("$ref" time "$BENCHGATE" check --db "$db" --project bench \
        --branch feature --fork-point 0000 --output json)"
    record ref-read-samples "$("$ref" read "$db" 1 11)"
    r=$((r + 1))
done
echo
summary "check 10000 benchmarks x 30 samples against a 10-run history" \
    'printf "  ratio check / read = %.2f (text report), %.2f (JSON report)  (target <= %s)\n", m[1] / m[3], m[2] / m[3], target' \
    3.0 check-10000x30=benchgate_check check-10000x30-json=benchgate_check_-o_json \
    ref-read-samples=reference:_read_the_11_runs_samples

# ---- 3. server: benchgate serve against nginx (bench/server.sh) -----------
BENCHGATE=$BENCHGATE SYNTH=$SYNTH BENCH_ROUNDS=$rounds sh "$here/server.sh"

# ---- 4. PostgreSQL: samples, uploads to one and three servers, check ------
# (bench/pg.sh, on a throwaway cluster; skipped without Debian's postgresql)
if ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1 || command -v initdb > /dev/null 2>&1; then
    sh "$here/../tests/pg/with-cluster.sh" env BENCHGATE="$BENCHGATE" SYNTH="$SYNTH" \
        BENCH_ROUNDS="$rounds" sh "$here/pg.sh"
else
    echo
    echo "PostgreSQL benchmark skipped: no PostgreSQL server; install with: apt-get install postgresql"
fi

# ---- results.json, for benchgate itself ------------------------------------
awk '{ t[$1] = t[$1] (t[$1] == "" ? "" : ", ") $2; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
END {
    printf "{\n  \"results\": [\n"
    for (k = 1; k <= n; k++)
        printf "    {\"command\": \"%s\", \"times\": [%s]}%s\n", order[k], t[order[k]], (k < n ? "," : "")
    printf "  ]\n}\n"
}' "$out/times.txt" > "$out/results.json"
echo "(figures in $out/results.json)"
