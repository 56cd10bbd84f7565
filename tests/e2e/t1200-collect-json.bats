#!/usr/bin/env bats
# t1200-collect-json.bats: benchgate's own run document (collect --output json)
# round-trips unchanged, and --keep-going stores the good files of a batch.

load helper

@test "--output json prints the run and stores nothing" {
    run bg collect --db "$DB" --output json --project p --branch b --commit abcd1234 \
        --timestamp 1700000000 "$HF/parameter-list/list.json"
    [ "$status" -eq 0 ]
    db_absent
    [[ "$output" == *'"benchgate": 1'* ]]
    [[ "$output" == *'"project": "p"'* ]]
    [[ "$output" == *'"timestamp": 1700000000'* ]]
    [[ "$output" == *'"params": {"algo": "bzip2"}'* ]]
}

@test "a printed run read back prints the same document, byte for byte" {
    bg collect --output json --meta purpose=rt "$HF/no-shell/noshell.json" > a.json
    bg collect --output json a.json > b.json
    cmp a.json b.json
}

@test "a printed run stores the same samples, bit for bit, as the original" {
    bg collect --db "$DB" -q --project p --branch direct --timestamp 1 "$HF/multi-commands/results.json"
    bg collect --output json --project p --branch viajson --timestamp 1 "$HF/multi-commands/results.json" > run.json
    bg collect --db "$DB" -q run.json
    direct=$(sql "SELECT $(hex_sql samples) FROM results WHERE run_id = 1 ORDER BY id" | paste -sd ,)
    viajson=$(sql "SELECT $(hex_sql samples) FROM results WHERE run_id = 2 ORDER BY id" | paste -sd ,)
    [ -n "$direct" ]
    [ "$direct" = "$viajson" ]
    [ "$(sql "SELECT b.name FROM runs u JOIN branches b ON b.id = u.branch_id WHERE u.id = 2")" = "viajson" ]
    [ "$(sql "SELECT tool FROM runs WHERE id = 2")" = "hyperfine" ]
}

@test "flags given to collect override what the document says" {
    bg collect --output json --project p --branch doc "$HF/single/single.json" > run.json
    run bg collect --db "$DB" --branch flag run.json
    [ "$status" -eq 0 ]
    [ "$(sql "SELECT name FROM branches")" = "flag" ]
    [ "$(sql "SELECT name FROM projects")" = "p" ]
}

@test "a hand-written minimal document with a summary-only result" {
    cat > min.json <<'JSON'
{"benchgate": 1, "results": [
  {"name": "sum", "samples": [10, 11, 12, 13, 14]},
  {"name": "catch", "summary": {"n": 20, "mean": 627.5, "stddev": 3}}
]}
JSON
    run bg collect --db "$DB" --branch main min.json
    [ "$status" -eq 0 ]
    [ "$(sql "SELECT summary_only || ' ' || n || ' ' || mean || ' ' || coalesce(p95 || '', 'null') || ' ' || CASE WHEN samples IS NULL THEN 'none' ELSE 'some' END FROM results r JOIN benchmarks b ON b.id = r.benchmark_id WHERE b.name = 'catch'")" = "1 20 627.5 null none" ]
}

@test "--keep-going stores the good files, reports the bad ones, exits 2" {
    hf_json "broken:0.1,-1" > bad.json
    run bg collect --db "$DB" --keep-going "$HF/single/single.json" bad.json "$HF/runs-50/runs50.json"
    [ "$status" -eq 2 ]
    [[ "$output" == *"bad.json: results[0].times[1]: -1 is below the minimum 0"* ]]
    [[ "$output" == *"1 of 3 inputs could not be read (stored the others)"* ]]
    [ "$(sql "SELECT count(*) FROM runs")" -eq 1 ]
    [ "$(sql "SELECT name FROM benchmarks ORDER BY name" | paste -sd ,)" = "sleep 0.01,sleep 0.05" ]
}

@test "--keep-going takes nothing from a bad document, not even its origin" {
    printf '{"benchgate": 1, "project": "evil", "branch": "evil", "results": [{"name": "x", "samples": [-1]}]}' > bad.json
    run bg collect --db "$DB" --keep-going bad.json "$HF/single/single.json"
    [ "$status" -eq 2 ]
    [ "$(sql "SELECT name FROM projects")" = "default" ]
    [ "$(sql "SELECT name FROM branches")" = "main" ]
}

@test "--keep-going with nothing good stores nothing" {
    hf_json "a:-1" > bad1.json
    echo nope > bad2.json
    run bg collect --db "$DB" --keep-going bad1.json bad2.json
    [ "$status" -eq 2 ]
    [[ "$output" == *"no input could be read; nothing stored"* ]]
    db_absent
}

@test "a directory no format reads is an error naming it" {
    mkdir empty
    run bg collect --db "$DB" empty
    [ "$status" -eq 2 ]
    [[ "$output" == *"empty: is a directory that no format recognises"* ]]
    db_absent
}

@test "--output with an unknown value exits 2" {
    run bg collect --output yaml "$HF/single/single.json"
    [ "$status" -eq 2 ]
    [[ "$output" == *"--output 'yaml': expected text or json"* ]]
}
