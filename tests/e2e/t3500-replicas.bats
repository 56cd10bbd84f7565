#!/usr/bin/env bats
# t3500-replicas.bats: several `benchgate serve` processes on one store are
# interchangeable: uploads spread over them are each stored once, every
# server lists the same runs, a token, a pin or a run made anywhere shows
# through the others at once (their answer caches key on the store's write
# generation, not on anything a process saw itself), and killing one loses
# no run it acknowledged. On PostgreSQL (make test-pg) this is the layout of
# docs/production.md; on SQLite it is several processes on one WAL file.

load helper
load server

FIXTURE=$BATS_TEST_DIRNAME/../fixtures/hyperfine/multi-commands/results.json
NBENCH=3

# replicas_start N [ARGS...]: N servers on $DB; URLS holds their base URLs,
# RPIDS their PIDs (stopped by replicas_stop, killed by teardown)
replicas_start() {
    local n=$1 i port
    shift
    URLS=() RPIDS=()
    for i in $(seq 1 "$n"); do
        : > "$T/serve.$i.out" # before the job opens it: the loop below reads it
        "$BENCHGATE" serve --listen 127.0.0.1:0 --db "$DB" --threads 4 "$@" \
            > "$T/serve.$i.out" 2> "$T/serve.$i.err" &
        RPIDS+=($!)
    done
    for i in $(seq 1 "$n"); do
        port=
        for _ in $(seq 100); do
            port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$T/serve.$i.out")
            [ -n "$port" ] && break
            kill -0 "${RPIDS[$((i - 1))]}" 2>/dev/null || { cat "$T/serve.$i.err" >&2; return 1; }
            sleep 0.1
        done
        [ -n "$port" ] || { echo "replica $i did not start in 10 s" >&2; return 1; }
        URLS+=("http://127.0.0.1:$port")
    done
}

