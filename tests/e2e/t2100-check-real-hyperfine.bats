#!/usr/bin/env bats
# t2100-check-real-hyperfine.bats: the foundation's promise with the real
# tool: hyperfine timing `sleep 0.01` as the baseline and `sleep 0.02` on a
# branch fails the gate and names the benchmark; swapped, it passes. Three
# baseline runs, as the gate is meant to be used: on a busy machine a single
# run's p95 can be five times its median, and then one run says nothing.

load helper

measure() { # measure OUT SECONDS: one benchmark named "nap", 15 runs, no shell
    hyperfine -N --runs 15 --style none -n nap --export-json "$1" "sleep $2" >/dev/null
}

@test "hyperfine: sleep 0.01 -> 0.02 regresses; 0.02 -> 0.01 passes" {
    command -v hyperfine # the test needs the real tool: make deps installs it
    for i in 1 2 3; do
        measure fast$i.json 0.01
        measure slow$i.json 0.02
        bg collect --db "$DB" -q --branch main --timestamp $((1000 + i)) fast$i.json
        bg collect --db "$T/swapped.db" -q --branch main --timestamp $((1000 + i)) slow$i.json
    done
    measure slow.json 0.02
    measure fast.json 0.01

    bg collect --db "$DB" -q --branch feature --timestamp 2000 slow.json
    run bg check --db "$DB" --branch feature --threshold 0.10
    [ "$status" -eq 1 ]
    [[ "$output" == *"FAIL: 1 of 1 compared benchmarks failed the gate:"* ]]
    [[ "$output" == *"'nap' (time) regressed: +"* ]]

    bg collect --db "$T/swapped.db" -q --branch feature --timestamp 2000 fast.json
    run bg check --db "$T/swapped.db" --branch feature --threshold 0.10
    [ "$status" -eq 0 ]
    [[ "$(grep '^nap ' <<<"$output")" == *"improved"* ]]
}
