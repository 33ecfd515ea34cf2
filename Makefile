# tiendo - one non-recursive Makefile.
#
#   make            build everything into build/
#   make run        build, start tiendod on the example plan with demo communes
#   make test       unit and integration tests (prints "N passed, N failed")
#   make bench      benchmarks, which print numbers
#   make chaos      the long crash test: 120 daemon SIGKILLs under load
#   make install    PREFIX=/usr/local DESTDIR=
#   make SAN=1 ...  the same with ASan and UBSan, into build-san/
#   make fuzz       libFuzzer targets (clang, ASan, UBSan) into build-fuzz/,
#                   each run for FUZZ_SECONDS (default 300)
#   make mutate     mutation testing (long, not in make test): MUTANTS=N
#                   (default 60) or all; tests/mutate/mutate.py
#
# Layout: core/*.c is the pure library shared by everyone; daemon/*.c but
# main.c is tiendod's library; clients/tiendo-X.c is the main of program
# tiendo-X and the other clients/*.c are shared by the clients; every
# tests/unit/test_*.c is one cmocka program; tests/tools/*.c and
# tests/bench/*.c are one program each.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
DATADIR ?= $(PREFIX)/share
SYSCONFDIR ?= /etc
MANDIR ?= $(DATADIR)/man
DOCDIR ?= $(DATADIR)/doc/tiendo
UNITDIR ?= $(PREFIX)/lib/systemd/system
DESTDIR ?=

VERSION := 0.1.0

ifeq ($(SAN),1)
B ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
B ?= build
SANFLAGS :=
endif

# libFuzzer: everything instrumented for coverage, the fuzzers linked with
# the fuzzer's main (tests/fuzz/fuzz_*.c).
ifeq ($(FUZZ),1)
B := build-fuzz
CC := clang
SANFLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
endif

CC ?= cc
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(SANFLAGS) -D_GNU_SOURCE \
	-DTIENDO_VERSION='"$(VERSION)"' -Icore -Idaemon -Iclients -I$(B)/proto \
	$(shell cat $(B)/pkg.cflags 2>/dev/null)
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)
LIBS = $(shell cat $(B)/pkg.libs 2>/dev/null) -lm
TEST_LIBS = $(shell cat $(B)/pkg-test.libs 2>/dev/null)

PKGS := libzmq libevent libevent_pthreads sqlite3 libprotobuf-c libsystemd jansson inih \
	xlsxwriter libsodium libpq

