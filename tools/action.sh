#!/bin/bash
# tools/action.sh: what the GitHub Action (action.yml) runs, kept in a file so
# the tests run exactly what the action runs (tests/e2e/t4000-github-action.bats).
#
# Inputs arrive as INPUT_* environment variables, never spliced into a script:
#   INPUT_COMMAND          collect, check, ab, auto (check on a pull request,
#                          else collect) or comment (post INPUT_FILES, a report,
#                          to pull request INPUT_PR: the fork recipe's second
#                          half) (default check)
#   INPUT_FILES            harness output files or folders, separated by
#                          whitespace; globs are expanded
#   INPUT_THRESHOLD        allowed p95 growth (default 0.10)
#   INPUT_SERVER           a benchgate server; empty: the database INPUT_DB
#   INPUT_TOKEN            the project's token for the server
#   INPUT_BASELINE_BRANCH  default: the pull request's base branch, else main
#   INPUT_FAIL_ON          what fails the job besides a regression: any of
#                          inconclusive, missing, no-baseline (commas or spaces)
#   INPUT_PROJECT          default: the repository
#   INPUT_DB               default .benchgate/benchgate.db
#   INPUT_HISTORY          where the history lives without a server: cache (the
#                          database INPUT_DB, kept in the Actions cache), git (a
#                          branch of the repository, benchgate-data) or git:BRANCH
#   INPUT_COMMENT          true: check posts its report to the pull request
#                          (benchgate comment, with INPUT_GITHUB_TOKEN)
#   INPUT_CHECK_RUN        true: and a check run that fails with the gate
#   INPUT_GITHUB_TOKEN     the token comment uses (the action passes github.token)
#   INPUT_PUBLISH          a folder: write the static dashboards there after the
#                          command (benchgate publish); gh-pages: and push them
#                          to the repository's gh-pages branch
#   INPUT_DASHBOARD_URL    where the published dashboards are served: reports
#                          link each benchmark to its page
#   INPUT_PR               comment: the pull request's number (from the artifact)
# command: ab (benchgate ab: base and head benchmarked in this one job) also reads
#   INPUT_BENCH            the command that benchmarks a tree, run with sh in the
#                          base's worktree and in the checkout ({out}: a file it
#                          may write its output to instead of printing it)
#   INPUT_BUILD            run with sh once in each tree before the rounds
#   INPUT_BASE_REF         the base commit (default: the pull request's base SHA
#                          from the event payload), checked out in a git worktree
#   INPUT_ROUNDS           rounds (default benchgate ab's)
#   INPUT_MODE             interleaved (default) or duet
#   INPUT_RESULT           read each side's output from this path of its tree
#                          (target/criterion) instead of its standard output
# BENCHGATE_BIN names the binary (default: the one the action built). Exits
# with benchgate's status; check also sets the outputs verdict, regressions
# and report (the Markdown report's path, for a pull request comment).
set -euo pipefail

bg=${BENCHGATE_BIN:-${GITHUB_ACTION_PATH:-.}/benchgate}
cmd=${INPUT_COMMAND:-check}
if [ "$cmd" = auto ]; then
    case ${GITHUB_EVENT_NAME:-} in
    pull_request | pull_request_target) cmd=check ;;
    *) cmd=collect ;;
    esac
fi
die() { echo "benchgate action: $*" >&2; exit 2; }

args=()
[ -z "${INPUT_PROJECT:-}" ] || args+=(--project "$INPUT_PROJECT")
if [ -n "${INPUT_SERVER:-}" ]; then
    # the token goes by environment, so it is in no process listing
    export BENCHGATE_SERVER=$INPUT_SERVER
    [ -z "${INPUT_TOKEN:-}" ] || export BENCHGATE_TOKEN=$INPUT_TOKEN
else
    db=${INPUT_DB:-.benchgate/benchgate.db}
    case ${INPUT_HISTORY:-cache} in
    cache) ;;
    git) db=git:benchgate-data ;;
    git:?*) db=$INPUT_HISTORY ;;
    *) die "history: '$INPUT_HISTORY' is not cache, git or git:BRANCH" ;;
    esac
    case $db in
    git:* | postgres://* | postgresql://*) ;;
    *) mkdir -p "$(dirname "${db#sqlite:}")" ;;
    esac
    args+=(--db "$db")
fi
[ -z "${INPUT_DASHBOARD_URL:-}" ] || export BENCHGATE_DASHBOARD_URL=$INPUT_DASHBOARD_URL
case ${INPUT_PUBLISH:-} in
"" | gh-pages) ;;
-*) die "publish: '$INPUT_PUBLISH' is not a folder or gh-pages" ;;
esac

