#!/usr/bin/env bats
# Hostile requests against a live server: each case states the exact status,
# and after every case the database holds exactly what it held before.
# (t3000 covers tokens, NUL bytes, bad escapes, oversized and stalled bodies.)

load helper
load server

# upload_case NAME STATUS BODY_FILE [QUERY]: one upload; checks the status
# and that nothing was written.
upload_case() {
    api POST "/api/v1/projects/acme/runs${4:-}" -H "Authorization: Bearer $TOK" \
        --data-binary @"$3"
    if [ "$STATUS" != "$2" ] || [ "$(rows)" != "$BEFORE" ]; then
        echo "case '$1': status $STATUS (wanted $2), rows $(rows) (were $BEFORE): $BODY" >&2
        return 1
    fi
}

hf() { # hf NAME TIMES_JSON: a one-benchmark hyperfine document
    printf '{"results": [{"command": %s, "times": %s}]}' "$1" "$2"
}

setup_server() {
    TOK=$(token acme)
    hf '"base"' '[0.1, 0.2, 0.3]' > base.json
    bg collect -q --db "$DB" --project acme base.json
    serve_start
    BEFORE=$(rows)
}

@test "hostile bodies: nesting, numbers, encodings, names; each 400 and nothing written" {
    setup_server
    python3 -c 'print("[" * 100000 + "]" * 100000)' > deep.json
    upload_case "100,000 nested arrays" 400 deep.json
    python3 -c 'print("{\"results\": [{\"command\": \"x\", \"times\": [0.1], \"p\": " + "{\"a\": " * 5000 + "1" + "}" * 5000 + "}]}")' > deep2.json
    upload_case "5,000 nested objects inside a result" 400 deep2.json
    hf '"x"' '[1e400, 0.1]' > huge.json
    upload_case "a number past double" 400 huge.json
    hf '"x"' '[NaN, 0.1]' > nan.json
    upload_case "NaN" 400 nan.json
    hf '"x"' '[Infinity, 0.1]' > inf.json
    upload_case "Infinity" 400 inf.json
    hf '"x"' '[-0.1, 0.1]' > neg.json
    upload_case "a negative time" 400 neg.json
    hf '"x"' '[1e7, 0.1]' > long.json
    upload_case "a time of 116 days" 400 long.json
    printf '{"results": [{"command": "bad \xff\xfe utf8", "times": [0.1]}]}' > utf8.json
    upload_case "invalid UTF-8 in a name" 400 utf8.json
    printf '{"results": [{"command": "over\xc0\xaflong", "times": [0.1]}]}' > overlong.json
    upload_case "an overlong UTF-8 slash" 400 overlong.json
    hf "\"$(head -c 1100 /dev/zero | tr '\0' a)\"" '[0.1]' > longname.json
    upload_case "a 1,100-byte name" 400 longname.json
    printf '\x00\x01\x02{"results": []}' > binary.json
    upload_case "binary garbage" 400 binary.json
    hf '"x"' '[0.1]' > ok.json
    upload_case "a branch with a newline" 400 ok.json '?branch=a%0Ab'
    upload_case "a meta key with markup" 400 ok.json '?meta=%3Cb%3E=1'
    upload_case "a timestamp past year 9999" 400 ok.json '?timestamp=253402300800'
    serve_stop
}

