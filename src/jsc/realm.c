/* Realms: one context group + one global object each. The global object is an instance of
 * a private class so that its private pointer leads back to the realm from any callback. */
#include <dlfcn.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "jsc.h"

static JSClassRef global_class;

/* Small JS helpers the layer needs and the C API lacks, compiled once per realm. They are
 * not reachable from user code.
 *
 * Properties are defined by calling the captured natives (defineProperty,
 * __defineGetter__, __defineSetter__) from C (class.c), not through JS helpers: a JS
 * helper called for each of the few hundred properties a realm gets would be compiled by
 * JSC's baseline JIT in every realm, which costs more time and memory than it saves.
 * ctor runs once per class, too few times for that. */
static const char helpers_src[] =
    "(() => {\n"
    "  'use strict';\n"
    "  // Captured now, so user code that replaces globals cannot redirect islet's calls.\n"
    "  const apply = Reflect.apply, defineProperty = Object.defineProperty;\n"
    "  const P = Promise, resolve = P.resolve.bind(P), then = P.prototype.then;\n"
    "  const OP = Object.prototype;\n"
    "  const PENDING = Object.freeze({ __proto__: null });\n"
    "  return {\n"
    "    ctor(native, name, length) {\n"
    "      // The native gets as many arguments as were given (at most four), so C reads\n"
    "      // their count from argc instead of converting a number.\n"
    "      const f = function (a, b, c, d) {\n"
    "        if (new.target === undefined)\n"
    "          throw new TypeError(\"Failed to construct '\" + name + \"': Please use the 'new' operator.\");\n"
    "        switch (arguments.length) {\n"
    "          case 0: return native(new.target);\n"
    "          case 1: return native(new.target, a);\n"
    "          case 2: return native(new.target, a, b);\n"
    "          case 3: return native(new.target, a, b, c);\n"
    "          default: return native(new.target, a, b, c, d);\n"
    "        }\n"
    "      };\n"
    "      defineProperty(f, 'name', {value: name});\n"
    "      defineProperty(f, 'length', {value: length});\n"
    "      return f;\n"
    "    },\n"
    "    defineProperty, defineGetter: OP.__defineGetter__, defineSetter: OP.__defineSetter__,\n"
    "    objectPrototype: OP, toStringTag: Symbol.toStringTag,\n"
    "    symbolIterator: Symbol.iterator,\n"
    "    then(v, ok, fail) { apply(then, resolve(v), [ok, fail]); },\n"
    "    // Returns the result itself when it settles now (a value that is not a thenable:\n"
    "    // no promise, no closures, no job, no call back into C), else PENDING, and ok or\n"
    "    // fail is called later. A thenable's then is read once, as Promise.resolve\n"
    "    // would, and adopted.\n"
    "    pending: PENDING,\n"
    "    callThen(fn, self, n, a, b, c, token, ok, fail) {\n"
    "      let r;\n"
    "      try { r = apply(fn, self, n === 3 ? [a, b, c] : [a, b, c].slice(0, n)); }\n"
    "      catch (e) { fail(token, e); return PENDING; }\n"
    "      if (r instanceof P) {\n"
    "        r = resolve(r);\n"
    "      } else {\n"
    "        if ((typeof r !== 'object' || r === null) && typeof r !== 'function') return r;\n"
    "        let t;\n"
    "        try { t = r.then; } catch (e) { fail(token, e); return PENDING; }\n"
    "        if (typeof t !== 'function') return r;\n"
    "        const thenable = r;\n"
    "        r = resolve({ then: (res, rej) => apply(t, thenable, [res, rej]) });\n"
    "      }\n"
    "      apply(then, r, [(v) => ok(token, v), (e) => fail(token, e)]);\n"
    "      return PENDING;\n"
    "    },\n"
    "    isPromise(v) { return v instanceof P; },\n"
    "    // The error constructors C throws with, as they were before user code ran.\n"
    "    errors: { __proto__: null, Error, TypeError, RangeError, SyntaxError, ReferenceError,\n"
    "              EvalError, URIError },\n"
    "  };\n"
    "})()";

/* JSC's allocator (bmalloc on libpas) in "mini mode": a faster scavenger and best-fit
 * pages for what is not isoheaped. Many small isolates leave many partly used pages; this
 * takes ~75 KB off each worker, with no measurable change in instructions per request (a
 * hello-world and an allocation-heavy JSON worker, main thread and all threads). It is
 * process-wide and exported but not public API (a C++ symbol), so it is looked up at run
 * time and skipped if this JSC does not have it. */
static void allocator_mini_mode(void) {
  void (*enable)(bool force);
  *(void **)&enable = dlsym(RTLD_DEFAULT, "_ZN7bmalloc3api14enableMiniModeEb");
  if (enable) enable(true);
}

