#!/usr/bin/env bats
# t2800-ab.bats: benchgate ab --base CMD --head CMD: both sides run in one
# job, round after round (interleaved in a seeded order, or at once with
# --duet), judged round by round; the rounds kept, --replay, --store, the
# exit codes of check, and every harness's real output.

load helper
bats_require_minimum_version 1.5.0

# side.sh SHIFT [SECONDS]: a run of 5 benchmarks from synth, seeded by the
# round and the side, the first two SHIFT slower; it appends "ROUND SIDE" to
# order.log, and with SECONDS it first waits for the other side of its round
# to have started (up to SECONDS), printing "together" to its stderr if it did,
# and records the CPUs it may run on in cpus-ROUND-SIDE.
make_side() {
    cat > side.sh <<EOF
#!/bin/sh
r=\$BENCHGATE_AB_ROUND; s=0; other=head
[ "\$BENCHGATE_AB_SIDE" = head ] && { s=1; other=base; }
echo "\$r \$BENCHGATE_AB_SIDE" >> "$T/order.log"
grep Cpus_allowed_list /proc/self/status | cut -f2 > "$T/cpus-\$r-\$BENCHGATE_AB_SIDE"
if [ -n "\${2:-}" ]; then
    : > "$T/started-\$r-\$BENCHGATE_AB_SIDE"
    i=0
    while [ ! -e "$T/started-\$r-\$other" ] && [ \$i -lt \$((\$2 * 20)) ]; do
        sleep 0.05; i=\$((i + 1))
    done
    [ -e "$T/started-\$r-\$other" ] && echo together >&2
fi
exec "${SYNTH:?run through make test}" \$((r * 2 + s)) 5 30 "\$1" 0.03 2
EOF
    chmod +x side.sh
}

@test "A/B: the two shifted benchmarks regress (exit 1), the rest unchanged; A/A passes (exit 0)" {
    make_side
    run --separate-stderr bg ab --base './side.sh 0' --head './side.sh 0.3' --rounds 5 --keep k1
    [ "$status" -eq 1 ]
    [[ "$(grep '^bench-0000 ' <<<"$output")" == *REGRESSED ]]
    [[ "$(grep '^bench-0001 ' <<<"$output")" == *REGRESSED ]]
    [ "$(grep -c ' unchanged$' <<<"$output")" -eq 3 ]
    [[ "$output" == *"rounds: 5 rounds of base and head, one after the other in random order (seed "* ]]
    [ "$(wc -l < order.log)" -eq 10 ]
    # every round ran both sides, and its output is kept
    for i in 1 2 3 4 5; do
        [ "$(grep -c "^$i " order.log)" -eq 2 ]
        [ -s k1/round-00$i-base.json ] && [ -s k1/round-00$i-head.json ]
    done
    rm -f order.log
    run --separate-stderr bg ab --base './side.sh 0' --head './side.sh 0' --rounds 5 --keep k2
    [ "$status" -eq 0 ]
    [[ "$output" == *"PASS: no regression (5 unchanged"* ]]
}

@test "the order's seed is printed and --seed replays it; --order alternate alternates" {
    make_side
    run --separate-stderr bg ab --base './side.sh 0' --head './side.sh 0' --rounds 12 --keep k1
    [ "$status" -eq 0 ]
    seed=$(sed -n 's/.*(seed \([0-9]*\): --seed \1 runs them in that order again).*/\1/p' <<<"$output")
    [ -n "$seed" ]
    [[ "$stderr" == *"(seed $seed)"* ]]
    [ "$(sqlite3 :memory: "SELECT json_extract(readfile('k1/ab.json'), '\$.seed')")" = "$seed" ]
    first=$(awk 'NR % 2 == 1 { printf "%s ", $2 }' order.log)
    # 12 rounds drawn at random: not all the same side first (1 in 2048 by chance)
    [[ "$first" == *base* && "$first" == *head* ]]
    mv order.log order1.log
    run --separate-stderr bg ab --base './side.sh 0' --head './side.sh 0' --rounds 12 --keep k2 \
        --seed "$seed"
    [ "$status" -eq 0 ]
    cmp order1.log order.log
    # another seed, another order (the 12 draws agree by chance 1 in 4096)
    rm order.log
    bg ab -q --base './side.sh 0' --head './side.sh 0' --rounds 12 --keep k3 \
        --seed "$((seed ^ 1))" > /dev/null
    ! cmp -s order1.log order.log
    rm order.log
    run --separate-stderr bg ab --base './side.sh 0' --head './side.sh 0' --rounds 4 --keep k4 \
        --order alternate
    [ "$status" -eq 0 ]
    [ "$(tr '\n' ' ' < order.log)" = "1 base 1 head 2 head 2 base 3 base 3 head 4 head 4 base " ]
    [[ "$output" == *"one after the other in alternating order"* ]]
    [ "$(sqlite3 :memory: "SELECT json_extract(readfile('k4/ab.json'), '\$.order')")" = alternate ]
}

