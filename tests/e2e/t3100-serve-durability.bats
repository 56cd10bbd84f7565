#!/usr/bin/env bats
# t3100-serve-durability.bats: `benchgate serve` under concurrent uploads, and
# killed with SIGKILL in the middle of them: every acknowledged run is
# stored exactly once and whole, and the database stays intact.

load helper
load server

# Three benchmarks with raw samples (132, 71 and 26 of them): no summary-only result.
FIXTURE=$BATS_TEST_DIRNAME/../fixtures/hyperfine/multi-commands/results.json
NBENCH=3

# uploader U N LOG: N uploads of FIXTURE, commit printf '%04x%04x' U SEQ, one
# "COMMIT STATUS" line per upload in LOG. With N = 0 it goes on until an
# upload is not answered 201 (or 100000 uploads). Output goes to files only.
uploader() {
    local u=$1 n=$2 log=$3 seq=0 commit code
    while [ "$n" -eq 0 ] || [ "$seq" -lt "$n" ]; do
        seq=$((seq + 1))
        [ "$seq" -le 100000 ] || break
        commit=$(printf '%04x%04x' "$u" "$seq")
        code=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' \
               -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' \
               --data-binary @"$FIXTURE" \
               "$URL/api/v1/projects/acme%2Fwidgets/runs?branch=main&commit=$commit") || true
        echo "$commit $code" >>"$log"
        if [ "$n" -eq 0 ] && [ "$code" != 201 ]; then
            break
        fi
    done
}

# wait_all SECONDS PID...: waits for every PID, at most SECONDS in all; kills
# and fails when any is still running then.
wait_all() {
    local limit=$1 pid left
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
            echo "uploader $pid still running after $limit s" >&2
            left=2
        fi
        wait "$pid" 2>/dev/null || true
    done
    [ "$left" -ne 2 ]
}

# Runs with fewer results than the fixture has benchmarks, or results whose
# samples are missing or do not match their count: 0 when every run is whole.
partial_runs() {
    sql "SELECT (SELECT count(*) FROM runs r
                 WHERE (SELECT count(*) FROM results s WHERE s.run_id = r.id) <> $NBENCH)
              + (SELECT count(*) FROM results WHERE samples IS NULL OR length(samples) <> 8 * n)"
}

@test "8 concurrent uploaders x 50 runs: all 201, each of the 400 commits stored once and whole" {
    TOK=$(token acme/widgets)
    serve_start
    pids=()
    for u in 1 2 3 4 5 6 7 8; do
        uploader "$u" 50 "$T/up.$u.log" >/dev/null 2>&1 &
        pids+=($!)
    done
    wait_all 40 "${pids[@]}"
    cat "$T"/up.*.log > all.log
    [ "$(wc -l < all.log)" -eq 400 ]
    # every response was 201
    run awk '$2 != 201' all.log
    [ -z "$output" ]
    [ "$(sql "SELECT count(*), count(DISTINCT commit_sha) FROM runs")" = "400|400" ]
    # exactly the commits sent, no other
    awk '{ print $1 }' all.log | sort > sent
    sql "SELECT commit_sha FROM runs ORDER BY commit_sha" > stored
    diff sent stored
    [ "$(partial_runs)" = 0 ]
    [ "$(sql "SELECT count(*) FROM results")" -eq $((400 * NBENCH)) ]
    # the server saw them all too
    api GET /metrics >/dev/null
    grep -x 'benchgate_uploads_total{outcome="stored"} 400' "$T/body"
    serve_stop
    [ "$(db_intact)" = ok ]
}

@test "SIGKILL during uploads: every acknowledged run survives whole; the database is intact" {
    TOK=$(token acme/widgets)
    serve_start
    pids=()
    for u in 1 2 3 4 5 6 7 8; do
        uploader "$u" 0 "$T/up.$u.log" >/dev/null 2>&1 &
        pids+=($!)
    done
    sleep 1
    # uploads are under way, and the uploaders are still sending
    for pid in "${pids[@]}"; do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "an uploader stopped before the kill, on:" >&2
            awk '$2 != 201' "$T"/up.*.log >&2
            false
        fi
    done
    serve_kill
    wait_all 20 "${pids[@]}"
    cat "$T"/up.*.log > all.log
    awk '$2 == 201 { print $1 }' all.log | sort > acked
    acked=$(wc -l < acked)
    [ "$acked" -gt 0 ]
    # every uploader stopped on an upload the dead server did not answer (000),
    # none on an error answer
    [ "$(awk '$2 != 201' all.log | wc -l)" -eq 8 ]
    [ "$(awk '$2 != 201 && $2 != "000"' all.log | wc -l)" -eq 0 ]

    # straight from the file, before any server opens it again
    [ "$(db_intact)" = ok ]
    sql "SELECT commit_sha FROM runs ORDER BY commit_sha" > stored
    # every acknowledged commit is there (a run committed whose answer was lost may be too)
    [ -z "$(comm -23 acked stored)" ]
    [ "$(sql "SELECT count(*) - count(DISTINCT commit_sha) FROM runs")" = 0 ]
    [ "$(partial_runs)" = 0 ]
    [ "$(sql "SELECT count(*) FROM results WHERE samples IS NULL")" = 0 ]
    [ "$(sql "SELECT count(*) FROM runs")" -le $((acked + 8)) ]

    # a new server on the same database serves them and takes more
    serve_start
    api GET "/api/v1/projects/acme%2Fwidgets/runs?limit=1000"
    [ "$STATUS" = 200 ]
    [ "$(sqlite3 :memory: "SELECT json_array_length(readfile('$T/body'), '\$.runs')")" = \
      "$(wc -l < stored)" ]
    first=$(head -n 1 acked)
    id=$(sql "SELECT id FROM runs WHERE commit_sha = '$first'")
    api GET "/api/v1/projects/acme%2Fwidgets/runs/$id"
    [ "$STATUS" = 200 ]
    [ "$(sqlite3 :memory: "SELECT json_array_length(readfile('$T/body'), '\$.results[0].samples')")" = 132 ]
    code=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOK" \
           --data-binary @"$FIXTURE" "$URL/api/v1/projects/acme%2Fwidgets/runs?commit=ffffffff")
    [ "$code" = 201 ]
    serve_stop
    [ "$(db_intact)" = ok ]
    [ "$(partial_runs)" = 0 ]
}

