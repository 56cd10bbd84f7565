#!/usr/bin/env bats
# The newcomer's path: `make demo` collects the samples, gives the gate's
# verdict and serves the dashboards, which show real charts of that history.

load helper

DEMO=$BATS_TEST_DIRNAME/../../samples/demo.sh

@test "the demo gives the verdict, then serves dashboards with the sample history" {
    : > "$T/demo.out" # before the job opens it: the loop below reads it at once
    DEMO_LISTEN=127.0.0.1:0 sh "$DEMO" "$BENCHGATE" > "$T/demo.out" 2> "$T/demo.err" &
    pid=$! # demo.sh execs the server: this is its PID
    port=
    for _ in $(seq 300); do
        port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$T/demo.out")
        [ -n "$port" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    [ -n "$port" ] || { cat "$T/demo.out" "$T/demo.err" >&2; false; }
    url=http://127.0.0.1:$port
    grep -q "parse-config  time .* REGRESSED" "$T/demo.out"
    grep -q 'exit status 1: the gate caught the regression' "$T/demo.out"

    curl -sS --max-time 30 "$url/" > "$T/index.html"
    grep -q '<a href="/p/demo">demo</a>' "$T/index.html"
    curl -sS --max-time 30 "$url/p/demo/b/render-page" > "$T/render.html"
    grep -q '<svg' "$T/render.html"
    grep -q '20 runs' "$T/render.html"
    # the speed-up merged at run 8 is the page's one change point
    [ "$(grep -c '^<li>From <a href="/p/demo/runs/8">run 8</a>' "$T/render.html")" -eq 1 ]
    curl -sS --max-time 30 "$url/p/demo/runs/21" > "$T/run.html"
    grep -q 'feature/faster-parser' "$T/run.html" && grep -q 'regressed' "$T/run.html"

    kill -TERM "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    ! kill -0 "$pid" 2>/dev/null
    wait "$pid" || true
}

@test "DEMO_SERVE=no stops after the verdict" {
    run env DEMO_SERVE=no sh "$DEMO" "$BENCHGATE"
    [ "$status" -eq 0 ]
    [[ "$output" == *"REGRESSED"* ]] && [[ "$output" != *"listening"* ]]
    [ "$(sqlite3 demo.db 'SELECT count(*) FROM runs')" -eq 21 ]
}