isl_realm_t *isl_realm_new(uv_loop_t *loop) {
  if (!global_class) {
    allocator_mini_mode();
    /* The execution time limit (limits.c) needs JIT code to see the watchdog's request to
     * stop. By default JSC delivers it by signalling the thread and patching the running
     * code, which here misses now and then, and a `while (true) {}` then runs forever;
     * with polling traps every loop checks a flag instead (a load and a branch). */
    jsc_options_set_boolean("usePollingTraps", 1);
    JSClassDefinition d = kJSClassDefinitionEmpty;
    d.className = "global";
    global_class = JSClassCreate(&d);
  }
  isl_realm_t *r = isl_calloc(1, sizeof(*r));
  r->loop = loop;
  r->group = JSContextGroupCreate();
  r->ctx = JSGlobalContextCreateInGroup(r->group, global_class);
  r->global = JSContextGetGlobalObject(r->ctx);
  JSObjectSetPrivate(r->global, r);
  JSValueRef exc = NULL;
  JSValueRef h = isl_eval_static(r->ctx, helpers_src, sizeof(helpers_src) - 1, "islet:internal", &exc);
  ISL_CHECK(h && JSValueIsObject(r->ctx, h));
  r->helpers = (JSObjectRef)h;
  JSValueProtect(r->ctx, h);
  r->h_call_then = (JSObjectRef)isl_get(r->ctx, r->helpers, "callThen", NULL);
  r->h_then = (JSObjectRef)isl_get(r->ctx, r->helpers, "then", NULL);
  r->h_pending = isl_get(r->ctx, r->helpers, "pending", NULL);
  r->h_define_property = (JSObjectRef)isl_get(r->ctx, r->helpers, "defineProperty", NULL);
  r->h_define_getter = (JSObjectRef)isl_get(r->ctx, r->helpers, "defineGetter", NULL);
  r->h_define_setter = (JSObjectRef)isl_get(r->ctx, r->helpers, "defineSetter", NULL);
  r->h_ctor = (JSObjectRef)isl_get(r->ctx, r->helpers, "ctor", NULL);
  r->object_prototype = (JSObjectRef)isl_get(r->ctx, r->helpers, "objectPrototype", NULL);
  r->to_string_tag = isl_get(r->ctx, r->helpers, "toStringTag", NULL);
  isl_promise_realm_init(r);
  return r;
}

typedef struct {
  void (*fn)(void *data);
  void *data;
} batch_t;

static JSValueRef batch_trampoline(JSContextRef ctx, void *data, JSObjectRef this_obj,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)this_obj, (void)argc, (void)argv, (void)exc;
  batch_t *b = data;
  b->fn(b->data);
  return JSValueMakeUndefined(ctx);
}

void isl_realm_batch(isl_realm_t *r, void (*fn)(void *data), void *data) {
  batch_t b = {fn, data};
  JSObjectRef f = isl_func_with_data(r->ctx, batch_trampoline, &b, NULL);
  JSValueRef exc = NULL;
  JSObjectCallAsFunction(r->ctx, f, NULL, 0, NULL, &exc);
  ISL_CHECK(exc == NULL);
}

/* Every C API call takes the engine's lock, so finding the realm through the global
 * object costs hundreds of instructions; the last realm seen is remembered per thread.
 * A callback's ctx is its realm's global context, so one entry catches nearly all. */
static _Thread_local JSContextRef cached_ctx;
static _Thread_local isl_realm_t *cached_realm;

isl_realm_t *isl_realm_of(JSContextRef ctx) {
  if (ctx == cached_ctx) return cached_realm;
  isl_realm_t *r = JSObjectGetPrivate(JSContextGetGlobalObject(ctx));
  if (r && (JSContextRef)r->ctx == ctx) {
    cached_ctx = ctx;
    cached_realm = r;
  }
  return r;
}

void isl_realm_add_teardown(isl_realm_t *r, void (*fn)(isl_realm_t *r)) {
  ISL_CHECK(r->nteardown < (int)(sizeof(r->teardown) / sizeof(r->teardown[0])));
  r->teardown[r->nteardown++] = fn;
}

void isl_realm_teardown(isl_realm_t *r) {
  while (r->nteardown > 0) r->teardown[--r->nteardown](r);
  isl_promise_realm_dispose(r);
  isl_limits_realm_dispose(r);
}

void isl_realm_free(isl_realm_t *r) {
  if (!r) return;
  ISL_CHECK(r->nteardown == 0);
  for (int i = 0; i < ISL_MAX_CLASSES; i++) {
    if (r->protos[i]) JSValueUnprotect(r->ctx, r->protos[i]);
    if (r->ctors[i]) JSValueUnprotect(r->ctx, r->ctors[i]);
  }
  for (int i = 0; i < ISL_MAX_LAZY; i++)
    if (r->lazy[i]) JSValueUnprotect(r->ctx, r->lazy[i]);
  for (int i = 0; i < 8; i++)
    if (r->descs[i]) JSValueUnprotect(r->ctx, r->descs[i]);
  JSValueUnprotect(r->ctx, r->helpers);
  JSObjectSetPrivate(r->global, NULL);
  if (cached_realm == r) {
    cached_ctx = NULL;
    cached_realm = NULL;
  }
  JSGlobalContextRelease(r->ctx);
  JSContextGroupRelease(r->group);
  free(r);
}

