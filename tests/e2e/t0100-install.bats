#!/usr/bin/env bats
# t0100-install.bats: make install puts the binary and the man pages where
# DESTDIR and PREFIX say, and uninstall takes them away; every man page
# renders without a warning and documents the options its command's --help
# lists, and no other.

load helper

TOP=$BATS_TEST_DIRNAME/../..

@test "every man page renders with man -l, without a warning" {
    for page in "$TOP"/man/*.1; do
        MANWIDTH=80 man --warnings -l "$page" > "$T/page.txt" 2> "$T/warnings"
        grep -q '^NAME' "$T/page.txt"
        grep -q '^EXIT STATUS' "$T/page.txt"
        [ ! -s "$T/warnings" ] || { echo "$page:" >&2; cat "$T/warnings" >&2; false; }
    done
    # and there is one for benchgate(1) and each command
    for cmd in collect check comment ab baseline history serve publish token copy prune; do
        [ -f "$TOP/man/benchgate-$cmd.1" ]
    done
    [ -f "$TOP/man/benchgate.1" ]
}

# The long options of a man page's OPTIONS section, one a line, sorted.
man_options() {
    sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$1" | sed 's/\\-/-/g' | grep -oE -- '--[a-z][a-z-]*' |
        sort -u
}

@test "each command's man page lists exactly the options of its --help" {
    for cmd in collect check comment ab baseline history serve publish token copy prune; do
        bg "$cmd" --help > "$T/help.txt"
        # the option lines: "  -t, --threshold F  ..." or "  --db PATH  ..."
        sed -nE 's/^  (-[a-zA-Z], )?(--[a-z][a-z-]*).*/\2/p' "$T/help.txt" | sort -u > "$T/help"
        man_options "$TOP/man/benchgate-$cmd.1" > "$T/man"
        diff -u "$T/help" "$T/man" || { echo "benchgate $cmd: --help (-) vs man page (+)" >&2; false; }
    done
}

@test "make install DESTDIR=... PREFIX=... installs the binary and the man pages; uninstall removes them" {
    root=$T/root
    make -s -C "$TOP" install DESTDIR="$root" PREFIX=/opt/bg BUILD="$BUILD" > "$T/make.out" 2>&1 ||
        { cat "$T/make.out" >&2; false; }
    [ -x "$root/opt/bg/bin/benchgate" ]
    run "$root/opt/bg/bin/benchgate" --version
    [ "$status" -eq 0 ]
    [[ "$output" == "benchgate "* ]]
    for page in "$TOP"/man/*.1; do
        cmp "$page" "$root/opt/bg/share/man/man1/$(basename "$page")"
    done
    # man finds the installed pages by their names
    MANPATH=$root/opt/bg/share/man man -w benchgate-check > "$T/where"
    [ "$(cat "$T/where")" = "$root/opt/bg/share/man/man1/benchgate-check.1" ]
    make -s -C "$TOP" uninstall DESTDIR="$root" PREFIX=/opt/bg BUILD="$BUILD" > "$T/make.out" 2>&1 ||
        { cat "$T/make.out" >&2; false; }
    [ -z "$(find "$root" -type f)" ]
}
