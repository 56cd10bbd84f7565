#!/usr/bin/env bats
# t1100-collect-bad-input.bats: every kind of bad input gives one line naming
# the file and what is wrong, exit status 2, and leaves the database as it was.

load helper


# Seeds the database with one good run and remembers its row counts.
seed() {
    bg collect --db "$DB" -q "$HF/single/single.json"
    BEFORE=$(rows)
    [ "$BEFORE" = "1 1 1 1 1 1" ]
}

# expect_rejected PATTERN FILE...: exit 2, one line on stderr matching, db unchanged
expect_rejected() {
    pattern=$1
    shift
    run bg collect --db "$DB" "$@"
    echo "status=$status output=$output"
    [ "$status" -eq 2 ]
    [ "${#lines[@]}" -eq 1 ]
    [[ "${lines[0]}" == "benchgate: error: "* ]]
    [[ "$output" == *"$pattern"* ]]
    [ "$(rows)" = "$BEFORE" ]
}

@test "a missing file" {
    seed
    expect_rejected "nope.json: cannot open: No such file or directory" nope.json
}

@test "a directory" {
    seed
    mkdir d
    expect_rejected "d: is a directory" d
}

@test "an empty file" {
    seed
    : > empty.json
    expect_rejected "empty.json: empty file" empty.json
}

@test "a file that is not JSON" {
    seed
    echo "Benchmark 1: sleep 0.05" > out.txt
    expect_rejected "out.txt: not a recognised benchmark format (tried: " out.txt
    [[ "$output" == *"hyperfine"* ]]
}

@test "JSON of the wrong shape" {
    seed
    echo '{"benchmarks": [{"name": "x"}]}' > other.json
    expect_rejected "other.json: not a recognised benchmark format" other.json
    echo '{"results": [{"command": "a", "times": "fast"}]}' > shape.json
    expect_rejected "shape.json: not a recognised benchmark format" shape.json
    expect_rejected "shape.json: results[0].times: expected an array, got string" \
        --format hyperfine shape.json
}

@test "an empty results array" {
    seed
    echo '{"results": []}' > none.json
    expect_rejected "none.json: results: empty array, no benchmarks" --format hyperfine none.json
}

@test "NaN, Infinity and huge times" {
    seed
    echo '{"results": [{"command": "a", "times": [0.1, NaN]}]}' > nan.json
    expect_rejected "nan.json:1:" nan.json
    expect_rejected "invalid JSON" nan.json
    echo '{"results": [{"command": "a", "times": [0.1, 1e999]}]}' > inf.json
    expect_rejected "inf.json: results[0].times[1]: number is not finite" inf.json
    echo '{"results": [{"command": "a", "times": [0.1, 1e12]}]}' > huge.json
    expect_rejected "huge.json: results[0].times[1]: 1e+12 is above the maximum" huge.json
}

@test "negative times" {
    seed
    hf_json "a:0.1,0.2,-0.3" > neg.json
    expect_rejected "neg.json: results[0].times[2]: -0.3 is below the minimum 0" neg.json
}

@test "a truncated file, cut from a real one" {
    seed
    head -c 700 "$HF/multi-commands/results.json" > cut.json
    expect_rejected "cut.json:" cut.json
    expect_rejected "unexpected end of input (truncated file?)" cut.json
}

@test "a benchmark name with control characters is stored visible, with a warning" {
    seed
    # hyperfine -n 'tab<TAB>and \\ backslash', and an escape sequence
    printf '{"results": [{"command": "tab\\tand \\\\ backslash", "times": [0.1]}, {"command": "a\\u001b[31mred", "times": [0.1]}]}' > ctl.json
    run bg collect --db "$DB" -q ctl.json
    [ "$status" -eq 0 ]
    [[ "$output" == *"warning: ctl.json: a benchmark name with control characters is stored as 'tab␉and \\ backslash'"* ]]
    [[ "$output" != *$'\e'* ]]
    [ "$(sql "SELECT count(*) FROM benchmarks WHERE name IN ('tab␉and \\ backslash', 'a␛[31mred')")" = 2 ]
    # the same name on the next run: one benchmark, two results
    bg collect --db "$DB" -q ctl.json 2>/dev/null
    [ "$(sql "SELECT count(*) FROM results r JOIN benchmarks b ON b.id = r.benchmark_id WHERE b.name = 'a␛[31mred'")" = 2 ]
}

