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
  JSObjectCallAsFunction(ctx, realm->h_then, NULL, 3, args, &exc);
  if (exc) settle(ctx, r, false, 1, &exc);
}

/* isl_call_then's reactions live in a table indexed by a token, so the per-request path
 * creates no native function objects (two per call otherwise, each with a finalizer). */
static reaction_t *rx_take(isl_realm_t *realm, JSContextRef ctx, JSValueRef token) {
  double t = JSValueToNumber(ctx, token, NULL);
  if (!(t >= 0) || (size_t)t >= realm->nrx) return NULL;
  size_t i = (size_t)t;
  reaction_t *r = realm->rx[i];
  if (!r) return NULL;
  realm->rx[i] = NULL;
  realm->rx_free[realm->nrx_free++] = i;
  return r;
}

static JSValueRef rx_settle(JSContextRef ctx, void *data, bool ok, size_t argc,
                            const JSValueRef argv[]) {
  reaction_t *r = rx_take(data, ctx, argc ? argv[0] : JSValueMakeUndefined(ctx));
  if (r) {
    r->cb(ctx, r->data, ok, argc > 1 ? argv[1] : JSValueMakeUndefined(ctx));
    free(r);
  }
  return JSValueMakeUndefined(ctx);
}

static JSValueRef rx_ok(JSContextRef ctx, void *data, JSObjectRef this_obj, size_t argc,
                        const JSValueRef argv[], JSValueRef *exc) {
  (void)this_obj;
  (void)exc;
  return rx_settle(ctx, data, true, argc, argv);
}

static JSValueRef rx_fail(JSContextRef ctx, void *data, JSObjectRef this_obj, size_t argc,
                          const JSValueRef argv[], JSValueRef *exc) {
  (void)this_obj;
  (void)exc;
  return rx_settle(ctx, data, false, argc, argv);
}

void isl_promise_realm_init(isl_realm_t *r) {
  r->rx_ok = isl_func_with_data(r->ctx, rx_ok, r, NULL);
  r->rx_fail = isl_func_with_data(r->ctx, rx_fail, r, NULL);
  JSValueProtect(r->ctx, r->rx_ok);
  JSValueProtect(r->ctx, r->rx_fail);
}

void isl_promise_realm_dispose(isl_realm_t *r) {
  /* Reactions that never settled: their owners release their data now. */
  for (size_t i = 0; i < r->nrx; i++) {
    reaction_t *x = r->rx[i];
    if (!x) continue;
    r->rx[i] = NULL;
    x->cb(NULL, x->data, false, NULL);
    free(x);
  }
  free(r->rx);
  free(r->rx_free);
  r->rx = NULL;
  r->rx_free = NULL;
  r->nrx = r->caprx = r->nrx_free = 0;
  if (r->rx_ok) {
    JSValueUnprotect(r->ctx, r->rx_ok);
    JSValueUnprotect(r->ctx, r->rx_fail);
    r->rx_ok = r->rx_fail = NULL;
  }
}

void isl_call_then(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                   const JSValueRef argv[], isl_settle_cb cb, void *data) {
  isl_realm_t *realm = isl_realm_of(ctx);
  ISL_CHECK(argc <= 3);
  reaction_t *r = isl_malloc(sizeof(*r));
  r->cb = cb;
  r->data = data;
  r->settled = false;
  r->refs = 0;
  size_t token;
  if (realm->nrx_free) {
    token = realm->rx_free[--realm->nrx_free];
  } else {
    if (realm->nrx == realm->caprx) {
      realm->caprx = realm->caprx ? realm->caprx * 2 : 64;
      realm->rx = isl_realloc(realm->rx, realm->caprx * sizeof(void *));
      realm->rx_free = isl_realloc(realm->rx_free, realm->caprx * sizeof(size_t));
    }
    token = realm->nrx++;
  }
  realm->rx[token] = r;
  JSValueRef undef = JSValueMakeUndefined(ctx);
  JSValueRef args[9] = {fn,
                        this_obj ? (JSValueRef)this_obj : undef,
                        JSValueMakeNumber(ctx, (double)argc),
                        argc > 0 ? argv[0] : undef,
                        argc > 1 ? argv[1] : undef,
                        argc > 2 ? argv[2] : undef,
                        JSValueMakeNumber(ctx, (double)token),
                        realm->rx_ok,
                        realm->rx_fail};
  JSValueRef exc = NULL;
  JSValueRef res = JSObjectCallAsFunction(ctx, realm->h_call_then, NULL, 9, args, &exc);
  if (exc) {
    JSValueRef fargs[2] = {args[6], exc};
    rx_settle(ctx, realm, false, 2, fargs);
  } else if (res && res != realm->h_pending) {
    /* Settled now (the same object is the same reference: a JSValueRef of an object is
     * the object). The reaction is taken back without a round trip through JS. */
    realm->rx[token] = NULL;
    realm->rx_free[realm->nrx_free++] = token;
    cb(ctx, data, true, res);
    free(r);
  }
}
