#!/bin/bash
# tools/action.sh: what the GitHub Action (action.yml) runs, kept in a file so
# the tests run exactly what the action runs (tests/e2e/t4000-github-action.bats).
#
# Inputs arrive as INPUT_* environment variables, never spliced into a script:
#   INPUT_COMMAND          collect or check (default check)
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

case $cmd in
collect)
    [ "${#files[@]}" -gt 0 ] || die "the 'files' input is empty: collect needs harness output to read"
    exec "$bg" collect "${args[@]}" "${files[@]}"
    ;;
check)
    args+=(--threshold "${INPUT_THRESHOLD:-0.10}")
    [ -z "${INPUT_BASELINE_BRANCH:-}" ] || args+=(--baseline-branch "$INPUT_BASELINE_BRANCH")
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
    exec "$bg" check "${args[@]}" --report "$report" -o github "${files[@]}"
    ;;
*)
    die "command: '$cmd' is not collect or check"
    ;;
esac
