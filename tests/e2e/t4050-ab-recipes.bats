#!/usr/bin/env bats
# The benchgate ab recipes of docs/ci (github-ab-*.yml), run here as a pull
# request's job would run them: a stand-in project (tests/fixtures/ab-recipes)
# committed as the base, a head commit that does ten times one benchmark's
# work, the pull request's event payload naming the base SHA, and the recipe's own
# benchgate step (its `with:` inputs, read from the YAML) run through
# tools/action.sh, which builds the base in a git worktree and the head in the
# checkout and runs benchgate ab on both. The one change from the recipe:
# 5 rounds (INPUT_ROUNDS) and short harness run times (GOFLAGS, BENCHMARK_MIN_TIME)
# so that a recipe takes seconds.

load helper

RECIPES=$BATS_TEST_DIRNAME/../../docs/ci
ACTION_SH=$BATS_TEST_DIRNAME/../../tools/action.sh
PROJECTS=$BATS_TEST_DIRNAME/../fixtures/ab-recipes

# recipe_inputs FILE: the benchgate step's inputs, INPUT_NAME=VALUE a line
recipe_inputs() {
    python3 - "$1" <<'EOF'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
steps = [s for job in doc["jobs"].values() for s in job["steps"]
         if str(s.get("uses", "")).startswith("OWNER/benchgate@")]
assert len(steps) == 1, "one benchgate step"
for k, v in steps[0]["with"].items():
    assert "\n" not in str(v)
    print("INPUT_%s=%s" % (k.upper().replace("-", "_"), v))
EOF
}

# project NAME: the stand-in project as a git repository in $T/proj with a
# base commit ($BASE) and a head commit ($HEAD_SHA) that does ten times the
# work of the line marked REPS: ten, not three, so that the change stands far
# outside round-to-round noise even on a machine saturated by other jobs (a
# tripled pytest benchmark was missed once at load 12 on 2 cores, 5 rounds)
project() {
    cp -r "$PROJECTS/$1" "$T/proj"
    cd "$T/proj"
    git init -q -b main .
    git -c user.name=t -c user.email=t@example.com add -A
    git -c user.name=t -c user.email=t@example.com commit -qm base
    BASE=$(git rev-parse HEAD)
    sed -i -E '/(\/\/|#|\/\*) REPS( \*\/)?$/s/\<3\>/30/' $(grep -rlE '(//|#|/\*) REPS( \*/)?$' .)
    [ -n "$(git status --porcelain)" ] # the marked line changed
    git -c user.name=t -c user.email=t@example.com commit -qam head
    HEAD_SHA=$(git rev-parse HEAD)
    cat > "$T/event.json" <<EOF
{"action": "synchronize", "number": 7,
 "pull_request": {"number": 7, "head": {"ref": "feature/x", "sha": "$HEAD_SHA"},
                  "base": {"ref": "main", "sha": "$BASE"}}}
EOF
    mkdir -p "$T/runner-temp"
}

# run_recipe FILE: the recipe's benchgate step, on a pull request, with `run`
run_recipe() {
    local inputs=()
    mapfile -t inputs < <(recipe_inputs "$1")
    [ "${#inputs[@]}" -ge 2 ]
    : > "$T/output"
    run env "${inputs[@]}" INPUT_ROUNDS=5 BENCHGATE_BIN="$BENCHGATE" GITHUB_OUTPUT="$T/output" \
        GITHUB_STEP_SUMMARY="$T/summary" RUNNER_TEMP="$T/runner-temp" GITHUB_ACTIONS=true \
        GITHUB_REPOSITORY=acme/widgets GITHUB_EVENT_NAME=pull_request GITHUB_SHA="$HEAD_SHA" \
        GITHUB_HEAD_REF=feature/x GITHUB_BASE_REF=main GITHUB_EVENT_PATH="$T/event.json" \
        bash "$ACTION_SH"
}

# the verdict every recipe must reach: the slowed benchmark regressed, the
# job fails with the outputs set, and the base's worktree is gone again
regressed() {
    echo "$output"
    [ "$status" -eq 1 ]
    [[ "$output" == *"::error title=benchgate regression $1"* ]]
    grep -qx 'verdict=fail' "$T/output"
    [ "$(git worktree list | wc -l)" -eq 1 ]
    # every round ran the base at BASE and the head at HEAD_SHA
    keep=$(echo "$T"/runner-temp/benchgate-ab.*)
    [ "$(ls "$keep"/round-*-base.json | wc -l)" -eq 5 ]
    [ "$(ls "$keep"/round-*-head.json | wc -l)" -eq 5 ]
}

@test "a Go project's ab workflow is at most 15 lines, and every recipe's step is the action's" {
    [ "$(grep -cv '^#' "$RECIPES/github-ab-go.yml")" -le 15 ]
    for f in "$RECIPES"/github-ab-*.yml; do
        recipe_inputs "$f" | grep -qx 'INPUT_COMMAND=ab'
        recipe_inputs "$f" | grep -q '^INPUT_BENCH=.'
        grep -q 'fetch-depth: 0' "$f"
    done
    [ "$(ls "$RECIPES"/github-ab-*.yml | wc -l)" -eq 5 ]
}

@test "recipe: Go (go test -bench), base in a worktree of the base SHA" {
    project go
    export GOFLAGS=-benchtime=20ms GOPROXY=off GOTOOLCHAIN=local
    run_recipe "$RECIPES/github-ab-go.yml"
    regressed "example.com/abrecipe.BenchmarkShuffled"
    grep -q '| example.com/abrecipe.BenchmarkShuffled' "$T/runner-temp/benchgate-report.md"
}