CORE_SRC := $(wildcard core/*.c)
DAEMON_SRC := $(filter-out daemon/main.c,$(wildcard daemon/*.c))
CLIENT_MAINS := $(wildcard clients/tiendo-*.c)
CLIENT_SRC := $(filter-out $(CLIENT_MAINS),$(wildcard clients/*.c))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
TOOL_SRC := $(wildcard tests/tools/*.c)
BENCH_SRC := $(wildcard tests/bench/*.c)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_SECONDS ?= 300

PROTO_C := $(B)/proto/tiendo.pb-c.c
PROTO_H := $(B)/proto/tiendo.pb-c.h

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))

LIB_CORE := $(B)/libtiendo-core.a
LIB_DAEMON := $(B)/libtiendo-daemon.a
LIB_CLIENT := $(B)/libtiendo-client.a

DAEMON := $(B)/tiendod
CLIENTS := $(patsubst clients/%.c,$(B)/%,$(CLIENT_MAINS))
UNITS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
TOOLS := $(patsubst tests/tools/%.c,$(B)/tools/%,$(TOOL_SRC))
BENCHES := $(patsubst tests/bench/%.c,$(B)/bench/%,$(BENCH_SRC))
FUZZERS := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(FUZZ_SRC))

.PHONY: all deps test-deps run test unit tools bench chaos install uninstall clean \
	fuzz fuzzers
.DEFAULT_GOAL := all
# Keep objects of the program mains: make would delete them as intermediates.
.SECONDARY:

all: $(DAEMON) $(CLIENTS)

# Debian packages: installed when missing, then pkg-config is asked once.
# The fuzz build compiles everything with clang, a test package.
$(B)/pkg.cflags: scripts/deps.sh
	@mkdir -p $(B)
	@sh scripts/deps.sh $(if $(filter 1,$(FUZZ)),test,build)
	@pkg-config --cflags $(PKGS) > $@.tmp && mv $@.tmp $@
$(B)/pkg.libs: $(B)/pkg.cflags
	@pkg-config --libs $(PKGS) > $@.tmp && mv $@.tmp $@
$(B)/pkg-test.libs: $(B)/pkg.cflags
	@sh scripts/deps.sh test
	@pkg-config --libs cmocka > $@.tmp && mv $@.tmp $@
deps: $(B)/pkg.libs
test-deps: $(B)/pkg-test.libs

$(PROTO_C) $(PROTO_H) &: proto/tiendo.proto $(B)/pkg.cflags
	@mkdir -p $(B)/proto
	protoc-c --c_out=$(B)/proto -Iproto proto/tiendo.proto

$(B)/obj/%.o: %.c $(B)/pkg.libs | $(PROTO_H)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

# Every compile that needs a test package (cmocka.h, clang's fuzzer) waits
# for it: a fresh machine, make -j included (tests/integration/test_firstrun.sh).
$(call obj,$(UNIT_SRC) $(FUZZ_SRC)): $(B)/pkg-test.libs

# Generated code is not ours to lint.
$(B)/obj/$(B)/proto/tiendo.pb-c.o: $(PROTO_C) $(B)/pkg.libs
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(CFLAGS) $(SANFLAGS) -I$(B)/proto $(shell cat $(B)/pkg.cflags 2>/dev/null) -c $< -o $@

$(LIB_CORE): $(call obj,$(CORE_SRC)) $(B)/obj/$(B)/proto/tiendo.pb-c.o
	@rm -f $@
	ar rcs $@ $^
# The dashboard: web/ and Debian's Chart.js, compiled into tiendod
# (daemon/http_web.c serves them); generated into $(B), never committed.
CHARTJS ?= /usr/share/javascript/chart.js/chart.min.js
WEB_FILES := $(sort $(wildcard web/*.html web/*.css web/*.js web/*.svg))
WEB_OBJ := $(B)/obj/$(B)/web/assets.o
$(B)/web/assets.c: $(WEB_FILES) scripts/embed-web.sh $(B)/pkg.cflags
	@mkdir -p $(dir $@)
	sh scripts/embed-web.sh $@ $(WEB_FILES) $(CHARTJS)
$(WEB_OBJ): $(B)/web/assets.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(CFLAGS) $(SANFLAGS) -Idaemon -c $< -o $@

$(LIB_DAEMON): $(call obj,$(DAEMON_SRC)) $(WEB_OBJ)
	@rm -f $@
	ar rcs $@ $^ $(if $^,,)
$(LIB_CLIENT): $(call obj,$(CLIENT_SRC))
	@rm -f $@
	ar rcs $@ $^

$(DAEMON): $(call obj,daemon/main.c) $(LIB_DAEMON) $(LIB_CORE)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(B)/tiendo-%: $(call obj,clients/tiendo-%.c) $(LIB_CLIENT) $(LIB_CORE)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(B)/tests/%: $(call obj,tests/unit/%.c) $(LIB_DAEMON) $(LIB_CLIENT) $(LIB_CORE) $(B)/pkg-test.libs
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LIBS) $(TEST_LIBS)

$(B)/tools/%: $(call obj,tests/tools/%.c) $(LIB_CLIENT) $(LIB_CORE)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) -lpthread

$(B)/bench/%: $(call obj,tests/bench/%.c) $(LIB_DAEMON) $(LIB_CLIENT) $(LIB_CORE)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) -lpthread

$(B)/fuzz/%: $(call obj,tests/fuzz/%.c) $(LIB_DAEMON) $(LIB_CLIENT) $(LIB_CORE)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS)

unit: $(UNITS)

fuzzers: $(FUZZERS)
fuzz:
	@sh scripts/deps.sh test
	@$(MAKE) --no-print-directory FUZZ=1 fuzzers
	@sh tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

run: all
	@sh scripts/run-demo.sh $(B)

tools: $(TOOLS)

# Every suite twice: as built, and with ASan/UBSan (build-san/).
test: all unit tools
	@$(MAKE) --no-print-directory SAN=1 all unit tools
	@sh scripts/deps.sh test
	@$(MAKE) --no-print-directory FUZZ=1 fuzzers
	@FUZZ_BUILD=build-fuzz sh tests/run.sh $(B) build-san

.PHONY: mutate
mutate:
	@sh scripts/deps.sh test
	@python3 tests/mutate/mutate.py --count $${MUTANTS:-60}

# The broker anchor links libmosquitto, installed for the bench only.
$(B)/pkg-bench.stamp: $(B)/pkg.cflags
	@sh scripts/deps.sh bench
	@touch $@
$(call obj,tests/bench/mqload.c): | $(B)/pkg-bench.stamp
$(B)/bench/mqload: $(call obj,tests/bench/mqload.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lmosquitto -lm

bench: all $(TOOLS) $(B)/pkg-test.libs $(B)/pkg-bench.stamp $(BENCHES)
	@sh tests/bench/run.sh $(B)
	@sh tests/bench/web.sh $(B)

# Knobs: CHAOS_CLIENTS, CHAOS_REPORTS, CHAOS_KILLS (tests/chaos/chaos.sh).
chaos: all $(B)/pkg-test.libs
	@B=$(B) CHAOS_CLIENTS=$${CHAOS_CLIENTS:-8} CHAOS_REPORTS=$${CHAOS_REPORTS:-10000} \
		CHAOS_KILLS=$${CHAOS_KILLS:-120} sh tests/chaos/chaos.sh

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR)
	install -m 755 $(DAEMON) $(DESTDIR)$(SBINDIR)/tiendod
	install -m 755 $(CLIENTS) $(DESTDIR)$(BINDIR)/
	install -d $(DESTDIR)$(DATADIR)/tiendo/examples
	install -m 644 examples/*.ini examples/tiendod.conf $(DESTDIR)$(DATADIR)/tiendo/examples/
	install -d $(DESTDIR)$(SYSCONFDIR)/tiendo
	@# An edited configuration is never overwritten.
	[ -e $(DESTDIR)$(SYSCONFDIR)/tiendo/tiendod.conf ] || \
		install -m 644 examples/tiendod.conf $(DESTDIR)$(SYSCONFDIR)/tiendo/tiendod.conf
	install -d $(DESTDIR)$(UNITDIR)
	sed -e 's|/usr/local/sbin/|$(SBINDIR)/|' -e 's|/usr/local/bin/|$(BINDIR)/|' \
		-e 's|/etc/tiendo/|$(SYSCONFDIR)/tiendo/|' \
		systemd/tiendod.service >$(DESTDIR)$(UNITDIR)/tiendod.service
	chmod 644 $(DESTDIR)$(UNITDIR)/tiendod.service
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 644 man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 man/*.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 644 man/*.8 $(DESTDIR)$(MANDIR)/man8/
	install -d $(DESTDIR)$(DOCDIR)
	install -m 644 README.md proto/PROTOCOL.md $(DESTDIR)$(DOCDIR)/

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/tiendod $(patsubst $(B)/%,$(DESTDIR)$(BINDIR)/%,$(CLIENTS))
	rm -rf $(DESTDIR)$(DATADIR)/tiendo
	rm -f $(DESTDIR)$(UNITDIR)/tiendod.service
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/man1/%,$(wildcard man/*.1))
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/man5/%,$(wildcard man/*.5))
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/man8/%,$(wildcard man/*.8))
	rm -rf $(DESTDIR)$(DOCDIR)

clean:
	rm -rf build build-san build-fuzz run

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