@test "--replay judges the kept rounds again, running nothing, with the same verdict" {
    make_side
    run --separate-stderr bg ab --base './side.sh 0' --head './side.sh 0.3' --rounds 4 --keep k1 -o json
    [ "$status" -eq 1 ]
    echo "$output" > first.json
    rm order.log
    run --separate-stderr bg ab --replay k1 -o json
    [ "$status" -eq 1 ]
    echo "$output" > again.json
    [ ! -e order.log ]
    for f in first again; do
        sqlite3 :memory: "SELECT json_extract(readfile('$f.json'), '\$.counts.regressed'),
                                 json_extract(readfile('$f.json'), '\$.ab.seed'),
                                 json_extract(readfile('$f.json'), '\$.ab.rounds')" >> both
    done
    [ "$(sort -u both | wc -l)" -eq 1 ]
    [ "$(head -1 both | cut -d'|' -f1,3)" = "2|4" ]
    run bg ab --replay k1 --base true
    [ "$status" -eq 2 ]
    [[ "$output" == *"--replay judges a kept folder"* ]]
}

@test "the JSON verdict has an 'ab' object and validates; Markdown says the mode and the seed" {
    make_side
    run --separate-stderr bg ab --base './side.sh 0' --head './side.sh 0.3' --rounds 3 --keep k1 \
        -o json --seed 77
    [ "$status" -eq 1 ]
    echo "$output" > v.json
    python3 "$BATS_TEST_DIRNAME/../tools/validate.py" \
        "$BATS_TEST_DIRNAME/../../schemas/verdict.schema.json" v.json
    [ "$(sqlite3 :memory: "SELECT json_extract(readfile('v.json'), '\$.ab.mode') || ' ' ||
                                  json_extract(readfile('v.json'), '\$.ab.seed') || ' ' ||
                                  json_extract(readfile('v.json'), '\$.ab.rounds')")" = "interleaved 77 3" ]
    run --separate-stderr bg ab --replay k1 -o markdown
    [ "$status" -eq 1 ]
    [[ "$output" == *"3 rounds"* ]]
    [[ "$output" == *"77"* ]]
    [[ "$output" == *"bench-0000"* ]]
}

@test "--duet runs both sides of a round at once, each pinned to a CPU of its own" {
    make_side
    if [ "$(nproc)" -lt 2 ]; then
        # nothing to pin apart on this machine: the one-CPU fallback, said so
        run --separate-stderr bg ab --duet --base './side.sh 0' --head './side.sh 0' --rounds 3 --keep k1
        [ "$status" -eq 0 ]
        [[ "$stderr" == *"--duet on a machine with one CPU"* ]]
        return
    fi
    run --separate-stderr bg ab --duet --base './side.sh 0 10' --head './side.sh 0 10' --rounds 3 --keep k1
    [ "$status" -eq 0 ]
    for i in 1 2 3; do
        # each side saw the other start before it finished: they ran at once
        grep -qx together k1/round-00$i-base.stderr
        grep -qx together k1/round-00$i-head.stderr
        # one CPU each, not the same one
        [[ "$(cat cpus-$i-base)" =~ ^[0-9]+$ ]]
        [[ "$(cat cpus-$i-head)" =~ ^[0-9]+$ ]]
        [ "$(cat cpus-$i-base)" != "$(cat cpus-$i-head)" ]
        [[ "$stderr" == *"round $i/3: base on CPU $(cat cpus-$i-base) and head on CPU $(cat cpus-$i-head), at once"* ]]
    done
    [[ "$output" == *"both at once in each round (duet: CPUs "*", which side gets which drawn each round)"* ]]
    [ "$(sqlite3 :memory: "SELECT json_extract(readfile('k1/ab.json'), '\$.mode')")" = duet ]
}

