#!/usr/bin/env bats
# t2200-check-baselines.bats: which baseline check chooses, and that it says
# so: a history of the baseline branch at or before the fork point, like-for-
# like machines, pins, explicit refs, windows, judging files, and never a
# silent pass (a re-run judged against itself, a missing baseline, a typo).

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
    [[ "$output" == *"baseline: 1 run of 'main' (the newest), on this machine: run 1"* ]]
}

@test "with no run from this machine, the newest is used with a warning naming the differences" {
    setup_inputs
    collect main base.json --meta cpu_model="Big Iron" --meta cores=64
    collect feature same.json
    run bg check --db "$DB" --project p --branch feature
    [ "$status" -eq 0 ]
    [[ "$output" == *"warning: the baseline ran on another machine (CPU model 'Big Iron' vs '"* ]]
    [[ "$output" == *"cores 64 vs $(nproc)"* ]]
    [[ "$output" == *"1 run of 'main' (the newest), from another machine"* ]]
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
    [[ "$output" == *"baseline: 1 run of 'main' up to run 1, as asked (baseline run:1)"* ]]
    [[ "$output" == *"'main' has 1 newer run"* ]]
    run bg check --db "$DB" --project p --branch feature --baseline commit:AAAA
    [ "$status" -eq 0 ]
    [[ "$output" == *"up to run 1, as asked (baseline commit:AAAA)"* ]]
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
    [[ "$output" == "pinned run 1 at aaaa1111 as the baseline of project 'p' for branch 'main': check compares with it and the runs before it" ]]
    run bg baseline show --db "$DB" --project p
    [[ "$output" == *"run 1 is pinned"* ]]
    run bg check --db "$DB" --project p --branch feature
    [ "$status" -eq 0 ]
    [[ "$output" == *"baseline: 1 run of 'main' up to run 1, pinned for 'main' (benchgate baseline set)"* ]]
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

@test "--baseline-window N: the history holds the newest N runs" {
    setup_inputs
    collect main base.json --timestamp 100
    collect main base.json --timestamp 200
    collect main base.json --timestamp 300
    collect feature same.json --timestamp 400
    run bg check --db "$DB" --project p --branch feature --baseline-window 2
    [ "$status" -eq 0 ]
    [[ "$output" == *"2 runs of 'main' (the newest), on this machine: runs 3 back to 2"* ]]
    [[ "$(grep '^parse ' <<<"$output")" == *" 2x20/20 "* ]]
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

# main_history N [FILE]: N runs of main at commits cc01, cc02, ... an hour apart
main_history() {
    for i in $(seq 1 "$1"); do
        collect main "${2:-base.json}" --commit "$(printf 'cc%02d' "$i")" --timestamp $((3600 * i))
    done
}

@test "by default the baseline is the 10 newest runs, named with their age" {
    setup_inputs
    main_history 12
    collect feature same.json --timestamp $((3600 * 14))
    run bg check --db "$DB" --project p --branch feature
    [ "$status" -eq 0 ]
    [[ "$output" == *"against 'main' (run 12, commit cc12) and 9 runs before it"* ]]
    [[ "$output" == *"10 runs of 'main' (the newest), on this machine: runs 12 back to 3 (2 hours to 11 hours old)"* ]]
    [[ "$(grep '^parse ' <<<"$output")" == *" 10x20/20 "* ]]
}

@test "a re-run of a commit is judged against the runs before that commit, never itself" {
    setup_inputs
    collect main base.json --commit aaaa1111 --timestamp 100   # run 1
    collect main slow.json --commit bbbb2222 --timestamp 200   # run 2: the slowdown lands
    collect main slow.json --commit bbbb2222 --timestamp 300   # run 3: "re-run failed jobs"
    run bg check --db "$DB" --project p --branch main
    [ "$status" -eq 1 ]
    [[ "$output" == *"(run 3, commit bbbb2222) against 'main' (run 1, commit aaaa1111)"* ]]
    [[ "$(grep '^parse ' <<<"$output")" == *"REGRESSED"* ]]
}

@test "the fork point ends the history: main's later change is not the branch's" {
    setup_inputs
    collect main base.json --commit aaaa1111 --timestamp 100    # run 1
    collect main base.json --commit aaaa2222 --timestamp 200    # run 2: the fork point
    collect main slow.json --commit bbbb1111 --timestamp 300    # run 3: main got slower
    collect main slow.json --commit bbbb2222 --timestamp 400    # run 4
    collect main slow.json --commit bbbb3333 --timestamp 450    # run 5
    # the branch forked at run 2's commit and did not change parse
    collect feature base.json --commit cccc1111 --timestamp 500 --meta fork_point=aaaa2222
    run bg check --db "$DB" --project p --branch feature
    [ "$status" -eq 0 ]
    [[ "$output" == *"2 runs of 'main' at or before the fork point aaaa2222 (recorded by collect)"* ]]
    [[ "$output" == *"'main' has 3 newer runs"* ]]
    [[ "$(grep '^parse ' <<<"$output")" == *"unchanged"* ]]
    # against main's newest instead, main's own slowdown would read as the branch's speed-up
    run bg check --db "$DB" --project p --branch feature --fork-point bbbb3333 --baseline-window 3
    [ "$status" -eq 0 ]
    [[ "$output" == *"at or before the fork point bbbb3333 (--fork-point)"* ]]
    [[ "$(grep '^parse ' <<<"$output")" == *"improved"* ]]
    run bg check --db "$DB" --project p --branch feature --fork-point zzz
    [ "$status" -eq 2 ]
}

# commit MESSAGE EPOCH: an empty commit at that time in the repository here
commit_at() {
    GIT_AUTHOR_DATE="@$2 +0000" GIT_COMMITTER_DATE="@$2 +0000" \
        git -c user.name=t -c user.email=t@example.invalid commit -q --allow-empty -m "$1"
    git rev-parse HEAD
}

@test "a fork point with no run: the runs made before it was committed, as the server would pick" {
    setup_inputs
    mkdir repo && cd repo && git init -q -b main .
    ca=$(commit_at A 1000)
    cf=$(commit_at F 2000) # the fork point: main's job for it never ran
    git checkout -q -b feature
    ch=$(commit_at H 2500)
    git checkout -q main
    cb=$(commit_at B 3000) # main got slower after the fork
    cd "$T"
    collect main base.json --commit "$ca" --timestamp 1100
    collect main slow.json --commit "$cb" --timestamp 3100
    printf '{"pull_request": {"head": {"sha": "%s"}, "base": {"sha": "%s"}}}\n' "$ch" "$cf" > event.json
    cd repo && git checkout -q feature
    GITHUB_ACTIONS=true GITHUB_EVENT_NAME=pull_request GITHUB_EVENT_PATH=$T/event.json \
        GITHUB_HEAD_REF=feature GITHUB_BASE_REF=main GITHUB_REPOSITORY=p \
        run bg collect --db "$DB" --timestamp 3200 "$T/same.json"
    [ "$status" -eq 0 ]
    cd "$T"
    # collect asked git for the fork point's time, so a server without git can use it
    [ "$(run_meta 3 fork_point_time)" = 2000 ]
    run bg check --db "$DB" --project p --branch feature
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *"1 run of 'main' made before the fork point ${cf:0:12} (recorded by collect) was committed: it has no run on 'main'"* ]]
    [[ "$(grep '^parse ' <<<"$output")" == *"unchanged"* ]] # main's slowdown is not in it
    [[ "$output" != *"warning"* ]]
}

