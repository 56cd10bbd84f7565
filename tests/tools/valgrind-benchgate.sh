#!/bin/sh
# valgrind-benchgate.sh: benchgate under valgrind's memcheck, for `make
# valgrind`: the end-to-end tests call this as their BENCHGATE. A leak or a
# memory error makes the command exit 99, which the test then sees fail.
exec valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 "$VALGRIND_BENCHGATE" "$@"