# publish: the static dashboards into INPUT_PUBLISH's folder, or onto gh-pages
# (one commit replacing the last: the pages are made from the history, which
# is kept elsewhere). Its failure fails the step, after the verdict.
publish() {
    [ -n "${INPUT_PUBLISH:-}" ] || return 0
    case ${GITHUB_EVENT_NAME:-} in
    pull_request | pull_request_target)
        echo "benchgate action: not publishing from a pull request: the base branch's runs do"
        return 0 ;;
    esac
    [ -n "${db:-}" ] || die "publish needs the history on the runner (db or history), not a server"
    local out=$INPUT_PUBLISH
    [ "$out" != gh-pages ] || out=${RUNNER_TEMP:-${TMPDIR:-/tmp}}/benchgate-pages
    "$bg" publish --db "$db" --out "$out" || return $?
    [ "$INPUT_PUBLISH" = gh-pages ] || return 0
    local index tree commit
    index=$(mktemp)
    rm -f "$index"
    tree=$(GIT_INDEX_FILE=$index git --work-tree="$out" add -A . >/dev/null &&
           GIT_INDEX_FILE=$index git --work-tree="$out" write-tree) || return 3
    rm -f "$index"
    commit=$(GIT_AUTHOR_NAME=benchgate GIT_AUTHOR_EMAIL=benchgate@users.noreply.github.com \
             GIT_COMMITTER_NAME=benchgate GIT_COMMITTER_EMAIL=benchgate@users.noreply.github.com \
             git commit-tree "$tree" -m "benchgate: dashboards at ${GITHUB_SHA:-HEAD}") || return 3
    git push --quiet --force "${BENCHGATE_GIT_REMOTE:-origin}" "$commit:refs/heads/gh-pages" ||
        { echo "benchgate action: cannot push gh-pages (is 'permissions: contents: write' set?)" >&2; return 3; }
    echo "benchgate action: dashboards pushed to gh-pages"
}

# whitespace-separated, globs expanded; a pattern that matches nothing stays
# as it is, and benchgate says that no such file exists
files=()
for f in ${INPUT_FILES:-}; do
    files+=("$f")
done

# what fails the job, and the reports: check's and ab's
judge_args() {
    args+=(--threshold "${INPUT_THRESHOLD:-0.10}")
    fail_on=${INPUT_FAIL_ON:-regression}
    for what in ${fail_on//,/ }; do
        case $what in
        regression) ;; # always
        inconclusive) args+=(--fail-on-inconclusive) ;;
        missing) args+=(--fail-on-missing) ;;
        no-baseline) args+=(--require-baseline) ;;
        *) die "fail-on: '$what' is not one of regression, inconclusive, missing, no-baseline" ;;
        esac
    done
    report=${RUNNER_TEMP:-${TMPDIR:-/tmp}}/benchgate-report.md
    [ -z "${GITHUB_OUTPUT:-}" ] || echo "report=$report" >> "$GITHUB_OUTPUT"
    # annotations on stdout, the table in the job summary, the report for a comment
    args+=(--report "$report" -o github)
}

case $cmd in
collect)
    [ "${#files[@]}" -gt 0 ] || die "the 'files' input is empty: collect needs harness output to read"
    "$bg" collect "${args[@]}" "${files[@]}"
    publish
    ;;
check)
    [ -z "${INPUT_BASELINE_BRANCH:-}" ] || args+=(--baseline-branch "$INPUT_BASELINE_BRANCH")
    judge_args
    # the Actions cache had no database: say so plainly, not "cannot open database"
    if [ -n "${db:-}" ] && [[ $db != git:* && $db != postgres* ]] && [ ! -e "${db#sqlite:}" ]; then
        msg="no benchmark history: the database '$db' is not on the runner. With the Actions cache this is a first run, or a cache GitHub evicted (unused for 7 days, or the oldest past the repository's 10 GB), or one this branch cannot see; a history kept in a git branch (history: git) has none of these limits"
        echo "::warning title=benchgate::$msg"
        [ -z "${GITHUB_STEP_SUMMARY:-}" ] || printf '### benchgate: ⚠️ no history\n\n%s.\n' "$msg" >> "$GITHUB_STEP_SUMMARY"
        [ -z "${GITHUB_OUTPUT:-}" ] || printf 'verdict=pass\nregressions=0\n' >> "$GITHUB_OUTPUT"
        [[ " ${args[*]} " != *" --require-baseline "* ]] || exit 2
        exit 0
    fi
    rc=0
    "$bg" check "${args[@]}" "${files[@]}" || rc=$?
    if [ "${INPUT_COMMENT:-false}" = true ] && [ -s "$report" ]; then
        cargs=()
        [ "${INPUT_CHECK_RUN:-false}" != true ] || cargs+=(--check-run)
        [ -z "${INPUT_PROJECT:-}" ] || cargs+=(--project "$INPUT_PROJECT")
        # the token by environment only; a comment that cannot be posted is a
        # warning: the verdict above is the step's status
        GITHUB_TOKEN=${INPUT_GITHUB_TOKEN:-${GITHUB_TOKEN:-}} "$bg" comment "${cargs[@]}" "$report" ||
            echo "::warning title=benchgate::the pull-request comment was not posted (see the log)"
    fi
    publish || exit $?
    exit "$rc"
    ;;