@test "a fork point with no run and no time: the runs before this one, with a warning" {
    setup_inputs
    collect main base.json --commit aaaa1111 --timestamp 100
    collect main slow.json --commit bbbb2222 --timestamp 300
    collect feature same.json --commit cccc1111 --timestamp 400 --meta fork_point=ffff0000
    run bg check --db "$DB" --project p --branch feature
    [ "$status" -eq 0 ]
    [[ "$output" == *"made before this run (the fork point ffff0000"* ]]
    [[ "$output" == *"warning: the fork point ffff0000 of 'feature' has no run on 'main' and its commit time is not known"* ]]
}

@test "recorded metadata is input: a fork point that is no commit is ignored" {
    setup_inputs
    collect main base.json --commit 0aaa1111 --timestamp 100
    collect main slow.json --commit 0bbb2222 --timestamp 300
    collect feature same.json --commit cccc1111 --timestamp 400 --meta fork_point=0 \
        --meta fork_point_time=nonsense
    run bg check --db "$DB" --project p --branch feature
    [ "$status" -eq 0 ]
    [[ "$output" == *"warning: the fork point of 'feature' is not known"* ]]
    [[ "$output" != *"fork point 0 "* ]]
}

@test "on a pull request the fork point is the event's base commit" {
    setup_inputs
    collect main base.json --commit aaaa1111 --timestamp 100
    collect main slow.json --commit bbbb2222 --timestamp 200
    printf '{"pull_request": {"head": {"sha": "%s"}, "base": {"sha": "%s"}}}\n' \
        dddd1111dddd1111dddd1111dddd1111dddd1111 aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111 > event.json
    GITHUB_ACTIONS=true GITHUB_EVENT_NAME=pull_request GITHUB_EVENT_PATH=$T/event.json \
        GITHUB_HEAD_REF=feature GITHUB_BASE_REF=main GITHUB_REPOSITORY=p \
        run bg collect --db "$DB" --branch feature same.json
    [ "$status" -eq 0 ]
    [ "$(run_meta 3 fork_point)" = \
      "aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111" ]
    [ "$(run_meta 3 base_branch)" = "main" ]
    GITHUB_ACTIONS=true GITHUB_EVENT_NAME=pull_request GITHUB_EVENT_PATH=$T/event.json \
        GITHUB_HEAD_REF=feature GITHUB_BASE_REF=main GITHUB_REPOSITORY=p \
        run bg check --db "$DB"
    [ "$status" -eq 0 ]
    [[ "$output" == *"at or before the fork point aaaa1111aaaa (the pull request's base)"* ]]
    [[ "$output" == *"1 run of 'main' at or before the fork point aaaa1111aaaa (the pull request's base), on this machine: run 1 ("* ]]
}