@test "--duet with one CPU: both sides share it, unpinned, and the run says so" {
    make_side
    cpu=$(cut -d- -f1 < <(grep Cpus_allowed_list /proc/self/status | cut -f2 | cut -d, -f1))
    run --separate-stderr taskset -c "$cpu" "$BENCHGATE" ab --duet --base './side.sh 0 10' \
        --head './side.sh 0.3 10' --rounds 3 --keep k1 -o json
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"--duet on a machine with one CPU: base and head run at once on it"* ]]
    [[ "$stderr" == *"round 1/3: base and head at once, sharing one CPU"* ]]
    echo "$output" > v.json
    [ "$(sqlite3 :memory: "SELECT json_extract(readfile('v.json'), '\$.ab.cpus')")" = \
      "one CPU: both sides shared it, not pinned" ]
    for i in 1 2 3; do
        grep -qx together k1/round-00$i-base.stderr
        [ "$(cat cpus-$i-base)" = "$cpu" ] && [ "$(cat cpus-$i-head)" = "$cpu" ]
    done
    [ "$(sqlite3 :memory: "SELECT json_extract(readfile('v.json'), '\$.counts.regressed')")" -eq 2 ]
}

@test "progress: round k of N, the side and the elapsed time on stderr; -q silences it" {
    make_side
    run --separate-stderr bg ab --base './side.sh 0' --head './side.sh 0' --rounds 3 --keep k1
    [ "$status" -eq 0 ]
    [[ "$stderr" == *"benchgate ab: 3 rounds, base and head one after the other, in random order (seed "* ]]
    for i in 1 2 3; do
        for s in base head; do
            grep -Eq "^benchgate ab: \[0:[0-9]{2}\] round $i/3: $s$" <<<"$stderr"
            grep -Eq "^benchgate ab: \[0:[0-9]{2}\] round $i/3: $s [0-9]+\.[0-9] s$" <<<"$stderr"
        done
    done
    run --separate-stderr bg ab -q --base './side.sh 0' --head './side.sh 0' --rounds 3 --keep k2
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
}

@test "exit codes as check: 0 pass, 1 past --threshold, 2 for bad usage" {
    make_side
    # +8% with a 10% threshold passes; with a 5% threshold it fails
    run bg ab -q --base './side.sh 0' --head './side.sh 0.08' --rounds 4 --keep k1
    [ "$status" -eq 0 ]
    run bg ab -q --replay k1 --threshold 0.05
    [ "$status" -eq 1 ]
    run bg ab --base true
    [ "$status" -eq 2 ]
    [[ "$output" == *"both --base CMD and --head CMD are needed"* ]]
    run bg ab --base true --head true --rounds 2
    [ "$status" -eq 2 ]
    [[ "$output" == *"--rounds"* ]]
    run bg ab --base true --head true extra
    [ "$status" -eq 2 ]
    [[ "$output" == *"unexpected argument 'extra'"* ]]
    run bg ab --base "echo 'unclosed" --head true
    [ "$status" -eq 2 ]
    [[ "$output" == *"--base: an unclosed ' in the command"* ]]
    run bg ab --base true --head true --order sideways
    [ "$status" -eq 2 ]
    run bg ab --duet --result out.json --base true --head true
    [ "$status" -eq 2 ]
    [[ "$output" == *"--duet with --result needs --base-dir and --head-dir to differ"* ]]
}