ab)
    [ -n "${INPUT_BENCH:-}" ] || die "the 'bench' input is empty: ab needs the command that benchmarks a tree"
    base_ref=${INPUT_BASE_REF:-}
    if [ -z "$base_ref" ] && [ -n "${GITHUB_EVENT_PATH:-}" ]; then
        base_ref=$(jq -r '.pull_request.base.sha // empty' "$GITHUB_EVENT_PATH" 2>/dev/null || true)
    fi
    [ -n "$base_ref" ] || die "base-ref: no base commit (on a pull request it is the pull request's base SHA; elsewhere say which commit)"
    case $base_ref in -*) die "base-ref: '$base_ref' is not a commit" ;; esac
    git rev-parse --verify --quiet "$base_ref^{commit}" > /dev/null ||
        die "base-ref: '$base_ref' is not a commit of this checkout (fetch-depth: 0 on actions/checkout fetches the history)"
    case ${INPUT_MODE:-interleaved} in
    interleaved) ;;
    duet) args+=(--duet) ;;
    *) die "mode: '$INPUT_MODE' is not interleaved or duet" ;;
    esac
    [ -z "${INPUT_ROUNDS:-}" ] || args+=(--rounds "$INPUT_ROUNDS")
    [ -z "${INPUT_RESULT:-}" ] || args+=(--result "$INPUT_RESULT")
    temp=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
    base_dir=$(mktemp -d "$temp/benchgate-base.XXXXXX")
    keep=$(mktemp -d "$temp/benchgate-ab.XXXXXX")
    # the base's tree beside the checkout; removed when the step ends
    git worktree add --quiet --detach "$base_dir" "$base_ref" ||
        die "base-ref: cannot check out '$base_ref' in a worktree"
    trap 'git worktree remove --force "$base_dir" 2>/dev/null || true' EXIT
    if [ -n "${INPUT_BUILD:-}" ]; then
        echo "benchgate action: building the base ($base_ref) in $base_dir" >&2
        (cd "$base_dir" && sh -c "$INPUT_BUILD") || die "build: failed in the base's worktree"
        echo "benchgate action: building the head in $PWD" >&2
        sh -c "$INPUT_BUILD" || die "build: failed in the checkout"
    fi
    judge_args
    # not exec: the worktree is removed after
    rc=0
    "$bg" ab "${args[@]}" --shell --keep "$keep" --base-dir "$base_dir" --head-dir "$PWD" \
        --base "$INPUT_BENCH" --head "$INPUT_BENCH" || rc=$?
    exit "$rc"
    ;;
comment)
    # the second half of the fork recipe: a workflow_run job with write
    # permission posts the report a fork's pull_request job left as an artifact
    [ "${#files[@]}" -eq 1 ] || die "comment: the 'files' input names the one report to post"
    [[ ${INPUT_PR:-} =~ ^[1-9][0-9]{0,9}$ ]] || die "comment: the 'pr' input is not a pull request number"
    cargs=(--pr "$INPUT_PR")
    [ "${INPUT_CHECK_RUN:-false}" != true ] || cargs+=(--check-run)
    [ -z "${INPUT_PROJECT:-}" ] || cargs+=(--project "$INPUT_PROJECT")
    GITHUB_TOKEN=${INPUT_GITHUB_TOKEN:-${GITHUB_TOKEN:-}} exec "$bg" comment "${cargs[@]}" "${files[0]}"
    ;;
*)
    die "command: '$cmd' is not collect, check, auto, comment or ab"
    ;;
esac
