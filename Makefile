# staatsprint – build, run, test, bench, fuzz.
# Every dependency through pkg-config (libstemmer has no .pc file: -lstemmer).

CC      ?= cc
PKGS    := libwebsockets jansson sqlite3 libsodium libuv libutf8proc cairo pangocairo libqrencode libpq
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lstemmer -lpthread -lm
WARN    := -std=c17 -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes
DEFS    := -D_DEFAULT_SOURCE -D_GNU_SOURCE
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
BASE_CFLAGS := $(WARN) $(DEFS) -DSP_VERSION='"$(VERSION)"' -Isrc -Ibuild/gen $(PKG_CFLAGS) -MMD -MP

PORT ?= 8080
DB   ?= staatsprint.db

SRC      := $(shell find src -name '*.c' ! -name main.c | sort)
WEB      := $(shell find web data -type f ! -path 'data/eval/*' ! -name '*.md' ! -name 'package.json' | sort)
UNIT     := $(sort $(wildcard tests/unit/test_*.c))

# Two flavours: release (-O2) and asan (ASan + UBSan, used by every test).
REL_DIR  := build/rel
ASAN_DIR := build/asan
REL_CFLAGS  := $(BASE_CFLAGS) -O2 -g
ASAN_CFLAGS := $(BASE_CFLAGS) -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all

REL_OBJ  := $(SRC:%.c=$(REL_DIR)/%.o) $(REL_DIR)/gen/embedded.o
ASAN_OBJ := $(SRC:%.c=$(ASAN_DIR)/%.o) $(ASAN_DIR)/gen/embedded.o
UNIT_BIN := $(UNIT:tests/unit/%.c=$(ASAN_DIR)/tests/%)

.PHONY: all build asan run test unit integration e2e deps deps-test bench bench-sendq bench-fsync fuzz \
        clean screenshots

all: build
build: build/staatsprint
asan: $(ASAN_DIR)/staatsprint

deps:
	@scripts/deps --build
deps-test:
	@scripts/deps --test

build/staatsprint: $(REL_OBJ) $(REL_DIR)/src/main.o
	$(CC) -o $@ $^ $(PKG_LIBS)

$(ASAN_DIR)/staatsprint: $(ASAN_OBJ) $(ASAN_DIR)/src/main.o
	$(CC) -fsanitize=address,undefined -o $@ $^ $(PKG_LIBS)

$(REL_DIR)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"; $(CC) $(REL_CFLAGS) -c -o $@ $<
$(ASAN_DIR)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC(asan) $<"; $(CC) $(ASAN_CFLAGS) -c -o $@ $<

# web/ and data/ are embedded in the binary: a generated C file holds them.
build/embed: tools/embed.c
	@mkdir -p build
	$(CC) -std=c17 -Wall -Wextra -Werror -O1 -o $@ $<
build/gen/embedded.c: build/embed $(WEB)
	@mkdir -p build/gen
	build/embed $(WEB) > $@.tmp && mv $@.tmp $@
$(REL_DIR)/gen/embedded.o: build/gen/embedded.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"; $(CC) $(REL_CFLAGS) -Wno-overlength-strings -c -o $@ $<
$(ASAN_DIR)/gen/embedded.o: build/gen/embedded.c
	@mkdir -p $(dir $@)
	@echo "  CC(asan) $<"; $(CC) $(ASAN_CFLAGS) -Wno-overlength-strings -c -o $@ $<

$(ASAN_DIR)/tests/%: tests/unit/%.c $(ASAN_OBJ)
	@mkdir -p $(dir $@)
	@echo "  LINK $@"; $(CC) $(ASAN_CFLAGS) -Itests/unit -o $@ $< $(ASAN_OBJ) $(PKG_LIBS) -lcmocka

# deps first, then a fresh make: the package flags above are read when make starts, before
# scripts/deps has installed anything on a new machine.
run: deps
	@$(MAKE) --no-print-directory build
	build/staatsprint serve --port $(PORT) --db $(DB)

# The whole suite: unit tests (ASan+UBSan), integration tests against the real
# binary, browser tests in Debian's Chromium.
test: deps-test
	@$(MAKE) --no-print-directory -j$$(nproc) asan $(UNIT_BIN) build/staatsprint
	@$(MAKE) --no-print-directory unit integration e2e
	@tests/fuzz/run 20

# The layer check first (scripts/check-layers: nothing below net/ includes net/).
# The PostgreSQL store tests need a server: a private one per run, always removed.
unit: $(UNIT_BIN)
	@scripts/check-layers
	@uri=$$(scripts/pg-test-server start) || exit 1; \
	trap 'scripts/pg-test-server stop "$$uri"' EXIT; trap 'exit 130' INT TERM; \
	STAATSPRINT_PG_URI="$$uri" scripts/run-unit $(UNIT_BIN)

integration: $(ASAN_DIR)/staatsprint
	cd tests && STAATSPRINT_BIN=$(CURDIR)/$(ASAN_DIR)/staatsprint ../scripts/node --test --test-concurrency=1 integration/

e2e: $(ASAN_DIR)/staatsprint
	cd tests && STAATSPRINT_BIN=$(CURDIR)/$(ASAN_DIR)/staatsprint ../scripts/node --test --test-concurrency=1 e2e/

bench: build build/bench-bank build/bench-sendq build/bench-fsync
	@bench/run
	@bench/text.sh
	@build/bench-bank
	@build/bench-sendq
	@build/bench-fsync

# One of the set on its own.
bench-sendq bench-fsync: bench-%: build/bench-%
	@build/$@

# One send() per socket against a loop turn's sends in one io_uring_enter() (docs/benchmarks.md).
build/bench-sendq: bench/sendq.c $(REL_DIR)/src/net/sendq.o $(REL_DIR)/src/util/xalloc.o
	$(CC) $(REL_CFLAGS) -o $@ $< $(REL_DIR)/src/net/sendq.o $(REL_DIR)/src/util/xalloc.o

# What one fsync of a writer group costs on the disk under bench/out: the floor of the ack p99.
build/bench-fsync: bench/fsync.c $(REL_DIR)/src/util/clock.o
	$(CC) $(REL_CFLAGS) -o $@ $< $(REL_DIR)/src/util/clock.o

# The idea bank's search latency over 100,000 entries (docs/benchmarks.md).
build/bench-bank: bench/bank.c $(REL_OBJ)
	$(CC) $(REL_CFLAGS) -o $@ $< $(REL_OBJ) $(PKG_LIBS)

# The libFuzzer targets (tests/fuzz); make test runs each for 20 s.
FUZZ_SECS ?= 300
fuzz:
	@tests/fuzz/run $(FUZZ_SECS)

# The README's screenshots (docs/img): a simulated day, served and photographed.
screenshots: build
	@scripts/screenshots

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
