# islet build. `make` builds build/islet; `make test` builds and runs the whole suite.
# BUILD=build-asan SANITIZE=1 builds with AddressSanitizer + UndefinedBehaviorSanitizer.
CC ?= cc
BUILD ?= build
PKGS := javascriptcoregtk-4.1 libuv
LLHTTP_DIR ?= /usr/share/llhttp
LLHTTP_INC ?= /usr/share/include/llhttp

CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -Wall -Wextra -D_GNU_SOURCE -MMD -MP
CFLAGS += $(shell pkg-config --cflags $(PKGS)) -I$(LLHTTP_INC)
LDLIBS += $(shell pkg-config --libs $(PKGS)) -lm
ifdef SANITIZE
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

SRC := $(shell find src -name '*.c' | sort)
OBJ := $(SRC:%.c=$(BUILD)/%.o)
LIB_OBJ := $(filter-out $(BUILD)/src/main.o,$(OBJ))
LLHTTP_OBJ := $(BUILD)/llhttp/api.o $(BUILD)/llhttp/http.o $(BUILD)/llhttp/llhttp.o
UNIT_SRC := $(wildcard tests/unit/*_test.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all test unit-test worker-test wire-test clean
all: $(BUILD)/islet

$(BUILD)/islet: $(OBJ) $(LLHTTP_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/src/%.o: src/%.c
	@mkdir -p $(dir $@)
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

test: all $(UNIT_BIN)
	@tests/run.sh $(BUILD)

clean:
	rm -rf $(BUILD)

-include $(OBJ:.o=.d)

# The README's first command: install dependencies, build, serve the example worker.
.PHONY: run
run: all
	$(BUILD)/islet serve examples/hello/worker.js