# replicas_stop: TERM to each, each gone within 10 s, no sanitizer report
replicas_stop() {
    local pid
    for pid in "${RPIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${RPIDS[@]}"; do
        for _ in $(seq 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            kill -KILL "$pid"
            echo "replica $pid did not stop in 10 s" >&2
            return 1
        fi
        wait "$pid" 2>/dev/null || true
    done
    RPIDS=()
    ! grep -E 'AddressSanitizer|LeakSanitizer|runtime error:' "$T"/serve.*.err >&2
}

teardown() {
    local pid
    for pid in "${RPIDS[@]:-}"; do
        [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true
    done
    for pid in "${RPIDS[@]:-}"; do
        [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
    done
}

# uploader U N LOG: N uploads of FIXTURE (0: until one is not answered 201),
# upload k to replica (U + k) mod 3, commit printf '%04x%04x' U k; one line
# "COMMIT STATUS REPLICA" per upload in LOG.
uploader() {
    local u=$1 n=$2 log=$3 seq=0 commit code r
    while [ "$n" -eq 0 ] || [ "$seq" -lt "$n" ]; do
        seq=$((seq + 1))
        [ "$seq" -le 100000 ] || break
        commit=$(printf '%04x%04x' "$u" "$seq")
        r=$(( (u + seq) % ${#URLS[@]} ))
        code=$(curl -sS --max-time 20 -o /dev/null -w '%{http_code}' \
               -H "Authorization: Bearer $TOK" --data-binary @"$FIXTURE" \
               "${URLS[$r]}/api/v1/projects/acme%2Fwidgets/runs?branch=main&commit=$commit") || true
        echo "$commit $code $r" >> "$log"
        if [ "$n" -eq 0 ] && [ "$code" != 201 ]; then
            break
        fi
    done
}

# wait_all SECONDS PID...: every PID gone within SECONDS in all, else killed and false
wait_all() {
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
            echo "uploader $pid still running after $limit s" >&2
            left=2
        fi
        wait "$pid" 2>/dev/null || true
    done
    [ "$left" -ne 2 ]
}

# runs_via URL: the ids and commits a server lists, one "ID COMMIT" a line
runs_via() {
    curl -sS --max-time 20 "$1/api/v1/projects/acme%2Fwidgets/runs?limit=1000" |
        python3 -c 'import json, sys
for r in json.load(sys.stdin)["runs"]: print(r["id"], r["commit"])'
}

partial_runs() {
    sql "SELECT (SELECT count(*) FROM runs r
                 WHERE (SELECT count(*) FROM results s WHERE s.run_id = r.id) <> $NBENCH)
              + (SELECT count(*) FROM results WHERE samples IS NULL OR length(samples) <> 8 * n)"
}

@test "8 uploaders x 50 runs round-robin over 3 servers: each stored once, listed alike by all" {
    TOK=$(token acme/widgets)
    replicas_start 3
    pids=()
    for u in 1 2 3 4 5 6 7 8; do
        uploader "$u" 50 "$T/up.$u.log" > /dev/null 2>&1 &
        pids+=($!)
    done
    wait_all 120 "${pids[@]}"
    cat "$T"/up.*.log > all.log
    [ "$(wc -l < all.log)" -eq 400 ]
    run awk '$2 != 201' all.log
    [ -z "$output" ]
    # every server took its share
    for r in 0 1 2; do
        [ "$(awk -v r=$r '$3 == r' all.log | wc -l)" -gt 100 ]
    done
    [ "$(sql "SELECT count(*) || ' ' || count(DISTINCT commit_sha) FROM runs")" = "400 400" ]
    awk '{ print $1 }' all.log | sort > sent
    sql "SELECT commit_sha FROM runs ORDER BY commit_sha" > stored
    diff sent stored
    [ "$(partial_runs)" = 0 ]
    # each server lists the very same runs, in the same order
    runs_via "${URLS[0]}" > list.0
    [ "$(wc -l < list.0)" -eq 400 ]
    runs_via "${URLS[1]}" > list.1
    runs_via "${URLS[2]}" > list.2
    diff list.0 list.1
    diff list.0 list.2
    replicas_stop
}

@test "a run, a token and a pin made anywhere show through every server at once" {
    TOK=$(token acme/widgets)
    replicas_start 3
    # each server has answered (and cached) the lists before anything changes
    for u in "${URLS[@]}"; do
        curl -sS --max-time 10 -o /dev/null "$u/"
        [ "$(runs_via "$u" | wc -l)" -eq 0 ]
    done
    # a run uploaded through the first is listed by the other two
    code=$(curl -sS --max-time 20 -o "$T/up.json" -w '%{http_code}' -H "Authorization: Bearer $TOK" \
           --data-binary @"$FIXTURE" "${URLS[0]}/api/v1/projects/acme%2Fwidgets/runs?commit=aaaa0001")
    [ "$code" = 201 ]
    for u in "${URLS[1]}" "${URLS[2]}"; do
        [ "$(runs_via "$u")" = "1 aaaa0001" ]
    done
    # (the dashboard's index is a cached answer, the API's project list is not)
    for u in "${URLS[@]}"; do
        curl -sS --max-time 10 "$u/" > index.html
        ! grep -q 'newcomer' index.html
    done
    # a token for a new project (no run yet): the project list of every server has it
    bg token create --project newcomer --db "$DB" > /dev/null
    for u in "${URLS[@]}"; do
        curl -sS --max-time 10 "$u/" > index.html
        grep -q 'newcomer' index.html
        curl -sS --max-time 10 "$u/api/v1/projects" > projects.json
        grep -q '"name": "newcomer"' projects.json
    done
    # and the token works on the server that did not see it made
    NEWTOK=$(bg token create --project newcomer --db "$DB" | tail -n 1)
    code=$(curl -sS --max-time 20 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $NEWTOK" \
           --data-binary @"$FIXTURE" "${URLS[2]}/api/v1/projects/newcomer/runs")
    [ "$code" = 201 ]
    # a pin: the project's page on every server names it as the baseline
    code=$(curl -sS --max-time 20 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOK" \
           --data-binary @"$FIXTURE" "${URLS[1]}/api/v1/projects/acme%2Fwidgets/runs?commit=aaaa0002")
    [ "$code" = 201 ]
    for u in "${URLS[@]}"; do
        curl -sS --max-time 10 "$u/p/acme%2Fwidgets" > page.html
        ! grep -q 'pinned for' page.html
    done
    bg baseline set run:1 --project acme/widgets --branch main --db "$DB" > /dev/null
    for u in "${URLS[@]}"; do
        curl -sS --max-time 10 "$u/p/acme%2Fwidgets" > page.html
        grep -q 'up to run 1, pinned for' page.html
    done
    replicas_stop
}

@test "SIGKILL of one server mid-upload: no acknowledged run lost, the others go on" {
    TOK=$(token acme/widgets)
    replicas_start 3
    pids=()
    for u in 1 2 3 4 5 6; do
        uploader "$u" 0 "$T/up.$u.log" > /dev/null 2>&1 &
        pids+=($!)
    done
    sleep 1
    kill -KILL "${RPIDS[1]}"
    wait "${RPIDS[1]}" 2>/dev/null || true
    wait_all 60 "${pids[@]}"
    cat "$T"/up.*.log > all.log
    awk '$2 == 201 { print $1 }' all.log | sort > acked
    [ "$(wc -l < acked)" -gt 0 ]
    # each uploader stopped on the killed server (no answer: 000), never on an error
    [ "$(awk '$2 != 201' all.log | wc -l)" -eq 6 ]
    [ "$(awk '$2 != 201 && !($2 == "000" && $3 == 1)' all.log | wc -l)" -eq 0 ]
    sql "SELECT commit_sha FROM runs ORDER BY commit_sha" > stored
    [ -z "$(comm -23 acked stored)" ]
    [ "$(sql "SELECT count(*) - count(DISTINCT commit_sha) FROM runs")" = 0 ]
    [ "$(sql "SELECT count(*) FROM runs")" -le $(( $(wc -l < acked) + 6 )) ]
    [ "$(partial_runs)" = 0 ]
    [ "$(db_intact)" = ok ]
    # the two left serve every stored run and take new ones
    [ "$(runs_via "${URLS[0]}" | wc -l)" -eq "$(wc -l < stored)" ]
    for r in 0 2; do
        code=$(curl -sS --max-time 20 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOK" \
               --data-binary @"$FIXTURE" "${URLS[$r]}/api/v1/projects/acme%2Fwidgets/runs?commit=fff$r")
        [ "$code" = 201 ]
    done
    unset 'RPIDS[1]'
    replicas_stop
}