static int next_lazy_id;

/* Evaluates src, a function expression, and calls it with one argument. */
static JSValueRef call_source(JSContextRef ctx, const char *src, size_t len, const char *url,
                              JSValueRef arg, JSValueRef *exc) {
  JSValueRef fn = isl_eval_static(ctx, src, len, url, exc);
  if (!fn) return NULL;
  ISL_CHECK(JSValueIsObject(ctx, fn) && JSObjectIsFunction(ctx, (JSObjectRef)fn));
  return isl_call(ctx, (JSObjectRef)fn, NULL, 1, &arg, exc);
}

void isl_lazy_install(isl_realm_t *r, isl_lazy_def_t *def) {
  if (!def->id) {
    ISL_CHECK(next_lazy_id < ISL_MAX_LAZY - 1);
    def->id = ++next_lazy_id; /* 0 means "not yet assigned" */
  }
  ISL_CHECK(!r->lazy[def->id]);
  JSValueRef exc = NULL;
  JSValueRef captured = isl_eval_static(r->ctx, def->capture, def->capture_len, def->url, &exc);
  ISL_CHECK(captured && !exc && JSValueIsObject(r->ctx, captured));
  JSValueProtect(r->ctx, captured);
  r->lazy[def->id] = captured;
}

JSObjectRef isl_lazy_get(JSContextRef ctx, isl_lazy_def_t *def, JSValueRef *exc) {
  isl_realm_t *r = isl_realm_of(ctx);
  ISL_CHECK(def->id && r->lazy[def->id]);
  if (r->lazy_ready[def->id]) return (JSObjectRef)r->lazy[def->id];
  /* The body runs in whatever state user code left the realm in, which is why it reads
   * only what capture took. Its own exceptions (out of stack, a time limit) go to the
   * caller, and the captured object stays for the next try. */
  JSValueRef h = call_source(ctx, def->body, def->body_len, def->url, r->lazy[def->id], exc);
  if (!h) return NULL;
  ISL_CHECK(JSValueIsObject(ctx, h));
  JSValueProtect(ctx, h);
  JSValueUnprotect(ctx, r->lazy[def->id]);
  r->lazy[def->id] = h;
  r->lazy_ready[def->id] = true;
  return (JSObjectRef)h;
}

void isl_protect(JSContextRef ctx, JSValueRef v) {
  JSValueProtect(ctx, v);
  isl_realm_t *r = isl_realm_of(ctx);
  if (r) r->protected_count++;
}

void isl_unprotect(JSContextRef ctx, JSValueRef v) {
  JSValueUnprotect(ctx, v);
  isl_realm_t *r = isl_realm_of(ctx);
  if (r) r->protected_count--;
}

/* islet's own sources, each made UTF-16 once per process (see isl_eval_static). */
typedef struct {
  const char *src;
  JSChar *text;
  size_t n;
} static_source_t;

static static_source_t static_sources[32];
static int nstatic_sources;

static const static_source_t *static_source(const char *src, size_t len) {
  for (int i = 0; i < nstatic_sources; i++)
    if (static_sources[i].src == src) return &static_sources[i];
  ISL_CHECK(nstatic_sources < (int)(sizeof(static_sources) / sizeof(static_sources[0])));
  static_source_t *s = &static_sources[nstatic_sources++];
  s->src = src;
  s->text = isl_utf8_to_utf16(src, len, &s->n); /* never freed: realms point into it */
  return s;
}

JSValueRef isl_eval_static(JSContextRef ctx, const char *src, size_t len, const char *url,
                           JSValueRef *exc) {
  const static_source_t *s = static_source(src, len);
  JSStringRef text = JSStringCreateWithCharactersNoCopy(s->text, s->n);
  JSStringRef u = JSStringCreateWithUTF8CString(url);
  JSValueRef v = JSEvaluateScript(ctx, text, NULL, u, 1, exc);
  JSStringRelease(text);
  JSStringRelease(u);
  return v;
}

JSValueRef isl_eval(JSContextRef ctx, const char *src, size_t len, const char *url, int line,
                    JSValueRef *exc) {
  JSStringRef s = isl_jsstr_n(src, len);
  JSStringRef u = url ? JSStringCreateWithUTF8CString(url) : NULL;
  JSValueRef v = JSEvaluateScript(ctx, s, NULL, u, line, exc);
  JSStringRelease(s);
  if (u) JSStringRelease(u);
  return v;
}
