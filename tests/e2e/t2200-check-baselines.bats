#!/usr/bin/env bats
# t2200-check-baselines.bats: which baseline check chooses, and that it says
# so: like-for-like machines, pins, explicit refs, windows, and judging files.

load helper

setup_inputs() {
    hf_json "parse:$(series 0.010 20)" > base.json
    hf_json "parse:$(series 0.015 20)" > slow.json
    hf_json "parse:$(series 0.0100 20)" > same.json
}

# collect BRANCH FILE [ARGS...]: a quiet collect into $DB, project p
collect() {
    b=$1 f=$2
    shift 2
    bg collect --db "$DB" -q --project p --branch "$b" "$@" "$f"
}

@test "the baseline is the newest run from the same machine, not the newest run" {
    setup_inputs
    collect main base.json --timestamp 100                              # run 1, this machine
    collect main slow.json --timestamp 200 --meta cpu_model="Other CPU" # run 2, another one
    collect feature same.json --timestamp 300                           # run 3, this machine
    run bg check --db "$DB" --project p --branch feature
    [ "$status" -eq 0 ]
    [[ "$output" == *"against 'main' (run 1)"* ]]
    [[ "$output" == *"baseline: the newest run on branch 'main' on this machine (fingerprint "* ]]
}

@test "with no run from this machine, the newest is used with a warning naming the differences" {
    setup_inputs
    collect main base.json --meta cpu_model="Big Iron" --meta cores=64
    collect feature same.json
    run bg check --db "$DB" --project p --branch feature
    [ "$status" -eq 0 ]
    [[ "$output" == *"benchgate: warning: the baseline ran on another machine (CPU model 'Big Iron' vs '"* ]]
    [[ "$output" == *"cores 64 vs $(nproc)"* ]]
    [[ "$output" == *"(none there ran on this machine)"* ]]
}

@test "--baseline run:ID and commit:SHA choose that run" {
    setup_inputs
    collect main slow.json --commit aaaa1111 --timestamp 100   # run 1
    collect main base.json --commit bbbb2222 --timestamp 200   # run 2
    collect feature slow.json --timestamp 300                  # run 3
    run bg check --db "$DB" --project p --branch feature
    [ "$status" -eq 1 ]
    run bg check --db "$DB" --project p --branch feature --baseline run:1
    [ "$status" -eq 0 ]
    [[ "$output" == *"baseline: run 1, as asked (--baseline run:1)"* ]]
    run bg check --db "$DB" --project p --branch feature --baseline commit:AAAA
    [ "$status" -eq 0 ]
    [[ "$output" == *"the newest at commit aaaa1111"* ]]
}

@test "a --baseline that names nothing exits 2" {
    setup_inputs
    collect main base.json --commit aaaa1111
    bg collect --db "$DB" -q --project other --branch main base.json  # run 2, another project
    collect feature slow.json
    for ref in run:99 run:2 run:abc commit:ffff commit:xyz tag:v1; do
        run bg check --db "$DB" --project p --branch feature --baseline "$ref"
        [ "$status" -eq 2 ]
        [[ "$output" == *"error: baseline '$ref': "* ]]
    done
}

@test "baseline set pins a run; show and clear; check uses the pin and says so" {
    setup_inputs
    collect main slow.json --commit aaaa1111 --timestamp 100   # run 1
    collect main base.json --timestamp 200                     # run 2, the newest
    collect feature slow.json --timestamp 300
    run bg baseline show --db "$DB" --project p
    [ "$status" -eq 0 ]
    [[ "$output" == *"no pinned baseline for project 'p', branch 'main'"* ]]
    run bg baseline set commit:aaaa1111 --db "$DB" --project p
    [ "$status" -eq 0 ]
    [[ "$output" == "pinned run 1 at aaaa1111 as the baseline of project 'p' for branch 'main'" ]]
    run bg baseline show --db "$DB" --project p
    [[ "$output" == *"run 1 is pinned"* ]]
    run bg check --db "$DB" --project p --branch feature
    [ "$status" -eq 0 ]
    [[ "$output" == *"baseline: run 1, pinned for branch 'main' on "*"(benchgate baseline set)"* ]]
    run bg baseline clear --db "$DB" --project p
    [ "$status" -eq 0 ]
    [[ "$output" == *"removed the pinned baseline"* ]]
    run bg check --db "$DB" --project p --branch feature
    [ "$status" -eq 1 ]
}

@test "baseline set refuses what it cannot pin" {
    setup_inputs
    collect main base.json
    run bg baseline set run:42 --db "$DB" --project p
    [ "$status" -eq 2 ]
    run bg baseline set --db "$DB" --project p
    [ "$status" -eq 2 ]
    run bg baseline frob --db "$DB"
    [ "$status" -eq 2 ]
    run bg baseline show --db "$T/none.db"
    [ "$status" -eq 3 ]
    [ "$(sql "SELECT count(*) FROM baseline_pins")" -eq 0 ]
}

@test "--baseline-window N pools the samples of the newest N runs" {
    setup_inputs
    collect main base.json --timestamp 100
    collect main base.json --timestamp 200
    collect main base.json --timestamp 300
    collect feature same.json --timestamp 400
    run bg check --db "$DB" --project p --branch feature --baseline-window 2
    [ "$status" -eq 0 ]
    [[ "$output" == *"the newest 2 runs on branch 'main' on this machine, pooled (runs 2 to 3)"* ]]
    [[ "$(grep '^parse ' <<<"$output")" == *" 40/20 "* ]]
    run bg check --db "$DB" --project p --branch feature --baseline-window 0
    [ "$status" -eq 2 ]
}

@test "check FILE judges files against the stored baseline and stores nothing" {
    setup_inputs
    collect main base.json
    before=$(rows)
    run bg check --db "$DB" --project p --branch feature slow.json
    [ "$status" -eq 1 ]
    [[ "$output" == *"branch 'feature' (files, not stored) against 'main' (run 1)"* ]]
    run bg check --db "$DB" --project p --branch feature same.json
    [ "$status" -eq 0 ]
    [ "$(rows)" = "$before" ]
}

@test "check FILE with bad input exits 2; with no database exits 3" {
    setup_inputs
    collect main base.json
    hf_json "parse:-1" > bad.json
    run bg check --db "$DB" --project p bad.json
    [ "$status" -eq 2 ]
    [[ "$output" == *"bad.json: results[0].times[0]"* ]]
    run bg check --db "$T/missing.db" slow.json
    [ "$status" -eq 3 ]
}
