/* Request contexts and the objects handlers see: ExecutionContext (the `ctx` argument of
 * module handlers), FetchEvent and addEventListener for classic scripts.
 *
 * A request context lives from dispatch until the response is handed back and every
 * waitUntil() promise has settled; JS wrappers that point at it hold references, so a
 * handler that keeps `ctx` around after the request cannot reach freed memory (its calls
 * then do nothing). */
#include <stdlib.h>
#include <string.h>

#include "../api/fetch_api.h"
#include "internal.h"

void isl_reqctx_ref(isl_reqctx_t *rc) { rc->refs++; }

void isl_reqctx_unref(isl_reqctx_t *rc) {
  if (--rc->refs > 0) return;
  ISL_CHECK(rc->cb == NULL);
  free(rc);
}

isl_reqctx_t *isl_reqctx_new(isl_worker_t *w, isl_response_cb cb, void *cb_data) {
  isl_reqctx_t *rc = isl_calloc(1, sizeof(*rc));
  rc->refs = 1; /* held until finished */
  rc->w = w;
  rc->cb = cb;
  rc->cb_data = cb_data;
  rc->next = w->requests;
  if (w->requests) w->requests->prev = rc;
  w->requests = rc;
  w->active++;
  return rc;
}

/* Unlinks rc once it is answered and nothing waits on it. */
static void maybe_finish(isl_reqctx_t *rc) {
  if (rc->finished || rc->cb || rc->waiting > 0) return;
  rc->finished = true;
  isl_worker_t *w = rc->w;
  if (w) {
    if (rc->prev) rc->prev->next = rc->next;
    else w->requests = rc->next;
    if (rc->next) rc->next->prev = rc->prev;
    w->active--;
    if (w->active == 0) isl_worker_became_idle(w);
  }
  isl_reqctx_unref(rc);
}

void isl_reqctx_respond(isl_reqctx_t *rc, isl_response_t *res) {
  if (!rc->cb) {
    isl_response_free(res);
    return;
  }
  isl_response_cb cb = rc->cb;
  rc->cb = NULL;
  cb(rc->cb_data, res);
  maybe_finish(rc);
}

void isl_reqctx_fail(isl_reqctx_t *rc, JSContextRef ctx, JSValueRef exc, const char *what) {
  if (exc) {
    char *d = isl_exception_describe(ctx, exc);
    isl_log(ISL_LOG_ERROR, "%s: %s", what, d);
    free(d);
  } else {
    isl_log(ISL_LOG_ERROR, "%s", what);
  }
  /* The client learns nothing about the worker's internals. */
  isl_reqctx_respond(rc, isl_response_text(500, "Internal Server Error"));
}

static void on_result(JSContextRef ctx, void *data, bool ok, JSValueRef value) {
  isl_reqctx_t *rc = data;
  if (!ctx) {
    /* The handler's promise was collected unsettled; the request was answered 503 at
     * worker teardown, or its waiter is gone. */
    isl_reqctx_unref(rc);
    return;
  }
  if (!ok) {
    isl_reqctx_fail(rc, ctx, value, "uncaught exception in fetch handler");
  } else {
    JSValueRef exc = NULL;
    isl_response_t *res = isl_response_to_c(ctx, value, &exc);
    if (res && res->status == 0) {
      /* Response.error() is a network error, not something to send. */
      isl_response_free(res);
      isl_reqctx_fail(rc, ctx, NULL, "fetch handler returned Response.error()");
    } else if (res) {
      isl_reqctx_respond(rc, res);
    } else {
      isl_reqctx_fail(rc, ctx, exc, "fetch handler did not return a Response");
    }
  }
  isl_reqctx_unref(rc);
}

void isl_reqctx_settle_with(isl_reqctx_t *rc, JSContextRef ctx, JSValueRef result) {
  isl_reqctx_ref(rc);
  isl_promise_then(ctx, result, on_result, rc);
}

void isl_reqctx_call_handler(isl_reqctx_t *rc, JSContextRef ctx, JSObjectRef fn,
                             JSObjectRef this_obj, size_t argc, const JSValueRef argv[]) {
  isl_reqctx_ref(rc);
  isl_call_then(ctx, fn, this_obj, argc, argv, on_result, rc);
}

/* ExecutionContext */

static void ctx_finalize(void *priv) { isl_reqctx_unref(priv); }

static isl_class_def_t exec_ctx_class;

