#!/usr/bin/env bats
# t2700-copy.bats: `benchgate copy` moves every run, sample, pin and token to
# another store and back, verified. The middle store is the engine under
# test: with make test-pg the round trip is SQLite -> PostgreSQL -> SQLite.

load helper
load server

# A store with what a real one holds: several projects and branches, runs with
# raw samples, a summary-only harness (Catch2), harness parameters, metadata,
# a pruned run, a pin and tokens (one revoked).
rich_store() {
    local db=$1
    bg collect -q --db "$db" --project acme/widgets --branch main --commit aaaa0001 \
        --timestamp 1000 --meta purpose=nightly "$HF/multi-commands/results.json"
    bg collect -q --db "$db" --project acme/widgets --branch main --commit aaaa0002 \
        --meta cpu_model="Big Iron" --meta cores=64 "$HF/parameter-list/list.json"
    bg collect -q --db "$db" --project acme/widgets --branch "feature/ü" --commit aaaa0003 \
        "$FIX/catch2/xml-reporter/stdout.xml" "$HF/single/single.json"
    bg collect -q --db "$db" --project other --branch dev "$FIX/go/basic-text/bench.txt"
    bg prune -q --db "$db" --keep-samples 1d
    bg baseline set run:2 --project acme/widgets --branch main --db "$db" > /dev/null
    TOK=$(bg token create --project acme/widgets --db "$db" --name ci | tail -n 1)
    old=$(bg token create --project only-tokens --db "$db" | tail -n 1)
    bg token revoke "${old:3:16}" --project only-tokens --db "$db" > /dev/null
}

# documents LOCATOR OUT: every run of the store as the API serves it (the run
# document, as collect --output json prints it), one file per run, in OUT
documents() {
    mkdir -p "$2"
    serve_start --db "$1"
    for project in acme%2Fwidgets other; do
        for id in $(curl -sS --max-time 20 "$URL/api/v1/projects/$project/runs?limit=1000" |
                    python3 -c 'import json, sys; print(*[r["id"] for r in json.load(sys.stdin)["runs"]])'); do
            curl -sS --max-time 20 -o "$2/$id.json" "$URL/api/v1/projects/$project/runs/$id"
        done
    done
    serve_stop
}

@test "copy SQLite -> the store under test -> SQLite: every run byte for byte, pins and tokens" {
    rich_store "$T/a.db"
    mid=$(fresh_db middle)
    run bg copy --from "sqlite:$T/a.db" --to "$mid"
    [ "$status" -eq 0 ]
    [[ "$output" == *"copied 4 runs (0 were there already), 1 pins and 2 tokens"* ]]
    [[ "$output" == *"verified: both stores hold the same data"* ]]
    from=$(printf '%s\n' "$output" | sed -n 's/^from: //p')
    [[ "$from" == "3 projects, 4 runs, "*" pruned), "*" samples, 1 pins, 2 tokens; sha256 "* ]]
    [ "$(printf '%s\n' "$output" | sed -n 's/^to  : //p')" = "$from" ]
    run bg copy --from "$mid" --to "$T/b.db"
    [ "$status" -eq 0 ]
    [ "$(printf '%s\n' "$output" | sed -n 's/^to  : //p')" = "$from" ]

    # the run documents, byte for byte, from all three stores
    documents "sqlite:$T/a.db" docs.a
    documents "$mid" docs.mid
    documents "$T/b.db" docs.b
    [ "$(ls docs.a | wc -l)" -eq 4 ]
    diff -r docs.a docs.mid
    diff -r docs.a docs.b
    grep -q '"pruned": true' docs.b/1.json
    grep -q '"summary": {"n": ' docs.b/3.json # Catch2's summary stays a harness summary
    ! grep -q '"pruned"' docs.b/3.json
    # the samples themselves, bit for bit
    [ "$(samples_hex "$T/a.db")" = "$(samples_hex "$mid")" ]
    [ "$(samples_hex "$T/a.db")" = "$(samples_hex "$T/b.db")" ]
    # the pin and the token work in the copy
    run bg baseline show --project acme/widgets --branch main --db "$T/b.db"
    [[ "$output" == *"run 2"* ]]
    serve_start --db "$T/b.db"
    code=$(curl -sS --max-time 20 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOK" \
           --data-binary @"$HF/single/single.json" "$URL/api/v1/projects/acme%2Fwidgets/runs")
    [ "$code" = 201 ]
    serve_stop
    # and new runs number after the copied ones
    [ "$(sql_on "$T/b.db" "SELECT max(id) FROM runs")" = 5 ]
    run bg collect --db "$mid" --project other "$HF/single/single.json"
    [[ "$output" == "stored run 5 of project 'other'"* ]]
}

@test "an interrupted copy leaves whole runs; running it again finishes it" {
    for i in $(seq 1 200); do
        "$SYNTH" "$i" 20 30 0 0.02 > "run$i.json"
    done
    for i in $(seq 1 200); do
        bg collect -q --db "$T/a.db" --project big --commit "$(printf 'b%06d' "$i")" "run$i.json"
    done
    mid=$(fresh_db middle)
    "$BENCHGATE" copy -q --from "$T/a.db" --to "$mid" > /dev/null 2>&1 &
    pid=$!
    # killed once it has copied a few runs, so in the middle of it
    for _ in $(seq 200); do
        there=$(sql_on "$mid" "SELECT count(*) FROM runs" 2>/dev/null) || there=0
        [ "${there:-0}" -ge 5 ] && break
        sleep 0.05
    done
    kill -KILL "$pid"
    wait "$pid" 2>/dev/null || true
    there=$(sql_on "$mid" "SELECT count(*) FROM runs")
    echo "# runs copied before the kill: $there of 200" >&3
    [ "$there" -ge 5 ]
    [ "$there" -lt 200 ]
    # whatever got there is whole: 20 results of 30 samples a run
    [ "$(sql_on "$mid" "SELECT count(*) FROM runs r WHERE (SELECT count(*) FROM results s
         WHERE s.run_id = r.id AND length(s.samples) = 240) <> 20")" = 0 ]
    run bg copy --from "$T/a.db" --to "$mid"
    [ "$status" -eq 0 ]
    [[ "$output" == *"copied $((200 - there)) runs ($there were there already)"* ]]
    [[ "$output" == *"verified: both stores hold the same data"* ]]
}

@test "copy refuses a destination with other data, and --verify tells two stores apart" {
    rich_store "$T/a.db"
    other=$(fresh_db other)
    bg collect -q --db "$other" --project stranger "$HF/single/single.json"
    sql_on "$other" "SELECT count(*) FROM runs" > before
    run bg copy --from "$T/a.db" --to "$other"
    [ "$status" -eq 2 ]
    [[ "$output" == *"holds run 1, which '$T/a.db' has not"* || "$output" == *"run 1 in '"*"' differs from the same run in '$T/a.db'"* ]]
    [ "$(sql_on "$other" "SELECT count(*) FROM runs")" = "$(cat before)" ]
    run bg copy --from "$T/a.db" --to "$other" --verify
    [ "$status" -eq 3 ]
    [[ "$output" == *"the stores differ"* ]]
    # bad usage
    run bg copy --from "$T/a.db"
    [ "$status" -eq 2 ]
    run bg copy --from "$T/a.db" --to "$T/a.db"
    [ "$status" -eq 2 ]
    run bg copy --from "$T/missing.db" --to "$T/c.db"
    [ "$status" -eq 3 ]
    [ ! -e "$T/c.db" ]
}
