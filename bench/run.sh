#!/bin/sh
# bench/run.sh: what `make bench` runs (BENCHGATE=/abs/path/benchgate sh bench/run.sh).
#
# The collector's speed requirement: collecting 1,000 benchmarks x 100 samples
# costs no more than 3x (cJSON parsing the same bytes + a bare SQLite insert of
# the same samples in one transaction). Machines are noisy, so speed is only
# reported as a ratio to those references (bench/ref.c), measured in the same
# run, rounds interleaved so drift hits all three alike. Figures also go to
# bench/out/results.json in hyperfine --export-json shape, for benchgate itself.
# Exits non-zero only when something failed to run, never on the ratio.
set -eu

: "${BENCHGATE:?set BENCHGATE to the benchgate binary, e.g. BENCHGATE=\$PWD/build/benchgate}"
rounds=${BENCH_ROUNDS:-7}
n_bench=1000
n_samples=100

here=$(cd "$(dirname "$0")" && pwd)
out=$here/out
ref=$out/ref
input=$out/hyperfine-${n_bench}x$n_samples.json
mkdir -p "$out"

# shellcheck disable=SC2046  # pkg-config output is meant to be split
${CC:-cc} -std=c11 -Wall -Wextra -Werror -O2 -D_POSIX_C_SOURCE=200809L \
    $(pkg-config --cflags libcjson sqlite3) "$here/ref.c" -o "$ref" \
    $(pkg-config --libs libcjson sqlite3) -lm
"$ref" gen "$n_bench" "$n_samples" > "$input.tmp"
mv "$input.tmp" "$input"

fresh() { rm -f "$1" "$1-wal" "$1-shm"; }

collect() {
    "$@" "$BENCHGATE" collect --db "$out/collect.db" --project bench --branch main \
        --commit abcdef1 -q "$input"
}

# One untimed warm-up round: fills the page cache, and checks that collect
# really stores every sample (its summary line is only printed without -q).
fresh "$out/collect.db"
fresh "$out/ref.db"
stored=$("$BENCHGATE" collect --db "$out/collect.db" --project bench --branch main \
    --commit abcdef1 "$input")
case $stored in
*" $n_bench benchmarks, $((n_bench * n_samples)) samples "*) ;;
*) echo "bench: collect did not store $n_bench x $n_samples samples: $stored" >&2; exit 1 ;;
esac
"$ref" parse "$input" > /dev/null
"$ref" insert "$input" "$out/ref.db" > /dev/null

t_collect=
t_parse=
t_insert=
r=0
while [ "$r" -lt "$rounds" ]; do
    fresh "$out/collect.db"
    fresh "$out/ref.db"
    t_collect="$t_collect $(collect "$ref" time)"
    t_parse="$t_parse $("$ref" parse "$input")"
    t_insert="$t_insert $("$ref" insert "$input" "$out/ref.db")"
    r=$((r + 1))
done
fresh "$out/collect.db"
fresh "$out/ref.db"

awk -v c="$t_collect" -v p="$t_parse" -v i="$t_insert" -v rounds="$rounds" \
    -v nb="$n_bench" -v ns="$n_samples" -v bytes="$(wc -c < "$input")" \
    -v json="$out/results.json" '
function sort(a, n,    k, j, x) {  # insertion sort, a[1..n]
    for (k = 2; k <= n; k++) {
        x = a[k]
        for (j = k - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]
        a[j + 1] = x
    }
}
function median(a, n) { return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
function row(label, s,    a, n) {
    n = split(s, a, " ")
    sort(a, n)
    printf "  %-26s %7.1f ms  [%5.1f .. %5.1f]\n", label, median(a, n) * 1e3, a[1] * 1e3, a[n] * 1e3
    return median(a, n)
}
function times(name, s, last,    a, n, k) {
    n = split(s, a, " ")
    printf "    {\"command\": \"%s\", \"times\": [", name > json
    for (k = 1; k <= n; k++) printf "%s%s", (k > 1 ? ", " : ""), a[k] > json
    printf "]}%s\n", (last ? "" : ",") > json
}
BEGIN {
    printf "collect %d benchmarks x %d samples (%.1f MB input), %d rounds, medians [min..max]:\n",
        nb, ns, bytes / 1e6, rounds
    mc = row("benchgate collect", c)
    mp = row("reference: cJSON parse", p)
    mi = row("reference: SQLite insert", i)
    # the same ratio per round: paired, so it shows how far noise moves it
    n = split(c, ac, " "); split(p, ap, " "); split(i, ai, " ")
    for (k = 1; k <= n; k++) rr[k] = ac[k] / (ap[k] + ai[k])
    sort(rr, n)
    printf "  ratio collect / (parse + insert) = %.2f  (target <= 3.0; per round %.2f .. %.2f)\n",
        mc / (mp + mi), rr[1], rr[n]

    printf "{\n  \"results\": [\n" > json
    times("collect-" nb "x" ns, c, 0)
    times("ref-cjson-parse", p, 0)
    times("ref-sqlite-insert", i, 1)
    printf "  ]\n}\n" > json
    close(json)
}'
echo "(figures in $out/results.json)"
