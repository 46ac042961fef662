/* Request contexts and the objects handlers see: ExecutionContext (the `ctx` argument of
 * module handlers) and FetchEvent, which classic scripts' "fetch" listeners receive.
 *
 * A request context lives from dispatch until the response is handed back, its body is
 * all produced (when the worker's JS produces it: a ReadableStream) and every
 * waitUntil() promise has settled; JS wrappers that point at it hold references, so a
 * handler that keeps `ctx` around after the request cannot reach freed memory (its calls
 * then do nothing). */
#include <stdlib.h>
#include <string.h>

#include "../api/event.h"
#include "../api/fetch_api.h"
#include "internal.h"

void isl_reqctx_ref(isl_reqctx_t *rc) { rc->refs++; }

void isl_reqctx_unref(isl_reqctx_t *rc) {
  if (--rc->refs > 0) return;
  ISL_CHECK(rc->cb == NULL);
  ISL_CHECK(!rc->in_wait_list);
  free(rc);
}

/* The budget is embedded in the context: work scheduled on the request's behalf (timers,
 * subrequests) keeps the whole context alive through it. */
static void budget_ref(isl_budget_t *b) { isl_reqctx_ref((isl_reqctx_t *)b); }
static void budget_unref(isl_budget_t *b) { isl_reqctx_unref((isl_reqctx_t *)b); }

/* A run for this request was stopped (CPU or memory): the client gets a bare 503, as
 * workerd answers a request over its limits, and the request is over. */
static void budget_stopped(isl_budget_t *b, isl_stop_t why) {
  (void)why;
  isl_reqctx_abandon((isl_reqctx_t *)b, 503);
}

static const isl_budget_ops_t reqctx_budget_ops = {budget_ref, budget_unref, budget_stopped};

