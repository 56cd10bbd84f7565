#!/usr/bin/env bats
# t1000-collect.bats: collecting real hyperfine output, and where a run's
# project, branch, commit and machine facts come from.

load helper

@test "every hyperfine corpus file is collected with its benchmarks and samples" {
    # file: benchmarks samples (from the corpus MANIFEST.json)
    while read -r file nbench nsamples; do
        run bg collect --db "$DB" --project p --branch main "$HF/$file"
        [ "$status" -eq 0 ]
        [[ "$output" == *": $nbench benchmarks, $nsamples samples (hyperfine)" ]]
        id=$(sql "SELECT max(id) FROM runs")
        [ "$(sql "SELECT count(*) || ' ' || sum(n) FROM results WHERE run_id = $id")" = "$nbench $nsamples" ]
        [ "$(sql "SELECT sum(length(samples)) FROM results WHERE run_id = $id")" -eq $((nsamples * 8)) ]
    done <<'LIST'
min-max-runs/minmax.json 2 10
multi-commands/results.json 3 229
named-parameters/np.json 2 10
no-shell/noshell.json 3 8309
parameter-list/list.json 3 15
runs-50/runs50.json 1 50
single/single.json 1 57
time-unit-ms/tu.json 2 40
warmup/warmup.json 1 34
LIST
    [ "$(sql "SELECT count(*) FROM runs")" -eq 9 ]
    [ "$(sql "SELECT name FROM benchmarks WHERE name LIKE 'gzip at%' ORDER BY name" | paste -sd '|')" = "gzip at level 1|gzip at level 6" ]
    [ "$(sql "SELECT params FROM results r JOIN benchmarks b ON b.id = r.benchmark_id WHERE b.name = 'gzip at level 6'")" = '{"level":"6"}' ]
}

@test "times are stored in nanoseconds with their summary" {
    run bg collect --db "$DB" "$HF/single/single.json"
    [ "$status" -eq 0 ]
    [ "$(sql "SELECT b.metric || ' ' || b.unit || ' ' || b.direction FROM benchmarks b")" = "time ns 0" ]
    # min of the file is 0.05106811714 s
    [ "$(printf '%.2f' "$(sql "SELECT min FROM results")")" = "51068117.14" ]
    [ "$(sql "SELECT CASE WHEN p95 > median AND median > min THEN 1 ELSE 0 END FROM results")" = "1" ]
}

@test "several files make one run; '-' reads standard input" {
    run bg collect --db "$DB" "$HF/single/single.json" - < "$HF/runs-50/runs50.json"
    [ "$status" -eq 0 ]
    [ "$(sql "SELECT count(*) FROM runs")" -eq 1 ]
    [ "$(sql "SELECT count(*) FROM results")" -eq 2 ]
}

@test "without flags, CI or git: project 'default', branch 'main', no commit" {
    run bg collect --db "$DB" "$HF/single/single.json"
    [ "$status" -eq 0 ]
    [ "$(sql "SELECT p.name || ' ' || b.name || ' ' || coalesce(r.commit_sha, 'none') FROM runs r JOIN projects p ON p.id = r.project_id JOIN branches b ON b.id = r.branch_id")" = "default main none" ]
}

@test "GitHub Actions variables give project, PR branch, commit and run URL" {
    GITHUB_ACTIONS=true GITHUB_REPOSITORY=acme/widgets GITHUB_HEAD_REF=feature/x \
    GITHUB_REF_NAME=42/merge GITHUB_SHA=ABCDEF0123456789ABCDEF0123456789ABCDEF01 \
    GITHUB_RUN_ID=777 GITHUB_SERVER_URL=https://github.com GITHUB_EVENT_NAME=pull_request \
        run bg collect --db "$DB" "$HF/single/single.json"
    [ "$status" -eq 0 ]
    [ "$(sql "SELECT p.name || ' ' || b.name || ' ' || r.commit_sha || ' ' || r.ci_provider || ' ' || r.ci_event FROM runs r JOIN projects p ON p.id = r.project_id JOIN branches b ON b.id = r.branch_id")" = "acme/widgets feature/x abcdef0123456789abcdef0123456789abcdef01 github pull_request" ]
    [ "$(sql "SELECT ci_run_url FROM runs")" = "https://github.com/acme/widgets/actions/runs/777" ]
}

