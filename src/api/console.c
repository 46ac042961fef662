/* The console namespace (https://console.spec.whatwg.org/), rendered like Node and workerd:
 * console.log("a", {b: 1}) prints `a { b: 1 }`. Formatting lives in inspect.c; this file
 * holds the methods, the group indentation and the output sink. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "inspect.h"

static isl_console_sink_t sink;
static void *sink_data;

void isl_console_set_sink(isl_console_sink_t s, void *data) {
  sink = s;
  sink_data = data;
}

void isl_console_write(int level, const char *p, size_t n) {
  if (sink) {
    sink(sink_data, level, p, n);
    return;
  }
  FILE *f = level >= ISL_CONSOLE_WARN ? stderr : stdout;
  fwrite(p, 1, n, f);
  fputc('\n', f);
  fflush(f);
}

typedef struct {
  int group; /* indentation from console.group, in spaces */
} console_t;

static console_t *state_of(JSContextRef ctx) {
  return isl_realm_of(ctx)->api_state[ISL_STATE_CONSOLE];
}

/* Indents every line of msg by the group indentation, then writes it. */
static void emit(JSContextRef ctx, int level, isl_buf_t *msg) {
  console_t *c = state_of(ctx);
  const char *p = msg->p ? msg->p : "";
  if (!c || c->group == 0) {
    isl_console_write(level, p, msg->len);
    return;
  }
  isl_buf_t b = {0};
  for (int i = 0; i < c->group; i++) isl_buf_putc(&b, ' ');
  for (size_t i = 0; i < msg->len; i++) {
    isl_buf_putc(&b, p[i]);
    if (p[i] == '\n')
      for (int k = 0; k < c->group; k++) isl_buf_putc(&b, ' ');
  }
  isl_console_write(level, b.p, b.len);
  isl_buf_free(&b);
}

static JSValueRef log_at(JSContextRef ctx, int level, size_t argc, const JSValueRef argv[],
                         JSValueRef *exc) {
  isl_buf_t b = {0};
  bool ok = isl_format_args(ctx, argc, argv, &b, exc);
  if (ok) emit(ctx, level, &b);
  isl_buf_free(&b);
  return ok ? JSValueMakeUndefined(ctx) : NULL;
}

#define LOG_METHOD(name, level)                                                             \
  static JSValueRef js_console_##name(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, \
                                      size_t argc, const JSValueRef argv[], JSValueRef *exc) { \
    (void)fn, (void)this_obj;                                                               \
    return log_at(ctx, level, argc, argv, exc);                                             \
  }
LOG_METHOD(log, ISL_CONSOLE_LOG)
LOG_METHOD(info, ISL_CONSOLE_INFO)
LOG_METHOD(debug, ISL_CONSOLE_DEBUG)
LOG_METHOD(warn, ISL_CONSOLE_WARN)
LOG_METHOD(error, ISL_CONSOLE_ERROR)

/* assert(condition, ...data): logs "Assertion failed" (plus the data) when falsy. */
static JSValueRef js_console_assert(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                    size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)this_obj;
  if (argc > 0 && JSValueToBoolean(ctx, argv[0])) return JSValueMakeUndefined(ctx);
  size_t n = argc > 1 ? argc - 1 : 0;
  JSValueRef *args = isl_malloc((n + 1) * sizeof(JSValueRef));
  size_t k = 0;
  if (n > 0 && JSValueIsString(ctx, argv[1])) {
    /* The first data item is a string: prefix it ("Assertion failed: msg"). */
    isl_buf_t b = {0};
    isl_buf_puts(&b, "Assertion failed: ");
    isl_to_utf8(ctx, argv[1], &b, NULL);
    args[k++] = isl_str_n(ctx, b.p, b.len);
    isl_buf_free(&b);
    for (size_t i = 2; i < argc; i++) args[k++] = argv[i];
  } else {
    args[k++] = isl_str(ctx, n ? "Assertion failed:" : "Assertion failed");
    for (size_t i = 1; i < argc; i++) args[k++] = argv[i];
  }
  JSValueRef r = log_at(ctx, ISL_CONSOLE_ERROR, k, args, exc);
  free(args);
  return r;
}

