/* Promises from C: deferred promises and C callbacks on settlement. */
#include <stdlib.h>

#include "jsc.h"

JSObjectRef isl_promise_new(JSContextRef ctx, JSObjectRef *resolve, JSObjectRef *reject) {
  JSObjectRef p = JSObjectMakeDeferredPromise(ctx, resolve, reject, NULL);
  ISL_CHECK(p != NULL);
  return p;
}

JSObjectRef isl_promise_resolved(JSContextRef ctx, JSValueRef v) {
  JSObjectRef res, rej;
  JSObjectRef p = isl_promise_new(ctx, &res, &rej);
  JSObjectCallAsFunction(ctx, res, NULL, 1, &v, NULL);
  return p;
}

JSObjectRef isl_promise_rejected(JSContextRef ctx, JSValueRef v) {
  JSObjectRef res, rej;
  JSObjectRef p = isl_promise_new(ctx, &res, &rej);
  JSObjectCallAsFunction(ctx, rej, NULL, 1, &v, NULL);
  return p;
}

bool isl_is_promise(JSContextRef ctx, JSValueRef v) {
  if (!JSValueIsObject(ctx, v)) return false;
  isl_realm_t *r = isl_realm_of(ctx);
  JSValueRef res = isl_call_method(ctx, r->helpers, "isPromise", 1, &v, NULL);
  return res && JSValueToBoolean(ctx, res);
}

/* One record shared by the fulfil and reject functions; freed when both are collected. */
typedef struct {
  isl_settle_cb cb;
  void *data;
  bool settled;
  int refs;
} reaction_t;

static void reaction_unref(void *p) {
  reaction_t *r = p;
  if (--r->refs > 0) return;
  /* Both functions were collected: the promise can never settle. Tell the owner (with no
   * context: this runs in a finalizer, where JS must not be called) so it can release
   * its data. */
  if (!r->settled) r->cb(NULL, r->data, false, NULL);
  free(r);
}

static JSValueRef settle(JSContextRef ctx, reaction_t *r, bool ok, size_t argc,
                         const JSValueRef argv[]) {
  if (!r->settled) {
    r->settled = true;
    r->cb(ctx, r->data, ok, argc ? argv[0] : JSValueMakeUndefined(ctx));
  }
  return JSValueMakeUndefined(ctx);
}

static JSValueRef on_ok(JSContextRef ctx, void *data, JSObjectRef this_obj, size_t argc,
                        const JSValueRef argv[], JSValueRef *exc) {
  (void)this_obj;
  (void)exc;
  return settle(ctx, data, true, argc, argv);
}

static JSValueRef on_fail(JSContextRef ctx, void *data, JSObjectRef this_obj, size_t argc,
                          const JSValueRef argv[], JSValueRef *exc) {
  (void)this_obj;
  (void)exc;
  return settle(ctx, data, false, argc, argv);
}

static reaction_t *reaction_new(isl_settle_cb cb, void *data) {
  reaction_t *r = isl_malloc(sizeof(*r));
  r->cb = cb;
  r->data = data;
  r->settled = false;
  r->refs = 2;
  return r;
}

void isl_promise_then(JSContextRef ctx, JSValueRef v, isl_settle_cb cb, void *data) {
  isl_realm_t *realm = isl_realm_of(ctx);
  reaction_t *r = reaction_new(cb, data);
  JSValueRef args[3] = {v, isl_func_with_data(ctx, on_ok, r, reaction_unref),
                        isl_func_with_data(ctx, on_fail, r, reaction_unref)};
  JSValueRef exc = NULL;
  isl_call_method(ctx, realm->helpers, "then", 3, args, &exc);
  if (exc) settle(ctx, r, false, 1, &exc);
}

void isl_call_then(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                   const JSValueRef argv[], isl_settle_cb cb, void *data) {
  isl_realm_t *realm = isl_realm_of(ctx);
  reaction_t *r = reaction_new(cb, data);
  JSValueRef args[6];
  args[0] = fn;
  args[1] = this_obj ? (JSValueRef)this_obj : JSValueMakeUndefined(ctx);
  args[2] = JSObjectMakeArray(ctx, argc, argv, NULL);
  args[3] = isl_func_with_data(ctx, on_ok, r, reaction_unref);
  args[4] = isl_func_with_data(ctx, on_fail, r, reaction_unref);
  JSValueRef exc = NULL;
  isl_call_method(ctx, realm->helpers, "callThen", 5, args, &exc);
  if (exc) settle(ctx, r, false, 1, &exc);
}
