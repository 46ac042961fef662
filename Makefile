# islet build. `make` builds build/islet; `make test` builds and runs the whole suite.
# BUILD=build-asan SANITIZE=1 builds with AddressSanitizer + UndefinedBehaviorSanitizer.
CC ?= cc
BUILD ?= build
PKGS := javascriptcoregtk-4.1 libuv icu-uc icu-i18n zlib libbrotlidec
# libcurl's headers only: the library is loaded on first use (src/services/curl_dl.h).
CURL_CFLAGS := $(shell pkg-config --cflags libcurl)
LLHTTP_DIR ?= /usr/share/llhttp
LLHTTP_INC ?= /usr/share/include/llhttp

CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -Wall -Wextra -D_GNU_SOURCE -MMD -MP
CFLAGS += $(shell pkg-config --cflags $(PKGS)) $(CURL_CFLAGS) -I$(LLHTTP_INC)
LDLIBS += $(shell pkg-config --libs $(PKGS)) -ldl -lm
ifdef SANITIZE
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
else
# mimalloc replaces malloc for the whole process (JavaScriptCore's system-heap
# allocations included): linked first, its malloc/free are the ones every library binds
# to. About 13% fewer instructions per request than glibc's allocator; sanitizer builds
# keep the sanitizers' own allocator.
CFLAGS += -DISL_MIMALLOC
LDLIBS := -lmimalloc $(LDLIBS)
endif

SRC := $(shell find src -name '*.c' | sort)
OBJ := $(SRC:%.c=$(BUILD)/%.o)
EMBED_SRC := $(shell find src -name '*.js' | sort)
EMBED_OBJ := $(EMBED_SRC:src/%=$(BUILD)/embed/%.o)
LIB_OBJ := $(filter-out $(BUILD)/src/main.o,$(OBJ)) $(EMBED_OBJ)
LLHTTP_OBJ := $(BUILD)/llhttp/api.o $(BUILD)/llhttp/http.o $(BUILD)/llhttp/llhttp.o
UNIT_SRC := $(wildcard tests/unit/*_test.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

FUZZ_SECONDS ?= 30
FUZZ_CC ?= clang
FUZZ_CFLAGS := -g -O1 -std=c11 -D_GNU_SOURCE -Isrc -fsanitize=fuzzer,address,undefined \
  -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_TARGETS := transform capnp config url mime multipart http_conn http_fields

.PHONY: all test clean
all: $(BUILD)/islet

$(BUILD)/islet: $(OBJ) $(EMBED_OBJ) $(LLHTTP_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# Embedded files: every src/**/*.js is compiled into the binary (only where JS is allowed:
# see the top of src/api/urlpattern.js). src/DIR/NAME.js becomes a generated
# $(BUILD)/embed/DIR/NAME.js.c defining `const unsigned char isl_embed_DIR_NAME_js[]` (the
# bytes, NUL-terminated) and `const size_t isl_embed_DIR_NAME_js_len` (without the NUL);
# src/base/embed.h's ISL_EMBED declares them where they are used. The bytes are written
# with od (POSIX), so no xxd is needed. Names under src/ must be C identifiers apart from
# '/' and '.'. Another file only needs to exist to be embedded.
$(BUILD)/embed/%.c: src/%
	@mkdir -p $(dir $@)
	@sym=isl_embed_$(subst .,_,$(subst /,_,$*)); \
	{ echo "/* Generated from src/$* by the Makefile: do not edit. */"; \
	  echo "#include <stddef.h>"; \
	  echo "const unsigned char $$sym[] = {"; \
	  od -An -v -tx1 $< | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo "0x00};"; \
	  echo "const size_t $${sym}_len = sizeof($$sym) - 1;"; } >$@.tmp && mv $@.tmp $@
.PRECIOUS: $(BUILD)/embed/%.c

$(BUILD)/embed/%.o: $(BUILD)/embed/%.c
	$(CC) $(CFLAGS) -c -o $@ $<

# llhttp's generated C, as Debian ships it, built in strict mode. It is not our code, so
# its own warnings are not ours to fix; our flags still apply otherwise.
$(BUILD)/llhttp/%.o: $(LLHTTP_DIR)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -Wall -Wextra,$(CFLAGS)) -DLLHTTP_STRICT_MODE=1 -c -o $@ $<

# Unit tests link against an archive, so a test that #includes the .c under test (to reach
# its static functions) replaces that object instead of clashing with it.
$(BUILD)/libislet.a: $(LIB_OBJ) $(LLHTTP_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libislet.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Isrc -o $@ $< $(BUILD)/libislet.a $(LDFLAGS) $(LDLIBS)

# The suite includes a short run of every fuzz driver (FUZZ_TEST_SECONDS each, default 10).
# FUZZ_IN_SUITE=0 leaves the fuzz drivers out (the sanitizer pass of test-all: they are
# sanitized builds already and ran in the first pass).
FUZZ_IN_SUITE ?= 1
ifeq ($(FUZZ_IN_SUITE),1)
SUITE_FUZZ := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%_fuzz)
endif
test: all $(UNIT_BIN) $(SUITE_FUZZ)
	@FUZZ_IN_SUITE=$(FUZZ_IN_SUITE) tests/run.sh $(BUILD)

# The whole suite twice: as built, then under AddressSanitizer + UndefinedBehaviorSanitizer
# in build-asan, where a leak fails the run. The README's test command and CI run this.
.PHONY: test-all
test-all: test
	$(MAKE) BUILD=build-asan SANITIZE=1 FUZZ_IN_SUITE=0 test

clean:
	rm -rf $(BUILD)

-include $(OBJ:.o=.d)

# The README's first command: install dependencies, build, serve the example worker.
.PHONY: run
run: all
	$(BUILD)/islet serve examples/hello/worker.js

# Fuzz drivers: `make fuzz` builds each fuzz/*_fuzz.c with clang's libFuzzer, ASan and
# UBSan, and runs it for FUZZ_SECONDS over its committed corpus (new inputs go to
# $(BUILD)/fuzz/corpus, so the committed one only changes by hand). `make test` runs each
# driver briefly too (tests/run.sh).
# A new driver adds its name to FUZZ_TARGETS and a build rule like transform's.
.PHONY: fuzz
fuzz: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%_fuzz)
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(BUILD)/fuzz/corpus/$$t; \
	  dict=; [ -f fuzz/$$t.dict ] && dict=-dict=fuzz/$$t.dict; \
	  echo "fuzzing $$t for $(FUZZ_SECONDS)s"; \
	  $(BUILD)/fuzz/$${t}_fuzz -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	    -artifact_prefix=$(BUILD)/fuzz/ \
	    $$dict $(BUILD)/fuzz/corpus/$$t fuzz/corpus/$$t || exit 1; \
	done

