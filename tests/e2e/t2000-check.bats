#!/usr/bin/env bats
# t2000-check.bats: the p95 gate end to end: which runs it compares, what it
# prints, and every exit status.

load helper

# base.json: two benchmarks around 10 ms; slow.json: "parse" 50% slower.
make_inputs() {
    hf_json "parse:$(series 0.010 20)" "render:$(series 0.020 20)" > base.json
    hf_json "parse:$(series 0.015 20)" "render:$(series 0.020 20)" > slow.json
    hf_json "parse:$(series 0.0105 20)" "render:$(series 0.0195 20)" > near.json
}

@test "a 50% slower p95 on the branch fails a 10% gate, naming the benchmark" {
    make_inputs
    bg collect --db "$DB" -q --project p --branch main base.json
    bg collect --db "$DB" -q --project p --branch feature slow.json
    run bg check --db "$DB" --project p --branch feature --threshold 0.10
    [ "$status" -eq 1 ]
    [[ "$output" == *"branch 'feature' (run 2) against 'main' (run 1)"* ]]
    [[ "$output" == *"baseline: 1 run of 'main' (the newest), on this machine: run 1"* ]]
    [[ "$(grep '^parse ' <<<"$output")" == *"REGRESSED"* ]]
    [[ "$(grep '^render ' <<<"$output")" == *"unchanged"* ]]
    [[ "$output" == *"FAIL: 1 of 2 compared benchmarks failed the gate:"* ]]
    [[ "$output" == *"  'parse' (time) regressed: +"* ]]
}

@test "the same runs swapped pass, reporting the improvement" {
    make_inputs
    bg collect --db "$DB" -q --project p --branch main slow.json
    bg collect --db "$DB" -q --project p --branch feature base.json
    run bg check --db "$DB" --project p --branch feature
    [ "$status" -eq 0 ]
    [[ "$(grep '^parse ' <<<"$output")" == *"improved"* ]]
    [[ "$output" == *"PASS: no regression (1 unchanged, 1 improved, 0 inconclusive, 0 new, 0 missing, 0 ignored)"* ]]
}

@test "changes inside the threshold pass; a looser threshold passes a slowdown" {
    make_inputs
    bg collect --db "$DB" -q --project p --branch main base.json
    bg collect --db "$DB" -q --project p --branch f1 near.json
    run bg check --db "$DB" --project p --branch f1
    [ "$status" -eq 0 ]
    bg collect --db "$DB" -q --project p --branch f2 slow.json
    run bg check --db "$DB" --project p --branch f2 --threshold 0.6
    [ "$status" -eq 0 ]
    run bg check --db "$DB" --project p --branch f2 -t 0.4
    [ "$status" -eq 1 ]
}

@test "the change is on the p95: an outlier-free shift below it passes" {
    # same p95 (the top 5% are equal), lower median: unchanged on p95
    hf_json "a:0.010,0.010,0.010,0.010,0.010,0.010,0.010,0.010,0.010,0.010,0.010,0.010,0.010,0.010,0.010,0.010,0.010,0.010,0.010,0.050,0.050" > b.json
    hf_json "a:0.030,0.030,0.030,0.030,0.030,0.030,0.030,0.030,0.030,0.030,0.030,0.030,0.030,0.030,0.030,0.030,0.030,0.030,0.030,0.050,0.050" > c.json
    bg collect --db "$DB" -q --branch main b.json
    bg collect --db "$DB" -q --branch f c.json
    run bg check --db "$DB" --branch f
    [ "$status" -eq 0 ]
    [[ "$output" == *"+0.0%"* ]]
}

@test "few samples are marked low confidence" {
    hf_json "a:0.01,0.01" > b.json
    hf_json "a:0.02,0.02" > c.json
    bg collect --db "$DB" -q --branch main b.json
    bg collect --db "$DB" -q --branch f c.json
    run bg check --db "$DB" --branch f
    [ "$status" -eq 1 ]
    [[ "$output" == *"REGRESSED (low confidence: fewer than 5 samples; run-to-run noise not measured (1 baseline run))"* ]]
}

@test "new and missing benchmarks are listed and do not fail" {
    hf_json "kept:$(series 0.01 10)" "dropped:$(series 0.01 10)" > b.json
    hf_json "kept:$(series 0.01 10)" "added:$(series 0.01 10)" > c.json
    bg collect --db "$DB" -q --branch main b.json
    bg collect --db "$DB" -q --branch f c.json
    run bg check --db "$DB" --branch f
    [ "$status" -eq 0 ]
    [[ "$(grep '^added ' <<<"$output")" == *" new"* ]]
    [[ "$(grep '^dropped ' <<<"$output")" == *" missing"* ]]
}