@test "no baseline is said first; --require-baseline makes it exit 2 and names what exists" {
    setup_inputs
    collect master base.json --timestamp 100
    collect feature same.json --timestamp 200
    run bg check --db "$DB" --project p --branch feature --baseline-branch mastr
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == "benchgate: NO BASELINE: no run of branch 'mastr' in project 'p'; did you mean 'master'? (--baseline-branch)"* ]]
    [[ "${lines[1]}" == *"'master' (1 runs)"* && "${lines[1]}" == *"'feature' (1 runs)"* ]]
    run bg check --db "$DB" --project p --branch feature --baseline-branch mastr --require-baseline
    [ "$status" -eq 2 ]
    [[ "$output" == *"error: no baseline (--require-baseline): no run of branch 'mastr'"* ]]
    [ "$(rows)" = "1 2 1 2 1 2" ] # and nothing was written
}

@test "a wrong --project is named with the projects that exist" {
    setup_inputs
    collect main base.json
    run bg check --db "$DB" --project pp --branch main --require-baseline same.json
    [ "$status" -eq 2 ]
    [[ "$output" == *"no project 'pp' in this store; did you mean 'p'? (--project); projects: 'p'"* ]]
}

@test "without a named baseline branch, the project's main one: main, else master, else the busiest" {
    setup_inputs
    collect master base.json --timestamp 100
    collect master base.json --timestamp 150
    collect develop slow.json --timestamp 200
    collect feature slow.json --timestamp 300
    run bg check --db "$DB" --project p --branch feature
    [ "$status" -eq 1 ]
    [[ "$output" == *"against 'master'"* ]]
    collect main slow.json --timestamp 250
    run bg check --db "$DB" --project p --branch feature
    [ "$status" -eq 0 ]
    [[ "$output" == *"against 'main'"* ]]
}