@test "a failing command stops the run naming the round and the side; the rounds so far are kept" {
    make_side
    cat > flaky.sh <<EOF
#!/bin/sh
[ "\$BENCHGATE_AB_ROUND" -ge 3 ] && { echo "disk full, say" >&2; exit 4; }
exec ./side.sh 0
EOF
    chmod +x flaky.sh
    run --separate-stderr bg ab --order alternate --base './side.sh 0' --head ./flaky.sh --rounds 5 --keep k1 --db "$DB" --store
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"round 3, head: './flaky.sh' exited with status 4; the end of its standard error: disk full, say"* ]]
    [[ "$stderr" == *"2 of 5 rounds were complete; every round's output is in $T/k1; nothing was judged or stored"* ]]
    [ -s k1/round-002-head.json ]
    db_absent
    run bg ab --base ./no-such-command --head true --rounds 3 --keep k2
    [ "$status" -eq 2 ]
    [[ "$output" == *"round 1, "*"'./no-such-command' could not start"* ]]
    run bg ab --base 'echo hello' --head 'echo hello' --rounds 3 --keep k3
    [ "$status" -eq 2 ]
    [[ "$output" == *"is not output benchgate can read"* ]]
    run bg ab --base 'sleep 30' --head true --rounds 3 --keep k4 --timeout 1
    [ "$status" -eq 2 ]
    [[ "$output" == *"round 1, "*"'sleep 30' was still running after 1 s (--timeout)"* ]]
    run bg ab --base 'head -c 5000 /dev/zero' --head true --rounds 3 --keep k5 --max-output 1024 --order alternate

    [ "$status" -eq 2 ]
    [[ "$output" == *"round 1, base: 'head -c 5000 /dev/zero' printed more than 1024 bytes (--max-output)"* ]]
    # --keep must be new or empty: a kept run is never overwritten
    run bg ab --base './side.sh 0' --head './side.sh 0' --rounds 3 --keep k1
    [ "$status" -eq 2 ]
    [ -s k1/round-002-head.json ]
}

@test "--store keeps the head's rounds as one run, with its branch and commit, that check can judge" {
    make_side
    run --separate-stderr bg ab --base './side.sh 0' --head './side.sh 0' --rounds 3 --keep k1 \
        --db "$DB" --store --project p --branch feature --commit abc123
    [ "$status" -eq 0 ]
    [[ "$stderr" == *"stored the head's 3 rounds as run 1"* ]]
    [ "$(sql "SELECT count(*) FROM runs")" -eq 1 ]
    [ "$(sql "SELECT b.name || ' ' || r.commit_sha FROM runs r JOIN branches b ON b.id = r.branch_id")" = "feature abc123" ]
    [ "$(run_meta 1 ab_mode)" = interleaved ]
    [ "$(run_meta 1 ab_rounds)" = 3 ]
    # every sample of every round: 3 rounds x 30 samples of each benchmark
    run bg history --db "$DB" --project p --branch feature bench-0004
    [ "$status" -eq 0 ]
    [[ "$output" == *abc123* ]]
    # a second ab run stored on top: check judges it against the first, as history
    bg ab -q --base './side.sh 0' --head './side.sh 0' --rounds 3 --keep k2 --db "$DB" --store \
        --project p --branch feature --commit def456 > /dev/null
    run bg check --db "$DB" --project p --branch feature --baseline-branch feature
    [ "$status" -eq 0 ]
    [[ "$output" == *"(run 2, commit def456) against 'feature' (run 1, commit abc123)"* ]]
}

@test "every harness's real output: go, Google Benchmark, pytest-benchmark, hyperfine, Catch2, Criterion" {
    n=0
    for f in "$FIX"/go/basic-text/bench.txt "$FIX"/go/basic-json/bench.jsonl \
             "$FIX"/gbench/json-repetitions/stdout.json "$FIX"/gbench/json-basic/stdout.json \
             "$FIX"/pytest/json-basic/*.json "$FIX"/hyperfine/runs-50/runs50.json \
             "$FIX"/catch2/xml-reporter/stdout.xml; do
        [ -f "$f" ]
        run --separate-stderr bg ab -q --base "cat '$f'" --head "cp '$f' {out}" --rounds 3 --keep "k$n"
        echo "$f: $status $output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"PASS: no regression"* ]]
        [[ "$output" != *" 0 unchanged"* ]]
        n=$((n + 1))
    done
    # Criterion writes a folder: --result reads it from each side's directory
    mkdir -p b h
    cp -r "$FIX"/criterion/first-run/target b/
    cp -r "$FIX"/criterion/first-run/target h/
    run --separate-stderr bg ab -q --base true --head true --base-dir b --head-dir h \
        --result target/criterion --rounds 3 --keep kc
    [ "$status" -eq 0 ]
    [[ "$output" == *"PASS: no regression"* ]]
    [[ "$output" == *fibonacci* || "$output" == *sum_u32* ]]
}
