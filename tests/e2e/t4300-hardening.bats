#!/usr/bin/env bats
# t4300-hardening.bats: one regression test per finding of the second attack
# review (issue 16) that a small store can show; the ones that need the
# largest run the limits allow are in t3450-cost.bats.

load helper
load server

MULTI=$BATS_TEST_DIRNAME/../fixtures/hyperfine/multi-commands/results.json

setup_server() {
    TOK=$(token acme)
    bg collect -q --db "$DB" --project acme --branch main --commit aaaa "$MULTI"
    serve_start "$@"
}

# raw_request REQUEST: sends REQUEST as is; the answer (head and body) in ANSWER.
raw_request() {
    exec 8<>"/dev/tcp/127.0.0.1/$PORT"
    printf '%b' "$1" >&8
    ANSWER=$(timeout 10 cat <&8 | tr -d '\r')
    exec 8>&-
}

@test "2: /baseline for an unknown project is 404 before its body; an anonymous body is at most 1 MiB" {
    setup_server
    python3 -c '
import json
print(json.dumps({"benchgate": 1, "meta": {"k%d" % i: "v" for i in range(100000)},
                  "results": [{"name": "a", "samples": [1, 2, 3]}]}))' > meta.json
    api POST /api/v1/projects/nope/baseline --data-binary @meta.json
    [ "$STATUS" = 404 ] && [[ "$BODY" == *'"code": "not_found"'* ]]
    api POST /api/v1/projects/acme/baseline --data-binary @meta.json
    [ "$STATUS" = 413 ] && [[ "$BODY" == *"at most 1048576 bytes"* ]]
    # with a token the body is read, and its 100,000 keys are refused by name
    api POST /api/v1/projects/acme/baseline -H "Authorization: Bearer $TOK" --data-binary @meta.json
    [ "$STATUS" = 400 ] && [[ "$BODY" == *"meta: more than 10000 keys"* ]]
    serve_stop
}

@test "4: clients that send their request head a byte at a time are cut off at --head-timeout" {
    setup_server --max-connections 4 --head-timeout 1
    pids=()
    for i in 1 2 3 4; do
        (for c in G E T ' ' / h e a l t h z; do printf '%s' "$c"; sleep 0.5; done) \
            > "/dev/tcp/127.0.0.1/$PORT" 2>/dev/null &
        pids+=($!)
    done
    sleep 2.5 # past the head timeout: every slow connection was closed
    api GET /healthz
    [ "$STATUS" = 200 ]
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    api GET /metrics
    grep -Eq '^benchgate_slow_heads_total [1-9]' "$T/body"
    serve_stop
}

@test "6 and 7: a malformed ?baseline= is 400, and reaches the log printable on one line" {
    setup_server
    api POST "/api/v1/projects/acme/check?baseline=%0Aforged%20line" \
        -H "Authorization: Bearer $TOK" --data-binary @"$MULTI"
    [ "$STATUS" = 400 ] && [[ "$BODY" == *'"code": "bad_request"'* ]]
    [[ "$BODY" == *"baseline '?forged line'"* ]]
    # the gate's words, not a command line's
    [[ "$BODY" != *"--baseline"* ]]
    serve_stop
    ! grep -q '^forged' "$T/serve.err"
    # every line of the log is a log line or a notice of the server's own
    ! grep -Evq '^([0-9]{4}-[0-9]{2}-[0-9]{2}T|benchgate)' "$T/serve.err"
}

@test "7: an invalid Content-Length is answered 400, logged and counted" {
    setup_server
    raw_request 'POST /api/v1/projects/acme/runs HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n'
    [[ "$ANSWER" == "HTTP/1.1 400"* ]]
    api GET /metrics
    grep -qx 'benchgate_http_requests_total{code="400"} 1' "$T/body"
    serve_stop
    grep -q ' 400 .*malformed' "$T/serve.err"
}

@test "8: Content-Length with chunked, or two different lengths, is 400 and nothing stored" {
    setup_server
    body='{"benchgate": 1, "results": [{"name": "x", "samples": [1]}]}'
    raw_request "POST /api/v1/projects/acme/runs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer $TOK\r\nContent-Length: ${#body}\r\nTransfer-Encoding: chunked\r\n\r\n$body"
    [[ "$ANSWER" == "HTTP/1.1 400"* ]] && [[ "$ANSWER" == *'"code": "bad_request"'* ]]
    raw_request "POST /api/v1/projects/acme/runs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer $TOK\r\nContent-Length: ${#body}\r\nContent-Length: 5\r\n\r\n$body"
    [[ "$ANSWER" == "HTTP/1.1 400"* ]]
    [ "$(sql 'SELECT count(*) FROM runs')" = 1 ]
    serve_stop
}

@test "10: a new database, its WAL and its shared memory file are the owner's only" {
    # about SQLite's files themselves: a path, whatever engine the suite runs on
    DB=$T/modes.db
    bg collect -q --db "$DB" "$MULTI"
    serve_start
    api GET /api/v1/projects/default/runs
    for f in "$DB" "$DB-wal" "$DB-shm"; do
        [ ! -e "$f" ] || [ "$(stat -c %a "$f")" = 600 ]
    done
    [ "$(stat -c %a "$DB")" = 600 ]
    serve_stop
}

@test "11: every 'Not in the newest run' link on a project page leads to a page" {
    bg collect -q --db "$DB" --project acme --branch main --commit aaaa "$MULTI"
    echo '{"benchgate": 1, "results": [{"name": "only-on-feature", "samples": [1, 2, 3]}]}' > f.json
    bg collect -q --db "$DB" --project acme --branch feature --commit bbbb f.json
    echo '{"benchgate": 1, "results": [{"name": "newest", "samples": [1, 2, 3]}]}' > n.json
    bg collect -q --db "$DB" --project acme --branch main --commit cccc n.json
    serve_start
    api GET /p/acme
    [ "$STATUS" = 200 ]
    links=$(grep -o 'href="/p/acme/b/[^"]*"' "$T/body" | sed 's/^href="//; s/"$//; s/&amp;/\&/g' | sort -u)
    [ -n "$links" ]
    grep -q 'only-on-feature' <<<"$links"
    while read -r link; do
        api GET "$link"
        [ "$STATUS" = 200 ] || { echo "$link: $STATUS" >&2; false; }
    done <<<"$links"
    serve_stop
}

@test "12: names that look alike show their invisible characters on pages" {
    # a right-to-left override and a zero-width space: the same on screen as plain names
    printf '{"benchgate": 1, "results": [{"name": "parse\xe2\x80\xaeeulav", "samples": [1, 2]}, {"name": "pa\xe2\x80\x8brse", "samples": [1, 2]}]}' > look.json
    bg collect -q --db "$DB" --project acme look.json
    serve_start
    api GET /p/acme
    [ "$STATUS" = 200 ]
    [[ "$BODY" == *'parse&lt;U+202E&gt;eulav'* ]]
    [[ "$BODY" == *'pa&lt;U+200B&gt;rse'* ]]
    [[ "$BODY" != *$'\xe2\x80\xae'* ]]
    serve_stop
}
