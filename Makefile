# hallq — build, run, test.  `make run` and `make check` set up what is
# missing on a Debian 12 machine (as root) before they build.
CC	?= cc
PKGS	 = libevent libevent_pthreads libevent_openssl openssl libmosquitto libwebsockets jansson sqlite3 libserialport
WARN	 = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	   -Wformat=2 -Wno-format-nonliteral
ifeq ($(CI),true)
WARN	+= -Werror
endif
CFLAGS	?= -O2 -g
XCFLAGS	 = -std=gnu11 $(WARN) -D_GNU_SOURCE -pthread
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LDLIBS	+= $(PKG_LIBS) -pthread -lm
BUILD	?= build
VERSION	:= $(shell cat VERSION)
VOICE_DIR   = web/voice
VOICE_STAMP = $(VOICE_DIR)/.made
NPM_STAMP = node_modules/.package-lock.json
VENDOR	  = web/vendor/uPlot.iife.min.js web/vendor/uPlot.min.css
FONT	  = web/fonts/hallq-sc.woff2
PY	 = /usr/bin/python3

DEBS	 = gcc make pkg-config libevent-dev libwebsockets-dev libjansson-dev \
	   libsqlite3-dev libserialport-dev sqlite3 socat curl \
	   python3-websockets python3-serial python3-pymodbus espeak-ng chromium \
	   fonts-noto-cjk python3-fonttools python3-brotli kannel kannel-extras libssl-dev openssl \
	   mosquitto mosquitto-clients libmosquitto-dev python3-paho-mqtt python3-prometheus-client \
	   dpkg-dev adduser procps systemd iproute2

CORE_SRC = daemon/util.c daemon/config.c daemon/config_dev.c daemon/config_hours.c daemon/config_notify.c daemon/config_uplink.c daemon/config_staffing.c daemon/config_backup.c daemon/calendar.c daemon/jsonpos.c daemon/dispatch.c daemon/estimate.c \
	   daemon/store.c daemon/event.c daemon/hall.c daemon/ticket.c daemon/window.c \
	   daemon/view.c daemon/cmd.c daemon/cmd_ticket.c daemon/cmd_window.c \
	   daemon/cmd_hall.c daemon/audit.c daemon/confedit.c daemon/hours.c daemon/appt.c daemon/share.c daemon/notify.c daemon/sha256.c daemon/casefsm.c daemon/cases.c daemon/staffing.c daemon/project.c daemon/advice.c daemon/metrics.c daemon/bridge.c daemon/api.c \
	   daemon/transport.c displays/voice.c
DEVICE_SRC = daemon/devices.c daemon/devproto.c displays/text.c displays/pad.c \
	   displays/receipt.c protocols/bx.c protocols/ft12.c protocols/modbus.c \
	   protocols/escpos.c protocols/ev1527.c
DAEMON_SRC = $(CORE_SRC) $(DEVICE_SRC) daemon/outbox.c daemon/report.c daemon/backup.c daemon/uplink.c daemon/gate.c daemon/web.c daemon/main.c \
	   sim/sim.c sim/stats.c sim/plan.c sim/plan_job.c
DAEMON_OBJ = $(DAEMON_SRC:%.c=$(BUILD)/%.o)

UNIT	 = dispatch config store event hall ticket api bridge transport text voice gate
UNIT	+= pad receipt devproto calendar share sha256 casefsm staffing sim plan metrics
# Pure codecs of protocols/: each tested alone once its test exists.
CODECS	 = bx ft12 modbus escpos ev1527
UNIT	+= $(foreach c,$(CODECS),$(if $(wildcard tests/unit/test_$(c).c),$(c)))
UNIT_BIN = $(UNIT:%=$(BUILD)/tests/unit/test_%)

.PHONY: all run check test unit simtest e2e jstest browser sanitize bench fuzz clean deps deb debtest

all: $(BUILD)/hallqd $(BUILD)/hallq-sim $(VOICE_STAMP) $(VENDOR) $(FONT)

