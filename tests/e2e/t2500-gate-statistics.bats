#!/usr/bin/env bats
# t2500-gate-statistics.bats: the gate on seeded synthetic runs (tests/tools/
# synth.c): noise must not fail builds, a true shift must. The noise (8%)
# is large enough that the threshold alone would fail many benchmarks; the
# control test below shows it does, so these tests can fail.

load helper

synth() {
    "${SYNTH:?run through make test}" "$@"
}

# regressed DB BRANCH [ARGS]: the number of regressed benchmarks check reports
regressed() {
    "$BENCHGATE" check --db "$1" --branch "$2" --output json "${@:3}" > v.json || true
    sqlite3 :memory: "SELECT json_extract(readfile('v.json'), '\$.counts.regressed')"
}

@test "control: on pure noise the threshold alone would report regressions" {
    synth 1 200 30 0 0.08 > base.json
    synth 1001 200 30 0 0.08 > cur.json
    bg collect --db "$DB" -q --branch main base.json
    bg collect --db "$DB" -q --branch f cur.json
    # with --min-samples above 30, no test runs and the threshold alone decides
    [ "$(regressed "$DB" f --threshold 0.05 --min-samples 31)" -gt 5 ]
}

@test "same distribution, 30 samples, 200 benchmarks: no regression in any of 20 seeds" {
    for seed in $(seq 1 20); do
        db=$T/s$seed.db
        synth "$seed" 200 30 0 0.08 > base.json
        synth $((seed + 1000)) 200 30 0 0.08 > cur.json
        bg collect --db "$db" -q --branch main base.json
        bg collect --db "$db" -q --branch f cur.json
        n=$(regressed "$db" f --threshold 0.05 --resamples 0)
        echo "seed $seed: $n regressed"
        [ "$n" -eq 0 ]
    done
}

@test "a true +20% shift with 30 samples is regressed in every seed, and only it" {
    for seed in $(seq 1 20); do
        db=$T/s$seed.db
        synth "$seed" 200 30 0 0.08 > base.json
        synth $((seed + 1000)) 200 30 0.20 0.08 1 > cur.json   # only bench-0000 shifted
        bg collect --db "$db" -q --branch main base.json
        bg collect --db "$db" -q --branch f cur.json
        run bg check --db "$db" --branch f --threshold 0.05 --resamples 0
        echo "seed $seed: $output" | grep -E 'FAIL|PASS'
        [ "$status" -eq 1 ]
        [[ "$output" == *"FAIL: 1 of 200 compared benchmarks failed the gate: 'bench-0000' (regressed)"* ]]
        [[ "$(grep '^bench-0000 ' <<<"$output")" != *"low confidence"* ]]
    done
}

@test "a +20% shift with 3 samples is regressed, marked low confidence" {
    for seed in $(seq 1 20); do
        db=$T/s$seed.db
        synth "$seed" 20 3 0 0.02 > base.json
        synth $((seed + 1000)) 20 3 0.20 0.02 1 > cur.json
        bg collect --db "$db" -q --branch main base.json
        bg collect --db "$db" -q --branch f cur.json
        run bg check --db "$db" --branch f --threshold 0.05
        [ "$status" -eq 1 ]
        [[ "$(grep '^bench-0000 ' <<<"$output")" == *"REGRESSED (low confidence: few samples)"* ]]
    done
}

@test "a shift past the threshold that is not significant is inconclusive and passes" {
    # sorted base 9 9.5 10 10.5 11 12: p95 = 11 + 0.75 * 1 = 11.75 ms
    # sorted cur  9 9.5 10 10.5 11 12.9: p95 = 11 + 0.75 * 1.9 = 12.425 ms, +5.7%
    # the samples are all but identical, so Mann-Whitney is far from significant
    hf_json "a:0.010,0.011,0.009,0.0105,0.0095,0.012" > base.json
    hf_json "a:0.009,0.010,0.011,0.0095,0.0105,0.0129" > cur.json
    bg collect --db "$DB" -q --branch main base.json
    bg collect --db "$DB" -q --branch f cur.json
    run bg check --db "$DB" --branch f --threshold 0.05
    [ "$status" -eq 0 ]
    [[ "$(grep '^a ' <<<"$output")" == *"+5.7%"*"inconclusive"* ]]
    run bg check --db "$DB" --branch f --threshold 0.05 --fail-on-inconclusive
    [ "$status" -eq 1 ]
    [[ "$output" == *"'a' (inconclusive)"* ]]
}

@test "the bootstrap interval is printed the same on every run (seeded)" {
    synth 1 3 30 0.2 0.05 > cur.json
    synth 2 3 30 0 0.05 > base.json
    bg collect --db "$DB" -q --branch main base.json
    bg collect --db "$DB" -q --branch f cur.json
    run bg check --db "$DB" --branch f --output json
    first=$output
    run bg check --db "$DB" --branch f --output json
    [ "$output" = "$first" ]
    echo "$output" > v.json
    lo=$(sqlite3 :memory: "SELECT json_extract(readfile('v.json'), '\$.results[0].ci95[0]')")
    hi=$(sqlite3 :memory: "SELECT json_extract(readfile('v.json'), '\$.results[0].ci95[1]')")
    ch=$(sqlite3 :memory: "SELECT json_extract(readfile('v.json'), '\$.results[0].change')")
    awk -v lo="$lo" -v hi="$hi" -v ch="$ch" 'BEGIN { exit !(lo < ch && ch < hi && lo > 0.05 && hi < 0.40) }'
}
