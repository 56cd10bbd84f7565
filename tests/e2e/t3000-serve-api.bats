#!/usr/bin/env bats
# t3000-serve-api.bats: benchgate serve's API against a live server on
# 127.0.0.1: tokens, uploads, reads, errors, limits, metrics, shutdown.

load helper
load server

MULTI=$BATS_TEST_DIRNAME/../fixtures/hyperfine/multi-commands/results.json

# A benchgate run document with two benchmarks whose names need escaping everywhere.
odd_run() {
    cat <<'JSON'
{"benchgate": 1, "results": [
 {"name": "parse/small \"quoted\" <b>", "metric": "time", "unit": "ns", "direction": "lower",
  "samples": [10, 11, 12, 13, 14]},
 {"name": "plain", "metric": "time", "unit": "ns", "direction": "lower", "samples": [5, 6, 7]}]}
JSON
}

@test "healthz answers ok; unknown paths are 404 in the error shape" {
    serve_start
    api GET /healthz
    [ "$STATUS" = 200 ]
    [[ "$BODY" == *'"status": "ok"'* ]]
    api GET /nope
    [ "$STATUS" = 404 ]
    validate api/error.schema.json
    [[ "$BODY" == *'"code": "not_found"'* ]]
    serve_stop
}

@test "token create prints the token last; list shows it; revoke marks it" {
    run bg token create --project acme/widgets --db "$DB" --name "github actions"
    [ "$status" -eq 0 ]
    tok=${lines[-1]}
    [[ "$tok" =~ ^bg_[0-9a-f]{16}_[0-9a-f]{64}$ ]]
    id=${tok:3:16}
    [ "$(sql "SELECT count(*) FROM tokens WHERE id = '$id' AND length(hash) = 32")" = 1 ]
    # the secret itself is stored nowhere
    db_dump > dump.sql
    [ -s dump.sql ] && ! grep -q "${tok:20}" dump.sql
    run bg token list --project acme/widgets --db "$DB"
    [ "$status" -eq 0 ]
    [[ "$output" == *"$id"*"github actions"* ]]
    run bg token revoke "$id" --project acme/widgets --db "$DB"
    [ "$status" -eq 0 ]
    [ "$(sql "SELECT count(*) FROM tokens WHERE id = '$id' AND revoked_at IS NOT NULL")" = 1 ]
    run bg token revoke "$id" --project acme/widgets --db "$DB"
    [ "$status" -eq 2 ]
    run bg token revoke nothex --project acme/widgets --db "$DB"
    [ "$status" -eq 2 ]
}

@test "an upload with the project's token is stored whole and read back through every GET" {
    tok=$(token acme/widgets)
    serve_start
    api POST "/api/v1/projects/acme%2Fwidgets/runs?branch=main&commit=ABCDEF12&meta=runner=ci-1" \
        -H "Authorization: Bearer $tok" --data-binary @"$MULTI"
    [ "$STATUS" = 201 ]
    validate api/upload.schema.json
    [[ "$BODY" == *'"id": 1'* ]]
    [[ "$BODY" == *'"commit": "abcdef12"'* ]]
    [ "$(sql "SELECT count(*) FROM results WHERE run_id = 1 AND samples IS NOT NULL")" = 3 ]
    [ "$(sql "SELECT e.runner FROM runs r JOIN environments e ON e.id = r.environment_id")" = ci-1 ]

    api GET /api/v1/projects
    [ "$STATUS" = 200 ] && validate api/projects.schema.json
    [[ "$BODY" == *'"name": "acme/widgets", "runs": 1'* ]]
    api GET "/api/v1/projects/acme%2Fwidgets/runs?branch=main"
    [ "$STATUS" = 200 ] && validate api/runs.schema.json
    [[ "$BODY" == *'"id": 1,'*'"commit": "abcdef12"'*'"benchmarks": 3'* ]]
    api GET "/api/v1/projects/acme%2Fwidgets/runs?branch=other"
    [[ "$BODY" != *'"id"'* ]]
    api GET /api/v1/projects/acme%2Fwidgets/benchmarks
    [ "$STATUS" = 200 ] && validate api/benchmarks.schema.json
    [[ "$BODY" == *'"name": "sleep 0.02"'* ]]
    api GET /api/v1/projects/acme%2Fwidgets/runs/1
    [ "$STATUS" = 200 ] && validate run.schema.json
    # the samples come back exactly as stored: collect reads the document back into the same run
    cp "$T/body" run1.json
    bg collect --db "$T/copy.db" -q run1.json
    [ "$(samples_hex "$T/copy.db")" = "$(samples_hex "$DB")" ]
    api GET "/api/v1/projects/acme%2Fwidgets/benchmarks/sleep%200.02/history"
    [ "$STATUS" = 200 ] && validate api/history.schema.json
    [[ "$BODY" == *'"run_id": 1'* ]]
    serve_stop
}

