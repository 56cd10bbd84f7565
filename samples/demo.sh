#!/bin/sh
# demo.sh: the one-minute tour (`make demo`). A fresh demo.db gets twenty runs
# of main (samples/history/, made from the real hyperfine output in
# hyperfine-main.json, which is the twentieth) and one run of a branch on which
# 'parse-config' got ~30% slower (hyperfine-feature.json, also real). The gate
# judges the branch, and then the dashboard server starts on loopback until
# Ctrl-C. The gate exiting 1 is the point of the demo.
#
# usage: sh samples/demo.sh [path/to/benchgate]
#   DEMO_LISTEN=ADDR:PORT  where the server listens (default 127.0.0.1:8080;
#                          127.0.0.1:0 picks a free port)
#   DEMO_SERVE=no          stop after the verdict
set -eu
bg=${1:-./benchgate}
here=$(cd "$(dirname "$0")" && pwd)
db=demo.db
listen=${DEMO_LISTEN:-127.0.0.1:8080}

rm -f "$db" "$db-wal" "$db-shm"
echo "\$ benchgate collect --db $db --branch main ...   # 19 earlier runs of main"
while read -r file commit timestamp; do
    "$bg" collect -q --db "$db" --project demo --branch main --commit "$commit" \
        --timestamp "$timestamp" "$here/history/$file"
done < "$here/history/runs.txt"
echo "\$ benchgate collect --db $db --branch main samples/hyperfine-main.json"
"$bg" collect --db "$db" --project demo --branch main \
    --commit 4b825dc642cb6eb9a060e54bf8d69288fbee4904 --timestamp 1763800000 \
    "$here/hyperfine-main.json"
# In CI, collect records the pull request's base branch and commit by itself;
# here they are given, as any other CI would give them.
echo "\$ benchgate collect --db $db --branch feature/faster-parser --meta base_branch=main --meta fork_point=4b825dc642cb samples/hyperfine-feature.json"
"$bg" collect --db "$db" --project demo --branch feature/faster-parser \
    --commit 9c1185a5c5e9fc54612808977ee8f548b2258d31 --timestamp 1763803600 \
    --meta base_branch=main --meta fork_point=4b825dc642cb6eb9a060e54bf8d69288fbee4904 \
    "$here/hyperfine-feature.json"
echo "\$ benchgate check --db $db --branch feature/faster-parser --threshold 0.10"
status=0
"$bg" check --db "$db" --project demo --branch feature/faster-parser --threshold 0.10 ||
    status=$?
case $status in
0) echo "(exit status 0: no regression)" ;;
1) echo "(exit status 1: the gate caught the regression, as this demo intends)" ;;
*) echo "demo: benchgate check failed with exit status $status" >&2; exit "$status" ;;
esac

[ "${DEMO_SERVE:-yes}" != no ] || exit 0
echo
echo "\$ benchgate serve --db $db --listen $listen"
echo "Dashboards: open the address below, then /p/demo (render-page's change point is"
echo "at run 8; the branch's verdicts are on its run page). Ctrl-C stops the server."
echo "(Port taken? make demo DEMO_LISTEN=127.0.0.1:0 picks a free one.)"
exec "$bg" serve --db "$db" --listen "$listen"