FUZZ_SRC_transform := src/worker/transform.c src/worker/js_lexer.c $(wildcard src/base/*.c)
$(BUILD)/fuzz/transform_fuzz: fuzz/transform_fuzz.c $(FUZZ_SRC_transform) src/worker/js_lexer.h src/worker/transform.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_SRC_transform)

FUZZ_SRC_capnp := $(wildcard src/config/capnp*.c) $(wildcard src/base/*.c)
$(BUILD)/fuzz/capnp_fuzz: fuzz/capnp_fuzz.c $(FUZZ_SRC_capnp) $(wildcard src/config/capnp*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_SRC_capnp)

FUZZ_SRC_config := $(wildcard src/config/*.c) $(wildcard src/base/*.c)
$(BUILD)/fuzz/config_fuzz: fuzz/config_fuzz.c $(FUZZ_SRC_config) $(wildcard src/config/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_SRC_config)

FUZZ_SRC_url := $(wildcard src/url/*.c) $(wildcard src/base/*.c)
$(BUILD)/fuzz/url_fuzz: fuzz/url_fuzz.c $(FUZZ_SRC_url) $(wildcard src/url/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_SRC_url) $(shell pkg-config --libs icu-uc) -lpthread

FUZZ_SRC_mime := $(wildcard src/base/*.c)
$(BUILD)/fuzz/mime_fuzz: fuzz/mime_fuzz.c $(FUZZ_SRC_mime) src/base/mime.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_SRC_mime)

$(BUILD)/fuzz/multipart_fuzz: fuzz/multipart_fuzz.c $(FUZZ_SRC_mime) src/base/multipart.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_SRC_mime)

# The HTTP drivers build src/http with llhttp's C in strict mode, as the server does.
FUZZ_SRC_http := $(wildcard src/http/*.c) $(wildcard src/base/*.c) \
  $(LLHTTP_DIR)/api.c $(LLHTTP_DIR)/http.c $(LLHTTP_DIR)/llhttp.c
FUZZ_HTTP_FLAGS := -I$(LLHTTP_INC) -DLLHTTP_STRICT_MODE=1 $(shell pkg-config --cflags libuv)
$(BUILD)/fuzz/http_conn_fuzz: fuzz/http_conn_fuzz.c $(FUZZ_SRC_http) $(wildcard src/http/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_HTTP_FLAGS) -o $@ $< $(FUZZ_SRC_http) \
	  $(shell pkg-config --libs libuv)

$(BUILD)/fuzz/http_fields_fuzz: fuzz/http_fields_fuzz.c $(FUZZ_SRC_http) $(wildcard src/http/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_HTTP_FLAGS) -o $@ $< $(FUZZ_SRC_http) \
	  $(shell pkg-config --libs libuv)
