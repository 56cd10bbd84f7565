#!/bin/bash
# tools/action.sh: what the GitHub Action (action.yml) runs, kept in a file so
# the tests run exactly what the action runs (tests/e2e/t4000-github-action.bats).
#
# Inputs arrive as INPUT_* environment variables, never spliced into a script:
#   INPUT_COMMAND          collect, check or ab (default check)
#   INPUT_FILES            harness output files or folders, separated by
#                          whitespace; globs are expanded
#   INPUT_THRESHOLD        allowed p95 growth (default 0.10)
#   INPUT_SERVER           a benchgate server; empty: the database INPUT_DB
#   INPUT_TOKEN            the project's token for the server
#   INPUT_BASELINE_BRANCH  default: the pull request's base branch, else main
#   INPUT_FAIL_ON          what fails the job besides a regression: any of
#                          inconclusive, missing (commas or spaces)
#   INPUT_PROJECT          default: the repository
#   INPUT_DB               default .benchgate/benchgate.db
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
die() { echo "benchgate action: $*" >&2; exit 2; }

args=()
[ -z "${INPUT_PROJECT:-}" ] || args+=(--project "$INPUT_PROJECT")
if [ -n "${INPUT_SERVER:-}" ]; then
    # the token goes by environment, so it is in no process listing
    export BENCHGATE_SERVER=$INPUT_SERVER
    [ -z "${INPUT_TOKEN:-}" ] || export BENCHGATE_TOKEN=$INPUT_TOKEN
else
    db=${INPUT_DB:-.benchgate/benchgate.db}
    mkdir -p "$(dirname "$db")"
    args+=(--db "$db")
fi

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
        *) die "fail-on: '$what' is not one of regression, inconclusive, missing" ;;
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
    exec "$bg" collect "${args[@]}" "${files[@]}"
    ;;
check)
    [ -z "${INPUT_BASELINE_BRANCH:-}" ] || args+=(--baseline-branch "$INPUT_BASELINE_BRANCH")
    judge_args
    exec "$bg" check "${args[@]}" "${files[@]}"
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
*)
    die "command: '$cmd' is not collect, check or ab"
    ;;
esac
