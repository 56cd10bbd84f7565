#!/usr/bin/env bats
# History in a git branch (--db git:BRANCH): runs appended by collect as one
# compressed file each, pushed with rebase-and-retry, read back by check. Every
# remote is a bare repository in the test's folder: nothing leaves the machine.

load helper


data_files() {
    git --git-dir="$T/origin.git" ls-tree -r --name-only benchgate-data
}

results() {
    hf_json "parse:$(series 0.010 20)" "render:$(series 0.020 20)" > "$T/main.json"
    hf_json "parse:$(series 0.013 20)" "render:$(series 0.020 20)" > "$T/slow.json"
}

@test "collect appends one gzip file per run to the branch; check reads them back and judges" {
    results
    git_checkout a
    run bg check --db git:benchgate-data --project acme "$T/main.json"
    [ "$status" -eq 0 ]
    [[ $output == *"branch 'benchgate-data' of 'origin' does not exist yet"* ]]
    for i in 1 2 3; do
        bg collect --commit "$i$(printf %039d 0)" --db git:benchgate-data --project acme \
            --branch main "$T/main.json"
    done
    [ "$(data_files | wc -l)" -eq 3 ]
    data_files | grep -Eq '^runs/[0-9]{4}-[0-9]{2}/[0-9]+-[123]0{11}-[0-9a-f]{16}\.json\.gz$'
    f=$(data_files | head -1)
    git --git-dir="$T/origin.git" cat-file blob "benchgate-data:$f" | gzip -dc | grep -q '"parse"'
    # nothing of the branch shows in the checkout: no file, no commit on main
    [ -z "$(git status --porcelain)" ]
    [ "$(git log --oneline HEAD | wc -l)" -eq 1 ]
    [ -z "$(git for-each-ref refs/benchgate)" ] # its scratch refs are gone
    run bg check --db git:benchgate-data --project acme --branch feature \
        --baseline-branch main "$T/slow.json"
    [ "$status" -eq 1 ]
    [[ $output == *parse*regressed* ]]
    run bg check --db git:benchgate-data --project acme --branch feature \
        --baseline-branch main "$T/main.json"
    [ "$status" -eq 0 ]
}

@test "a re-run of the same commit adds a file and replaces nothing" {
    results
    git_checkout a
    sha=$(printf '%040d' 7)
    bg collect --commit $sha --db git:benchgate-data --project acme --branch main "$T/main.json"
    first=$(data_files)
    bg collect --commit $sha --db git:benchgate-data --project acme --branch main "$T/slow.json"
    [ "$(data_files | wc -l)" -eq 2 ]
    data_files | grep -qxF "$first"
    # the first file still holds the first run's samples (10 ms, in ns), not the re-run's 13 ms
    git --git-dir="$T/origin.git" cat-file blob "benchgate-data:$first" | gzip -dc > first.json
    grep -q '10000000' first.json
    ! grep -q '13000000' first.json
    [ "$(git --git-dir="$T/origin.git" rev-list --count benchgate-data)" -eq 2 ]
}

@test "concurrent collects from two clones all land (push races are retried on the new tip)" {
    results
    git_checkout a
    git_checkout b
    pids=()
    for c in a b; do
        for i in 1 2 3; do
            (cd "$T/$c" && "$BENCHGATE" collect --commit "$(printf '%039d' $i)$c" --db git:benchgate-data --project acme --branch main \
                "$T/main.json" > "$T/$c.$i.log" 2>&1) &
            pids+=($!)
        done
    done
    failed=0
    for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
    cat "$T"/*.log
    [ "$failed" -eq 0 ]
    [ "$(data_files | wc -l)" -eq 6 ]
    [ "$(git --git-dir="$T/origin.git" rev-list --count benchgate-data)" -eq 6 ]
    cd "$T/b"
    run bg history --db git:benchgate-data --project acme --branch main parse
    [ "$status" -eq 0 ]
    [ "$(echo "$output" | grep -c '^ *[0-9]')" -ge 6 ] || { echo "$output"; false; }
}

@test "hostile branch content: stray names and broken documents are skipped with a warning" {
    results
    git_checkout a
    bg collect --commit "$(printf %040d 1)" --db git:benchgate-data --project acme \
        --branch main "$T/main.json"
    git fetch -q origin benchgate-data
    git checkout -q -b data FETCH_HEAD
    mkdir -p runs/2026-01
    echo hi > README.md # a note for humans is allowed
    echo hi > notes.txt
    echo 'not gzip' > runs/2026-01/1767225600-000000000000-0123456789abcdef.json.gz
    printf '{"broken":' | gzip > runs/2026-01/1767225601-000000000000-0123456789abcdee.json.gz
    git add -A && git commit -q -m hostile && git push -q origin HEAD:benchgate-data
    git checkout -q main
    run bg check --db git:benchgate-data --project acme --branch main "$T/main.json"
    [ "$status" -eq 0 ]
    [[ $output == *"1 file in the branch is not a run document"* ]]
    [[ $output == *1767225600-000000000000-0123456789abcdef.json.gz* ]]
    [[ $output == *1767225601-000000000000-0123456789abcdee.json.gz* ]]
    [[ $output != *"NO BASELINE"* ]]
}

@test "a git history refuses what only a database does, and a bad branch name" {
    git_checkout a
    bg collect --db git:benchgate-data --project acme --branch main "$HF/min-max-runs/minmax.json"
    run bg baseline set run:1 --db git:benchgate-data --project acme --branch main
    [ "$status" -eq 2 ]
    [[ $output == *"changed only by collect"* ]]
    run bg check --db 'git:-bad' --project acme "$HF/min-max-runs/minmax.json"
    [ "$status" -eq 2 ]
    cd "$T"
    mkdir plain && cd plain
    run bg check --db git:benchgate-data --project acme "$HF/min-max-runs/minmax.json"
    [ "$status" -ne 0 ]
    [[ $output == *"git"* ]]
}
