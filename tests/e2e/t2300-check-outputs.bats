#!/usr/bin/env bats
# t2300-check-outputs.bats: the report formats (markdown, json, github), the
# GitHub Actions files, and benchgate.json rules. JSON is checked with
# sqlite3's JSON functions, so the tests need no other tool.

load helper
bats_require_minimum_version 1.5.0

setup_runs() {
    hf_json "parse:$(series 0.010 20)" "render:$(series 0.020 20)" "noisy:$(series 0.005 20)" > base.json
    hf_json "parse:$(series 0.015 20)" "render:$(series 0.020 20)" "noisy:$(series 0.008 20)" > slow.json
    bg collect --db "$DB" -q --branch main base.json
    bg collect --db "$DB" -q --branch feature slow.json
}

# json PATH EXPR: one value of the JSON document in file PATH
json() {
    sqlite3 :memory: "SELECT json_extract(readfile('$1'), '$2')"
}

@test "--output json is a valid verdict document that agrees with the exit status" {
    setup_runs
    run bash -c '"$BENCHGATE" check --db "$1" --branch feature --output json > v.json' _ "$DB"
    [ "$status" -eq 1 ]
    [ "$(sqlite3 :memory: "SELECT json_valid(readfile('v.json'))")" -eq 1 ]
    [ "$(json v.json '$.benchgate_verdict')" -eq 1 ]
    [ "$(json v.json '$.verdict')" = "fail" ]
    [ "$(json v.json '$.current.branch')" = "feature" ]
    [ "$(json v.json '$.baseline.run_id')" -eq 1 ]
    [ "$(json v.json '$.counts.regressed')" -eq 2 ]
    [ "$(json v.json '$.results[0].name')" = "parse" ]
    [ "$(json v.json '$.results[0].verdict')" = "regressed" ]
    [ "$(json v.json '$.results[0].fails_gate')" -eq 1 ]
    [ "$(json v.json '$.results[0].statistic')" = "p95" ]
    [ "$(json v.json '$.results[1].verdict')" = "unchanged" ]
    [ "$(json v.json '$.results[0].baseline.n')" -eq 20 ]
    # what gate v2 adds: the history, the evidence, the noise and what it could detect
    [ "$(json v.json '$.baseline.runs')" = "[1]" ]
    [ "$(json v.json '$.results[0].evidence')" = "p50" ]
    [ "$(json v.json '$.results[0].baseline_runs')" -eq 1 ]
    [ "$(json v.json '$.results[0].low_confidence_reasons')" = '["short_history"]' ]
    [ "$(json v.json '$.options.prior_spread')" = "0.05" ]
    [ "$(json v.json '$.no_baseline')" = "" ]
    awk -v d="$(json v.json '$.results[0].detectable')" 'BEGIN { exit !(d > 0 && d < 1) }'
    python3 "$BATS_TEST_DIRNAME/../tools/validate.py" \
        "$BATS_TEST_DIRNAME/../../schemas/verdict.schema.json" v.json
}

@test "--output markdown starts with the marker and holds the table" {
    setup_runs
    # standard output holds the report alone (warnings go to standard error)
    run --separate-stderr bg check --db "$DB" --branch feature --output markdown
    [ "$status" -eq 1 ]
    [ "${lines[0]}" = "<!-- benchgate-report -->" ]
    [[ "$output" == *"### benchgate: ❌ 2 benchmarks failed the gate"* ]]
    [[ "$output" == *"| Benchmark | Metric | Baseline | Current | Change | 95% CI | Noise | Detectable | Verdict |"* ]]
    [[ "$output" == *"- ❌ \`parse\` (time) regressed: +"* ]]
    [[ "$output" == *"| parse | time | "*"❌ regressed"* ]]
}

@test "--output github prints annotations for failures and a notice" {
    setup_runs
    run bg check --db "$DB" --branch feature --output github
    [ "$status" -eq 1 ]
    [[ "$output" == *"::error title=benchgate regression parse::parse (time): p95 "* ]]
    [[ "$output" == *"::notice title=benchgate::FAIL: 2 failing"* ]]
    [[ "$output" != *"render"* ]]
}

@test "GITHUB_STEP_SUMMARY and GITHUB_OUTPUT are appended to when set" {
    setup_runs
    echo "earlier step" > summary.md
    echo "other=1" > output.txt
    GITHUB_STEP_SUMMARY=$T/summary.md GITHUB_OUTPUT=$T/output.txt \
        run bg check --db "$DB" --branch feature
    [ "$status" -eq 1 ]
    [ "$(head -1 summary.md)" = "earlier step" ]
    grep -qx "<!-- benchgate-report -->" summary.md
    grep -q "| parse | time |" summary.md
    [ "$(cat output.txt)" = "$(printf 'other=1\nregressions=2\nverdict=fail')" ]
}

@test "--report writes the Markdown report besides the chosen output; an unwritable path is refused first" {
    setup_runs
    run --separate-stderr bg check --db "$DB" --branch feature --output json --report "$T/report.md"
    [ "$status" -eq 1 ]
    [[ "$output" == '{'* ]]
    [ "$(head -n 1 report.md)" = '<!-- benchgate-report -->' ]
    grep -q '| parse | time |' report.md
    run bg check --db "$DB" --branch feature --report "$T/no/such/dir/report.md"
    [ "$status" -eq 2 ]
    [[ "$output" == *"--report '$T/no/such/dir/report.md': No such file or directory"* ]]
    [[ "$output" != *"parse"* ]] # refused before any work
}