@test "names with '/', quotes and markup round-trip through upload and history URLs" {
    tok=$(token p)
    odd_run > odd.json
    serve_start
    api POST /api/v1/projects/p/runs -H "Authorization: Bearer $tok" --data-binary @odd.json
    [ "$STATUS" = 201 ]
    api GET '/api/v1/projects/p/benchmarks/parse%2Fsmall%20%22quoted%22%20%3Cb%3E/history'
    [ "$STATUS" = 200 ]
    validate api/history.schema.json
    [[ "$BODY" == *'"name": "parse/small \"quoted\" <b>"'* ]]
    [[ "$BODY" == *'"n": 5'* ]]
    # the unescaped '/' is another path, not this benchmark
    api GET '/api/v1/projects/p/benchmarks/parse/small/history'
    [ "$STATUS" = 404 ]
    serve_stop
}

@test "missing, invalid, revoked and other-project tokens are refused and write nothing" {
    tok=$(token acme)
    other=$(token elsewhere)
    revoked=$(token acme)
    bg token revoke "${revoked:3:16}" --project acme --db "$DB" >/dev/null
    serve_start
    before=$(rows)
    api POST /api/v1/projects/acme/runs --data-binary @"$MULTI"
    [ "$STATUS" = 401 ] && [[ "$BODY" == *'"code": "unauthorized"'* ]]
    # the secret's last digit changed (to 0, or to 1 when it was 0: a token ends in 0
    # one time in sixteen, and then "changed to 0" was the valid token itself)
    wrong=${tok%?}0
    [ "$wrong" != "$tok" ] || wrong=${tok%?}1
    api POST /api/v1/projects/acme/runs -H "Authorization: Bearer $wrong" --data-binary @"$MULTI"
    [ "$STATUS" = 401 ]
    api POST /api/v1/projects/acme/runs -H "Authorization: Bearer bg_nonsense" --data-binary @"$MULTI"
    [ "$STATUS" = 401 ]
    api POST /api/v1/projects/acme/runs -H "Authorization: Bearer $revoked" --data-binary @"$MULTI"
    [ "$STATUS" = 401 ] && [[ "$BODY" == *revoked* ]]
    api POST /api/v1/projects/acme/runs -H "Authorization: Bearer $other" --data-binary @"$MULTI"
    [ "$STATUS" = 403 ] && [[ "$BODY" == *'"code": "forbidden"'* ]]
    validate api/error.schema.json
    [ "$(rows)" = "$before" ]
    [ "$(sql 'SELECT count(*) FROM runs')" = 0 ]
    serve_stop
}

