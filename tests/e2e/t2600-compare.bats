#!/usr/bin/env bats
# t2600-compare.bats: benchgate compare OLD NEW: runs made on one machine
# judged with the gate's statistics, files or stored runs, one or several a
# side, nothing stored.

load helper
bats_require_minimum_version 1.5.0

inputs() {
    hf_json "parse:$(series 0.010 20)" "render:$(series 0.020 20)" > old.json
    hf_json "parse:$(series 0.015 20)" "render:$(series 0.020 20)" > new.json
}

synth() {
    "${SYNTH:?run through make test}" "$@"
}

@test "compare OLD NEW: a 50% slower benchmark fails, low confidence with one run a side" {
    inputs
    run bg compare old.json new.json
    [ "$status" -eq 1 ]
    [[ "$output" == *"baseline: 1 old run against 1 new run, on one machine (one run on a side"* ]]
    [[ "$(grep '^parse ' <<<"$output")" == *"REGRESSED (low confidence: run-to-run noise not measured (1 baseline run))"* ]]
    [[ "$(grep '^render ' <<<"$output")" == *"unchanged"* ]]
    run bg compare new.json old.json
    [ "$status" -eq 0 ]
    [[ "$(grep '^parse ' <<<"$output")" == *"improved"* ]]
    [ ! -e benchgate.db ] # nothing stored, no database made
}

@test "several runs a side measure the run-to-run noise: interleaved A/A passes, A/B fails" {
    for i in 1 2 3; do
        synth $((i * 2)) 20 30 0 0.05 20 0.03 > a$i.json
        synth $((i * 2 + 1)) 20 30 0 0.05 20 0.03 > b$i.json
        synth $((i * 2 + 1)) 20 30 0.3 0.05 2 0.03 > c$i.json # bench-0000 and -0001 +30%
    done
    run bg compare --old a1.json --old a2.json --old a3.json --new b1.json --new b2.json --new b3.json
    [ "$status" -eq 0 ]
    [[ "$output" == *"3 old runs against 3 new runs, on one machine"* ]]
    [[ "$output" != *"low confidence"* ]]
    run bg compare --old a1.json --old a2.json --old a3.json --new c1.json --new c2.json --new c3.json
    [ "$status" -eq 1 ]
    [[ "$(grep '^bench-0000 ' <<<"$output")" == *"REGRESSED"* ]]
    [[ "$(grep '^bench-0001 ' <<<"$output")" == *"REGRESSED"* ]]
    [[ "$(grep '^bench-0002 ' <<<"$output")" != *"REGRESSED"* ]]
}

@test "stored runs by run:ID, and the JSON verdict document" {
    inputs
    bg collect --db "$DB" -q --branch main old.json
    bg collect --db "$DB" -q --branch main new.json
    run --separate-stderr bg compare --db "$DB" run:1 run:2 --output json
    [ "$status" -eq 1 ]
    echo "$output" > v.json
    python3 "$BATS_TEST_DIRNAME/../tools/validate.py" \
        "$BATS_TEST_DIRNAME/../../schemas/verdict.schema.json" v.json
    [ "$(sqlite3 :memory: "SELECT json_extract(readfile('v.json'), '\$.counts.regressed')")" -eq 1 ]
    run bg compare --db "$DB" run:1 new.json --prior-spread 0.01
    [ "$status" -eq 1 ]
}

@test "compare refuses what it cannot compare, with the right status" {
    inputs
    run bg compare old.json
    [ "$status" -eq 2 ]
    [[ "$output" == *"expected OLD NEW, or --old PATH... --new PATH..."* ]]
    run bg compare old.json new.json extra.json
    [ "$status" -eq 2 ]
    echo '{"nope": 1}' > bad.json
    run bg compare old.json bad.json
    [ "$status" -eq 2 ]
    [[ "$output" == *"bad.json"* ]]
    bg collect --db "$DB" -q --branch main old.json
    run bg compare --db "$DB" run:1 run:99
    [ "$status" -eq 2 ]
    [[ "$output" == *"'run:99': no such run"* ]]
    run bg compare --db "$DB" run:x new.json
    [ "$status" -eq 2 ]
    run bg compare --db "$T/none.db" run:1 new.json
    [ "$status" -eq 3 ]
    [ ! -e "$T/none.db" ]
    run bg compare --help
    [ "$status" -eq 0 ]
    [[ "$output" == *"usage: benchgate compare [options] OLD NEW"* ]]
}