@test "flags override CI variables" {
    GITHUB_ACTIONS=true GITHUB_REPOSITORY=acme/widgets GITHUB_REF_NAME=main \
        run bg collect --db "$DB" --project mine --branch dev --commit 1234abcd "$HF/single/single.json"
    [ "$status" -eq 0 ]
    [ "$(sql "SELECT p.name || ' ' || b.name || ' ' || r.commit_sha FROM runs r JOIN projects p ON p.id = r.project_id JOIN branches b ON b.id = r.branch_id")" = "mine dev 1234abcd" ]
}

@test "GitLab CI variables are read too" {
    GITLAB_CI=true CI_PROJECT_PATH=group/proj CI_COMMIT_REF_NAME=topic \
    CI_COMMIT_SHA=0123456789abcdef0123456789abcdef01234567 CI_PIPELINE_ID=9 \
    CI_PIPELINE_URL=https://gitlab.example/group/proj/-/pipelines/9 \
        run bg collect --db "$DB" "$HF/single/single.json"
    [ "$status" -eq 0 ]
    [ "$(sql "SELECT p.name || ' ' || b.name || ' ' || r.ci_provider || ' ' || r.ci_run_url FROM runs r JOIN projects p ON p.id = r.project_id JOIN branches b ON b.id = r.branch_id")" = "group/proj topic gitlab https://gitlab.example/group/proj/-/pipelines/9" ]
}

@test "a hostile CI variable is ignored with a warning, not stored" {
    GITHUB_ACTIONS=true GITHUB_REPOSITORY="$(printf 'evil\nname')" \
        run bg collect --db "$DB" "$HF/single/single.json"
    [ "$status" -eq 0 ]
    [[ "$output" == *"ignoring GITHUB_REPOSITORY: value contains a control character"* ]]
    [ "$(sql "SELECT name FROM projects")" = "default" ]
}

@test "inside a git repository: folder name, HEAD commit and branch" {
    mkdir repo && cd repo
    git init -q -b topic-branch .
    git -c user.name=t -c user.email=t@example.com commit -q --allow-empty -m init
    head=$(git rev-parse HEAD)
    run bg collect --db "$DB" "$HF/single/single.json"
    [ "$status" -eq 0 ]
    [ "$(sql "SELECT p.name || ' ' || b.name || ' ' || r.commit_sha FROM runs r JOIN projects p ON p.id = r.project_id JOIN branches b ON b.id = r.branch_id")" = "repo topic-branch $head" ]
}

@test "machine facts are detected and --meta overrides them or adds metadata" {
    run bg collect --db "$DB" "$HF/single/single.json"
    [ "$status" -eq 0 ]
    [ "$(sql "SELECT cores FROM environments")" -eq "$(nproc)" ]
    [ "$(sql "SELECT arch FROM environments")" = "$(uname -m)" ]
    [ "$(sql "SELECT kernel FROM environments")" = "$(uname -r)" ]
    [ "$(sql "SELECT length(fingerprint) FROM environments")" -eq 16 ]
    run bg collect --db "$DB" --meta cpu_model="Big Iron 9000" --meta cores=64 \
        --meta runner=gha-large --meta purpose=nightly "$HF/single/single.json"
    [ "$status" -eq 0 ]
    [ "$(sql "SELECT count(*) FROM environments")" -eq 2 ]
    [ "$(sql "SELECT cpu_model || ' ' || cores || ' ' || runner FROM environments WHERE id = 2")" = "Big Iron 9000 64 gha-large" ]
    [ "$(sql "SELECT meta FROM runs WHERE id = 2")" = '{"purpose":"nightly"}' ]
    # the same machine again reuses its environment row
    run bg collect --db "$DB" "$HF/single/single.json"
    [ "$(sql "SELECT environment_id FROM runs WHERE id = 3")" -eq 1 ]
}

@test "--timestamp sets the run time; --quiet prints nothing" {
    run bg collect --db "$DB" --quiet --timestamp 1700000000 "$HF/single/single.json"
    [ "$status" -eq 0 ]
    [ -z "$output" ]
    [ "$(sql "SELECT created_at FROM runs")" -eq 1700000000 ]
}

@test "BENCHGATE_DB names the default database" {
    BENCHGATE_DB="$T/env.db" run bg collect "$HF/single/single.json"
    [ "$status" -eq 0 ]
    [ -s "$T/env.db" ]
    [ ! -e "$T/benchgate.db" ]
}