# From npm, pinned by package-lock.json: uPlot for the dashboard (copied into
# web/vendor/) and playwright-core for the browser tests (it drives Debian's
# chromium; it never downloads a browser).
$(NPM_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $@
web/vendor/%: $(NPM_STAMP)
	@mkdir -p web/vendor
	cp node_modules/uplot/dist/$* $@

# The default voice clips (espeak-ng), served as /voice/; a hall may put
# recorded clips of the same names in voice.dir instead.
$(VOICE_STAMP): tools/mkvoice.sh displays/voice.c
	sh tools/mkvoice.sh $(VOICE_DIR)
	@touch $@

# The pages' font, served as /fonts/: Noto Sans CJK SC Regular (Debian's
# fonts-noto-cjk) cut to GB2312 and every character of the pages and of
# etc/hallq.json, woff2 (tools/mkfont.py; not cut again when those characters
# are unchanged).
$(FONT): tools/mkfont.py $(wildcard web/*.html web/*.css web/*.js web/lib/*.js) etc/hallq.json
	$(PY) tools/mkfont.py -o $@

$(BUILD)/%.o: %.c $(wildcard daemon/*.h protocols/*.h displays/*.h sim/*.h) tests/unit/t.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(XCFLAGS) $(PKG_CFLAGS) -Idaemon -Iprotocols -Idisplays -Isim -c -o $@ $<
# GET /api/status's version: the one in VERSION (the package's too).
$(BUILD)/daemon/cmd_hall.o: VERSION
$(BUILD)/daemon/cmd_hall.o: XCFLAGS += -DHALL_VERSION='"$(VERSION)"'

$(BUILD)/hallqd: $(DAEMON_OBJ)
	$(CC) $(CFLAGS) $(XCFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

# Each unit test links its own module and the few it stands on.
UNIT_DEPS_dispatch = daemon/dispatch.c daemon/estimate.c daemon/util.c
UNIT_DEPS_config   = daemon/config.c daemon/config_dev.c daemon/jsonpos.c daemon/dispatch.c daemon/util.c daemon/config_hours.c daemon/config_notify.c daemon/config_uplink.c daemon/config_staffing.c daemon/config_backup.c daemon/calendar.c \
		     daemon/transport.c
UNIT_DEPS_store    = daemon/store.c daemon/util.c
UNIT_DEPS_event    = daemon/event.c daemon/store.c daemon/util.c
UNIT_DEPS_hall     = $(CORE_SRC)
UNIT_DEPS_ticket   = $(CORE_SRC)
UNIT_DEPS_api      = daemon/api.c daemon/util.c
UNIT_DEPS_bridge   = daemon/bridge.c daemon/util.c
UNIT_DEPS_transport = daemon/transport.c daemon/util.c
UNIT_DEPS_text     = displays/text.c
UNIT_DEPS_voice    = displays/voice.c
UNIT_DEPS_gate     = daemon/gate.c daemon/api.c daemon/util.c
UNIT_DEPS_calendar = daemon/calendar.c
UNIT_DEPS_share    = daemon/share.c daemon/util.c
UNIT_DEPS_sha256   = daemon/sha256.c
UNIT_DEPS_casefsm  = daemon/casefsm.c
UNIT_DEPS_staffing = daemon/staffing.c
UNIT_DEPS_metrics  = daemon/metrics.c daemon/util.c
UNIT_DEPS_sim      = sim/sim.c sim/stats.c daemon/dispatch.c daemon/estimate.c daemon/calendar.c daemon/util.c
UNIT_DEPS_plan     = sim/plan.c sim/sim.c sim/stats.c daemon/estimate.c daemon/staffing.c $(UNIT_DEPS_config)
UNIT_DEPS_pad      = displays/pad.c
UNIT_DEPS_receipt  = displays/receipt.c displays/text.c protocols/escpos.c
UNIT_DEPS_devproto = $(CORE_SRC) $(DEVICE_SRC)
UNIT_DEPS_bx       = protocols/bx.c
UNIT_DEPS_ft12     = protocols/ft12.c
UNIT_DEPS_modbus   = protocols/modbus.c
UNIT_DEPS_escpos   = protocols/escpos.c
UNIT_DEPS_ev1527   = protocols/ev1527.c

# The object list is a function: a '%' written in a pattern rule's
# prerequisites is replaced by the stem, which would turn the patsubst into a
# no-op and link the .c files instead of the objects.
unit_objs = $(patsubst %.c,$(BUILD)/%.o,$(UNIT_DEPS_$(1)))

# Keep the test objects: make would otherwise delete them as intermediates.
.SECONDARY:
.SECONDEXPANSION:
$(BUILD)/tests/unit/test_%: $(BUILD)/tests/unit/test_%.o $$(call unit_objs,$$*)
	$(CC) $(CFLAGS) $(XCFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

# hallq-sim: the same dispatcher, rule, estimator, staffing formulas and
# config parser as hallqd (sim/README.md).
SIM_SRC	 = sim/main.c sim/sim.c sim/stats.c sim/plan.c daemon/estimate.c daemon/staffing.c $(UNIT_DEPS_config)
$(BUILD)/hallq-sim: $(patsubst %.c,$(BUILD)/%.o,$(SIM_SRC))
	$(CC) $(CFLAGS) $(XCFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

# Set up what is missing: Debian packages (as root), nothing else.
deps:
	@missing=""; for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	command -v npm >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "run as root, or: apt-get install$$missing" >&2; exit 1; fi; \
	fi

# The Debian package build/hallq_VERSION_ARCH.deb (packaging/deb/, README
# "The Debian package"), from the normal build.
deb: deps
	$(MAKE) all
	sh packaging/deb/mkdeb.sh $(BUILD) $(VERSION)

# The demo hall at any hour: its opening hours are shown but not enforced
# (-a), so a newcomer can take numbers at night; HOURS=1 enforces them (the
# kiosk then says when the hall opens).
RUN_FLAGS = $(if $(HOURS),,-a)
run: deps
	$(MAKE) all
	@mkdir -p var
	@echo "hallq: the demo hall on http://127.0.0.1:8080/ $(if $(HOURS),(opening hours enforced),(opening hours shown but not enforced; make run HOURS=1 enforces them))"
	$(BUILD)/hallqd -d $(RUN_FLAGS) -f etc/hallq.json

unit: $(UNIT_BIN)
	@fail=0; for t in $(UNIT_BIN); do $$t || fail=1; done; exit $$fail

# The tests' own ESC/POS decoder (npm's npos, pinned by its lockfile).
ESCPOS_STAMP = tests/escpos/node_modules/.package-lock.json
$(ESCPOS_STAMP): tests/escpos/package-lock.json tests/escpos/package.json
	npm ci --prefix tests/escpos --omit=optional --ignore-scripts --no-audit --no-fund
	@touch $@

e2e: $(BUILD)/hallqd $(VOICE_STAMP) $(ESCPOS_STAMP)
	HALLQD=$(abspath $(BUILD)/hallqd) $(PY) tests/e2e/run.py

# Page logic under node's own test runner; the pages in Debian's chromium.
jstest: $(NPM_STAMP)
	node --test tests/js/

browser: $(BUILD)/hallqd $(VOICE_STAMP) $(VENDOR) $(FONT) $(NPM_STAMP)
	HALLQD=$(abspath $(BUILD)/hallqd) node --test --test-concurrency=1 tests/browser/

# The simulator against queueing theory and on the demo hall (seconds).
simtest: $(BUILD)/hallq-sim
	HALLQ_SIM=$(abspath $(BUILD)/hallq-sim) $(PY) tests/sim/test_sim.py

# The Debian package: built, its contents checked, and as root (where no
# hallq package is installed and systemd is not running) installed, started
# as the hallq user in a private network namespace, and purged.
debtest:
	BUILD=$(BUILD) sh tests/deb/test_deb.sh

test: unit simtest e2e jstest browser debtest

check: deps
	$(MAKE) test

# E2E_SANITIZED: tests skip the memory bounds ASan's quarantine would break.
sanitize: deps
	E2E_SANITIZED=1 $(MAKE) BUILD=build-san CC=gcc \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  LDFLAGS="-fsanitize=address,undefined" test

bench: deps
	$(MAKE) all $(BUILD)/bench_store $(BUILD)/bench_dispatch $(BUILD)/bench_events
	$(BUILD)/bench_dispatch
	$(BUILD)/bench_events
	HALLQD=$(abspath $(BUILD)/hallqd) BENCH_STORE=$(abspath $(BUILD)/bench_store) $(PY) tests/bench/bench.py
	HALLQD=$(abspath $(BUILD)/hallqd) $(PY) tests/bench/bench_display.py
	HALLQD=$(abspath $(BUILD)/hallqd) $(PY) tests/bench/bench_edge.py
	HALLQD=$(abspath $(BUILD)/hallqd) $(PY) tests/bench/bench_core.py
	HALLQD=$(abspath $(BUILD)/hallqd) $(PY) tests/bench/bench_appointments.py
	HALLQD=$(abspath $(BUILD)/hallqd) $(PY) tests/bench/bench_notify.py
	HALLQD=$(abspath $(BUILD)/hallqd) $(PY) tests/bench/bench_public.py
	HALLQD=$(abspath $(BUILD)/hallqd) $(PY) tests/bench/bench_reports.py
	HALLQD=$(abspath $(BUILD)/hallqd) $(PY) tests/bench/bench_uplink.py
	HALLQD=$(abspath $(BUILD)/hallqd) $(PY) tests/bench/bench_backup.py
	HALLQD=$(abspath $(BUILD)/hallqd) $(PY) tests/bench/bench_metrics.py
	HALLQ_SIM=$(abspath $(BUILD)/hallq-sim) $(PY) tests/bench/bench_sim.py
	HALLQD=$(abspath $(BUILD)/hallqd) HALLQ_SIM=$(abspath $(BUILD)/hallq-sim) $(PY) tests/bench/bench_staffing.py
	HALLQD=$(abspath $(BUILD)/hallqd) node tests/bench/bench_kiosk_bytes.mjs

$(BUILD)/bench_dispatch: tests/bench/bench_dispatch.c daemon/dispatch.c daemon/estimate.c daemon/util.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(XCFLAGS) -Idaemon -o $@ $^

$(BUILD)/bench_events: tests/bench/bench_events.c daemon/event.c daemon/store.c daemon/util.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(XCFLAGS) $(PKG_CFLAGS) -Idaemon -o $@ $^ $(LDLIBS)

$(BUILD)/bench_store: tests/bench/bench_store.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(XCFLAGS) $(PKG_CFLAGS) -o $@ $< $(LDLIBS)

# libFuzzer: each codec's target runs for FUZZ_SECONDS (clang, libclang-rt).
FUZZ_SECONDS ?= 20
FUZZ_TARGETS = $(foreach c,$(CODECS),$(if $(wildcard tests/fuzz/fuzz_$(c).c),$(c)))
fuzz:
	@for p in clang libclang-rt-14-dev; do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
	  grep -q "ok installed" || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$p; }; done
	@mkdir -p $(BUILD)/fuzz
	@set -e; for t in $(FUZZ_TARGETS); do \
	  clang -g -O1 -fsanitize=fuzzer,address,undefined -Iprotocols -o $(BUILD)/fuzz/fuzz_$$t \
	    tests/fuzz/fuzz_$$t.c protocols/$$t.c; \
	  mkdir -p $(BUILD)/fuzz/corpus_$$t; \
	  if ! $(BUILD)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    $(BUILD)/fuzz/corpus_$$t tests/fuzz/seeds_$$t > $(BUILD)/fuzz/fuzz_$$t.log 2>&1; then \
	    tail -30 $(BUILD)/fuzz/fuzz_$$t.log; echo "fuzz_$$t: FAILED" >&2; exit 1; fi; \
	  echo "fuzz_$$t: clean"; tail -3 $(BUILD)/fuzz/fuzz_$$t.log; \
	done

clean:
	rm -rf build build-san
