# benchgate: a plain Makefile.
#
#   make            build ./benchgate
#   make deps       install the Debian packages needed to build and test (as root)
#   make test       every test: unit tests (cmocka), fuzz replays, end-to-end tests (bats)
#   make asan       the same tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make fuzz       libFuzzer targets (clang); make fuzz-smoke runs each for a while
#   make bench      benchmarks, each reported as a ratio to a reference run alongside
#   make load       a minute of mixed uploads and page views, with errors and RSS
#   make demo       sample runs, the gate's verdict, then the dashboards on loopback
#   make clean

CC      ?= gcc
PKGS     = libmicrohttpd libcjson sqlite3 nettle libcurl
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -I. $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
WARN     = -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wvla -Wwrite-strings -Wpointer-arith -fno-common
CFLAGS  ?= -O2 -g
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm

# make SANITIZE=address,undefined test  (what `make asan` does, in its own build folder)
BUILD   ?= build
# override: `make asan` passes CFLAGS on the command line, which would otherwise
# silently drop these and leave only the link step sanitized
ifdef SANITIZE
override CFLAGS  += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
override LDFLAGS += -fsanitize=$(SANITIZE)
endif

CORE_SRC = core/err.c core/buf.c core/num.c core/stats.c core/model.c core/json.c core/http_client.c \
           core/spawn.c core/env.c core/store_sqlite.c core/opt.c core/cli.c
