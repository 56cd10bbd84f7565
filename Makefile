# benchgate: a plain Makefile.
#
#   make            build ./benchgate
#   make deps       install the Debian packages needed to build and test (as root)
#   make test       every test: C unit tests (cmocka) and end-to-end tests (bats)
#   make asan       the same tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make bench      benchmarks, each reported as a ratio to a reference run alongside
#   make demo       collect two sample runs into a fresh demo database and check them
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
           core/spawn.c core/env.c core/store_sqlite.c core/cli.c
COLL_SRC = $(sort $(wildcard collector/*.c))
GATE_SRC = $(sort $(wildcard gate/*.c))
SERV_SRC = $(sort $(wildcard server/*.c))
LIB_SRC  = $(CORE_SRC) $(COLL_SRC) $(GATE_SRC) $(SERV_SRC)
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/migrations.o $(BUILD)/web.o
MIGRATIONS = $(sort $(wildcard schemas/migrations/*.sql))

UNIT_TESTS = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))

.PHONY: all deps deps-build install-pkgs test asan bench demo clean
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
# real browser). deps installs both, deps-build (what the GitHub Action runs)
# the first only. Idempotent: installs only what is missing, and says nothing
# when nothing is.
BUILD_PKGS = gcc make pkg-config libmicrohttpd-dev libcjson-dev libsqlite3-dev nettle-dev \
             libcurl4-openssl-dev gnuplot-nox
TEST_PKGS  = libcmocka-dev bats sqlite3 git hyperfine curl python3-jsonschema chromium
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

# Test tools: programs the end-to-end tests run (seeded synthetic runs).
$(BUILD)/tests/synth: tests/tools/synth.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) -o $@ $< $(LDFLAGS) -lm

test: $(BUILD)/benchgate $(UNIT_TESTS) $(BUILD)/tests/synth
	BENCHGATE=$(CURDIR)/$(BUILD)/benchgate SYNTH=$(CURDIR)/$(BUILD)/tests/synth \
	    BUILD=$(CURDIR)/$(BUILD) sh tests/run.sh $(UNIT_TESTS)

asan:
	$(MAKE) BUILD=build-asan SANITIZE=address,undefined CFLAGS='-O1 -g' test

bench: $(BUILD)/benchgate $(BUILD)/tests/synth
	BENCHGATE=$(CURDIR)/$(BUILD)/benchgate SYNTH=$(CURDIR)/$(BUILD)/tests/synth sh bench/run.sh

# The tour: sample runs, the gate's verdict, then the dashboards on loopback
# until Ctrl-C (DEMO_LISTEN=127.0.0.1:0 for any free port, DEMO_SERVE=no to
# stop after the verdict).
demo: benchgate
	DEMO_LISTEN="$(DEMO_LISTEN)" DEMO_SERVE="$(DEMO_SERVE)" sh samples/demo.sh ./benchgate

clean:
	rm -rf build build-asan benchgate demo.db demo.db-wal demo.db-shm

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
