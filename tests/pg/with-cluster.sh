#!/bin/sh
# with-cluster.sh CMD...: runs CMD with a throwaway PostgreSQL cluster
# (tests/pg/cluster.sh) and removes the cluster afterwards, whatever CMD did.
# CMD sees BENCHGATE_TEST_PG (the URI of the cluster's maintenance database;
# tests make a schema each in it) and BENCHGATE_TEST_PG_DIR (for restarts).
# Exits with CMD's status.
set -u
here=$(cd "$(dirname "$0")" && pwd)
dir=$(sh "$here/cluster.sh" start) || exit 2
trap 'sh "$here/cluster.sh" stop "$dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
BENCHGATE_TEST_PG=$(cat "$dir/uri")
BENCHGATE_TEST_PG_DIR=$dir
export BENCHGATE_TEST_PG BENCHGATE_TEST_PG_DIR
echo "PostgreSQL: a throwaway cluster in $dir ($BENCHGATE_TEST_PG)"
"$@"
