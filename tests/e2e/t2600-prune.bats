#!/usr/bin/env bats
# t2600-prune.bats: `benchgate prune --keep-samples AGE` drops old runs' raw
# samples and keeps their summaries; history, pages and check go on with the
# summaries and say when a baseline only has those left.

load helper
load server

NOW=$(date +%s)

# Two old runs of main (a year ago), one pinned release run as old, and a
# recent one, each of 3 benchmarks x 20 samples; then a branch run to judge.
old_and_new() {
    local i=0
    for ts in $((NOW - 400 * 86400)) $((NOW - 399 * 86400)); do
        i=$((i + 1))
        "$SYNTH" "$i" 3 20 0 0.02 > run.json
        bg collect -q --db "$DB" --project p --branch main --commit "aaaa000$i" --timestamp "$ts" run.json
    done
    "$SYNTH" 3 3 20 0 0.02 > run.json
    bg collect -q --db "$DB" --project p --branch release --commit aaaa0003 \
        --timestamp $((NOW - 398 * 86400)) run.json
    bg baseline set run:3 --project p --branch release --db "$DB" > /dev/null
    "$SYNTH" 4 3 20 0 0.02 > run.json
    bg collect -q --db "$DB" --project p --branch main --commit aaaa0004 --timestamp $((NOW - 86400)) run.json
}

@test "prune drops the samples of old runs only, keeps every summary, spares pins" {
    old_and_new
    run bg prune --db "$DB" --keep-samples 90d --dry-run
    [ "$status" -eq 0 ]
    [[ "$output" == "would drop the samples of 2 runs made before "*": 6 results, 120 samples (0.0 MB); their summaries stay" ]]
    [ "$(sql "SELECT count(*) FROM results WHERE samples IS NULL")" = 0 ]

    sql "SELECT run_id || ' ' || n || ' ' || p95 || ' ' || median FROM results ORDER BY id" > before
    run bg prune --db "$DB" --keep-samples 90d
    [ "$status" -eq 0 ]
    [[ "$output" == "dropped the samples of 2 runs made before "*": 6 results, 120 samples"* ]]
    # runs 1 and 2 lost their samples and are marked; the pinned run 3 and run 4 kept theirs
    [ "$(sql "SELECT run_id || ':' || count(*) FROM results WHERE samples IS NULL AND pruned = 1 GROUP BY run_id ORDER BY run_id" | paste -sd ' ')" = "1:3 2:3" ]
    [ "$(sql "SELECT count(*) FROM results WHERE samples IS NOT NULL AND pruned = 0 AND run_id IN (3, 4)")" = 6 ]
    [ "$(sql "SELECT count(*) FROM results WHERE summary_only = 1")" = 0 ]
    # every summary is as it was
    sql "SELECT run_id || ' ' || n || ' ' || p95 || ' ' || median FROM results ORDER BY id" > after
    diff before after
    # a second prune finds nothing left to do
    run bg prune --db "$DB" --keep-samples 90d
    [[ "$output" == "dropped the samples of 0 runs "* ]]
}

@test "history and the API go on with the summaries; check says the baseline has only those" {
    old_and_new
    bg prune --db "$DB" --keep-samples 300d -q
    run bg history --db "$DB" --project p bench-0000
    [ "$status" -eq 0 ]
    [[ "${lines[2]}" == *"aaaa0001"*"(samples pruned: stored summary)" ]]
    [[ "${lines[5]}" == *"aaaa0004"* && "${lines[5]}" != *pruned* ]]
    # a branch run judged against the pruned run 2
    "$SYNTH" 5 3 20 0 0.02 > run.json
    bg collect -q --db "$DB" --project p --branch feature run.json
    run bg check --db "$DB" --project p --branch feature --baseline run:2
    [ "$status" -eq 0 ]
    [[ "$output" == *"warning: 2 of the 2 baseline runs have only summaries left for some benchmarks (their samples pruned by benchgate prune)"* ]]
    [[ "$output" == *"(low confidence: samples pruned, on the stored summaries"* ]]
    bg check --db "$DB" --project p --branch feature --baseline run:2 --output json > v.json
    grep -q 'only summaries left' v.json
    grep -q '"samples_pruned"' v.json
    # the p95 compared is the typical one of the p95s stored for runs 1 and 2 (of two, the
    # geometric mean: three benchmarks are too few for a machine factor)
    got=$(sqlite3 :memory: "SELECT json_extract(readfile('v.json'), '\$.results[0].baseline.value')")
    want=$(sql "SELECT exp(avg(ln(s.p95))) FROM results s JOIN benchmarks k ON k.id = s.benchmark_id
                WHERE s.run_id IN (1, 2) AND k.name = 'bench-0000'")
    awk -v a="$got" -v b="$want" 'BEGIN { exit !(a > 0 && (a - b) / b < 1e-12 && (b - a) / b < 1e-12) }'
    # the pinned baseline (run 3, kept whole) is judged with the rank test as before
    run bg check --db "$DB" --project p --branch feature --baseline-branch release
    [ "$status" -eq 0 ]
    [[ "$output" != *"summaries left"* && "$output" != *"samples pruned"* ]]
    # the API's run document gives a pruned result as its summary, marked
    serve_start
    api GET "/api/v1/projects/p/runs/1"
    [ "$STATUS" = 200 ] && validate run.schema.json
    [[ "$BODY" == *'"summary": {"n": 20, "pruned": true, "min": '* ]]
    [[ "$BODY" != *'"samples"'* ]]
    serve_stop
}

@test "pages say which points and which baseline only have summaries; a prune is no stale page" {
    old_and_new
    serve_start
    page_of() { curl -sS --max-time 30 "$URL$1"; }
    page_of "/p/p/b/bench-0000" > before.html
    ! grep -q 'samples pruned' before.html
    bg prune --db "$DB" --keep-samples 300d -q
    # the same URL, nothing uploaded since: the page shows the prune at once
    page_of "/p/p/b/bench-0000" > after.html
    grep -q '(samples pruned)' after.html
    "$SYNTH" 5 3 20 0 0.02 > run.json
    bg collect -q --db "$DB" --project p --branch feature run.json
    bg baseline set run:2 --project p --branch main --db "$DB" > /dev/null
    page_of "/p/p?branch=feature" > project.html
    grep -q 'only summaries left' project.html
    serve_stop
}

@test "prune's flags: AGE is required and checked; --project limits it" {
    old_and_new
    bg collect -q --db "$DB" --project other --timestamp 1000 "$HF/single/single.json"
    run bg prune --db "$DB"
    [ "$status" -eq 2 ]
    [[ "$output" == *"--keep-samples AGE"* ]]
    for bad in 90 90x d -1d 99999999999d; do
        run bg prune --db "$DB" --keep-samples "$bad"
        [ "$status" -eq 2 ]
    done
    run bg prune --db "$DB" --keep-samples 2w --project other
    [ "$status" -eq 0 ]
    [[ "$output" == *"1 runs made before "*" in project 'other': 1 results, 57 samples"* ]]
    [ "$(sql "SELECT count(*) FROM results WHERE pruned = 1")" = 1 ]
    run bg prune --db "$(fresh_db missing)" --keep-samples 1h
    [ "$status" -eq 3 ]
}