@test "bad bodies are 400 with the parser's message, and write nothing" {
    tok=$(token acme)
    serve_start
    before=$(rows)
    api POST /api/v1/projects/acme/runs -H "Authorization: Bearer $tok" --data-binary '{"results": [1, 2'
    [ "$STATUS" = 400 ] && validate api/error.schema.json
    [[ "$BODY" == *"request body"* ]]
    api POST "/api/v1/projects/acme/runs?format=nosuch" -H "Authorization: Bearer $tok" --data-binary @"$MULTI"
    [ "$STATUS" = 400 ] && [[ "$BODY" == *"unknown format 'nosuch'"* ]]
    api POST /api/v1/projects/acme/runs -H "Authorization: Bearer $tok"
    [ "$STATUS" = 400 ] && [[ "$BODY" == *empty* ]]
    api POST "/api/v1/projects/acme/runs?commit=xyz" -H "Authorization: Bearer $tok" --data-binary @"$MULTI"
    [ "$STATUS" = 400 ] && [[ "$BODY" == *commit* ]]
    api POST "/api/v1/projects/acme/runs?meta=bad" -H "Authorization: Bearer $tok" --data-binary @"$MULTI"
    [ "$STATUS" = 400 ] && [[ "$BODY" == *KEY=VALUE* ]]
    printf '{"results": [{"command": "x", "times": [0.1, -1]}]}' > neg.json
    api POST /api/v1/projects/acme/runs -H "Authorization: Bearer $tok" --data-binary @neg.json
    [ "$STATUS" = 400 ]
    [ "$(rows)" = "$before" ]
    serve_stop
}

@test "a unit change is a 409 conflict and the earlier run is untouched" {
    tok=$(token acme)
    serve_start
    odd_run > a.json
    sed 's/"unit": "ns", "direction": "lower", "samples": \[5/"unit": "B", "direction": "lower", "samples": [5/' a.json > b.json
    api POST /api/v1/projects/acme/runs -H "Authorization: Bearer $tok" --data-binary @a.json
    [ "$STATUS" = 201 ]
    api POST /api/v1/projects/acme/runs -H "Authorization: Bearer $tok" --data-binary @b.json
    [ "$STATUS" = 409 ] && [[ "$BODY" == *'"code": "conflict"'* ]]
    [ "$(sql 'SELECT count(*) FROM runs')" = 1 ]
    serve_stop
}

@test "bodies over --max-body are 413, by Content-Length or chunked, and write nothing" {
    tok=$(token acme)
    serve_start --max-body 1000
    head -c 5000 /dev/zero | tr '\0' ' ' > big.txt
    api POST /api/v1/projects/acme/runs -H "Authorization: Bearer $tok" --data-binary @big.txt
    [ "$STATUS" = 413 ] && [[ "$BODY" == *'"code": "payload_too_large"'* ]]
    api POST /api/v1/projects/acme/runs -H "Authorization: Bearer $tok" \
        -H 'Transfer-Encoding: chunked' --data-binary @big.txt
    [ "$STATUS" = 413 ]
    [ "$(sql 'SELECT count(*) FROM runs')" = 0 ]
    api GET /healthz
    [ "$STATUS" = 200 ]
    serve_stop
}

@test "unknown project, run and benchmark are 404; wrong methods are 405 with Allow" {
    tok=$(token acme)
    serve_start
    api POST /api/v1/projects/acme/runs -H "Authorization: Bearer $tok" --data-binary @"$MULTI"
    [ "$STATUS" = 201 ]
    api GET /api/v1/projects/nobody/runs
    [ "$STATUS" = 404 ] && [[ "$BODY" == *"no project 'nobody'"* ]]
    api GET /api/v1/projects/nobody/benchmarks
    [ "$STATUS" = 404 ]
    api GET /api/v1/projects/acme/runs/999
    [ "$STATUS" = 404 ]
    api GET /api/v1/projects/acme/runs/abc
    [ "$STATUS" = 400 ]
    api GET /api/v1/projects/acme/benchmarks/nosuch/history
    [ "$STATUS" = 404 ] && [[ "$BODY" == *nosuch* ]]
    # a run of another project is not found through this one
    other=$(token other)
    api GET /api/v1/projects/other/runs/1
    [ "$STATUS" = 404 ]
    curl -sS --max-time 10 -o /dev/null -D headers.txt -X DELETE "$URL/api/v1/projects/acme/runs"
    grep -q '^HTTP/1.1 405' headers.txt
    grep -qi '^Allow: GET, HEAD, POST' headers.txt
    api PUT /healthz
    [ "$STATUS" = 405 ] && validate api/error.schema.json
    serve_stop
}

