#!/usr/bin/env bats
# t1110-collect-formats.bats: every corpus file of every harness, collected
# by the real binary with the format detected from the content, lands as the
# right number of results (one per benchmark and metric), samples and
# distinct benchmark names; bad input of each format is rejected whole.

load helper

# expect_collect FILE RESULTS SAMPLES NAMES
expect_collect() {
    rm -f "$DB" "$DB-wal" "$DB-shm"
    run bg collect --db "$DB" -q "$FIX/$1"
    echo "$1: status=$status output=$output"
    [ "$status" -eq 0 ]
    [ "$(sql "SELECT count(*) || ' ' || ifnull(sum(n), 0) FROM results")" = "$2 $3" ]
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
