#!/bin/sh
# run.sh: the tests in one go: the C unit tests (cmocka, as TAP) and the
# end-to-end bats files (TAP). Failures are printed in full; each file's line
# says how long it took; the last line is "N passed, N failed", and the exit
# status is non-zero if anything failed.
#
# usage: BENCHGATE=/abs/benchgate BUILD=/abs/build sh tests/run.sh UNIT_TEST_BINARY...
#   TEST_WRAPPER  a command the unit tests run under (make valgrind: memcheck)
#   E2E           the end-to-end files to run (default tests/e2e/*.bats; "none": none)
#   TEST_TIMEOUT  seconds one file may take before it is stopped and fails
#                 (default 300; the sanitizer targets give more)
set -u
: "${BENCHGATE:?set BENCHGATE to the benchgate binary under test}"
top=$(cd "$(dirname "$0")/.." && pwd)
logs=${BUILD:-$top/build}/test-logs
limit=${TEST_TIMEOUT:-300}
mkdir -p "$logs"
export BENCHGATE FIXTURES="$top/tests/fixtures"
passed=0
failed=0

# run_tap NAME CMD...: runs CMD, counts its TAP lines. A crash, a non-zero
# exit with no failing test line, a file that ran no test at all, or one
# that ran past TEST_TIMEOUT counts as a failure: nothing turns green by not
# running, and a hang fails instead of stalling the suite. timeout(1) stops
# the file's whole process group, servers it started included.
run_tap() {
    name=$1
    shift
    log="$logs/$name.log"
    mkdir -p "$(dirname "$log")"
    start=$(date +%s)
    timeout -k 10 "$limit" "$@" >"$log" 2>&1
    rc=$?
    secs=$(($(date +%s) - start))
    p=$(grep -c '^ok ' "$log" 2>/dev/null)
    f=$(grep -c '^not ok ' "$log" 2>/dev/null)
    p=${p:-0}
    f=${f:-0}
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        echo "    (stopped: still running after $limit s, TEST_TIMEOUT)" >>"$log"
        f=$((f + 1))
    elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1
    fi
    if [ $((p + f)) -eq 0 ]; then
        echo "    (ran no test)" >>"$log"
        f=1
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$f" -gt 0 ]; then
        echo "FAIL $name ($p passed, $f failed, exit $rc, ${secs} s):"
        sed 's/^/    /' "$log"
    else
        echo "ok   $name ($p passed, ${secs} s)"
    fi
}

cd "$top" || exit 2
for t in "$@"; do
    # shellcheck disable=SC2086  # TEST_WRAPPER is a command with its arguments
    CMOCKA_MESSAGE_OUTPUT=TAP run_tap "unit/$(basename "$t")" ${TEST_WRAPPER:-} "$t"
done
e2e=${E2E:-tests/e2e/*.bats}
[ "$e2e" = none ] && e2e=
for f in $e2e; do
    run_tap "e2e/$(basename "$f" .bats)" bats --tap "$f"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