isl_reqctx_t *isl_reqctx_new(isl_worker_t *w, isl_response_cb cb, void *cb_data) {
  isl_reqctx_t *rc = isl_calloc(1, sizeof(*rc));
  rc->budget.ops = &reqctx_budget_ops;
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

/* ---- The waitUntil() bound ------------------------------------------------------------
 * Once a request is answered its waitUntil() work may go on for w->wait_until_ns (30 s by
 * default, as workerd allows); then the request is abandoned. The worker keeps these
 * requests in a list ordered by deadline and one timer for the first. */

static void wait_list_remove(isl_reqctx_t *rc) {
  if (!rc->in_wait_list) return;
  isl_worker_t *w = rc->w;
  if (rc->wprev) rc->wprev->wnext = rc->wnext;
  else w->wait_head = rc->wnext;
  if (rc->wnext) rc->wnext->wprev = rc->wprev;
  else w->wait_tail = rc->wprev;
  rc->wnext = rc->wprev = NULL;
  rc->in_wait_list = false;
}

static void wait_bound_start(isl_reqctx_t *rc) {
  isl_worker_t *w = rc->w;
  if (!w || rc->cb || rc->finished || rc->in_wait_list || rc->waiting <= 0 || rc->streaming > 0)
    return;
  if (!w->wait_until_ns) return;
  rc->wait_deadline_ns = isl_now_ns() + w->wait_until_ns;
  rc->in_wait_list = true;
  rc->wprev = w->wait_tail;
  if (w->wait_tail) w->wait_tail->wnext = rc;
  else w->wait_head = rc;
  w->wait_tail = rc;
  if (w->wait_head == rc) isl_worker_arm_wait_timer(w);
}

void isl_reqctx_wait_expired(isl_worker_t *w) {
  uint64_t now = isl_now_ns();
  while (w->wait_head && w->wait_head->wait_deadline_ns <= now) {
    isl_reqctx_t *rc = w->wait_head;
    isl_log(ISL_LOG_WARN, "worker '%s': waitUntil() work still pending %llu ms after the "
                          "response; abandoned (--wait-until-limit-ms)",
            w->main_path, (unsigned long long)(w->wait_until_ns / 1000000));
    isl_reqctx_abandon(rc, 503);
  }
  isl_worker_arm_wait_timer(w);
}

/* Unlinks rc: it is answered and nothing waits on it any more (or it was abandoned). Its
 * budget closes, so timers it set no longer fire. */
static void finish(isl_reqctx_t *rc) {
  if (rc->finished) return;
  rc->finished = true;
  rc->budget.closed = true;
  isl_worker_t *w = rc->w;
  if (w) {
    wait_list_remove(rc);
    if (rc->prev) rc->prev->next = rc->next;
    else w->requests = rc->next;
    if (rc->next) rc->next->prev = rc->prev;
    w->active--;
    if (w->active == 0) isl_worker_became_idle(w);
  }
  isl_reqctx_unref(rc);
}

static void maybe_finish(isl_reqctx_t *rc) {
  if (rc->finished || rc->cb || rc->waiting > 0 || rc->streaming > 0) return;
  finish(rc);
}

/* The response body's stream is all produced (or canceled): the request may finish, and
 * its waitUntil() bound starts now. Possibly called from a finalizer: no JS here. */
static void body_produced(void *data) {
  isl_reqctx_t *rc = data;
  rc->streaming--;
  wait_bound_start(rc);
  maybe_finish(rc);
  isl_reqctx_unref(rc);
}

/* A response whose body the worker's JS still produces keeps the request going (its
 * timers fire, its CPU time counts) until the stream is done, as in workerd, where the
 * request's I/O context lives while the response body streams. */
static void hold_for_body(isl_reqctx_t *rc, isl_body_t *body) {
  if (!isl_body_is_stream(body)) return;
  isl_reqctx_ref(rc);
  rc->streaming++;
  if (!isl_body_on_finish(body, body_produced, rc)) {
    rc->streaming--;
    isl_reqctx_unref(rc);
  }
}

void isl_reqctx_respond(isl_reqctx_t *rc, isl_response_t *res) {
  if (!rc->cb) {
    isl_response_free(res);
    return;
  }
  isl_response_cb cb = rc->cb;
  rc->cb = NULL;
  cb(rc->cb_data, res);
  wait_bound_start(rc);
  maybe_finish(rc);
}

void isl_reqctx_abandon(isl_reqctx_t *rc, int status) {
  isl_reqctx_ref(rc);
  if (rc->cb) {
    isl_response_cb cb = rc->cb;
    rc->cb = NULL;
    cb(rc->cb_data, isl_response_text(status, status == 503 ? "Service Unavailable"
                                                            : "Internal Server Error"));
  }
  finish(rc);
  isl_reqctx_unref(rc);
}

void isl_reqctx_detach_all(isl_worker_t *w) {
  while (w->requests) {
    isl_reqctx_t *rc = w->requests;
    w->requests = rc->next;
    wait_list_remove(rc);
    rc->w = NULL;
    rc->finished = true;
    rc->budget.closed = true;
    if (rc->cb) {
      isl_response_cb cb = rc->cb;
      rc->cb = NULL;
      cb(rc->cb_data, isl_response_text(503, "Service Unavailable"));
    }
    isl_reqctx_unref(rc);
  }
  w->active = 0;
}

void isl_reqctx_fail(isl_reqctx_t *rc, JSContextRef ctx, JSValueRef exc, const char *what) {
  if (rc->budget.exceeded) {
    /* Stopped for its limits: the exception is JSC's termination, and the worker logs
     * why. */
    isl_reqctx_abandon(rc, 503);
    return;
  }
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
      hold_for_body(rc, res->body);
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
  if (rc->finished) {
    /* Abandoned (its bound passed, or it was stopped): nothing to count any more. */
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
  wait_bound_start(rc); /* called after the response was sent */
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

/* FetchEvent: an Event (DOM) whose native state embeds the Event's, so Event's own
 * accessors and methods work on it, plus the request context. */

typedef struct {
  isl_event_t ev; /* first: Event's operations read the state as an isl_event_t */
  isl_reqctx_t *rc;
} fetch_event_t;

static void fetch_event_finalize(void *priv) {
  fetch_event_t *fe = priv;
  isl_reqctx_unref(fe->rc);
  JSStringRelease(fe->ev.type);
  free(fe);
}

static isl_class_def_t fetch_event_class;

static isl_reqctx_t *fetch_event_rc(JSContextRef ctx, JSObjectRef this_obj, JSValueRef *exc) {
  fetch_event_t *fe = isl_unwrap(ctx, this_obj, &fetch_event_class, exc);
  return fe ? fe->rc : NULL;
}

static JSValueRef js_event_request(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  (void)argc;
  (void)argv;
  if (!fetch_event_rc(ctx, this_obj, exc)) return NULL;
  return isl_slot_get(ctx, this_obj, "request");
}

static JSValueRef js_event_respond_with(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                        size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  isl_reqctx_t *rc = fetch_event_rc(ctx, this_obj, exc);
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

static JSValueRef js_event_wait_until(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                      size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  isl_reqctx_t *rc = fetch_event_rc(ctx, this_obj, exc);
  if (!rc) return NULL;
  if (!isl_require_args(ctx, argc, 1, "FetchEvent", "waitUntil", exc)) return NULL;
  wait_until(ctx, rc, argv[0]);
  return JSValueMakeUndefined(ctx);
}

static JSValueRef js_event_pass_through(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                        size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  (void)argc;
  (void)argv;
  isl_reqctx_t *rc = fetch_event_rc(ctx, this_obj, exc);
  if (!rc) return NULL;
  rc->pass_through = true;
  return JSValueMakeUndefined(ctx);
}

static const isl_accessor_t fetch_event_accessors[] = {
    {"request", js_event_request, NULL},
    {0},
};

static const isl_method_t fetch_event_methods[] = {
    {"respondWith", js_event_respond_with, 1},
    {"waitUntil", js_event_wait_until, 1},
    {"passThroughOnException", js_event_pass_through, 0},
    {0},
};

static isl_class_def_t fetch_event_class = {
    .name = "FetchEvent",
    .parent = &isl_event_class,
    .methods = fetch_event_methods,
    .accessors = fetch_event_accessors,
    .finalize = fetch_event_finalize,
};

/* The global scope is the EventTarget classic scripts register "fetch" listeners on; the
 * event goes through the DOM's dispatch, so listener options (once, signal, handleEvent
 * objects) behave as anywhere else. A listener's exception is reported and the others
 * still run; a request nobody answered with respondWith() fails with 500. */
void isl_dispatch_fetch_event(isl_worker_t *w, isl_reqctx_t *rc, JSObjectRef request) {
  JSContextRef ctx = w->realm->ctx;
  fetch_event_t *fe = isl_calloc(1, sizeof(*fe));
  isl_event_init_state(ctx, &fe->ev, JSStringCreateWithUTF8CString("fetch"));
  fe->ev.trusted = true;
  fe->ev.cancelable = false;
  isl_reqctx_ref(rc);
  fe->rc = rc;
  JSObjectRef ev = isl_wrap(ctx, &fetch_event_class, fe);
  isl_event_setup_instance(ctx, ev);
  isl_slot_set(ctx, ev, "request", request);
  rc->dispatching = true;
  isl_evtarget_dispatch(ctx, w->realm->global, ev);
  rc->dispatching = false;
  if (!rc->respond_called)
    isl_reqctx_fail(rc, ctx, NULL,
                    isl_evtarget_global(ctx)->n ? "no fetch listener called respondWith()"
                                                : "the script registered no fetch listener");
}

void isl_context_install(isl_worker_t *w) {
  isl_realm_t *r = w->realm;
  isl_class_install(r, &exec_ctx_class);
  isl_class_install(r, &fetch_event_class);
  /* The global scope is an EventTarget (workerd's ServiceWorkerGlobalScope is one). A
   * global object's own prototype cannot be replaced, so the chain is extended one step
   * up: the global's prototype (the object JSC made for its class) inherits from
   * EventTarget.prototype. */
  JSObjectRef scope = (JSObjectRef)JSObjectGetPrototype(r->ctx, r->global);
  JSObjectSetPrototype(r->ctx, scope, isl_proto(r->ctx, &isl_evtarget_class));
}