COLL_SRC = $(sort $(wildcard collector/*.c))
GATE_SRC = $(sort $(wildcard gate/*.c))
SERV_SRC = $(sort $(wildcard server/*.c))
LIB_SRC  = $(CORE_SRC) $(COLL_SRC) $(GATE_SRC) $(SERV_SRC)
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/migrations.o $(BUILD)/web.o
MIGRATIONS = $(sort $(wildcard schemas/migrations/*.sql))

UNIT_TESTS = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))

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
SEEDS_auto      = tests/fixtures tests/fuzz/seeds/benchgate
SEEDS_criterion = tests/fuzz/seeds/criterion
SEEDS_request   = tests/fuzz/seeds/request
fuzz_format = $(if $(filter auto,$(1)),NULL,"$(patsubst pytest,pytest-benchmark,$(1))")
# criterion reads folders and request whole requests: their own sources
fuzz_src    = tests/fuzz/$(if $(filter criterion request,$(1)),fuzz_$(1),fuzz_format).c
fuzz_defs   = -DFUZZ_FORMAT='$(call fuzz_format,$(1))' \
              -DFUZZ_SEEDS='"$(SEEDS_$(1)) tests/fuzz/crashers/$(1)"'
# In `make test`, each target replays its seeds and crashers (tests/fuzz/replay.c).
UNIT_TESTS += $(FUZZ_TARGETS:%=$(BUILD)/tests/fuzz_%)

.PHONY: all deps deps-build install-pkgs test asan valgrind valgrind-run fuzz fuzz-smoke bench load demo clean
all: benchgate

benchgate: $(BUILD)/benchgate
	cp $< $@

$(BUILD)/benchgate: $(BUILD)/main.o $(BUILD)/libbenchgate.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libbenchgate.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) -MMD -MP -c -o $@ $<

# The SQL migrations are compiled into the binary, so benchgate needs no data files.
$(BUILD)/migrations.c: $(MIGRATIONS) tools/embed-sql.sh
	@mkdir -p $(dir $@)
	sh tools/embed-sql.sh $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

$(BUILD)/migrations.o: $(BUILD)/migrations.c
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) -c -o $@ $<

# The dashboards' layout and stylesheet, likewise.
$(BUILD)/web.c: web/layout.html web/style.css tools/embed-text.sh
	@mkdir -p $(dir $@)
	sh tools/embed-text.sh web_layout web/layout.html web_style_css web/style.css > $@.tmp
	mv $@.tmp $@

$(BUILD)/web.o: $(BUILD)/web.c
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libbenchgate.a
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) -o $@ $< $(BUILD)/libbenchgate.a $(LDFLAGS) \
	    $(LDLIBS) -lcmocka

# Debian packages: to build (compiler, libraries) and draw the server's charts
# (gnuplot), and to test (cmocka, bats, the sqlite3 tool to inspect databases,
# git, hyperfine for the real-harness test, chromium for the dashboards in a
# real browser, clang and its libFuzzer for the fuzz targets, valgrind, wrk for
# make load). deps installs both, deps-build (what the GitHub Action runs)
# the first only. Idempotent: installs only what is missing, and says nothing
# when nothing is.
BUILD_PKGS = gcc make pkg-config libmicrohttpd-dev libcjson-dev libsqlite3-dev nettle-dev \
             libcurl4-openssl-dev gnuplot-nox
TEST_PKGS  = libcmocka-dev bats sqlite3 git hyperfine curl python3-jsonschema chromium \
             clang libclang-rt-14-dev valgrind wrk
SUDO       = $(shell [ "$$(id -u)" = 0 ] || echo sudo)
deps:
	@$(MAKE) --no-print-directory install-pkgs PKGS_WANTED="$(BUILD_PKGS) $(TEST_PKGS)"
deps-build:
	@$(MAKE) --no-print-directory install-pkgs PKGS_WANTED="$(BUILD_PKGS)"
install-pkgs:
	@missing=$$(for p in $(PKGS_WANTED); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
	    echo "make deps: installing" $$missing; \
	    $(SUDO) apt-get update -qq && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive \
	        apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(BUILD)/tests/fuzz_%: $(wildcard tests/fuzz/*.c) tests/fuzz/fuzz.h $(BUILD)/libbenchgate.a
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) $(call fuzz_defs,$*) -o $@ $(call fuzz_src,$*) \
	    tests/fuzz/replay.c $(BUILD)/libbenchgate.a $(LDFLAGS) $(LDLIBS)

# libFuzzer builds (clang), in their own folder: make fuzz, then run one as
# build-fuzz/fuzz/fuzz-go CORPUS_DIR SEED_DIR...; make fuzz-smoke runs each
# for FUZZ_SECONDS and prints executions per target.
FUZZ_BUILD   = build-fuzz
FUZZ_SECONDS ?= 20
FUZZ_BINS    = $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz/fuzz-%)
fuzz:
	$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang SANITIZE=address,undefined \
	    CFLAGS='-O1 -g -fsanitize=fuzzer-no-link' $(FUZZ_BINS)

$(FUZZ_BUILD)/fuzz/fuzz-%: $(wildcard tests/fuzz/*.c) tests/fuzz/fuzz.h $(BUILD)/libbenchgate.a
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) $(call fuzz_defs,$*) -fsanitize=fuzzer -o $@ \
	    $(call fuzz_src,$*) $(BUILD)/libbenchgate.a $(LDFLAGS) $(LDLIBS)

fuzz-smoke: fuzz
	sh tests/fuzz/smoke.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) \
	    $(foreach t,$(FUZZ_TARGETS),$(t)=$(subst $(eval) ,:,$(strip $(SEEDS_$(t)))))

# Test tools: programs the end-to-end tests run (seeded synthetic runs).
$(BUILD)/tests/synth: tests/tools/synth.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) -o $@ $< $(LDFLAGS) -lm

test: $(BUILD)/benchgate $(UNIT_TESTS) $(BUILD)/tests/synth
	BENCHGATE=$(CURDIR)/$(BUILD)/benchgate SYNTH=$(CURDIR)/$(BUILD)/tests/synth \
	    BUILD=$(CURDIR)/$(BUILD) sh tests/run.sh $(UNIT_TESTS)

asan:
	$(MAKE) BUILD=build-asan SANITIZE=address,undefined CFLAGS='-O1 -g' test

# The unit tests, the fuzz replays and the command-line end-to-end tests under
# valgrind's memcheck: any leak or memory error fails. (The server's tests and
# the gate's statistical ones stay with make asan: under memcheck, timeouts
# would measure valgrind, and 20 seeds of bootstraps take most of an hour.)
VALGRIND = valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect \
           --errors-for-leak-kinds=definite,indirect --error-exitcode=99
VG_E2E   = tests/e2e/t0*.bats tests/e2e/t1*.bats tests/e2e/t2[0-4]*.bats
valgrind:
	$(MAKE) --no-print-directory BUILD=build-vg CFLAGS='-O1 -g' valgrind-run
valgrind-run: $(BUILD)/benchgate $(UNIT_TESTS) $(BUILD)/tests/synth
	TEST_WRAPPER="$(VALGRIND)" VALGRIND_BENCHGATE=$(CURDIR)/$(BUILD)/benchgate \
	    BENCHGATE=$(CURDIR)/tests/tools/valgrind-benchgate.sh E2E="$(VG_E2E)" \
	    SYNTH=$(CURDIR)/$(BUILD)/tests/synth BUILD=$(CURDIR)/$(BUILD) sh tests/run.sh $(UNIT_TESTS)

bench: $(BUILD)/benchgate $(BUILD)/tests/synth
	BENCHGATE=$(CURDIR)/$(BUILD)/benchgate SYNTH=$(CURDIR)/$(BUILD)/tests/synth sh bench/run.sh

# A minute of mixed uploads and page views on loopback; fails on errors or RSS growth.
load: $(BUILD)/benchgate $(BUILD)/tests/synth
	BENCHGATE=$(CURDIR)/$(BUILD)/benchgate SYNTH=$(CURDIR)/$(BUILD)/tests/synth sh bench/load.sh

# The tour: sample runs, the gate's verdict, then the dashboards on loopback
# until Ctrl-C (DEMO_LISTEN=127.0.0.1:0 for any free port, DEMO_SERVE=no to
# stop after the verdict).
demo: benchgate
	DEMO_LISTEN="$(DEMO_LISTEN)" DEMO_SERVE="$(DEMO_SERVE)" sh samples/demo.sh ./benchgate

clean:
	rm -rf build build-asan build-vg $(FUZZ_BUILD) benchgate demo.db demo.db-wal demo.db-shm

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
