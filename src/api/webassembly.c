/* WebAssembly.instantiate and WebAssembly.compile, replaced by versions that compile on
 * the calling thread and settle at once.
 *
 * JavaScriptCore finishes its asynchronous Wasm work through a run-loop timer of its own
 * (WTF's RunLoop), which an embedder driving its own libuv loop never runs: the engine's
 * promises from these two functions would stay pending forever. The synchronous
 * constructors (new WebAssembly.Module / Instance) do the same work, so islet answers
 * with them, as the spec allows (only the timing differs). The originals are not kept. */
#include "api.h"

static JSObjectRef wasm_ctor(JSContextRef ctx, const char *name) {
  JSObjectRef wasm = (JSObjectRef)isl_global(ctx, "WebAssembly");
  return (JSObjectRef)isl_get(ctx, wasm, name, NULL);
}

static bool is_module(JSContextRef ctx, JSValueRef v) {
  return JSValueIsObject(ctx, v) &&
         JSValueIsInstanceOfConstructor(ctx, v, wasm_ctor(ctx, "Module"), NULL);
}

/* WebAssembly.compile(bytes) */
static JSValueRef js_wasm_compile(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  (void)this_obj;
  (void)exc;
  JSValueRef e = NULL;
  JSValueRef arg = ISL_ARG(0);
  JSObjectRef m = JSObjectCallAsConstructor(ctx, wasm_ctor(ctx, "Module"), 1, &arg, &e);
  return m ? isl_promise_resolved(ctx, m) : isl_promise_rejected(ctx, e);
}

/* WebAssembly.instantiate(moduleOrBytes, imports) */
static JSValueRef js_wasm_instantiate(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                      size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  (void)this_obj;
  (void)exc;
  JSValueRef e = NULL;
  JSValueRef src = ISL_ARG(0);
  bool given_module = is_module(ctx, src);
  JSObjectRef module = given_module ? (JSObjectRef)src
                                    : JSObjectCallAsConstructor(ctx, wasm_ctor(ctx, "Module"), 1,
                                                                &src, &e);
  if (!module) return isl_promise_rejected(ctx, e);
  JSValueRef args[2] = {module, ISL_ARG(1)};
  JSObjectRef inst = JSObjectCallAsConstructor(ctx, wasm_ctor(ctx, "Instance"),
                                               argc > 1 ? 2 : 1, args, &e);
  if (!inst) return isl_promise_rejected(ctx, e);
  /* Given a Module: the Instance. Given bytes: { module, instance }. */
  if (given_module) return isl_promise_resolved(ctx, inst);
  JSObjectRef result = JSObjectMake(ctx, NULL, NULL);
  isl_set(ctx, result, "module", module, NULL);
  isl_set(ctx, result, "instance", inst, NULL);
  return isl_promise_resolved(ctx, result);
}

void isl_api_webassembly_install(isl_realm_t *r) {
  JSContextRef ctx = r->ctx;
  JSValueRef wasm = isl_global(ctx, "WebAssembly");
  if (!wasm || !JSValueIsObject(ctx, wasm)) return;
  isl_define_value(ctx, (JSObjectRef)wasm, "compile",
                   isl_func_new(ctx, "compile", js_wasm_compile, 1), ISL_W | ISL_C);
  isl_define_value(ctx, (JSObjectRef)wasm, "instantiate",
                   isl_func_new(ctx, "instantiate", js_wasm_instantiate, 1), ISL_W | ISL_C);
}
