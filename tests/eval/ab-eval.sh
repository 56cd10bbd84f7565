#!/bin/bash
# ab-eval.sh: benchgate ab on the four real suites of tests/fixtures/real,
# for make gate-eval: A/A trials (base and head both unchanged) and mixed
# A/B trials (one "loc" benchmark +5%, one +10%, one +20%, three "tail"
# benchmarks with 15% of samples 60% slower: variants mix1..mix3 rotate the
# sizes), in each mode (ab interleaved, ab --duet), with and without a
# competing load this script makes: a CPU and memory hog pinned to the last
# CPU, bounded in time, started and stopped by its PID around each block.
# Every trial is one real `benchgate ab` run; its rounds are kept, so
# `gate-eval --ab OUT` judges them again (and judges history `check` on the
# same rounds) and prints the table.
#
# Usage: tests/eval/ab-eval.sh OUT
# Environment (all optional):
#   BENCHGATE=PATH   the binary (default ./benchgate)
#   SLOTS=N          trials per harness, mode and load (default 10): odd
#                    slots A/A, even ones mix1, mix2, mix3 in turn
#   ROUNDS=N         rounds per trial (default: benchgate ab's)
#   HARNESSES, MODES, LOADS   subsets of "go gbench pytest hyperfine",
#                    "interleaved duet", "none hog"
#   THRESHOLD=F      --threshold of every trial (default 0.05)
#   HOG_MB=N         the hog's memory (default 512)
# A trial's outcome is in OUT/trials.jsonl, one line each, with its exit
# status, wall time and the load average before and after.
set -euo pipefail

OUT=${1:?usage: ab-eval.sh OUT}
HERE=$(cd "$(dirname "$0")" && pwd)
SUITES=$HERE/../fixtures/real/suites
BG=${BENCHGATE:-$PWD/benchgate}
SLOTS=${SLOTS:-10}
HARNESSES=${HARNESSES:-go gbench pytest hyperfine}
MODES=${MODES:-interleaved duet}
LOADS=${LOADS:-none hog}
THRESHOLD=${THRESHOLD:-0.05}
HOG_MB=${HOG_MB:-512}
SYS_PATH=/usr/sbin:/usr/bin:/sbin:/bin
HF_WORKLOADS=(fib hash sort alloc strbuild parse matmul pagetouch collatz)

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d /tmp/bg-abeval.XXXXXX)
HOG_PID=
cleanup() {
    [ -z "$HOG_PID" ] || kill "$HOG_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "ab-eval: building the suites in $WORK" >&2
export GOPATH=$WORK/gopath GOCACHE=$WORK/gocache GOPROXY=off GOFLAGS= GOTOOLCHAIN=local
cp -r "$SUITES/go" "$SUITES/pytest" "$WORK/"
(cd "$WORK/go" && PATH=$SYS_PATH go test -c -o "$WORK/go.test" .)
g++ -O2 -std=c++17 "$SUITES/gbench/bench.cc" -o "$WORK/gbench" -lbenchmark -lpthread
cc -O2 -o "$WORK/hfwork" "$SUITES/hyperfine/hfwork.c"

# A side's command for harness $1 and variant $2: small rounds (a second or
# two each), since a trial is ROUNDS of them on each side.
command_for() {
    local h=$1 v=$2 w hf=
    case $h in
    go) echo "env BG_VARIANT=$v $WORK/go.test -test.run ^\$ -test.bench . -test.benchmem" \
             "-test.count 8 -test.benchtime 8ms" ;;
    gbench) echo "env BG_VARIANT=$v $WORK/gbench --benchmark_format=json" \
                 "--benchmark_repetitions=8 --benchmark_min_time=0.008" ;;
    pytest) echo "env BG_VARIANT=$v BG_ROUNDS=15 PATH=$SYS_PATH /usr/bin/python3 -m pytest" \
                 "$WORK/pytest/test_suite.py -q -p no:cacheprovider --benchmark-json={out}" ;;
    hyperfine)
        for w in "${HF_WORKLOADS[@]}"; do hf="$hf -n $w '$WORK/hfwork $w'"; done
        echo "env BG_VARIANT=$v hyperfine -N --style none --warmup 1 --runs 12" \
             "--export-json {out}$hf" ;;
    esac
}

start_hog() {
    local last
    last=$(( $(nproc) - 1 ))
    # bounded: an hour at most even if this script dies; stopped by PID below
    timeout 3600 taskset -c "$last" python3 -c '
import sys
b = bytearray(int(sys.argv[1]) << 20)
while True:
    for i in range(0, len(b), 4096):
        b[i] = (b[i] + 1) & 255
' "$HOG_MB" &
    HOG_PID=$!
}

stop_hog() {
    if [ -n "$HOG_PID" ]; then
        kill "$HOG_PID" 2>/dev/null || true
        wait "$HOG_PID" 2>/dev/null || true
        HOG_PID=
    fi
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg | tr ' ' ','; }

for (( slot = 1; slot <= SLOTS; slot++ )); do
    if (( slot % 2 == 1 )); then v=aa; else v=mix$(( (slot / 2 - 1) % 3 + 1 )); fi
    for load in $LOADS; do
        [ "$load" = hog ] && start_hog
        for h in $HARNESSES; do
            for mode in $MODES; do
                dir=$OUT/$h/$load/$mode/slot-$(printf %02d "$slot")-$v
                [ -e "$dir/ab.json" ] && continue
                rm -rf "$dir"
                mkdir -p "$(dirname "$dir")"
                args=(ab -q --keep "$dir" --threshold "$THRESHOLD" -o json)
                [ -z "${ROUNDS:-}" ] || args+=(--rounds "$ROUNDS")
                [ "$mode" = duet ] && args+=(--duet)
                [ "$h" = pytest ] && args+=(--base-dir "$WORK/pytest" --head-dir "$WORK/pytest")
                l0=$(loadavg)
                t0=$(date +%s.%N)
                rc=0
                "$BG" "${args[@]}" --base "$(command_for "$h" aa)" --head "$(command_for "$h" "$v")" \
                    > "$dir.verdict.json" 2> "$dir.stderr" || rc=$?
                t1=$(date +%s.%N)
                printf '{"harness": "%s", "load": "%s", "mode": "%s", "slot": %d, "variant": "%s", "dir": "%s", "exit": %d, "seconds": %s, "loadavg_start": [%s], "loadavg_end": [%s]}\n' \
                    "$h" "$load" "$mode" "$slot" "$v" "${dir#"$OUT"/}" "$rc" \
                    "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')" "$l0" "$(loadavg)" \
                    >> "$OUT/trials.jsonl"
                echo "ab-eval: slot $slot/$SLOTS $v $load $h $mode: exit $rc, load $l0" >&2
            done
        done
        stop_hog
    done
done
