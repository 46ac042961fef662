/* Realms: one context group + one global object each. The global object is an instance of
 * a private class so that its private pointer leads back to the realm from any callback. */
#include <stdlib.h>
#include <string.h>

#include "jsc.h"

static JSClassRef global_class;

/* Small JS helpers the layer needs and the C API lacks, compiled once per realm. They are
 * not reachable from user code. */
static const char helpers_src[] =
    "(() => {\n"
    "  'use strict';\n"
    "  // Captured now, so user code that replaces globals cannot redirect islet's calls.\n"
    "  const apply = Reflect.apply, defineProperty = Object.defineProperty;\n"
    "  const P = Promise, resolve = P.resolve.bind(P), then = P.prototype.then;\n"
    "  return {\n"
    "    ctor(native, name, length) {\n"
    "      const f = function (a, b, c, d) {\n"
    "        if (new.target === undefined)\n"
    "          throw new TypeError(\"Failed to construct '\" + name + \"': Please use the 'new' operator.\");\n"
    "        return native(new.target, arguments.length, a, b, c, d);\n"
    "      };\n"
    "      defineProperty(f, 'name', {value: name});\n"
    "      defineProperty(f, 'length', {value: length});\n"
    "      return f;\n"
    "    },\n"
    "    defineProperty,\n"
    "    symbolIterator: Symbol.iterator,\n"
    "    then(v, ok, fail) { apply(then, resolve(v), [ok, fail]); },\n"
    "    callThen(fn, self, n, a, b, c, token, ok, fail) {\n"
    "      let r;\n"
    "      try { r = apply(fn, self, n === 3 ? [a, b, c] : [a, b, c].slice(0, n)); }\n"
    "      catch (e) { fail(token, e); return; }\n"
    "      // A value that is not a thenable settles now: no promise, no closures, no job.\n"
    "      // A thenable's then is read once, as Promise.resolve would, and adopted.\n"
    "      if (r instanceof P) {\n"
    "        r = resolve(r);\n"
    "      } else {\n"
    "        if ((typeof r !== 'object' || r === null) && typeof r !== 'function') { ok(token, r); return; }\n"
    "        let t;\n"
    "        try { t = r.then; } catch (e) { fail(token, e); return; }\n"
    "        if (typeof t !== 'function') { ok(token, r); return; }\n"
    "        const thenable = r;\n"
    "        r = resolve({ then: (res, rej) => apply(t, thenable, [res, rej]) });\n"
    "      }\n"
    "      apply(then, r, [(v) => ok(token, v), (e) => fail(token, e)]);\n"
    "    },\n"
    "    isPromise(v) { return v instanceof P; },\n"
    "  };\n"
    "})()";

isl_realm_t *isl_realm_new(uv_loop_t *loop) {
  if (!global_class) {
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
  JSValueRef h = isl_eval(r->ctx, helpers_src, sizeof(helpers_src) - 1, "islet:internal", 1, &exc);
  ISL_CHECK(h && JSValueIsObject(r->ctx, h));
  r->helpers = (JSObjectRef)h;
  JSValueProtect(r->ctx, h);
  r->h_call_then = (JSObjectRef)isl_get(r->ctx, r->helpers, "callThen", NULL);
  r->h_then = (JSObjectRef)isl_get(r->ctx, r->helpers, "then", NULL);
  isl_promise_realm_init(r);
  return r;
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

JSValueRef isl_eval(JSContextRef ctx, const char *src, size_t len, const char *url, int line,
                    JSValueRef *exc) {
  JSStringRef s = isl_jsstr_n(src, len);
  JSStringRef u = url ? JSStringCreateWithUTF8CString(url) : NULL;
  JSValueRef v = JSEvaluateScript(ctx, s, NULL, u, line, exc);
  JSStringRelease(s);
  if (u) JSStringRelease(u);
  return v;
}
