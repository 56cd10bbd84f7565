# benchgate: a plain Makefile.
#
#   make               build ./benchgate
#   make deps          install the Debian packages that building and the demo need
#   make demo          sample runs, the gate's verdict, then the dashboards on loopback
#   make test          every test: unit tests (cmocka), fuzz replays, end-to-end tests
#                      (bats); installs the packages the tests need first
#   make test-pg       the store's and the end-to-end tests again on PostgreSQL, on a
#                      throwaway cluster the target starts and removes
#   make test-unit     the unit tests and fuzz replays only
#   make test-e2e      the end-to-end tests only; T=t3000 runs tests/e2e/t3000*.bats
#   make quick         the one-minute loop: unit tests and the quicker end-to-end files
#   make asan, tsan    every test under AddressSanitizer + UBSan, or ThreadSanitizer;
#                      make asan-pg the PostgreSQL pass under ASan + UBSan
#   make valgrind      unit tests and command-line tests under memcheck
#   make fuzz          libFuzzer targets (clang); make fuzz-smoke runs each for a while
#   make bench, load   benchmarks as ratios to reference work; a minute of mixed load
#   make install       the binary and man pages under $(DESTDIR)$(PREFIX); uninstall
#   make clean

CC      ?= gcc
PKGS     = libmicrohttpd libcjson sqlite3 libpq nettle libcurl zlib
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -I. $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
WARN     = -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wvla -Wwrite-strings -Wpointer-arith -fno-common
CFLAGS  ?= -O2 -g
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR   = $(PREFIX)/bin
MANDIR   = $(PREFIX)/share/man
MANPAGES = $(sort $(wildcard man/*.1))

# make SANITIZE=address,undefined test  (what `make asan` does, in its own build folder)
BUILD   ?= build
# override: `make asan` passes CFLAGS on the command line, which would otherwise
# silently drop these and leave only the link step sanitized
ifdef SANITIZE
override CFLAGS  += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
override LDFLAGS += -fsanitize=$(SANITIZE)
endif

CORE_SRC = core/err.c core/deadline.c core/buf.c core/num.c core/stats.c core/model.c core/json.c core/http_client.c \
           core/spawn.c core/env.c core/store.c core/store_sqlite.c core/store_pg.c core/opt.c \
           core/cli.c core/suggest.c core/gz.c core/store_git.c
COLL_SRC = $(sort $(wildcard collector/*.c))
GATE_SRC = $(sort $(wildcard gate/*.c))
SERV_SRC = $(sort $(wildcard server/*.c))
ADMIN_SRC = $(sort $(wildcard admin/*.c))
LIB_SRC  = $(CORE_SRC) $(COLL_SRC) $(GATE_SRC) $(SERV_SRC) $(ADMIN_SRC)
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/migrations.o $(BUILD)/pg_migrations.o \
           $(BUILD)/web.o
MIGRATIONS = $(sort $(wildcard schemas/migrations/*.sql))
PG_MIGRATIONS = $(sort $(wildcard schemas/migrations/postgres/*.sql))

UNIT_BINS  = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
UNIT_TESTS = $(UNIT_BINS)

# Fuzz targets: a harness format each (auto: detection over all of them), and
# whole requests through the server's routes. Each has a seed corpus, and
# tests/fuzz/crashers/TARGET keeps the inputs that once broke it.
FUZZ_FORMATS = hyperfine benchgate go gbench pytest bencher catch2 auto
FUZZ_TARGETS = $(FUZZ_FORMATS) criterion request
SEEDS_hyperfine = tests/fixtures/hyperfine
SEEDS_benchgate = tests/fuzz/seeds/benchgate
SEEDS_go        = tests/fixtures/go
SEEDS_gbench    = tests/fixtures/gbench
SEEDS_pytest    = tests/fixtures/pytest
SEEDS_bencher   = tests/fixtures/criterion/bencher-format
SEEDS_catch2    = tests/fixtures/catch2
# every format's fixtures, not the real-noise data sets (real/, real-pinned/: 30 MB)
SEEDS_auto      = tests/fixtures/catch2 tests/fixtures/criterion tests/fixtures/gbench \
                  tests/fixtures/go tests/fixtures/hyperfine tests/fixtures/pytest \
                  tests/fuzz/seeds/benchgate
SEEDS_criterion = tests/fuzz/seeds/criterion
SEEDS_request   = tests/fuzz/seeds/request
fuzz_format = $(if $(filter auto,$(1)),NULL,"$(patsubst pytest,pytest-benchmark,$(1))")
# criterion reads folders and request whole requests: their own sources
fuzz_src    = tests/fuzz/$(if $(filter criterion request,$(1)),fuzz_$(1),fuzz_format).c
fuzz_defs   = -DFUZZ_FORMAT='$(call fuzz_format,$(1))' \
              -DFUZZ_SEEDS='"$(SEEDS_$(1)) tests/fuzz/crashers/$(1)"'
# In `make test`, each target replays its seeds and crashers (tests/fuzz/replay.c).
REPLAY_BINS = $(FUZZ_TARGETS:%=$(BUILD)/tests/fuzz_%)
UNIT_TESTS += $(REPLAY_BINS)

.PHONY: all deps deps-build deps-test deps-fuzz install-pkgs pkgs-check test test-unit test-e2e \
        quick test-pg asan asan-pg tsan valgrind valgrind-run fuzz fuzz-smoke bench load demo \
        install uninstall clean gate-eval gate-eval-ab
all: benchgate

benchgate: $(BUILD)/benchgate
	cp $< $@

$(BUILD)/benchgate: $(BUILD)/main.o $(BUILD)/libbenchgate.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libbenchgate.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c | pkgs-check
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) -MMD -MP -c -o $@ $<

# A missing library says which package brings it, not "cJSON.h: No such file".
DEB_libmicrohttpd = libmicrohttpd-dev
DEB_libcjson      = libcjson-dev
DEB_sqlite3       = libsqlite3-dev
DEB_libpq         = libpq-dev
DEB_nettle        = nettle-dev
DEB_libcurl       = libcurl4-openssl-dev
DEB_zlib          = zlib1g-dev
pkgs-check:
	@command -v pkg-config >/dev/null 2>&1 || { \
	    echo "benchgate: building needs pkg-config: run 'make deps-build'" >&2; exit 1; }
	@$(foreach p,$(PKGS),deb_$(p)=$(DEB_$(p));) missing=; debs=; \
	for p in $(PKGS); do \
	    pkg-config --exists $$p || { missing="$$missing $$p"; eval "debs=\"\$$debs \$$deb_$$p\""; }; \
	done; \
	if [ -n "$$missing" ]; then \
	    echo "benchgate: building needs the pkg-config package(s)$$missing," >&2; \
	    echo "  from the Debian package(s)$$debs: run 'make deps-build' to install them" >&2; \
	    exit 1; \
	fi

# The SQL migrations (each engine its own) are compiled into the binary, so
# benchgate needs no data files.
$(BUILD)/migrations.c: $(MIGRATIONS) tools/embed-sql.sh
	@mkdir -p $(dir $@)
	sh tools/embed-sql.sh bg_migrations $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

$(BUILD)/pg_migrations.c: $(PG_MIGRATIONS) tools/embed-sql.sh
	@mkdir -p $(dir $@)
	sh tools/embed-sql.sh bg_pg_migrations $(PG_MIGRATIONS) > $@.tmp && mv $@.tmp $@

$(BUILD)/migrations.o $(BUILD)/pg_migrations.o: $(BUILD)/%.o: $(BUILD)/%.c
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) -c -o $@ $<

# The dashboards' layout and stylesheet, likewise.
$(BUILD)/web.c: web/layout.html web/style.css tools/embed-text.sh
	@mkdir -p $(dir $@)
	sh tools/embed-text.sh web_layout web/layout.html web_style_css web/style.css > $@.tmp
	mv $@.tmp $@

$(BUILD)/web.o: $(BUILD)/web.c
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) -c -o $@ $<

# Test programs: one source each, with header dependencies of their own
# (-MF), so that editing tests/unit/harness.h rebuilds them.
$(UNIT_BINS): $(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libbenchgate.a | deps-test
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) -MMD -MP -MF $@.d -o $@ $< $(BUILD)/libbenchgate.a \
	    $(LDFLAGS) $(LDLIBS) -lcmocka

# Debian packages, installed only when missing (and saying nothing when none
# is): deps-build what building needs (what the GitHub Action runs), deps
# that and gnuplot, which is what the demo needs; the test targets install
# what the tests need themselves (cmocka, bats, the sqlite3 tool to inspect
# databases, postgresql for make test-pg's throwaway cluster, git, hyperfine
# for the real-harness test, curl, jsonschema, yaml to run the CI recipes
# step by step, the harnesses the benchgate ab recipes build and run (Go,
# CMake and Google Benchmark, pytest-benchmark), chromium for the dashboards
# in a real browser, man for the man pages),
# fuzz clang and its libFuzzer, valgrind valgrind, load and bench wrk.
BUILD_PKGS = gcc make pkg-config libmicrohttpd-dev libcjson-dev libsqlite3-dev libpq-dev \
             nettle-dev libcurl4-openssl-dev zlib1g-dev
DEMO_PKGS  = gnuplot-nox
TEST_PKGS  = libcmocka-dev bats sqlite3 postgresql git hyperfine curl python3-jsonschema python3-yaml \
             golang-go cmake g++ libbenchmark-dev python3-pytest python3-pytest-benchmark \
             chromium \
             gnuplot-nox man-db
FUZZ_PKGS  = clang libclang-rt-14-dev
SUDO       = $(shell [ "$$(id -u)" = 0 ] || echo sudo)
deps:
	@$(MAKE) --no-print-directory install-pkgs PKGS_WANTED="$(BUILD_PKGS) $(DEMO_PKGS)"
deps-build:
	@$(MAKE) --no-print-directory install-pkgs PKGS_WANTED="$(BUILD_PKGS)"
deps-test:
	@$(MAKE) --no-print-directory install-pkgs PKGS_WANTED="$(BUILD_PKGS) $(TEST_PKGS)"
deps-fuzz:
	@$(MAKE) --no-print-directory install-pkgs PKGS_WANTED="$(BUILD_PKGS) $(FUZZ_PKGS)"
install-pkgs:
	@missing=$$(for p in $(PKGS_WANTED); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
	    echo "make: installing" $$missing; \
	    $(SUDO) apt-get update -qq && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive \
	        apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# The fuzz replays of make test: each target's source and tests/fuzz/replay.c,
# both compiled with the target's format and seed folders.
.SECONDEXPANSION:
$(REPLAY_BINS:%=%.o): $(BUILD)/tests/fuzz_%.o: $$(call fuzz_src,$$*) | pkgs-check
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) $(call fuzz_defs,$*) -MMD -MP -c -o $@ $<

$(FUZZ_TARGETS:%=$(BUILD)/tests/replay_%.o): $(BUILD)/tests/replay_%.o: tests/fuzz/replay.c \
                                               | pkgs-check
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) $(call fuzz_defs,$*) -MMD -MP -c -o $@ $<

$(REPLAY_BINS): $(BUILD)/tests/fuzz_%: $(BUILD)/tests/fuzz_%.o $(BUILD)/tests/replay_%.o \
                                        $(BUILD)/libbenchgate.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# libFuzzer builds (clang), in their own folder: make fuzz, then run one as
# build-fuzz/fuzz/fuzz-go CORPUS_DIR SEED_DIR...; make fuzz-smoke runs each
# for FUZZ_SECONDS and prints executions per target.
FUZZ_BUILD   = build-fuzz
FUZZ_SECONDS ?= 20
FUZZ_BINS    = $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz/fuzz-%)
fuzz: deps-fuzz
	$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang SANITIZE=address,undefined \
	    CFLAGS='-O1 -g -fsanitize=fuzzer-no-link' $(FUZZ_BINS)

$(FUZZ_BINS): $(FUZZ_BUILD)/fuzz/fuzz-%: $$(call fuzz_src,$$*) $(BUILD)/libbenchgate.a
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) $(call fuzz_defs,$*) -fsanitize=fuzzer -MMD -MP \
	    -MF $@.d -o $@ $< $(BUILD)/libbenchgate.a $(LDFLAGS) $(LDLIBS)

fuzz-smoke: fuzz
	sh tests/fuzz/smoke.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) \
	    $(foreach t,$(FUZZ_TARGETS),$(t)=$(subst $(eval) ,:,$(strip $(SEEDS_$(t)))))

# Test tools: programs the end-to-end tests run (seeded synthetic runs).
$(BUILD)/tests/synth: tests/tools/synth.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) -o $@ $< $(LDFLAGS) -lm

# The test targets. TEST_TIMEOUT bounds each test file (tests/run.sh), so a
# hang fails instead of stalling; sanitized builds are slower, and get more.
TEST_TIMEOUT ?= 300
QUICK_SKIP   = t2500 t3100 t3300 t3310 t3400 t3600 t4100 t4200
RUN_TESTS    = BENCHGATE=$(CURDIR)/$(BUILD)/benchgate SYNTH=$(CURDIR)/$(BUILD)/tests/synth \
               BUILD=$(CURDIR)/$(BUILD) TEST_TIMEOUT=$(TEST_TIMEOUT) sh tests/run.sh
test: deps-test $(BUILD)/benchgate $(UNIT_TESTS) $(BUILD)/tests/synth
	$(RUN_TESTS) $(UNIT_TESTS)

test-unit: deps-test $(BUILD)/benchgate $(UNIT_TESTS)
	E2E=none $(RUN_TESTS) $(UNIT_TESTS)

test-e2e: deps-test $(BUILD)/benchgate $(BUILD)/tests/synth
	E2E="$(if $(T),$(wildcard $(T:%=tests/e2e/%*.bats)),tests/e2e/*.bats)" $(RUN_TESTS)

# The one-minute loop: the unit tests and the end-to-end files but the slow
# ones (the statistical seeds, the SIGKILL runs, the dashboards and their
# browser, the demo, the hostile inputs), about 45 s here; make test runs all.
quick: deps-test $(BUILD)/benchgate $(UNIT_TESTS) $(BUILD)/tests/synth
	E2E="$(filter-out $(foreach t,$(QUICK_SKIP),tests/e2e/$(t)%),$(wildcard tests/e2e/*.bats))" \
	    $(RUN_TESTS) $(UNIT_TESTS)

asan:
	$(MAKE) BUILD=build-asan SANITIZE=address,undefined CFLAGS='-O1 -g' TEST_TIMEOUT=900 test

# ThreadSanitizer: the server's worker pool, caches, chart slots and counters.
# Reports fail the command that made them (exit 66) and the server tests
# (they look for them in the server's log).
# The only threads are the server's, so the unit tests and the server's end-
# to-end files (t3xxx) are what it runs; E2E=... chooses others.
TSAN_E2E = $(wildcard tests/e2e/t3*.bats)
tsan:
	TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 $(TSAN_OPTIONS)" \
	    E2E="$(or $(E2E),$(TSAN_E2E))" \
	    $(MAKE) BUILD=build-tsan SANITIZE=thread CFLAGS='-O1 -g' TEST_TIMEOUT=1200 test

# Installs what a user runs: the binary and the man pages.
install: $(BUILD)/benchgate $(MANPAGES)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(BUILD)/benchgate $(DESTDIR)$(BINDIR)/benchgate
	install -m 644 $(MANPAGES) $(DESTDIR)$(MANDIR)/man1/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/benchgate $(MANPAGES:man/%=$(DESTDIR)$(MANDIR)/man1/%)

# The store's unit tests and every end-to-end test again, on PostgreSQL: a
# throwaway cluster (tests/pg/cluster.sh) in a temporary folder for the run,
# a schema of its own for each test, plus the tests only PostgreSQL has
# (tests/e2e/pg/: the database restarted under load). PG_SKIP leaves files
# out (.ci/run leaves out four that do not use the store differently).
PG_SKIP =
PG_E2E  = $(filter-out $(foreach t,$(PG_SKIP),tests/e2e/$(t)%),$(wildcard tests/e2e/*.bats)) \
          $(wildcard tests/e2e/pg/*.bats)
test-pg: deps-test $(BUILD)/benchgate $(BUILD)/tests/test_store $(BUILD)/tests/synth
	sh tests/pg/with-cluster.sh env BENCHGATE=$(CURDIR)/$(BUILD)/benchgate \
	    SYNTH=$(CURDIR)/$(BUILD)/tests/synth BUILD=$(CURDIR)/$(BUILD)/pg E2E="$(PG_E2E)" \
	    TEST_TIMEOUT=$(TEST_TIMEOUT) sh tests/run.sh $(BUILD)/tests/test_store

asan-pg:
	$(MAKE) BUILD=build-asan SANITIZE=address,undefined CFLAGS='-O1 -g' TEST_TIMEOUT=900 test-pg

# The unit tests, the fuzz replays and the command-line end-to-end tests under
# valgrind's memcheck: any leak or memory error fails. (The server's tests and
# the gate's statistical ones stay with make asan: under memcheck, timeouts
# would measure valgrind, and 20 seeds of bootstraps take most of an hour.)
VALGRIND = valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect \
           --errors-for-leak-kinds=definite,indirect --error-exitcode=99
VG_E2E   = tests/e2e/t0*.bats tests/e2e/t1*.bats tests/e2e/t2[0-4]*.bats
valgrind: deps-test
	@$(MAKE) --no-print-directory install-pkgs PKGS_WANTED=valgrind
	$(MAKE) --no-print-directory BUILD=build-vg CFLAGS='-O1 -g' TEST_TIMEOUT=1800 valgrind-run
valgrind-run: $(BUILD)/benchgate $(UNIT_TESTS) $(BUILD)/tests/synth
	TEST_WRAPPER="$(VALGRIND)" VALGRIND_BENCHGATE=$(CURDIR)/$(BUILD)/benchgate \
	    BENCHGATE=$(CURDIR)/tests/tools/valgrind-benchgate.sh E2E="$(VG_E2E)" \
	    SYNTH=$(CURDIR)/$(BUILD)/tests/synth BUILD=$(CURDIR)/$(BUILD) \
	    TEST_TIMEOUT=$(TEST_TIMEOUT) sh tests/run.sh $(UNIT_TESTS)

bench: $(BUILD)/benchgate $(BUILD)/tests/synth
	BENCHGATE=$(CURDIR)/$(BUILD)/benchgate SYNTH=$(CURDIR)/$(BUILD)/tests/synth sh bench/run.sh

# A minute of mixed uploads and page views on loopback; fails on errors or RSS growth.
load: $(BUILD)/benchgate $(BUILD)/tests/synth
	BENCHGATE=$(CURDIR)/$(BUILD)/benchgate SYNTH=$(CURDIR)/$(BUILD)/tests/synth sh bench/load.sh

# The tour: sample runs, the gate's verdict, then the dashboards on loopback
# until Ctrl-C (DEMO_LISTEN=127.0.0.1:0 for any free port, DEMO_SERVE=no to
# stop after the verdict).
demo: deps benchgate
	DEMO_LISTEN="$(DEMO_LISTEN)" DEMO_SERVE="$(DEMO_SERVE)" sh samples/demo.sh ./benchgate

clean:
	rm -rf build build-asan build-tsan build-vg $(FUZZ_BUILD) benchgate demo.db demo.db-wal \
	    demo.db-shm

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# The gate's evaluation: seeded simulations of CI noise (tests/eval/), and
# the real harness data in tests/fixtures/real when present.
EVAL_SRC = tests/eval/gate_eval.c tests/eval/sim.c tests/eval/real.c tests/eval/ab.c
$(BUILD)/tests/gate-eval: $(EVAL_SRC) tests/eval/sim.h tests/eval/real.h $(BUILD)/libbenchgate.a
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) -o $@ $(EVAL_SRC) $(BUILD)/libbenchgate.a $(LDFLAGS) $(LDLIBS)

# GATE_EVAL_ARGS=--quick for a short run; the real data sets are judged in full.
gate-eval: $(BUILD)/tests/gate-eval
	$(BUILD)/tests/gate-eval $(GATE_EVAL_ARGS)
	$(BUILD)/tests/gate-eval --real tests/fixtures/real
	$(BUILD)/tests/gate-eval --ab-sim $(GATE_EVAL_ARGS)

# benchgate ab on the real suites (go, Google Benchmark, pytest-benchmark,
# hyperfine), with and without a CPU and memory hog: an hour or more.
# AB_EVAL_ARGS="SLOTS=4 HARNESSES=go" and the like narrow it (tests/eval/ab-eval.sh).
gate-eval-ab: $(BUILD)/benchgate $(BUILD)/tests/gate-eval
	env $(AB_EVAL_ARGS) BENCHGATE=$(CURDIR)/$(BUILD)/benchgate bash tests/eval/ab-eval.sh $(BUILD)/ab-eval
	$(BUILD)/tests/gate-eval --ab $(BUILD)/ab-eval