@test "NUL bytes, bad escapes and absurd lengths in the path or query are 400" {
    serve_start
    api GET /api/v1/projects/a%00b/runs
    [ "$STATUS" = 400 ] && [[ "$BODY" == *NUL* ]]
    api GET "/api/v1/projects/acme/runs?branch=a%00"
    [ "$STATUS" = 400 ]
    api GET /api/v1/projects/a%zz/runs
    [ "$STATUS" = 400 ]
    api GET "/api/v1/projects/$(printf 'x%.0s' $(seq 5000))/runs"
    [ "$STATUS" = 400 ]
    api GET "/api/v1/projects/acme/runs?branch=$(printf 'y%.0s' $(seq 5000))"
    [ "$STATUS" = 400 ]
    # far past what the server reads for a request line: refused, and the server lives on
    api GET "/healthz?x=$(printf 'z%.0s' $(seq 70000))"
    [ "$STATUS" -ge 400 ] && [ "$STATUS" -lt 500 ]
    api GET /healthz
    [ "$STATUS" = 200 ]
    serve_stop
}

@test "check on the server returns the verdict document; it needs a token" {
    tok=$(token demo)
    serve_start
    api POST "/api/v1/projects/demo/runs?branch=main" -H "Authorization: Bearer $tok" \
        --data-binary @"$BATS_TEST_DIRNAME/../../samples/hyperfine-main.json"
    [ "$STATUS" = 201 ]
    api POST "/api/v1/projects/demo/check?branch=feature&resamples=200" \
        --data-binary @"$BATS_TEST_DIRNAME/../../samples/hyperfine-feature.json"
    [ "$STATUS" = 401 ]
    api POST "/api/v1/projects/demo/check?branch=feature&resamples=200" -H "Authorization: Bearer $tok" \
        --data-binary @"$BATS_TEST_DIRNAME/../../samples/hyperfine-feature.json"
    [ "$STATUS" = 200 ]
    validate api/check.schema.json
    [[ "$BODY" == *'"verdict": "fail"'* ]]
    [[ "$BODY" == *'"name": "parse-config"'*'"verdict": "regressed"'* ]]
    # nothing was stored by checking
    [ "$(sql 'SELECT count(*) FROM runs')" = 1 ]
    api POST "/api/v1/projects/demo/check?run=1&baseline=run:999" -H "Authorization: Bearer $tok"
    [ "$STATUS" = 404 ]
    # the gate's own words, not the command line's
    [[ "$BODY" == *"baseline 'run:999': no run 999 in project 'demo'"* ]]
    [[ "$BODY" != *"--baseline"* ]]
    api POST "/api/v1/projects/demo/check?run=1&baseline=tag:v1" -H "Authorization: Bearer $tok"
    [ "$STATUS" = 400 ]
    api POST "/api/v1/projects/demo/check?threshold=-1" -H "Authorization: Bearer $tok"
    [ "$STATUS" = 400 ] && [[ "$BODY" == *threshold* ]]
    serve_stop
}

