# SPDX-License-Identifier: GPL-2.0-or-later
# hbmgw: one Makefile for the daemon, the CLI, the tests and the benchmarks.
# Every library comes through pkg-config. `make V=1` shows the commands.

VERSION := 0.1.0
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
SYSCONFDIR ?= /etc
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= /lib/systemd/system
SYSUSERSDIR ?= /usr/lib/sysusers.d
STATEDIR ?= /var/lib/hbmgw
DESTDIR ?=

CC ?= cc
PKG_CONFIG ?= pkg-config
BUILD ?= build
WERROR ?= 1
SANITIZE ?= 0

PKGS := libmicrohttpd hiredis gammu libconfig jansson libcurl libcrypto \
	libsystemd libcrypt
TEST_PKGS := cmocka

WARN := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wpointer-arith -Wcast-qual -Wwrite-strings \
	-Wvla -Wimplicit-fallthrough
ifeq ($(WERROR),1)
WARN += -Werror
endif

# Library headers are system headers: their warnings are not ours.
pkg_cflags = $(patsubst -I%,-isystem %,$(shell $(PKG_CONFIG) --cflags $(1)))

ifeq ($(SANITIZE),1)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all
LDOPT := -fsanitize=address,undefined
else ifeq ($(SANITIZE),fuzz)
# `make fuzz`: clang instruments everything; fuzz targets link libFuzzer.
OPT := -O1 -g -fno-omit-frame-pointer \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
LDOPT := -fsanitize=address,undefined
FUZZ_LDOPT := -fsanitize=fuzzer
else
OPT := -O2 -g -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
LDOPT := -pie -Wl,-z,relro,-z,now
endif

CPPFLAGS += -I. -iquote $(BUILD)/gen -DHBM_VERSION='"$(VERSION)"'
CFLAGS ?=
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) -MMD -MP \
	$(call pkg_cflags,$(PKGS)) $(CFLAGS)
# Snowball's libstemmer has no pkg-config file (libstemmer-dev).
LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS)) -lstemmer -lpthread -lm
TEST_LIBS := $(shell $(PKG_CONFIG) --libs $(TEST_PKGS))

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-6s %s\n' $(1) $(2)
endif