@test "names no URL can carry, and overlong metrics or units" {
    seed
    hf_json "..:0.1,0.2" > dots.json
    expect_rejected "results[0].command: benchmark name is '.' or '..', which no URL can name" dots.json
    m=$(head -c 65 /dev/zero | tr '\0' m)
    printf '{"benchgate": 1, "results": [{"name": "a", "metric": "%s", "unit": "x", "samples": [1]}]}' "$m" > metric.json
    expect_rejected "metric '$m' is longer than 64 bytes" metric.json
}

@test "one bad file among good ones stores nothing" {
    seed
    hf_json "a:0.1,-1" > bad.json
    expect_rejected "bad.json: results[0].times[1]" "$HF/runs-50/runs50.json" bad.json "$HF/warmup/warmup.json"
}

@test "the same benchmark in two files of one run" {
    seed
    expect_rejected "'sleep 0.05' (metric time) appears twice" "$HF/single/single.json" "$HF/single/single.json"
}

@test "a database path that cannot be created exits 3" {
    run bg collect --db "$T/no/such/dir/x.db" "$HF/single/single.json"
    [ "$status" -eq 3 ]
    [[ "$output" == *"cannot open database '$T/no/such/dir/x.db'"* ]]
}

@test "a file that is not a database exits 3 and is left alone" {
    echo "not a database, only text, long enough to look like a header" > notdb
    cp notdb notdb.orig
    run bg collect --db notdb "$HF/single/single.json"
    [ "$status" -eq 3 ]
    [[ "$output" == *"notdb"* ]]
    cmp notdb notdb.orig
}

@test "more than 10,000 meta keys: refused naming the field; 10,000 are stored" {
    seed
    python3 - <<'PY'
import json
for n, f in ((10001, "over.json"), (10000, "at.json")):
    run = {"benchgate": 1, "meta": {"k%d" % i: "v" for i in range(n)},
           "results": [{"name": "a", "metric": "time", "unit": "ns", "direction": "lower",
                        "samples": [1, 2, 3]}]}
    json.dump(run, open(f, "w"))
PY
    expect_rejected "over.json: meta: more than 10000 keys" over.json
    # --meta and the file's keys count together
    expect_rejected "at.json: meta: more than 10000 keys" --meta one=more at.json
    bg collect --db "$DB" -q at.json
    [ "$(sql "SELECT count(*) FROM runs")" = 2 ]
}

@test "a time past 10^6 s or a summary of n: 0 is refused; n: null reads back" {
    seed
    echo '{"benchgate": 1, "results": [{"name": "a", "unit": "ms", "samples": [1, 1e10]}]}' > big.json
    expect_rejected "big.json: results[0].samples[1]: 1e+10 is above the maximum 1e+09" big.json
    echo '{"benchgate": 1, "results": [{"name": "a", "summary": {"n": 0, "mean": 5}}]}' > zero.json
    expect_rejected "zero.json: results[0].summary.n: 0; a summary stands for at least one sample" zero.json
    # a count is not a time: only finite
    echo '{"benchgate": 1, "results": [{"name": "a", "metric": "ops", "unit": "count", "samples": [1e200]}]}' > ops.json
    bg collect --db "$DB" -q ops.json
    # a harness that does not say n: null, and the document reads back the same
    echo '{"benchgate": 1, "results": [{"name": "u", "summary": {"n": null, "mean": 5}}]}' > null.json
    bg collect -q --output json null.json > out.json
    grep -q '"summary": {"n": null, "mean": 5' out.json
    bg collect --db "$DB" -q out.json
}

@test "JSON nested past 1,000 levels says so, with its line" {
    seed
    python3 -c 'print("{\"benchgate\": 1,\n\"results\": " + "[" * 1200 + "]" * 1200 + "}")' > deep.json
    expect_rejected "deep.json: invalid JSON: nested too deeply at line 2 (more than 1000 levels)" deep.json
}
