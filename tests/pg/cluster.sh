#!/bin/sh
# cluster.sh: a throwaway PostgreSQL cluster for the tests and benchmarks,
# from Debian's postgresql package: initdb and pg_ctl in a private temporary
# folder, reachable only through a Unix socket in that folder (no TCP at all),
# removed again by `stop`. PostgreSQL refuses to run as root, so as root the
# cluster runs as the postgres user (the package creates it).
#
#   cluster.sh start          starts one; prints its folder. DIR/uri holds the
#                             URI of its maintenance database, for BENCHGATE_TEST_PG
#   cluster.sh restart DIR    fast shutdown (every connection is cut), then start
#   cluster.sh stop DIR       stops it and removes DIR
#
# Settings are PostgreSQL's defaults but for the socket, 200 connections (three
# servers with their workers, the tests' psql) and a log in DIR/log. fsync
# stays on: the durability tests mean it.
set -eu
# The server outlives this script: it must not hold a caller's pipes open
# (bats waits for its descriptor 3 to close before it reports)
exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- < /dev/null

PORT=5432 # the socket's name only: it lives in the cluster's own folder

bindir() {
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
        [ -x "$d/initdb" ] && { echo "$d"; return; }
    done
    d=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")
    [ -x "$d/initdb" ] && { echo "$d"; return; }
    echo "cluster.sh: no PostgreSQL server found (initdb); install Debian's postgresql" >&2
    exit 2
}

# as_owner CMD...: runs CMD as the cluster's owner (postgres when we are root)
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

ctl() {
    dir=$1
    shift
    as_owner "$(bindir)/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
        -o "-k $dir -p $PORT -c listen_addresses= -c max_connections=200" "$@" > /dev/null
}

case ${1:-} in
start)
    dir=$(mktemp -d "${TMPDIR:-/tmp}/benchgate-pg.XXXXXX")
    chmod 755 "$dir"
    [ "$(id -u)" != 0 ] || chown postgres "$dir"
    as_owner "$(bindir)/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C \
        --no-sync > "$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    ctl "$dir" start || { cat "$dir/log" >&2; exit 1; }
    uri="postgresql:///postgres?host=$dir&port=$PORT&user=postgres"
    # amcheck, for the tests' integrity checks of indexes against their tables
    psql -X -q -d "$uri" -c "CREATE EXTENSION IF NOT EXISTS amcheck" > /dev/null
    echo "$uri" > "$dir/uri"
    echo "$dir"
    ;;
restart)
    ctl "$2" restart -m fast
    ;;
stop)
    [ -d "$2/data" ] && ctl "$2" stop -m fast || true
    rm -rf "$2"
    ;;
*)
    echo "usage: cluster.sh start | restart DIR | stop DIR" >&2
    exit 2
    ;;
esac
