#!/bin/sh
# demo.sh: the one-minute tour (`make demo`): a fresh demo.db, two sample runs
# of real hyperfine output (main, and a branch where 'parse-config' got ~30%
# slower), then the gate's verdict. The gate exiting 1 is the point of the demo.
#
# usage: sh samples/demo.sh [path/to/benchgate]
set -eu
bg=${1:-./benchgate}
here=$(cd "$(dirname "$0")" && pwd)
db=demo.db

rm -f "$db" "$db-wal" "$db-shm"
echo "\$ benchgate collect --db $db --branch main samples/hyperfine-main.json"
"$bg" collect --db "$db" --project demo --branch main \
    --commit 4b825dc642cb6eb9a060e54bf8d69288fbee4904 --timestamp 1763800000 \
    "$here/hyperfine-main.json"
echo "\$ benchgate collect --db $db --branch feature/faster-parser samples/hyperfine-feature.json"
"$bg" collect --db "$db" --project demo --branch feature/faster-parser \
    --commit 9c1185a5c5e9fc54612808977ee8f548b2258d31 --timestamp 1763803600 \
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