/* trace(...data): "Trace: data" and the caller's stack, on stderr. */
static JSValueRef js_console_trace(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)this_obj;
  isl_buf_t msg = {0};
  if (!isl_format_args(ctx, argc, argv, &msg, exc)) {
    isl_buf_free(&msg);
    return NULL;
  }
  /* An Error made here carries the JS stack; its first frame is this native call. */
  JSObjectRef e = isl_error_new(ctx, "Error", msg.p ? msg.p : "");
  isl_set(ctx, e, "name", isl_str(ctx, "Trace"), NULL);
  char *d = isl_exception_describe(ctx, e);
  isl_buf_t out = {0};
  const char *line = d;
  while (line && *line) {
    const char *nl = strchr(line, '\n');
    size_t n = nl ? (size_t)(nl - line) : strlen(line);
    /* Drop frames of native code (this method itself). */
    if (!(memmem(line, n, "[native code]", 13))) {
      if (out.len) isl_buf_putc(&out, '\n');
      isl_buf_append(&out, line, n);
    }
    line = nl ? nl + 1 : NULL;
  }
  free(d);
  emit(ctx, ISL_CONSOLE_ERROR, &out);
  isl_buf_free(&out);
  isl_buf_free(&msg);
  return JSValueMakeUndefined(ctx);
}

/* dir(item): the item rendered (options ignored). */
static JSValueRef js_console_dir(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                 size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)this_obj, (void)exc;
  isl_buf_t b = {0};
  isl_inspect(ctx, ISL_ARG(0), NULL, &b);
  emit(ctx, ISL_CONSOLE_LOG, &b);
  isl_buf_free(&b);
  return JSValueMakeUndefined(ctx);
}

/* group(...label) / groupCollapsed: logs the label, then indents by 2. */
static JSValueRef js_console_group(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)this_obj;
  if (argc > 0 && !log_at(ctx, ISL_CONSOLE_LOG, argc, argv, exc)) return NULL;
  console_t *c = state_of(ctx);
  if (c) c->group += 2;
  return JSValueMakeUndefined(ctx);
}

static JSValueRef js_console_group_end(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                       size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)this_obj, (void)argc, (void)argv, (void)exc;
  console_t *c = state_of(ctx);
  if (c && c->group >= 2) c->group -= 2;
  return JSValueMakeUndefined(ctx);
}

static void console_teardown(isl_realm_t *r) {
  free(r->api_state[ISL_STATE_CONSOLE]);
  r->api_state[ISL_STATE_CONSOLE] = NULL;
}

void isl_api_console_install(isl_realm_t *r) {
  JSContextRef ctx = r->ctx;
  isl_inspect_install(r);
  ISL_CHECK(r->api_state[ISL_STATE_CONSOLE] == NULL);
  r->api_state[ISL_STATE_CONSOLE] = isl_calloc(1, sizeof(console_t));
  isl_realm_add_teardown(r, console_teardown);

  /* A namespace object: methods are own enumerable properties, as in browsers and Node.
   * console.table falls back to log (no table rendering yet). */
  static const isl_method_t methods[] = {
      {"log", js_console_log, 0},     {"info", js_console_info, 0},
      {"debug", js_console_debug, 0}, {"warn", js_console_warn, 0},
      {"error", js_console_error, 0}, {"assert", js_console_assert, 0},
      {"trace", js_console_trace, 0}, {"dir", js_console_dir, 0},
      {"table", js_console_log, 0},   {"group", js_console_group, 0},
      {"groupCollapsed", js_console_group, 0}, {"groupEnd", js_console_group_end, 0},
      {0},
  };
  JSObjectRef console = JSObjectMake(ctx, NULL, NULL);
  for (const isl_method_t *m = methods; m->name; m++)
    isl_define_method(ctx, console, m->name, m->fn, m->length);
  isl_define_value(ctx, r->global, "console", console, ISL_W | ISL_C);
}