@test "on the baseline branch itself, the newest run is compared with the one before" {
    make_inputs
    bg collect --db "$DB" -q --branch main --timestamp 100 base.json
    bg collect --db "$DB" -q --branch main --timestamp 200 slow.json
    run bg check --db "$DB"
    [ "$status" -eq 1 ]
    [[ "$output" == *"baseline: 1 run of 'main' before this run, on this machine: run 1"* ]]
    [[ "$output" == *"(run 2) against 'main' (run 1)"* ]]
}

@test "the newest run is chosen by its timestamp, not by insertion order" {
    make_inputs
    bg collect --db "$DB" -q --branch main base.json
    bg collect --db "$DB" -q --branch f --timestamp 2000000000 base.json
    bg collect --db "$DB" -q --branch f --timestamp 1000000000 slow.json
    run bg check --db "$DB" --branch f
    [ "$status" -eq 0 ]
    [[ "$output" == *"branch 'f' (run 2)"* ]]
}

@test "--baseline-branch and GITHUB_BASE_REF choose the baseline branch" {
    make_inputs
    bg collect --db "$DB" -q --branch main slow.json
    bg collect --db "$DB" -q --branch release base.json
    bg collect --db "$DB" -q --branch f slow.json
    run bg check --db "$DB" --branch f
    [ "$status" -eq 0 ]
    run bg check --db "$DB" --branch f --baseline-branch release
    [ "$status" -eq 1 ]
    [[ "$output" == *"against 'release'"* ]]
    GITHUB_ACTIONS=true GITHUB_BASE_REF=release GITHUB_HEAD_REF=f run bg check --db "$DB"
    [ "$status" -eq 1 ]
    [[ "$output" == *"branch 'f' (run 3) against 'release' (run 2)"* ]]
}

@test "no baseline run: everything is new and the gate passes" {
    make_inputs
    bg collect --db "$DB" -q --branch f base.json
    run bg check --db "$DB" --branch f --baseline-branch main
    [ "$status" -eq 0 ]
    # the first thing said, not a footnote
    [ "${lines[1]}" = "benchgate: NO BASELINE: no run of branch 'main' in project 'default'; branches with runs: 'f' (1 runs). Nothing was judged: all 2 benchmarks are new" ]
    [[ "$output" == *"PASS: nothing to compare with (2 benchmarks recorded as new)"* ]]
}

@test "projects are kept apart" {
    make_inputs
    bg collect --db "$DB" -q --project a --branch main base.json
    bg collect --db "$DB" -q --project b --branch main slow.json
    bg collect --db "$DB" -q --project a --branch f slow.json
    run bg check --db "$DB" --project b --branch main
    [ "$status" -eq 0 ]
    [[ "$output" == *"NO BASELINE: no run of 'main' before this run"* ]]
    run bg check --db "$DB" --project a --branch f
    [ "$status" -eq 1 ]
}

@test "nothing to check exits 2" {
    make_inputs
    bg collect --db "$DB" -q --branch main base.json
    run bg check --db "$DB" --branch nosuch
    [ "$status" -eq 2 ]
    [[ "$output" == *"no runs of project 'default' on branch 'nosuch'"* ]]
}

@test "a missing database exits 3 and is not created" {
    run bg check --db "$T/missing.db"
    [ "$status" -eq 3 ]
    [[ "$output" == *"cannot open database '$T/missing.db': No such file or directory"* ]]
    [ ! -e "$T/missing.db" ]
}

@test "a corrupt database exits 3" {
    head -c 8192 /dev/urandom > junk.db
    run bg check --db junk.db
    [ "$status" -eq 3 ]
    [[ "$output" == *"junk.db"* ]]
}

@test "a lost write to standard output is an error, never a pass" {
    make_inputs
    bg collect --db "$DB" -q --branch main base.json
    bg collect --db "$DB" -q --branch f base.json
    run bg check --db "$DB" --branch f
    [ "$status" -eq 0 ]
    run bash -c '"$BENCHGATE" check --db "$1" --branch f > /dev/full' _ "$DB"
    [ "$status" -eq 2 ]
    [[ "$output" == *"cannot write to standard output"* ]]
}
