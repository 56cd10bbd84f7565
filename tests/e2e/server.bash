# server.bash: a live `benchgate serve` for the server tests, after helper.bash.
# It binds 127.0.0.1 on a port the kernel picks, is waited for with a bound,
# and is stopped by its PID; teardown kills any server a test left running.

# serve_start [ARGS...]: starts the server on $DB; sets SERVER_PID, PORT, URL, API.
serve_start() {
    # made first: the background job opens its output files when it gets to run,
    # which can be after the first look for the port below
    : >"$T/serve.out"
    # the binary itself, not the bg function: a backgrounded function is a subshell,
    # and the signals must reach the server
    "$BENCHGATE" serve --listen 127.0.0.1:0 --db "$DB" "$@" >"$T/serve.out" 2>"$T/serve.err" &
    SERVER_PID=$!
    # The port is taken only from a whole line (its text after the port too),
    # and only once a connection to it is accepted: a port read from a
    # previous server's output, or from a line still being written, is never
    # used (the likely cause of t3000 once failing "couldn't connect" after a
    # restart). A bare connection is no request: nothing is logged or counted.
    for _ in $(seq 100); do
        PORT=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\) (.*|\1|p' "$T/serve.out")
        if [ -n "$PORT" ] && (exec 9<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
            break
        fi
        PORT=
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$T/serve.err" >&2; return 1; }
        sleep 0.1
    done
    [ -n "$PORT" ] || { echo "server did not start in 10 s" >&2; return 1; }
    URL=http://127.0.0.1:$PORT
    API=$URL/api/v1
}

# serve_stop [SIGNAL]: stops it (default TERM) and waits at most 10 s; sets
# SERVER_STATUS. Fails when a sanitizer reported anything. A server that has
# already stopped by itself (after an earlier signal) is only reaped: the
# shell may have collected it, so the kill can find no such process.
serve_stop() {
    kill -"${1:-TERM}" "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 100); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -KILL "$SERVER_PID"
        echo "server did not stop in 10 s" >&2
        return 1
    fi
    SERVER_STATUS=0
    wait "$SERVER_PID" || SERVER_STATUS=$?
    SERVER_PID=
    ! grep -E 'AddressSanitizer|LeakSanitizer|ThreadSanitizer|runtime error:' "$T/serve.err" >&2
}

# serve_kill: SIGKILL, as a crash would; waits for the process to be gone.
serve_kill() {
    kill -KILL "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}

teardown() {
    if [ -n "${SERVER_PID:-}" ]; then
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
}

# api METHOD PATH [CURL ARGS...]: the answer's body in $T/body and $output-style
# BODY, its status in STATUS. Bounded in time; loopback only.
api() {
    method=$1 path=$2
    shift 2
    STATUS=$(curl -sS --max-time 20 -o "$T/body" -w '%{http_code}' -X "$method" "$@" "$URL$path")
    BODY=$(cat "$T/body")
}

# wait_in_flight N: waits (at most 10 s) until the server is handling N
# requests besides the /metrics request that asks; fails if it never does.
wait_in_flight() {
    for _ in $(seq 100); do
        api GET /metrics
        grep -qx "benchgate_http_requests_in_flight $(($1 + 1))" "$T/body" && return 0
        sleep 0.1
    done
    echo "the server never had $1 requests in flight" >&2
    return 1
}

# token PROJECT: a new upload token for PROJECT (the last line of token create).
token() {
    bg token create --project "$1" --db "$DB" | tail -n 1
}

# validate SCHEMA: checks $T/body against schemas/SCHEMA.
validate() {
    python3 "$BATS_TEST_DIRNAME/../tools/validate.py" "$BATS_TEST_DIRNAME/../../schemas/$1" "$T/body"
}

# big_project RUNS BENCHMARKS: collects the synthetic project 'big' of
# tests/tools/project.py into $DB: benchmarks by name prefix, one that steps
# up 25% at run RUNS*0.6+1, and three that regress 40% in the newest run (rows
# 4, 78 and 151 of it). Commits are c000001.., runs an hour apart. The run
# documents are made once per test file.
big_project() {
    local dir=$BATS_FILE_TMPDIR/big-$1-$2 i
    [ -d "$dir" ] || python3 "$BATS_TEST_DIRNAME/../tools/project.py" "$dir" "$1" "$2" || return 1
    for i in $(seq 1 "$1"); do
        bg collect -q --db "$DB" --project big --branch main --commit "$(printf 'c%06x' "$i")" \
            --timestamp $((1700000000 + 3600 * i)) --meta compiler=none \
            "$dir/run-$(printf %03d "$i").json" || return 1
    done
}

# demo_db: the runs of `make demo` (samples/demo.sh) in $DB: twenty of main,
# one of a branch that regressed.
demo_db() {
    local s=$BATS_TEST_DIRNAME/../../samples file commit timestamp
    while read -r file commit timestamp; do
        bg collect -q --db "$DB" --project demo --branch main --commit "$commit" \
            --timestamp "$timestamp" "$s/history/$file" || return 1
    done < "$s/history/runs.txt"
    bg collect -q --db "$DB" --project demo --branch main \
        --commit 4b825dc642cb6eb9a060e54bf8d69288fbee4904 --timestamp 1763800000 \
        "$s/hyperfine-main.json" &&
    bg collect -q --db "$DB" --project demo --branch feature/faster-parser \
        --commit 9c1185a5c5e9fc54612808977ee8f548b2258d31 --timestamp 1763803600 \
        --meta base_branch=main --meta fork_point=4b825dc642cb6eb9a060e54bf8d69288fbee4904 \
        "$s/hyperfine-feature.json"
}