LIB_SRCS := $(filter-out gateway/main.c, \
	$(wildcard lib/*.c store/*.c gateway/*.c handlers/*.c modem/*.c config/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIBHBM := $(BUILD)/libhbm.a

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRCS := $(wildcard tests/tools/*.c)
TOOL_BINS := $(TOOL_SRCS:tests/tools/%.c=$(BUILD)/tests/%)
# Fuzz targets (tests/fuzz/fuzz_<name>.c, seeds in tests/fuzz/corpus/<name>/)
# link tests/fuzz/driver.c, which replays a corpus, unless built for libFuzzer.
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES := $(FUZZ_SRCS:tests/fuzz/fuzz_%.c=%)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/tests/%)
FUZZ_MAIN := $(if $(FUZZ_LDOPT),,$(BUILD)/tests/fuzz/driver.o)
FUZZ_SECONDS ?= 10
FUZZ_RUNS ?= 10000000
FUZZ_LONG_SECONDS ?= 0

PROGS := $(BUILD)/hbmgwd $(BUILD)/hbmctl

# Redis Lua: each script store/lua/<name>.lua is the string macro
# LUA_<NAME> of $(BUILD)/gen/lua/<name>.h (tools/lua2c.sh), which C includes
# as "lua/<name>.h"; the fragments of store/lua/lib/ that LUA_NEEDS_<name>
# names come first, in that order.
LUA_SRCS := $(wildcard store/lua/*.lua)
LUA_HDRS := $(LUA_SRCS:store/lua/%.lua=$(BUILD)/gen/lua/%.h)
# Scripts of the unit tests, tests/unit/lua/<name>.lua: "lua/test_<name>.h".
TEST_LUA_SRCS := $(wildcard tests/unit/lua/*.lua)
LUA_HDRS += $(TEST_LUA_SRCS:tests/unit/lua/%.lua=$(BUILD)/gen/lua/test_%.h)
LUA_NEEDS_apply := store/lua/lib/enqueue.lua
LUA_NEEDS_outbox_enqueue := store/lua/lib/enqueue.lua

# The console: each file console/<name> is $(BUILD)/gen/console/<name>.h
# (tools/asset2c.sh: the bytes, a gzip copy, an ETag), and
# $(BUILD)/gen/console/assets.h, which gateway/console.c includes, lists them.
CONSOLE_FILES := $(shell find console -type f | LC_ALL=C sort)
# Chart.js, for the coordinator page, is Debian's (libjs-chart.js), embedded
# as console/vendor/chart.min.js: served by hbmgwd, never from a CDN.
CHARTJS ?= /usr/share/javascript/chart.js/chart.min.js
CONSOLE_VENDOR := vendor/chart.min.js
CONSOLE_NAMES := $(CONSOLE_FILES:console/%=%) $(CONSOLE_VENDOR)
CONSOLE_HDRS := $(CONSOLE_NAMES:%=$(BUILD)/gen/console/%.h)

.PHONY: all check check-lua check-unit check-config check-integration \
	check-asan fuzz fuzz-build fuzz-long \
	run deps deps-test install uninstall unit format format-check clean bench \
	soak deb check-deb

all: $(PROGS)

# Before the first build no .d file says which objects include a script:
# every object waits for them all (order only; then the .d files count).
$(BUILD)/%.o: %.c | $(LUA_HDRS)
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

# Kept, not deleted as intermediate files: objects depend on them.
.SECONDARY: $(LUA_HDRS)
.SECONDEXPANSION:
$(BUILD)/gen/lua/test_%.h: tests/unit/lua/%.lua tools/lua2c.sh
	$(call msg,GEN,$@)
	@mkdir -p $(@D)
	$(Q)sh tools/lua2c.sh test_$* $< > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/lua/%.h: $$(LUA_NEEDS_$$*) store/lua/%.lua tools/lua2c.sh
	$(call msg,GEN,$@)
	@mkdir -p $(@D)
	$(Q)sh tools/lua2c.sh $* $(LUA_NEEDS_$*) store/lua/$*.lua > $@.tmp && \
		mv $@.tmp $@

.SECONDARY: $(CONSOLE_HDRS)
$(BUILD)/gen/console/%.h: console/% tools/asset2c.sh
	$(call msg,GEN,$@)
	@mkdir -p $(@D)
	$(Q)sh tools/asset2c.sh $* $< > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/console/vendor/chart.min.js.h: $(wildcard $(CHARTJS)) tools/asset2c.sh
	$(call msg,GEN,$@)
	@test -r $(CHARTJS) || { echo "$(CHARTJS) is missing:" \
		"apt-get install libjs-chart.js (make deps)"; exit 1; }
	@mkdir -p $(@D)
	$(Q)sh tools/asset2c.sh vendor/chart.min.js $(CHARTJS) > $@.tmp && \
		mv $@.tmp $@

# Rewritten when the list of files changes, not only their bytes.
$(BUILD)/gen/console/assets.h: $(CONSOLE_HDRS) tools/asset2c.sh Makefile
	$(call msg,GEN,$@)
	@mkdir -p $(@D)
	$(Q)sh tools/asset2c.sh -index $(CONSOLE_NAMES) > $@.tmp && mv $@.tmp $@

$(BUILD)/gateway/console.o: $(BUILD)/gen/console/assets.h

$(LIBHBM): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/hbmgwd: $(BUILD)/gateway/main.o $(LIBHBM)
	$(call msg,LD,$@)
	$(Q)$(CC) $(OPT) $(LDOPT) -o $@ $^ $(LIBS)

CTL_SRCS := $(wildcard ctl/*.c)
$(BUILD)/hbmctl: $(CTL_SRCS:%.c=$(BUILD)/%.o) $(LIBHBM)
	$(call msg,LD,$@)
	$(Q)$(CC) $(OPT) $(LDOPT) -o $@ $^ $(LIBS)

$(BUILD)/tests/test_%: $(BUILD)/tests/unit/test_%.o $(LIBHBM)
	$(call msg,LD,$@)
	$(Q)$(CC) $(OPT) $(LDOPT) -o $@ $^ $(LIBS) $(TEST_LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/tools/%.o $(LIBHBM)
	$(call msg,LD,$@)
	$(Q)$(CC) $(OPT) $(LDOPT) -o $@ $^ $(LIBS)

# The simulated AT modem keeps its PDU codec and AT interpreter apart.
$(BUILD)/tests/atsim: $(BUILD)/tests/tools/atsim/pdu.o \
	$(BUILD)/tests/tools/atsim/modem.o

$(BUILD)/tests/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_MAIN) $(LIBHBM)
	$(call msg,LD,$@)
	$(Q)$(CC) $(OPT) $(LDOPT) $(FUZZ_LDOPT) -o $@ $^ $(LIBS)

# The build and test packages are installed first when missing (Debian).
deps:
	@tools/deps.sh build

deps-test:
	@tools/deps.sh test

check: deps-test
	@$(MAKE) --no-print-directory all tests
	@tests/run.sh $(BUILD)

tests: $(PROGS) $(UNIT_BINS) $(TOOL_BINS) $(FUZZ_BINS)

# luacheck over store/lua/ (.luacheckrc): Redis' Lua 5.1 and its globals.
check-lua:
	@tests/run.sh $(BUILD) lua

check-unit: $(UNIT_BINS)
	@tests/run.sh $(BUILD) unit

check-config: $(BUILD)/hbmgwd
	@tests/run.sh $(BUILD) config

check-integration: $(PROGS) $(TOOL_BINS)
	@tests/run.sh $(BUILD) integration

check-asan: deps-test
	@$(MAKE) --no-print-directory BUILD=build-asan SANITIZE=1 all tests
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	 tests/run.sh build-asan

run:
	@tools/deps.sh run
	@$(MAKE) --no-print-directory all
	@tools/run-dev.sh $(BUILD)

bench:
	@tools/deps.sh bench
	@$(MAKE) --no-print-directory all $(BUILD)/tests/atsim
	@bench/run.sh $(if $(BENCH_BASE),--base $(BENCH_BASE)) $(BUILD)
	@bench/modem.sh $(BUILD)
	@bench/durable.sh $(BUILD)

# The fault suite (tests/soak/): about 10 minutes on loopback, one table.
soak: deps-test
	@$(MAKE) --no-print-directory all
	@tests/soak/soak.sh full $(BUILD)

# The systemd unit as `make install` writes it (SBINDIR filled in);
# `make unit` leaves it in $(BUILD)/hbmgwd.service (tests/integration/t_unit.sh).
render_unit = sed 's|@SBINDIR@|$(SBINDIR)|g' systemd/hbmgwd.service.in

unit:
	@mkdir -p $(BUILD)
	$(Q)$(render_unit) > $(BUILD)/hbmgwd.service

# Without DESTDIR (not packaging), install also creates the hbmgw user
# (systemd-sysusers) and the privacy key hbmgwd requires, $(STATEDIR)/key,
# with hbmgwd --gen-key as that user (mode 0600), unless one exists.
install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
		$(DESTDIR)$(SYSCONFDIR)/hbmgw $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 755 $(BUILD)/hbmgwd $(DESTDIR)$(SBINDIR)/hbmgwd
	install -m 755 $(BUILD)/hbmctl $(DESTDIR)$(BINDIR)/hbmctl
	install -m 644 config/hbmgw.conf.example \
		$(DESTDIR)$(SYSCONFDIR)/hbmgw/hbmgw.conf.example
	$(render_unit) > $(DESTDIR)$(UNITDIR)/hbmgwd.service
	chmod 644 $(DESTDIR)$(UNITDIR)/hbmgwd.service
	install -m 644 systemd/hbmgw.sysusers $(DESTDIR)$(SYSUSERSDIR)/hbmgw.conf
	install -m 644 man/hbmctl.1 $(DESTDIR)$(MANDIR)/man1/hbmctl.1
	install -m 644 man/hbmgw.conf.5 $(DESTDIR)$(MANDIR)/man5/hbmgw.conf.5
	install -m 644 man/hbmgwd.8 $(DESTDIR)$(MANDIR)/man8/hbmgwd.8
	@if [ -z "$(DESTDIR)" ]; then \
		if command -v systemd-sysusers >/dev/null 2>&1; then \
			systemd-sysusers $(SYSUSERSDIR)/hbmgw.conf; fi; \
		tools/install-key.sh $(SBINDIR)/hbmgwd $(STATEDIR)/key hbmgw; \
	fi

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/hbmgwd $(DESTDIR)$(BINDIR)/hbmctl \
		$(DESTDIR)$(UNITDIR)/hbmgwd.service \
		$(DESTDIR)$(SYSUSERSDIR)/hbmgw.conf \
		$(DESTDIR)$(MANDIR)/man1/hbmctl.1 \
		$(DESTDIR)$(MANDIR)/man5/hbmgw.conf.5 \
		$(DESTDIR)$(MANDIR)/man8/hbmgwd.8

FORMAT_SRCS = $(wildcard store/*.[ch] lib/*.[ch] gateway/*.[ch] handlers/*.[ch] modem/*.[ch] \
	config/*.[ch] ctl/*.[ch] tests/unit/*.[ch] tests/tools/*.[ch] \
	tests/tools/atsim/*.[ch] tests/fuzz/*.[ch] bench/*.[ch])

format:
	clang-format -i $(FORMAT_SRCS)

format-check:
	@clang-format --dry-run --Werror $(FORMAT_SRCS) && echo "format OK"

# Each fuzz target under libFuzzer for FUZZ_SECONDS (fuzz-long: FUZZ_RUNS
# executions, capped at FUZZ_LONG_SECONDS when set), from its seed corpus;
# what it finds is kept in build-fuzz/corpus/<name>/, crashes in
# build-fuzz/artifacts/<name>/ (tests/fuzz/run.sh, docs/fuzzing.md).
fuzz-build:
	@command -v clang >/dev/null || { echo "make fuzz: needs clang"; exit 1; }
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang SANITIZE=fuzz \
		WERROR=0 $(FUZZ_NAMES:%=build-fuzz/tests/fuzz_%)

fuzz: fuzz-build
	@tests/fuzz/run.sh -t $(FUZZ_SECONDS) $(FUZZ_NAMES)

fuzz-long: fuzz-build
	@tests/fuzz/run.sh -r $(FUZZ_RUNS) -t $(FUZZ_LONG_SECONDS) $(FUZZ_NAMES)

# `make deb`: the Debian package, built by Debian's tools (debian/) from a
# copy of the tree in build-pkg/, then checked by lintian (no errors).
DEB := build-pkg/hbmgw_$(VERSION)-1_$(shell dpkg --print-architecture 2>/dev/null).deb
deb:
	rm -rf build-pkg && mkdir -p build-pkg/hbmgw-$(VERSION)
	tar --exclude='./build*' --exclude=./run --exclude=./.git -cf - . | \
		tar -xf - -C build-pkg/hbmgw-$(VERSION)
	cd build-pkg/hbmgw-$(VERSION) && dpkg-buildpackage -us -uc -b
	lintian --fail-on error --suppress-tags-from-file debian/lintian-ignore \
		$(DEB)
	@echo "deb: $(DEB)"

# Build it, install it on this machine, run it, remove and purge it (as
# root: it changes the system; tests/deb/t_deb.sh says what it checks).
check-deb: deb
	tests/deb/t_deb.sh $(DEB)

clean:
	@for d in build-bench-base/src-*; do \
	  [ ! -d "$$d" ] || git worktree remove --force "$$d" 2>/dev/null || :; \
	done
	rm -rf build build-asan build-clang build-fuzz build-pkg build-bench-base

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