static void on_wait_settled(JSContextRef ctx, void *data, bool ok, JSValueRef value) {
  isl_reqctx_t *rc = data;
  if (!ctx) {
    isl_reqctx_unref(rc);
    return;
  }
  if (!ok) {
    char *d = isl_exception_describe(ctx, value);
    isl_log(ISL_LOG_ERROR, "waitUntil() promise rejected: %s", d);
    free(d);
  }
  rc->waiting--;
  maybe_finish(rc);
  isl_reqctx_unref(rc);
}

static void wait_until(JSContextRef ctx, isl_reqctx_t *rc, JSValueRef p) {
  if (rc->finished) {
    /* As workerd: work can't be attached to a request that is over. */
    isl_log(ISL_LOG_WARN, "waitUntil() called after the request finished; ignored");
    return;
  }
  rc->waiting++;
  isl_reqctx_ref(rc);
  isl_promise_then(ctx, p, on_wait_settled, rc);
}

static JSValueRef js_ctx_wait_until(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                    size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  isl_reqctx_t *rc = isl_unwrap(ctx, this_obj, &exec_ctx_class, exc);
  if (!rc) return NULL;
  if (!isl_require_args(ctx, argc, 1, "ExecutionContext", "waitUntil", exc)) return NULL;
  wait_until(ctx, rc, argv[0]);
  return JSValueMakeUndefined(ctx);
}

static JSValueRef js_ctx_pass_through(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                      size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  (void)argc;
  (void)argv;
  isl_reqctx_t *rc = isl_unwrap(ctx, this_obj, &exec_ctx_class, exc);
  if (!rc) return NULL;
  /* islet has no origin to fall back to for a single worker: an exception still answers
   * 500. The flag is kept for services that do have one. */
  rc->pass_through = true;
  return JSValueMakeUndefined(ctx);
}

static const isl_method_t exec_ctx_methods[] = {
    {"waitUntil", js_ctx_wait_until, 1},
    {"passThroughOnException", js_ctx_pass_through, 0},
    {0},
};

static isl_class_def_t exec_ctx_class = {
    .name = "ExecutionContext",
    .methods = exec_ctx_methods,
    .finalize = ctx_finalize,
};

JSObjectRef isl_exec_ctx_new(JSContextRef ctx, isl_reqctx_t *rc) {
  isl_reqctx_ref(rc);
  return isl_wrap(ctx, &exec_ctx_class, rc);
}

/* FetchEvent */

static isl_class_def_t fetch_event_class;

static JSValueRef js_event_request(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  (void)argc;
  (void)argv;
  if (!isl_unwrap(ctx, this_obj, &fetch_event_class, exc)) return NULL;
  return isl_slot_get(ctx, this_obj, "request");
}

static JSValueRef js_event_type(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  (void)argc;
  (void)argv;
  if (!isl_unwrap(ctx, this_obj, &fetch_event_class, exc)) return NULL;
  return isl_str(ctx, "fetch");
}

static JSValueRef js_event_respond_with(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                        size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  isl_reqctx_t *rc = isl_unwrap(ctx, this_obj, &fetch_event_class, exc);
  if (!rc) return NULL;
  if (!isl_require_args(ctx, argc, 1, "FetchEvent", "respondWith", exc)) return NULL;
  /* As the Service Workers spec: only once, and only during dispatch. */
  if (rc->respond_called)
    return isl_throw_dom(ctx, exc, "InvalidStateError", "respondWith() was already called");
  if (!rc->dispatching)
    return isl_throw_dom(ctx, exc, "InvalidStateError",
                         "respondWith() must be called synchronously in the fetch listener");
  rc->respond_called = true;
  isl_reqctx_settle_with(rc, ctx, argv[0]);
  return JSValueMakeUndefined(ctx);
}

static const isl_accessor_t fetch_event_accessors[] = {
    {"type", js_event_type, NULL},
    {"request", js_event_request, NULL},
    {0},
};

static const isl_method_t fetch_event_methods[] = {
    {"respondWith", js_event_respond_with, 1},
    {"waitUntil", js_ctx_wait_until, 1},
    {"passThroughOnException", js_ctx_pass_through, 0},
    {0},
};

static isl_class_def_t fetch_event_class = {
    .name = "FetchEvent",
    .parent = &exec_ctx_class,
    .methods = fetch_event_methods,
    .accessors = fetch_event_accessors,
    .finalize = ctx_finalize,
};