@test "recipe: Google Benchmark (CMake build of both trees)" {
    project gbench
    export BENCHMARK_MIN_TIME=0.02
    run_recipe "$RECIPES/github-ab-gbench.yml"
    regressed BM_Shuffled
    [ -x "$T/proj/build/bench" ] # the head's build, in the checkout
}

@test "recipe: pytest-benchmark (JSON to {out})" {
    project pytest
    # the system's Python has pytest-benchmark (make deps), not a pyenv one first on PATH
    export PATH=/usr/bin:$PATH
    run_recipe "$RECIPES/github-ab-pytest.yml"
    regressed "test_bench.py%3A%3Atest_shuffled"
}

@test "recipe: hyperfine (make in both trees, JSON to {out})" {
    project hyperfine
    run_recipe "$RECIPES/github-ab-hyperfine.yml"
    regressed "./tool shuffled"
}

@test "recipe: Criterion (target/criterion read with result); a stand-in cargo when the crate cannot be fetched" {
    project criterion
    if ! (cd "$T/proj" && timeout 120 cargo bench --no-run --offline -q > /dev/null 2>&1); then
        # No network and no criterion crate in a local registry: the recipe's
        # commands run with a stand-in cargo that checks them and writes real
        # Criterion output (tests/fixtures/criterion), the head's slow/* 3x slower.
        echo "# criterion: the crate cannot be built offline here; a stand-in cargo runs the recipe" >&3
        mkdir -p "$T/bin"
        cat > "$T/bin/cargo" <<EOF
#!/bin/sh
echo "\$(git rev-parse HEAD) \$*" >> "$T/cargo.log"
case "\$*" in
"bench --no-run") exit 0 ;;
"bench --bench bench -- --noplot") ;;
*) echo "stand-in cargo: unexpected arguments: \$*" >&2; exit 2 ;;
esac
rm -rf target/criterion && mkdir -p target
cp -r "$BATS_TEST_DIRNAME/../fixtures/criterion/first-run/target/criterion" target/
# the head's code makes one benchmark three times slower: its samples x3
if grep -q 'REPS: usize = 30' src/lib.rs; then
    for f in \$(find target/criterion/slow -path '*/new/sample.json'); do
        python3 - "\$f" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
def scale(x):
    if isinstance(x, dict):
        return {k: (scale(v) if k not in ("iters", "confidence_level") else v) for k, v in x.items()}
    if isinstance(x, list):
        return [scale(v) for v in x]
    return x * 3 if isinstance(x, (int, float)) and not isinstance(x, bool) else x
if "times" in d:
    d["times"] = scale(d["times"])
elif "mean" in d:
    d = scale(d)
json.dump(d, open(p, "w"))
PY
    done
fi
EOF
        chmod +x "$T/bin/cargo"
        export PATH=$T/bin:$PATH
        run_recipe "$RECIPES/github-ab-criterion.yml"
        # built once in each tree, then benchmarked in each tree every round
        [ "$(grep -c "^$BASE bench --no-run$" "$T/cargo.log")" -eq 1 ]
        [ "$(grep -c "^$HEAD_SHA bench --no-run$" "$T/cargo.log")" -eq 1 ]
        [ "$(grep -c "^$BASE bench --bench bench -- --noplot$" "$T/cargo.log")" -eq 5 ]
        [ "$(grep -c "^$HEAD_SHA bench --bench bench -- --noplot$" "$T/cargo.log")" -eq 5 ]
        regressed "slow"
    else
        run_recipe "$RECIPES/github-ab-criterion.yml"
        regressed "shuffled"
    fi
}

@test "ab inputs are checked: no bench, no base commit, a base that is not a commit, a bad mode" {
    project hyperfine
    base=(env BENCHGATE_BIN="$BENCHGATE" RUNNER_TEMP="$T/runner-temp" INPUT_COMMAND=ab)
    run "${base[@]}" bash "$ACTION_SH"
    [ "$status" -eq 2 ] && [[ "$output" == *"the 'bench' input is empty"* ]]
    run "${base[@]}" INPUT_BENCH=true bash "$ACTION_SH"
    [ "$status" -eq 2 ] && [[ "$output" == *"base-ref: no base commit"* ]]
    run "${base[@]}" INPUT_BENCH=true INPUT_BASE_REF=0123456789abcdef0123456789abcdef01234567 bash "$ACTION_SH"
    [ "$status" -eq 2 ] && [[ "$output" == *"is not a commit of this checkout (fetch-depth: 0"* ]]
    run "${base[@]}" INPUT_BENCH=true INPUT_BASE_REF=--orphan bash "$ACTION_SH"
    [ "$status" -eq 2 ] && [[ "$output" == *"base-ref: '--orphan' is not a commit"* ]]
    run "${base[@]}" INPUT_BENCH=true INPUT_BASE_REF="$BASE" INPUT_MODE=sideways bash "$ACTION_SH"
    [ "$status" -eq 2 ] && [[ "$output" == *"mode: 'sideways' is not interleaved or duet"* ]]
    run "${base[@]}" INPUT_BENCH=true INPUT_BASE_REF="$BASE" INPUT_BUILD=false bash "$ACTION_SH"
    [ "$status" -eq 2 ] && [[ "$output" == *"build: failed in the base's worktree"* ]]
    [ "$(git worktree list | wc -l)" -eq 1 ]
}
