#!/usr/bin/env bats
# t2500-gate-statistics.bats: the gate on seeded synthetic CI runs (tests/
# tools/synth.c), end to end through collect, the store and check: each run
# on a machine 4% faster or slower, each benchmark's level moving 3% from run
# to run, 5% noise inside a run. Noise must not fail builds, a true shift
# must. The control test shows the threshold alone would fail on this noise,
# so these tests can fail. (make gate-eval measures the rates at length.)

load helper
bats_require_minimum_version 1.5.0

synth() {
    "${SYNTH:?run through make test}" "$@"
}

# history DB SEED N: N runs of main, 60 benchmarks x 30 samples, unchanged code
history() {
    for r in $(seq 1 "$3"); do
        synth $(($2 * 100 + r)) 60 30 0 0.05 60 0.03 > h.json
        bg collect --db "$1" -q --branch main --timestamp $((1000 + r)) h.json
    done
}

# regressed DB BRANCH [ARGS]: the number of regressed benchmarks check reports
regressed() {
    "$BENCHGATE" check --db "$1" --branch "$2" --output json "${@:3}" > v.json 2>/dev/null || true
    sqlite3 :memory: "SELECT json_extract(readfile('v.json'), '\$.counts.regressed')"
}

@test "control: on this noise the threshold alone would report regressions" {
    history "$DB" 1 10
    synth 100 60 30 0 0.05 60 0.03 > cur.json
    bg collect --db "$DB" -q --branch f --timestamp 2000 cur.json
    # at alpha 1 every change past the threshold counts as significant
    [ "$(regressed "$DB" f --threshold 0.05 --alpha 1 --fork-point 0000)" -gt 3 ]
}

@test "unchanged code against a 10-run history: no regression in any of 10 seeds" {
    for seed in $(seq 1 10); do
        db=$T/s$seed.db
        history "$db" "$seed" 10
        synth $((seed * 100 + 99)) 60 30 0 0.05 60 0.03 > cur.json
        bg collect --db "$db" -q --branch f --timestamp 2000 cur.json
        run bg check --db "$db" --branch f --threshold 0.05
        echo "seed $seed: $(grep -E '^(FAIL|PASS)' <<<"$output")"
        [ "$status" -eq 0 ]
        [[ "$output" == *"10 runs of 'main'"* ]]
    done
}

@test "a true +25% shift on one benchmark is regressed in every seed, and only it" {
    for seed in $(seq 1 10); do
        db=$T/s$seed.db
        history "$db" "$seed" 10
        synth $((seed * 100 + 99)) 60 30 0.25 0.05 1 0.03 > cur.json  # only bench-0000
        bg collect --db "$db" -q --branch f --timestamp 2000 cur.json
        run bg check --db "$db" --branch f --threshold 0.10
        echo "seed $seed: $(grep -E '^(FAIL|PASS)' <<<"$output")"
        [ "$status" -eq 1 ]
        [[ "$output" == *"FAIL: 1 of 60 compared benchmarks failed the gate:"* ]]
        [[ "$output" == *"'bench-0000' (time) regressed: +"* ]]
        [[ "$(grep '^bench-0000 ' <<<"$output")" != *"low confidence"* ]]
    done
}

@test "with one baseline run the noise is not measured: a big shift fails, low confidence" {
    for seed in $(seq 1 5); do
        db=$T/s$seed.db
        history "$db" "$seed" 1
        synth $((seed * 100 + 99)) 20 30 0.60 0.05 1 0.03 > cur.json
        bg collect --db "$db" -q --branch f --timestamp 2000 cur.json
        run bg check --db "$db" --branch f
        [ "$status" -eq 1 ]
        [[ "$(grep '^bench-0000 ' <<<"$output")" == *"REGRESSED (low confidence: run-to-run noise not measured (1 baseline run))"* ]]
    done
}

@test "a shift past the threshold within the history's noise is inconclusive and passes" {
    # bench-0000 moves 12% run to run in its history: +15% is within that
    for r in $(seq 1 10); do
        synth $((r + 500)) 20 30 0 0.02 20 0.01 > h.json
        # widen bench-0000's run-to-run spread: this run's level times a 12%-sd factor
        f=$(awk -v r="$r" 'BEGIN { srand(r); print (1 + 0.12 * (rand() * 3.46 - 1.73)) }')
        python3 - "$f" h.json <<'PY'
import json, sys
f = float(sys.argv[1]); doc = json.load(open(sys.argv[2]))
doc["results"][0]["samples"] = [x * f for x in doc["results"][0]["samples"]]
json.dump(doc, open(sys.argv[2], "w"))
PY
        bg collect --db "$DB" -q --branch main --timestamp $((1000 + r)) h.json
    done
    synth 599 20 30 0.15 0.02 1 0.01 > cur.json
    bg collect --db "$DB" -q --branch f --timestamp 2000 cur.json
    run bg check --db "$DB" --branch f
    [ "$status" -eq 0 ]
    [[ "$(grep '^bench-0000 ' <<<"$output")" == *"inconclusive"* ]]
    run bg check --db "$DB" --branch f --fail-on-inconclusive
    [ "$status" -eq 1 ]
    [[ "$output" == *"'bench-0000' (time) inconclusive: "* ]]
}

@test "the verdict document is the same on every run, and its interval holds the change" {
    history "$DB" 7 10
    synth 799 60 30 0.3 0.05 1 0.03 > cur.json
    bg collect --db "$DB" -q --branch f --timestamp 2000 cur.json
    run --separate-stderr bg check --db "$DB" --branch f --output json
    first=$output
    run --separate-stderr bg check --db "$DB" --branch f --output json
    [ "$output" = "$first" ]
    echo "$output" > v.json
    lo=$(sqlite3 :memory: "SELECT json_extract(readfile('v.json'), '\$.results[0].ci95[0]')")
    hi=$(sqlite3 :memory: "SELECT json_extract(readfile('v.json'), '\$.results[0].ci95[1]')")
    ch=$(sqlite3 :memory: "SELECT json_extract(readfile('v.json'), '\$.results[0].adjusted_change')")
    awk -v lo="$lo" -v hi="$hi" -v ch="$ch" 'BEGIN { exit !(lo < ch && ch < hi && lo > 0.1 && hi < 0.6) }'
}