# schema_state DB: "VERSION OBJECTS", OBJECTS counting what migrations 2 to 4 add
# (tables, indexes, and the pruned column)
schema_state() {
    sqlite3 "$1" "SELECT (SELECT user_version FROM pragma_user_version) || ' ' ||
                         ((SELECT count(*) FROM sqlite_schema
                           WHERE name IN ('baseline_pins', 'tokens', 'results_by_run',
                                          'tokens_by_project', 'generation'))
                          + (SELECT count(*) FROM pragma_table_info('results')
                             WHERE name = 'pruned'))"
}

# SQLite only: this test kills a process while it migrates a database file and
# then reads the file itself. (PostgreSQL migrates in one transaction under an
# advisory lock: tests/unit/test_store.c opens one schema from eight threads at once.)
@test "SIGKILL during a migration: the schema is all old or all new, and every run survives" {
    big=$T/big.db
    for i in $(seq 1 20); do
        "$SYNTH" "$i" 2000 3 0 0.02 > run.json
        bg collect -q --db "$big" --project big --commit $((100000 + i)) --meta compiler=none run.json
    done
    # the database as benchgate left it before migrations 2 to 4 (version 1):
    # building the index over 40,000 results makes the migration last a while
    sqlite3 "$big" "DROP TABLE tokens; DROP TABLE baseline_pins; DROP INDEX results_by_run;
                    DROP TABLE generation; ALTER TABLE results DROP COLUMN pruned;
                    PRAGMA user_version = 1; PRAGMA wal_checkpoint(TRUNCATE);" > /dev/null
    cp "$big" v1.db
    [ "$(schema_state v1.db)" = "1 0" ]
    # how long a migration takes here (twice: the first warms the page cache), so
    # the kills spread over the whole of it and past its end on any machine
    for _ in 1 2; do
        cp v1.db t.db
        rm -f t.db-wal t.db-shm
        start=$(date +%s%N)
        "$BENCHGATE" history --db t.db --project big bench-0001 > /dev/null
        ms=$(( ($(date +%s%N) - start) / 1000000 ))
    done
    step=$(( ms * 3 / 2 / 20 + 1 ))
    echo "# a migration took $ms ms: kills every $step ms from 0" >&3
    old=0 new=0
    for round in 1 2; do
        for i in $(seq 0 20); do
            rm -f t.db t.db-wal t.db-shm
            cp v1.db t.db
            "$BENCHGATE" history --db t.db --project big bench-0001 > /dev/null 2>&1 &
            pid=$!
            sleep "$(awk -v ms=$((i * step)) 'BEGIN { printf "%.3f", ms / 1000 }')"
            kill -KILL "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
            [ "$(sqlite3 t.db 'PRAGMA integrity_check')" = ok ]
            state=$(schema_state t.db)
            case $state in
            "1 0") old=$((old + 1)) ;;
            "4 6") new=$((new + 1)) ;;
            *) echo "after a kill at $((i * step)) ms: version and objects '$state'" >&2; false ;;
            esac
            [ "$(sqlite3 t.db 'SELECT count(*) FROM runs')" -eq 20 ]
            [ "$(sqlite3 t.db 'SELECT count(*) FROM results')" -eq 40000 ]
        done
    done
    # kills landed on both sides of the migration's commit
    echo "# killed before the commit: $old, after: $new" >&3
    [ "$old" -gt 0 ]
    [ "$new" -gt 0 ]
    # and a database left behind migrates on the next open
    cp v1.db t.db
    rm -f t.db-wal t.db-shm
    run bg history --db t.db --project big bench-0001
    [ "$status" -eq 0 ]
    [ "$(schema_state t.db)" = "4 6" ]
}