@test "SQL, HTML and gnuplot metacharacters in names are stored as text and change nothing else" {
    setup_server
    names=("x'); DROP TABLE runs; --" 'a" OR 1=1 --' '<svg onload=alert(1)>' '`reboot`'
           'system("id")' '%s%n%x' '../../../etc/passwd')
    for n in "${names[@]}"; do
        hf "$(python3 -c 'import json, sys; print(json.dumps(sys.argv[1]))' "$n")" '[0.1, 0.2, 0.3]' > n.json
        api POST /api/v1/projects/acme/runs -H "Authorization: Bearer $TOK" --data-binary @n.json
        [ "$STATUS" = 201 ]
    done
    # every table is still there, and each name is stored exactly as sent
    [ "$(sql "SELECT count(*) FROM runs")" -eq $((1 + ${#names[@]})) ]
    for n in "${names[@]}"; do
        [ "$(sql "SELECT count(*) FROM benchmarks WHERE name = '${n//\'/\'\'}'")" -eq 1 ]
    done
    [ "$(db_intact)" = ok ]
    serve_stop
}

@test "path traversal and odd paths never leave the routes" {
    setup_server
    for p in '/../../etc/passwd' '/static/../../etc/passwd' '/static/%2e%2e/%2e%2e/etc/passwd' \
             '/static/..%2f..%2fetc%2fpasswd' '/p/%2e%2e' '/api/v1/projects/..%2Facme/runs' \
             '/static/style.css/..' '//etc/passwd'; do
        STATUS=$(curl -sS --path-as-is --max-time 10 -o "$T/body" -w '%{http_code}' "$URL$p")
        [[ "$STATUS" == 4?? ]] || { echo "$p: $STATUS" >&2; false; }
        ! grep -q 'root:' "$T/body"
    done
    [ "$(rows)" = "$BEFORE" ]
    serve_stop
}

@test "a name holding the cache key's separators is its own request, not another's" {
    setup_server
    api GET /p/acme/b/base/chart.svg
    [ "$STATUS" = 200 ]
    # decoded, this segment would once have made the same cache key as the chart's
    api GET /p/acme/b/base%1Fchart.svg
    [ "$STATUS" = 400 ] && [[ "$BODY" != *'<svg'* ]]
    # an unknown parameter is refused, so none can enter a cache key
    api GET '/api/v1/projects/acme/runs?zz=%1Elimit=1'
    [ "$STATUS" = 400 ] && [[ "$BODY" == *"unknown query parameter 'zz'"* ]]
    api GET '/api/v1/projects/acme/runs?limit=1&limit=2'
    [ "$STATUS" = 400 ]
    api GET '/api/v1/projects/acme/runs?limit=1'
    [ "$STATUS" = 200 ]
    serve_stop
}

@test "a body that trickles in is cut off at --body-timeout; an idle one at --timeout" {
    setup_server
    serve_stop
    serve_start --timeout 2 --body-timeout 3
    # a byte a second is never idle, so only the body deadline can end it
    exec 8<>"/dev/tcp/127.0.0.1/$PORT"
    printf 'POST /api/v1/projects/acme/runs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: 100000\r\n\r\n{"results": [' "$TOK" >&8
    start=$SECONDS
    for _ in $(seq 20); do
        (printf ' ' >&8) 2>/dev/null || break # a subshell: the write may raise SIGPIPE
        sleep 1
    done
    exec 8>&-
    [ $((SECONDS - start)) -le 8 ] # it stopped taking bytes at about 3 s
    grep -q 'body took longer than --body-timeout' "$T/serve.err"
    # silence after the headers: the idle timeout closes it
    exec 8<>"/dev/tcp/127.0.0.1/$PORT"
    printf 'POST /api/v1/projects/acme/runs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: 100000\r\n\r\n{' "$TOK" >&8
    start=$SECONDS
    timeout 10 cat <&8 > /dev/null || true
    exec 8<&-
    [ $((SECONDS - start)) -le 6 ]
    grep -q 'connection timed out' "$T/serve.err"
    [ "$(rows)" = "$BEFORE" ]
    api GET /healthz
    [ "$STATUS" = 200 ]
    serve_stop
}

@test "control bytes in a request reach the server's log as '?', on the request's one line" {
    setup_server
    exec 8<>"/dev/tcp/127.0.0.1/$PORT"
    # an escape sequence that would colour a terminal, and a DEL
    printf 'GET /p/a\033[31mb\177 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >&8
    timeout 10 cat <&8 > "$T/answer" || true
    exec 8<&-
    grep -q '^HTTP/1.1 400' "$T/answer"
    serve_stop
    grep -q ' GET /p/a?\[31mb? 400 ' "$T/serve.err"
    ! grep -q "$(printf '\033')" "$T/serve.err"
}