@test "an unwritable GITHUB_OUTPUT is a warning; the verdict still stands" {
    setup_runs
    GITHUB_OUTPUT=$T/no/such/dir/out run bg check --db "$DB" --branch feature
    [ "$status" -eq 1 ]
    [[ "$output" == *"warning: cannot append to GITHUB_OUTPUT"* ]]
}

@test "hostile names are escaped in markdown and cannot forge workflow commands" {
    printf '{"benchgate": 1, "results": [{"name": "a|b <script>x</script> *y* %%0A::error::z, w: v", "samples": [1,1,1,1,1,1]}]}' > b.json
    printf '{"benchgate": 1, "results": [{"name": "a|b <script>x</script> *y* %%0A::error::z, w: v", "samples": [9,9,9,9,9,9]}]}' > c.json
    bg collect --db "$DB" -q --branch main b.json
    bg collect --db "$DB" -q --branch f c.json
    run bg check --db "$DB" --branch f --output markdown
    [[ "$output" == *'a\|b &lt;script&gt;x&lt;/script&gt; \*y\* %0A::error::z, w: v'* ]]
    [[ "$output" != *"<script>"* ]]
    run bg check --db "$DB" --branch f --output github
    # the name's "%0A" is encoded as "%250A", its ":" and "," in the title too
    [[ "$output" == *"::error title=benchgate regression a|b <script>x</script> *y* %250A%3A%3Aerror%3A%3Az%2C w%3A v::a|b"* ]]
    [ "$(grep -c '^::error' <<<"$output")" -eq 1 ]
}

@test "a '%' in the metric or unit is encoded in annotations too" {
    printf '{"benchgate": 1, "results": [{"name": "n", "metric": "m%%0A", "unit": "u%%0A::error::x", "samples": [1,1,1,1,1,1]}]}' > b.json
    printf '{"benchgate": 1, "results": [{"name": "n", "metric": "m%%0A", "unit": "u%%0A::error::x", "samples": [9,9,9,9,9,9]}]}' > c.json
    bg collect --db "$DB" -q --branch main b.json
    bg collect --db "$DB" -q --branch f c.json
    run bg check --db "$DB" --branch f --output github
    [[ "$output" == *"n (m%250A): "* ]]
    [[ "$output" == *"u%250A::error::x"* ]]
    [[ "$output" != *"u%0A"* ]]
    [ "$(grep -c '^::error' <<<"$output")" -eq 1 ]
}

@test "benchgate.json: a looser threshold for one benchmark, an ignored one" {
    setup_runs
    cat > benchgate.json <<'JSON'
{"benchmarks": [
  {"name": "nois*", "threshold": 0.8},
  {"name": "parse", "metric": "time", "ignore": true}
]}
JSON
    run bg check --db "$DB" --branch feature
    [ "$status" -eq 0 ]
    [[ "$(grep '^parse ' <<<"$output")" == *" ignored"* ]]
    [[ "$(grep '^noisy ' <<<"$output")" == *" unchanged"* ]]
    run bg check --db "$DB" --branch feature --config /dev/null
    [ "$status" -eq 2 ]
    echo '{"benchmarks": []}' > empty.json
    run bg check --db "$DB" --branch feature --config empty.json
    [ "$status" -eq 1 ]
}

@test "a config with a typo or bad value is an error naming the place" {
    setup_runs
    echo '{"benchmarks": [{"name": "x", "treshold": 0.2}]}' > c1.json
    run bg check --db "$DB" --branch feature --config c1.json
    [ "$status" -eq 2 ]
    [[ "$output" == *"c1.json: benchmarks[0].treshold: unknown key"* ]]
    echo '{"benchmarks": [{"name": "x", "threshold": -1}]}' > c2.json
    run bg check --db "$DB" --branch feature --config c2.json
    [ "$status" -eq 2 ]
    [[ "$output" == *"c2.json: benchmarks[0].threshold: -1 is below the minimum 0"* ]]
    echo '{"benchmarks": [{"threshold": 1}]}' > c3.json
    run bg check --db "$DB" --branch feature --config c3.json
    [ "$status" -eq 2 ]
    [[ "$output" == *"c3.json: benchmarks[0].name: missing"* ]]
    run bg check --db "$DB" --branch feature --config nope.json
    [ "$status" -eq 2 ]
}

@test "--fail-on-missing fails on a benchmark that vanished; by default it warns only" {
    hf_json "a:$(series 0.01 10)" "b:$(series 0.01 10)" > base.json
    hf_json "a:$(series 0.01 10)" > cur.json
    bg collect --db "$DB" -q --branch main base.json
    bg collect --db "$DB" -q --branch f cur.json
    run bg check --db "$DB" --branch f
    [ "$status" -eq 0 ]
    run bg check --db "$DB" --branch f --fail-on-missing
    [ "$status" -eq 1 ]
    [[ "$output" == *"'b' (time) missing: in the baseline, not in this run"* ]]
}

@test "bad values for the new options exit 2" {
    setup_runs
    for args in "--output xml" "--alpha 0" "--alpha 2" "--min-samples 0" "--resamples -1" "--format hyperfine"; do
        run bg check --db "$DB" --branch feature $args
        [ "$status" -eq 2 ]
    done
}