@test "the API and the command line take a parameter within the same range" {
    tok=$(token demo)
    bg collect --db "$DB" --project demo --branch main -q "$MULTI"
    serve_start
    for spec in resamples=10001:--resamples min_samples=0:--min-samples alpha=0:--alpha \
                threshold=101:--threshold window=65:--baseline-window; do
        query=${spec%%:*} flag=${spec#*:}
        api POST "/api/v1/projects/demo/check?run=1&$query" -H "Authorization: Bearer $tok"
        [ "$STATUS" = 400 ]
        run bg check --db "$DB" --project demo --branch main "$flag" "${query#*=}"
        [ "$status" -eq 2 ]
        # the same range, in the same words
        range=$(printf '%s' "$output" | sed -n "s/.*'${query#*=}': [a-z ]* (\(.*\))$/\1/p")
        [ -n "$range" ]
        [[ "$BODY" == *"'${query#*=}': "*"($range)"* ]]
    done
    # and the largest value each takes is taken by both
    api POST "/api/v1/projects/demo/check?run=1&resamples=10000&window=64" \
        -H "Authorization: Bearer $tok"
    [ "$STATUS" = 200 ]
    serve_stop
}

@test "metrics count requests, errors and uploads in Prometheus text" {
    tok=$(token acme)
    serve_start
    for i in 1 2 3; do
        api POST "/api/v1/projects/acme/runs?commit=abc$i" -H "Authorization: Bearer $tok" --data-binary @"$MULTI"
        [ "$STATUS" = 201 ]
    done
    api POST /api/v1/projects/acme/runs --data-binary @"$MULTI"
    [ "$STATUS" = 401 ]
    api GET /metrics
    [ "$STATUS" = 200 ]
    grep -qx 'benchgate_uploads_total{outcome="stored"} 3' "$T/body"
    grep -qx 'benchgate_uploads_total{outcome="refused"} 1' "$T/body"
    grep -qx 'benchgate_http_requests_total{code="201"} 3' "$T/body"
    grep -qx 'benchgate_http_requests_total{code="401"} 1' "$T/body"
    grep -q '^benchgate_http_request_duration_seconds_bucket{le="+Inf"} 4$' "$T/body"
    grep -q '^# TYPE benchgate_http_request_duration_seconds histogram$' "$T/body"
    # and an access log line per request
    [ "$(grep -c ' POST /api/v1/projects/acme/runs ' "$T/serve.err")" = 4 ]
    serve_stop
}

@test "--private: reading needs one of the project's tokens" {
    tok=$(token acme)
    other=$(token other)
    serve_start --private
    api POST /api/v1/projects/acme/runs -H "Authorization: Bearer $tok" --data-binary @"$MULTI"
    [ "$STATUS" = 201 ]
    api GET /api/v1/projects/acme/runs
    [ "$STATUS" = 401 ]
    api GET /api/v1/projects/acme/runs -H "Authorization: Bearer $other"
    [ "$STATUS" = 403 ]
    api GET /api/v1/projects/acme/runs -H "Authorization: Bearer $tok"
    [ "$STATUS" = 200 ]
    api GET /api/v1/projects -H "Authorization: Bearer $other"
    [ "$STATUS" = 200 ]
    [[ "$BODY" != *acme* ]] && [[ "$BODY" == *other* ]]
    serve_stop
}

@test "a stalled upload does not block other requests" {
    tok=$(token acme)
    serve_start --threads 1
    # headers and half a body, then silence: the connection stays open (fd 8: bats owns 3)
    exec 8<>"/dev/tcp/127.0.0.1/$PORT"
    printf 'POST /api/v1/projects/acme/runs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: 1000\r\n\r\n{"results": [' "$tok" >&8
    sleep 0.3
    api GET /healthz
    [ "$STATUS" = 200 ]
    api GET /api/v1/projects
    [ "$STATUS" = 200 ]
    exec 8>&-
    serve_stop
}

@test "SIGTERM and SIGINT stop the server cleanly with status 0" {
    serve_start
    serve_stop TERM
    [ "$SERVER_STATUS" -eq 0 ]
    grep -q 'benchgate: stopped' "$T/serve.out"
    serve_start
    serve_stop INT
    [ "$SERVER_STATUS" -eq 0 ]
}

@test "serve refuses bad flags, and a port in use is exit 3" {
    run bg serve --listen nowhere
    [ "$status" -eq 2 ]
    run bg serve --listen 127.0.0.1:99999
    [ "$status" -eq 2 ]
    run bg serve --threads 0
    [ "$status" -eq 2 ]
    run bg serve --help
    [ "$status" -eq 0 ] && [[ "$output" == *--max-body* ]]
    serve_start
    run bg serve --listen "127.0.0.1:$PORT" --db "$T/other.db"
    [ "$status" -eq 3 ]
    serve_stop
}

@test "SIGTERM during an upload finishes it (201, stored) before stopping" {
    local LC_ALL=C # lengths in bytes
    tok=$(token acme)
    serve_start
    body=$(cat "$MULTI")
    exec 8<>"/dev/tcp/127.0.0.1/$PORT"
    printf 'POST /api/v1/projects/acme/runs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
        "$tok" "${#body}" "${body:0:100}" >&8
    wait_in_flight 1
    kill -TERM "$SERVER_PID"
    sleep 0.3
    kill -0 "$SERVER_PID" # still running: an upload is in flight
    printf '%s' "${body:100}" >&8
    answer=$(timeout 10 cat <&8)
    exec 8>&-
    [[ "$answer" == "HTTP/1.1 201"* ]]
    serve_stop
    [ "$SERVER_STATUS" -eq 0 ]
    [ "$(sql 'SELECT count(*) FROM runs')" = 1 ]
    # and no new connection was taken once stopping began
    grep -q 'finishing requests in flight' "$T/serve.err"
}

@test "read answers are cached until a run is added, then never served stale" {
    tok=$(token acme)
    serve_start
    api POST "/api/v1/projects/acme/runs?commit=aaaa" -H "Authorization: Bearer $tok" --data-binary @"$MULTI"
    [ "$STATUS" = 201 ]
    api GET "/api/v1/projects/acme/benchmarks/sleep%200.02/history"
    first=$BODY
    api GET "/api/v1/projects/acme/benchmarks/sleep%200.02/history"
    [ "$BODY" = "$first" ]
    api GET /metrics
    grep -qx 'benchgate_cache_lookups_total{outcome="hit"} 1' "$T/body"
    # a run stored by another process (collect on the same file) counts too
    bg collect --db "$DB" --project acme -q --commit bbbb "$MULTI"
    api GET "/api/v1/projects/acme/benchmarks/sleep%200.02/history"
    [[ "$BODY" == *'"run_id": 2'* ]]
    api POST "/api/v1/projects/acme/runs?commit=cccc" -H "Authorization: Bearer $tok" --data-binary @"$MULTI"
    api GET "/api/v1/projects/acme/benchmarks/sleep%200.02/history"
    [[ "$BODY" == *'"run_id": 3'* ]]
    api GET "/api/v1/projects/acme/runs?limit=1"
    [[ "$BODY" == *'"id": 3'* ]]
    # a private server still asks for the token before answering from the cache
    serve_stop
    serve_start --private
    api GET "/api/v1/projects/acme/runs?limit=1" -H "Authorization: Bearer $tok"
    [ "$STATUS" = 200 ]
    api GET "/api/v1/projects/acme/runs?limit=1"
    [ "$STATUS" = 401 ]
    serve_stop
}

@test "a stop with a stalled upload in flight still ends within --shutdown-timeout" {
    local LC_ALL=C
    tok=$(token acme)
    serve_start --shutdown-timeout 1
    body=$(cat "$MULTI")
    exec 8<>"/dev/tcp/127.0.0.1/$PORT"
    printf 'POST /api/v1/projects/acme/runs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\n\r\n%s' \
        "$tok" "${#body}" "${body:0:100}" >&8
    wait_in_flight 1
    start=$SECONDS
    serve_stop TERM
    exec 8>&-
    [ $((SECONDS - start)) -le 5 ]
    [ "$SERVER_STATUS" -eq 0 ]
    grep -q 'unfinished' "$T/serve.err"
    [ "$(sql 'SELECT count(*) FROM runs')" = 0 ]
}
