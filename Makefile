# albatross: a terminal UI for Amazon EKS, IRSA and ALB ingresses.
#   make            build albatross and albatross-sandbox
#   make deps       check libraries and test tools; install them as root
#   make run        open the UI on the sandbox's demo world
#   make test       unit and integration tests (tests/run)
#   make asan       the same tests under ASan and UBSan
#   make fuzz       each libFuzzer target for FUZZ_SECONDS (default 60)
#   make valgrind   the unit tests under valgrind's memcheck
#   make bench      timings and memory against kubectl and the aws CLI

CC      ?= cc
BUILD   ?= build
BIN     ?= .
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral \
           -Wno-format-truncation
CPPFLAGS += -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
            -D_XOPEN_SOURCE_EXTENDED -DALBATROSS_VERSION=\"$(VERSION)\"
VERSION := 0.1.0

PKG_APP     := ncursesw libcurl openssl libcjson yaml-0.1 libxml-2.0
PKG_SANDBOX := libmicrohttpd openssl libcjson yaml-0.1 libxml-2.0
PKG_TEST    := cmocka
PKG_CONFIG  ?= pkg-config

pkg_cflags = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
pkg_libs   = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null)

ALL_CFLAGS = $(CPPFLAGS) $(WARN) $(CFLAGS) \
             $(call pkg_cflags,$(sort $(PKG_APP) $(PKG_SANDBOX)))

API_SRC     := $(wildcard api/*.c)
CORE_SRC    := $(filter-out src/main.c,$(wildcard src/*.c))
UI_SRC      := $(wildcard ui/*.c)
SANDBOX_SRC := $(wildcard sandbox/*.c)
# The sandbox shares the pure parts of the API layer with the client.
SANDBOX_API := api/buf.c api/yamldoc.c api/sigv4.c api/log.c api/strutil.c api/utf8.c \
               api/base64.c api/certgen.c
UNIT_SRC    := $(wildcard tests/unit/test_*.c)
TOOL_SRC    := $(wildcard tests/tools/*.c)
FUZZ_SRC    := $(wildcard tests/fuzz/fuzz_*.c) tests/fuzz/util.c

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
APP_OBJ     := $(call obj,src/main.c $(CORE_SRC) $(UI_SRC) $(API_SRC))
LIB_OBJ     := $(call obj,$(CORE_SRC) $(UI_SRC) $(API_SRC))
SANDBOX_OBJ := $(call obj,$(SANDBOX_SRC) $(SANDBOX_API))
UNIT_BIN    := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
TOOL_BIN    := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(TOOL_SRC))
FUZZ_OBJ    := $(call obj,$(FUZZ_SRC))
FUZZ_BIN    := $(patsubst tests/fuzz/fuzz_%.c,$(BUILD)/fuzz/%,\
                 $(wildcard tests/fuzz/fuzz_*.c))
SANDBOX_LIB_OBJ = $(filter-out $(BUILD)/sandbox/main.o,$(call obj,$(SANDBOX_SRC)))

APP_LIBS     = $(call pkg_libs,$(PKG_APP)) -lm
SANDBOX_LIBS = $(call pkg_libs,$(PKG_SANDBOX)) -lpthread

# Rebuild everything when the flags change.
FLAGS_FILE := $(BUILD)/.flags
FLAGS_NOW  := $(CC) $(ALL_CFLAGS) $(LDFLAGS)
$(shell mkdir -p $(BUILD); \
  [ "$$(cat $(FLAGS_FILE) 2>/dev/null)" = '$(FLAGS_NOW)' ] || \
  echo '$(FLAGS_NOW)' > $(FLAGS_FILE))

ifeq ($(V),1)
Q :=
else
Q := @
endif

.PHONY: all deps run test unit asan valgrind fuzz fuzz-bins bench clean
all: $(BIN)/albatross $(BIN)/albatross-sandbox

$(BIN)/albatross: $(APP_OBJ)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(APP_LIBS)

$(BIN)/albatross-sandbox: $(SANDBOX_OBJ)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(SANDBOX_LIBS)

$(BUILD)/%.o: %.c $(FLAGS_FILE)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# Unit tests and test tools link the whole API layer, src/, ui/ and the
# sandbox without its main().
define link_test
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) $(call pkg_cflags,$(PKG_TEST)) -MMD -MP -o $@ $< \
	    $(LIB_OBJ) $(SANDBOX_LIB_OBJ) $(LINK_EXTRA) \
	    $(APP_LIBS) $(SANDBOX_LIBS) $(call pkg_libs,$(PKG_TEST))
endef
$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJ) $(SANDBOX_LIB_OBJ)
	$(link_test)
$(BUILD)/tools/%: tests/tools/%.c $(LIB_OBJ) $(SANDBOX_LIB_OBJ)
	$(link_test)
# The corpus replay runs the fuzz targets without libFuzzer.
$(BUILD)/tests/test_fuzz_corpus: $(FUZZ_OBJ)
$(BUILD)/tests/test_fuzz_corpus: LINK_EXTRA = $(FUZZ_OBJ)

# One libFuzzer binary per tests/fuzz/fuzz_NAME.c, built by make fuzz.
$(BUILD)/fuzz/%: tests/fuzz/entry.c $(FUZZ_OBJ) $(LIB_OBJ) $(SANDBOX_LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -DFUZZ_TARGET=fuzz_$* -o $@ $< \
	    $(FUZZ_OBJ) $(LIB_OBJ) $(SANDBOX_LIB_OBJ) $(APP_LIBS) $(SANDBOX_LIBS)
fuzz-bins: $(FUZZ_BIN)

unit: $(UNIT_BIN) $(TOOL_BIN)

deps:
	@sh tests/deps.sh $(sort $(PKG_APP) $(PKG_SANDBOX) $(PKG_TEST))

run: deps
	@$(MAKE) --no-print-directory all
	@sh sandbox/demo.sh

test: deps
	@$(MAKE) --no-print-directory all unit
	@sh tests/run

asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan BIN=build-asan \
	    CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" all unit
	@ALBATROSS_BIN=build-asan ALBATROSS_BUILD=build-asan ASAN_OPTIONS=detect_leaks=1 sh tests/run

valgrind: deps
	@sh tests/deps.sh --valgrind
	@$(MAKE) --no-print-directory all unit
	@sh tests/valgrind

# Clang's libFuzzer with ASan and UBSan; see tests/fuzz/run.
FUZZ_SECONDS ?= 60
fuzz: deps
	@sh tests/deps.sh --fuzz
	@$(MAKE) --no-print-directory CC=clang BUILD=build-fuzz BIN=build-fuzz \
	    CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all -Wno-unknown-warning-option" \
	    LDFLAGS="-fsanitize=address,undefined" fuzz-bins
	@sh tests/fuzz/run $(FUZZ_SECONDS)

bench: deps
	@$(MAKE) --no-print-directory all
	@sh tests/bench/run

clean:
	rm -rf build build-asan build-fuzz albatross albatross-sandbox

-include $(APP_OBJ:.o=.d) $(SANDBOX_OBJ:.o=.d) $(UNIT_BIN:=.d) $(TOOL_BIN:=.d) \
         $(FUZZ_OBJ:.o=.d)
