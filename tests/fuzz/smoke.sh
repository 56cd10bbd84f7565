#!/bin/sh
# smoke.sh: each libFuzzer target for a bounded time (make fuzz-smoke).
#
# usage: sh tests/fuzz/smoke.sh FUZZ_BUILD SECONDS TARGET=SEEDDIR[:SEEDDIR...]...
#
# A target starts from its seeds and its crashers (tests/fuzz/crashers/TARGET)
# and keeps what it finds in FUZZ_BUILD/corpus/TARGET, so later runs go on
# from there. A crash, leak or timeout leaves its input in FUZZ_BUILD/crashes/
# (copy it to tests/fuzz/crashers/TARGET/ once fixed: make test replays it).
# Prints a line per target with its executions; exits 1 if any target failed.
set -u
build=$1 secs=$2
shift 2
mkdir -p "$build/crashes"
failed=0
printf '%-10s %12s %10s %8s  %s\n' target executions exec/s corpus result
for spec in "$@"; do
    t=${spec%%=*}
    seeds=$(echo "${spec#*=}" | tr ':' ' ')
    corpus=$build/corpus/$t
    log=$build/fuzz-$t.log
    mkdir -p "$corpus"
    # shellcheck disable=SC2086  # $seeds is a list of folders
    "$build/fuzz/fuzz-$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=1 -artifact_prefix="$build/crashes/$t-" \
        "$corpus" $seeds $( [ -d "tests/fuzz/crashers/$t" ] && echo "tests/fuzz/crashers/$t") \
        > "$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    size=$(find "$corpus" -type f | wc -l)
    if [ "$rc" -eq 0 ]; then
        result=ok
    else
        result="FAILED (exit $rc; see $log)"
        failed=1
    fi
    printf '%-10s %12s %10s %8s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "$size" "$result"
    [ "$rc" -eq 0 ] || grep -m 5 -E 'ERROR|invariant|SUMMARY' "$log" | sed 's/^/    /'
done
exit "$failed"
