#!/usr/bin/env bats
# t5100-pg-restart.bats: PostgreSQL only (make test-pg): the database itself
# restarted (a fast shutdown cuts every connection) while uploads and reads
# go on. Requests fail cleanly with 503 while it is gone, succeed again once
# it is back, and no run is stored in part.

load ../helper
load ../server

# Three benchmarks with raw samples (132, 71 and 26 of them).
FIXTURE=$BATS_TEST_DIRNAME/../../fixtures/hyperfine/multi-commands/results.json
NBENCH=3

setup_file() {
    : "${BENCHGATE_TEST_PG:?make test-pg runs this file: it needs a PostgreSQL cluster}"
    : "${BENCHGATE_TEST_PG_DIR:?make test-pg runs this file: it restarts the cluster}"
}

# uploader U LOG STOP: uploads FIXTURE (commit U then a sequence number) until
# the file STOP exists, one "COMMIT STATUS" line per upload in LOG; at most
# 100,000 uploads, each bounded in time.
uploader() {
    local u=$1 log=$2 stop=$3 seq=0 commit code
    while [ ! -e "$stop" ] && [ "$seq" -lt 100000 ]; do
        seq=$((seq + 1))
        commit=$(printf '%04x%04x' "$u" "$seq")
        code=$(curl -sS --max-time 20 -o /dev/null -w '%{http_code}' \
               -H "Authorization: Bearer $TOK" --data-binary @"$FIXTURE" \
               "$URL/api/v1/projects/p/runs?branch=main&commit=$commit") || true
        echo "$commit $code" >> "$log"
    done
}

# reader LOG STOP: lists the runs until STOP exists, one status a line in LOG
reader() {
    local log=$1 stop=$2 n=0
    while [ ! -e "$stop" ] && [ "$n" -lt 100000 ]; do
        n=$((n + 1))
        curl -sS --max-time 20 -o /dev/null -w '%{http_code}\n' \
             "$URL/api/v1/projects/p/runs?limit=5" >> "$log" || echo 000 >> "$log"
    done
}

# wait_pids SECONDS PID...: each PID gone within SECONDS in all, else killed and false
wait_pids() {
    local limit=$1 pid left=0
    shift
    for _ in $(seq $((limit * 10))); do
        left=0
        for pid in "$@"; do
            kill -0 "$pid" 2>/dev/null && left=1
        done
        [ "$left" -eq 0 ] && break
        sleep 0.1
    done
    for pid in "$@"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill -KILL "$pid" 2>/dev/null
            left=2
        fi
        wait "$pid" 2>/dev/null || true
    done
    [ "$left" -ne 2 ]
}

# ok_after LOG: how many 201 (or 200) answers came after the last 503 in LOG
ok_after() {
    awk '{ s = $NF } s == 503 { n = 0; seen = 1 } (s == 201 || s == 200) && seen { n++ } END { print n + 0 }' "$1"
}

@test "PostgreSQL restarted under load: 503 while it is gone, then on as before; no partial run" {
    TOK=$(token p)
    serve_start --threads 4
    pids=()
    for u in 1 2 3 4; do
        uploader "$u" "$T/up.$u.log" "$T/stop" > /dev/null 2>&1 &
        pids+=($!)
    done
    reader "$T/read.log" "$T/stop" > /dev/null 2>&1 &
    pids+=($!)
    # uploads are being stored...
    for _ in $(seq 100); do
        [ "$(cat "$T"/up.*.log 2>/dev/null | awk '$2 == 201' | wc -l)" -ge 20 ] && break
        sleep 0.1
    done
    [ "$(cat "$T"/up.*.log | awk '$2 == 201' | wc -l)" -ge 20 ]
    # ...when the database goes away and comes back (a fast shutdown ends every
    # session, mid-transaction or not)
    sh "$BATS_TEST_DIRNAME/../../pg/cluster.sh" restart "$BENCHGATE_TEST_PG_DIR"
    # then every uploader gets 201s again
    for _ in $(seq 200); do
        done_=1
        for u in 1 2 3 4; do
            [ "$(ok_after "$T/up.$u.log")" -ge 3 ] || done_=0
        done
        [ "$done_" = 1 ] && [ "$(ok_after "$T/read.log")" -ge 3 ] && break
        sleep 0.1
    done
    touch "$T/stop"
    wait_pids 60 "${pids[@]}"
    cat "$T"/up.*.log > all.log

    # the outage was seen, as 503 and nothing else: no 500, no dropped connection
    [ "$(awk '$2 == 503' all.log | wc -l)" -gt 0 ]
    run awk '$2 != 201 && $2 != 503' all.log
    [ -z "$output" ]
    run grep -vx -e 200 -e 503 "$T/read.log"
    [ -z "$output" ]
    grep -qx 503 "$T/read.log"
    # and it passed: each uploader and the reader succeeded after its last 503
    for u in 1 2 3 4; do
        [ "$(ok_after "$T/up.$u.log")" -ge 3 ]
    done
    [ "$(ok_after "$T/read.log")" -ge 3 ]
    # the 503s carried the store's error shape
    grep -q 'cannot\|lost\|terminating\|connect' "$T/serve.err"

    # every acknowledged run is stored once and whole; a 503 may hide a run
    # whose COMMIT went through as the connection broke, but never half of one
    awk '$2 == 201 { print $1 }' all.log | sort > acked
    sql "SELECT commit_sha FROM runs ORDER BY commit_sha" > stored
    [ -z "$(comm -23 acked stored)" ]
    [ "$(sql "SELECT count(*) - count(DISTINCT commit_sha) FROM runs")" = 0 ]
    [ "$(sql "SELECT count(*) FROM runs")" -le $(( $(wc -l < acked) + $(awk '$2 == 503' all.log | wc -l) )) ]
    [ "$(sql "SELECT count(*) FROM runs r WHERE (SELECT count(*) FROM results s WHERE s.run_id = r.id) <> $NBENCH")" = 0 ]
    [ "$(sql "SELECT count(*) FROM results WHERE samples IS NULL OR length(samples) <> 8 * n")" = 0 ]
    [ "$(db_intact)" = ok ]
    serve_stop
}

@test "a server or a command that cannot reach the database says so, without the password, and exits 3" {
    bad="postgresql:///postgres?host=$T/nosuchdir&port=5432&user=postgres&password=s3cret"
    run "$BENCHGATE" serve --listen 127.0.0.1:0 --db "$bad"
    [ "$status" -eq 3 ]
    [[ "$output" == *"cannot connect to database 'postgresql:///postgres?host=$T/nosuchdir&port=5432&user=postgres&password=***'"* ]]
    [[ "$output" != *s3cret* ]]
    run bg check --db "$bad" --project p
    [ "$status" -eq 3 ]
    [[ "$output" == *"cannot connect to database"* ]]
}