void isl_dispatch_fetch_event(isl_worker_t *w, isl_reqctx_t *rc, JSObjectRef request) {
  JSContextRef ctx = w->realm->ctx;
  isl_reqctx_ref(rc);
  JSObjectRef ev = isl_wrap(ctx, &fetch_event_class, rc);
  isl_slot_set(ctx, ev, "request", request);
  unsigned n = (unsigned)JSValueToNumber(ctx, isl_get(ctx, w->listeners, "length", NULL), NULL);
  rc->dispatching = true;
  for (unsigned i = 0; i < n; i++) {
    JSValueRef l = JSObjectGetPropertyAtIndex(ctx, w->listeners, i, NULL);
    JSValueRef exc = NULL;
    JSValueRef arg = ev;
    if (JSObjectIsFunction(ctx, (JSObjectRef)l))
      isl_call(ctx, (JSObjectRef)l, NULL, 1, &arg, &exc);
    else
      isl_call_method(ctx, (JSObjectRef)l, "handleEvent", 1, &arg, &exc);
    if (exc && !rc->respond_called) {
      rc->dispatching = false;
      isl_reqctx_fail(rc, ctx, exc, "uncaught exception in fetch event listener");
      return;
    }
    if (exc) isl_report_exception(ctx, exc, "fetch event listener");
  }
  rc->dispatching = false;
  if (!rc->respond_called)
    isl_reqctx_fail(rc, ctx, NULL,
                    n ? "no fetch listener called respondWith()"
                      : "the script registered no fetch listener");
}

/* addEventListener / removeEventListener on the global scope. Only "fetch" is dispatched
 * today; other types are accepted and kept for the events issue. */
static JSValueRef js_add_listener(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  (void)this_obj;
  if (!isl_require_args(ctx, argc, 2, "EventTarget", "addEventListener", exc)) return NULL;
  isl_worker_t *w = isl_realm_of(ctx)->owner;
  char *type = isl_to_cstr(ctx, argv[0], NULL, exc);
  if (!type) return NULL;
  JSValueRef l = argv[1];
  bool fetch = strcmp(type, "fetch") == 0;
  free(type);
  if (JSValueIsNull(ctx, l) || JSValueIsUndefined(ctx, l)) return JSValueMakeUndefined(ctx);
  if (!JSValueIsObject(ctx, l))
    return isl_throw_type(ctx, exc, "Failed to execute 'addEventListener': the listener is not an object");
  if (!fetch) return JSValueMakeUndefined(ctx);
  unsigned n = (unsigned)JSValueToNumber(ctx, isl_get(ctx, w->listeners, "length", NULL), NULL);
  for (unsigned i = 0; i < n; i++)
    if (JSValueIsStrictEqual(ctx, JSObjectGetPropertyAtIndex(ctx, w->listeners, i, NULL), l))
      return JSValueMakeUndefined(ctx);
  JSObjectSetPropertyAtIndex(ctx, w->listeners, n, l, NULL);
  return JSValueMakeUndefined(ctx);
}

static JSValueRef js_remove_listener(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                     size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  (void)this_obj;
  if (!isl_require_args(ctx, argc, 2, "EventTarget", "removeEventListener", exc)) return NULL;
  isl_worker_t *w = isl_realm_of(ctx)->owner;
  unsigned n = (unsigned)JSValueToNumber(ctx, isl_get(ctx, w->listeners, "length", NULL), NULL);
  for (unsigned i = 0; i < n; i++)
    if (JSValueIsStrictEqual(ctx, JSObjectGetPropertyAtIndex(ctx, w->listeners, i, NULL), argv[1])) {
      JSValueRef args[2] = {JSValueMakeNumber(ctx, i), JSValueMakeNumber(ctx, 1)};
      isl_call_method(ctx, w->listeners, "splice", 2, args, NULL);
      break;
    }
  return JSValueMakeUndefined(ctx);
}

void isl_context_install(isl_worker_t *w) {
  isl_realm_t *r = w->realm;
  isl_class_install(r, &exec_ctx_class);
  isl_class_install(r, &fetch_event_class);
  w->listeners = JSObjectMakeArray(r->ctx, 0, NULL, NULL);
  isl_protect(r->ctx, w->listeners);
  isl_define_method(r->ctx, r->global, "addEventListener", js_add_listener, 2);
  isl_define_method(r->ctx, r->global, "removeEventListener", js_remove_listener, 2);
}
