#!/usr/bin/env bats
# t1110-collect-formats.bats: every corpus file of every harness, collected
# by the real binary with the format detected from the content, lands as the
# right number of results (one per benchmark and metric), samples and
# distinct benchmark names; bad input of each format is rejected whole.

load helper

# expect_collect FILE RESULTS SAMPLES NAMES
expect_collect() {
    db_reset
    run bg collect --db "$DB" -q "$FIX/$1"
    echo "$1: status=$status output=$output"
    [ "$status" -eq 0 ]
    [ "$(sql "SELECT count(*) || ' ' || coalesce(sum(n), 0) FROM results")" = "$2 $3" ]
    [ "$(sql "SELECT count(DISTINCT name) FROM benchmarks")" -eq "$4" ]
}

@test "go: every corpus case, text and -json" {
    expect_collect go/basic-text/bench.txt 21 210 6
    expect_collect go/basic-json/bench.jsonl 21 210 6
    expect_collect go/basic-verbose-text/bench.txt 21 63 6
    expect_collect go/benchtime-iterations-text/bench.txt 3 15 2
    expect_collect go/cpu-1-2-text/bench.txt 42 126 12
    expect_collect go/cpu-1-2-json/bench.jsonl 42 126 12
    expect_collect go/no-benchmem-text/bench.txt 11 55 6
    [ "$(sql "SELECT tool FROM runs")" = "go" ]
    [ "$(sql "SELECT unit || ' ' || direction FROM benchmarks WHERE metric = 'throughput' LIMIT 1")" = "B/s 1" ]
}

@test "go: a skipped benchmark is a warning and stores nothing" {
    run bg collect --db "$DB" "$FIX/go/basic-verbose-text/bench.txt"
    [ "$status" -eq 0 ]
    [[ "$output" == *"warning: "*"BenchmarkSkipped' was skipped: nothing stored for it"* ]]
    [ "$(sql "SELECT count(*) FROM benchmarks WHERE name LIKE '%Skipped%'")" -eq 0 ]
}

@test "go: a bad line rejects the file with its line number; nothing is stored" {
    bg collect --db "$DB" -q "$FIX/go/basic-text/bench.txt"
    before=$(rows)
    { head -20 "$FIX/go/basic-text/bench.txt"; printf 'BenchmarkBad-2 \t 100\t -3 ns/op\n'; } > bad.txt
    run bg collect --db "$DB" bad.txt
    [ "$status" -eq 2 ]
    [ "$output" = "benchgate: error: bad.txt:21: ns/op value '-3' is negative" ]
    [ "$(rows)" = "$before" ]
}

@test "gbench: every JSON corpus case; repetitions are the samples" {
    expect_collect gbench/json-basic/stdout.json 32 32 11
    expect_collect gbench/json-repetitions/stdout.json 32 320 11
    expect_collect gbench/out-file-json/results.json 32 160 11
    expect_collect gbench/display-aggregates-only/results.json 32 160 11
    expect_collect gbench/threads-manual-time/stdout.json 6 30 3
    [ "$(sql "SELECT tool FROM runs")" = "gbench" ]
}

@test "gbench: the console table and CSV are refused as not collection formats" {
    for f in gbench/console-tabular/stdout.txt gbench/csv-format/stdout.csv; do
        run bg collect --db "$DB" "$FIX/$f"
        [ "$status" -eq 2 ]
        [[ "$output" == *"not a recognised benchmark format (tried: "* ]]
    done
    db_absent
}

@test "pytest-benchmark: every corpus case; autosaves without data are summaries" {
    expect_collect pytest/json-basic/out.json 6 663 6
    expect_collect pytest/json-process-time-timer/out.json 6 697 6
    expect_collect pytest/autosave-save-data/autosave.json 6 945 6
    [ "$(sql "SELECT sum(summary_only) FROM results")" -eq 0 ]
    expect_collect pytest/autosave-no-data/autosave.json 6 734 6
    [ "$(sql "SELECT sum(summary_only) || ' ' || count(samples) || ' ' || count(p95) FROM results")" = "6 0 0" ]
}

@test "a summary-only baseline is compared on the mean, with low confidence" {
    bg collect --db "$DB" -q --branch main "$FIX/pytest/autosave-no-data/autosave.json"
    bg collect --db "$DB" -q --branch f "$FIX/pytest/autosave-save-data/autosave.json"
    run bg check --db "$DB" --branch f --threshold 5
    [ "$status" -eq 0 ]
    [[ "$(grep '^test_basic.py::test_fib ' <<<"$output")" == *"(low confidence: summary only, on the mean"* ]]
}

@test "criterion: the target/criterion folder (or target), only new/ read; bencher text" {
    expect_collect criterion/first-run/target/criterion 15 290 10
    expect_collect criterion/first-run/target 15 290 10
    expect_collect criterion/noplot/target/criterion 15 290 10
    [ "$(sql "SELECT tool FROM runs")" = "criterion" ]
    [ "$(sql "SELECT count(*) FROM benchmarks WHERE metric = 'throughput'")" -eq 5 ]
    expect_collect criterion/bencher-format/stdout.txt 10 0 10
    [ "$(sql "SELECT sum(summary_only) FROM results")" -eq 10 ]
}

@test "criterion: a broken sample.json rejects the folder, naming the file" {
    cp -r "$FIX/criterion/noplot/target" t
    printf '{"iters": [1, 2], "times": [5]}' > t/criterion/sum_u32/100/new/sample.json
    run bg collect --db "$DB" t
    [ "$status" -eq 2 ]
    [ "$output" = "benchgate: error: t/criterion/sum_u32/100/new/sample.json: iters has 2 entries, times 1" ]
    db_absent
}

@test "catch2: the XML reporter as summaries; the console reporter refused" {
    expect_collect catch2/xml-reporter/stdout.xml 5 100 5
    [ "$(sql "SELECT sum(summary_only) FROM results")" -eq 5 ]
    [ "$(sql "SELECT name FROM benchmarks WHERE name LIKE '%append%'")" = 'Containers: vector vs string, "quoted"/string append µs/ü <x>' ]
    run bg collect --db "$T/other.db" "$FIX/catch2/console-reporter/stdout.txt"
    [ "$status" -eq 2 ]
    [[ "$output" == *"not a recognised benchmark format (tried: "*"catch2)"* ]]
}

@test "the format can be forced; every format is listed in collect --help" {
    run bg collect --db "$DB" --format hyperfine "$FIX/go/basic-text/bench.txt"
    [ "$status" -eq 2 ]
    [[ "$output" == *"not JSON, but format 'hyperfine' is a JSON document"* ]]
    run bg collect --help
    for f in benchgate hyperfine go gbench pytest-benchmark criterion bencher catch2; do
        [[ "$output" == *"  $f "* ]]
    done
}
