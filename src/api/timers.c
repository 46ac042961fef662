/* setTimeout, setInterval, clearTimeout, clearInterval (HTML "Timers"), queueMicrotask and
 * scheduler.wait (workerd).
 *
 * Each pending timer is one uv_timer_t on the realm's loop. A timer's callback and extra
 * arguments are protected (true roots: the timer list is the only thing that refers to
 * them) from creation until it is cleared or has fired for the last time. The list of live
 * timers hangs off realm->api_state[ISL_STATE_TIMERS]; the realm teardown clears them all.
 * A timer struct is freed only in its handle's close callback, which never touches the
 * realm, so teardown may free the realm before the loop runs the close callbacks only if
 * the loop is run once more before the loop itself goes away (the worker layer's job).
 *
 * Pending timers keep the loop alive on purpose (no uv_unref): `islet test` waits for them.
 *
 * Handlers must be functions. HTML also accepts a string, compiled like eval; workers
 * disallow eval at request time, so islet rejects a non-callable handler with a TypeError
 * instead of compiling it. */
#include <math.h>
#include <stdlib.h>

#include "timers.h"

typedef struct isl_timer isl_timer_t;
struct isl_timer {
  uv_timer_t handle;
  isl_timer_t *prev, *next;
  isl_realm_t *realm;
  int32_t id;
  int nesting; /* the task's timer nesting level (HTML) */
  bool repeat;
  bool cleared; /* removed from the list; the handle is closing */
  double timeout;
  JSObjectRef fn; /* protected */
  JSValueRef *args; /* protected each */
  size_t nargs;
};

typedef struct {
  isl_timer_t *head;
  size_t count;
  int32_t next_id;
  int running_nesting; /* nesting level of the timer task being run, 0 outside one */
  JSObjectRef enqueue; /* queueMicrotask helper, protected */
} timers_t;

static timers_t *state_of(isl_realm_t *r) { return r->api_state[ISL_STATE_TIMERS]; }

size_t isl_timers_pending(isl_realm_t *r) {
  timers_t *ts = state_of(r);
  return ts ? ts->count : 0;
}

static void on_close(uv_handle_t *h) { free(h->data); }

/* Removes t from the list, releases its roots and closes its handle. Safe to call from
 * inside t's own callback: the struct lives until the close callback. */
static void timer_clear(JSContextRef ctx, isl_timer_t *t) {
  timers_t *ts = state_of(t->realm);
  if (t->cleared) return;
  t->cleared = true;
  if (t->prev) t->prev->next = t->next;
  else ts->head = t->next;
  if (t->next) t->next->prev = t->prev;
  ts->count--;
  uv_timer_stop(&t->handle);
  isl_unprotect(ctx, t->fn);
  for (size_t i = 0; i < t->nargs; i++) isl_unprotect(ctx, t->args[i]);
  free(t->args);
  t->args = NULL;
  t->nargs = 0;
  uv_close((uv_handle_t *)&t->handle, on_close);
}

static isl_timer_t *timer_find(timers_t *ts, int32_t id) {
  for (isl_timer_t *t = ts->head; t; t = t->next)
    if (t->id == id) return t;
  return NULL;
}

/* Web IDL `long`: ToNumber, non-finite → 0, truncate, wrap modulo 2^32 to signed. */
static bool to_long(JSContextRef ctx, JSValueRef v, int32_t *out, JSValueRef *exc) {
  double d = JSValueToNumber(ctx, v, exc);
  if (*exc) return false;
  if (!isfinite(d)) {
    *out = 0;
    return true;
  }
  d = trunc(d);
  d = fmod(d, 4294967296.0);
  if (d < 0) d += 4294967296.0;
  uint32_t u = (uint32_t)d;
  *out = (int32_t)u;
  return true;
}

static void timer_fire(uv_timer_t *h);

/* Steps 5-6 and 10-12 of the timer initialization steps: clamp, then schedule. */
static void timer_schedule(isl_timer_t *t, int32_t timeout, int nesting) {
  /* 5. If timeout is less than 0, then set timeout to 0. */
  if (timeout < 0) timeout = 0;
  /* 6. If nesting level is greater than 5, and timeout is less than 4, then set timeout
   * to 4. */
  if (nesting > 5 && timeout < 4) timeout = 4;
  /* The task's timer nesting level is nesting level + 1. */
  t->nesting = nesting + 1;
  t->timeout = timeout;
  /* libuv measures timeouts from the loop's cached time, which is stale when script ran
   * for a while (e.g. module evaluation); refresh it so a timer never fires early. libuv
   * runs timers with equal due times in the order they were started, which gives "timers
   * with the same timeout run in order of creation". */
  uv_update_time(t->realm->loop);
  uv_timer_start(&t->handle, timer_fire, (uint64_t)timeout, 0);
}

static void timer_fire(uv_timer_t *h) {
  isl_timer_t *t = h->data;
  isl_realm_t *r = t->realm;
  timers_t *ts = state_of(r);
  JSContextRef ctx = r->ctx;
  if (t->cleared) return;
  /* Run the handler with the global as `this`, inside a task of this nesting level. */
  int saved = ts->running_nesting;
  ts->running_nesting = t->nesting;
  JSValueRef exc = NULL;
  JSObjectCallAsFunction(ctx, t->fn, r->global, t->nargs, t->args, &exc);
  ts->running_nesting = saved;
  if (exc) isl_report_exception(ctx, exc, t->repeat ? "setInterval callback" : "setTimeout callback");
  /* If the handler cleared its own timer, stop here (t stays valid until on_close). */
  if (t->cleared) return;
  if (t->repeat)
    /* An interval re-runs the initialization steps with the same id, from inside this
     * task, so its nesting level grows each time. */
    timer_schedule(t, (int32_t)t->timeout, t->nesting);
  else
    timer_clear(ctx, t);
}

/* Adds a timer calling fn(args…) after timeout ms. Returns its id. */
static int32_t timer_add(JSContextRef ctx, JSObjectRef fn, size_t nargs, const JSValueRef *args,
                         int32_t timeout, bool repeat) {
  isl_realm_t *r = isl_realm_of(ctx);
  timers_t *ts = state_of(r);
  isl_timer_t *t = isl_calloc(1, sizeof(*t));
  t->realm = r;
  /* 2. Let id be an implementation-defined integer greater than zero that does not
   * already exist in the map of active timers. */
  do {
    if (ts->next_id == INT32_MAX) ts->next_id = 0;
    t->id = ++ts->next_id;
  } while (timer_find(ts, t->id));
  t->repeat = repeat;
  t->fn = fn;
  isl_protect(ctx, fn);
  if (nargs) {
    t->args = isl_malloc(nargs * sizeof(JSValueRef));
    for (size_t i = 0; i < nargs; i++) {
      t->args[i] = args[i];
      isl_protect(ctx, args[i]);
    }
    t->nargs = nargs;
  }
  uv_timer_init(r->loop, &t->handle);
  t->handle.data = t;
  t->next = ts->head;
  if (ts->head) ts->head->prev = t;
  ts->head = t;
  ts->count++;
  /* 3-4. nesting level: the running timer task's level, or 0 outside timer tasks. */
  timer_schedule(t, timeout, ts->running_nesting);
  return t->id;
}

static JSValueRef set_timer(JSContextRef ctx, size_t argc, const JSValueRef argv[],
                            JSValueRef *exc, bool repeat) {
  const char *op = repeat ? "setInterval" : "setTimeout";
  if (!isl_require_args(ctx, argc, 1, "WorkerGlobalScope", op, exc)) return NULL;
  if (!JSValueIsObject(ctx, argv[0]) || !JSObjectIsFunction(ctx, (JSObjectRef)argv[0]))
    return isl_throw_type(ctx, exc,
                          "Failed to execute '%s' on 'WorkerGlobalScope': parameter 1 is not "
                          "of type 'Function' (string handlers are not supported).",
                          op);
  int32_t timeout = 0;
  if (argc > 1 && !to_long(ctx, argv[1], &timeout, exc)) return NULL;
  int32_t id = timer_add(ctx, (JSObjectRef)argv[0], argc > 2 ? argc - 2 : 0, argv + 2, timeout,
                         repeat);
  return JSValueMakeNumber(ctx, id);
}

static JSValueRef js_set_timeout(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                 size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)this_obj;
  return set_timer(ctx, argc, argv, exc, false);
}

static JSValueRef js_set_interval(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)this_obj;
  return set_timer(ctx, argc, argv, exc, true);
}

/* clearTimeout and clearInterval share one map of active timers, as in HTML: either can
 * clear either kind. An unknown id is ignored. */
static JSValueRef js_clear_timer(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                 size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)this_obj;
  int32_t id = 0;
  if (argc > 0 && !to_long(ctx, argv[0], &id, exc)) return NULL;
  timers_t *ts = state_of(isl_realm_of(ctx));
  isl_timer_t *t = id > 0 ? timer_find(ts, id) : NULL;
  if (t) timer_clear(ctx, t);
  return JSValueMakeUndefined(ctx);
}

/* queueMicrotask(callback): the microtask runs the callback and reports (instead of
 * rejecting with) anything it throws. The C API cannot enqueue a microtask itself, so a
 * small JS helper built at install time (before user code runs, so it holds the original
 * Promise methods) does it. */
static JSValueRef js_queue_microtask(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                     size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)this_obj;
  if (!isl_require_args(ctx, argc, 1, "WorkerGlobalScope", "queueMicrotask", exc)) return NULL;
  if (!JSValueIsObject(ctx, argv[0]) || !JSObjectIsFunction(ctx, (JSObjectRef)argv[0]))
    return isl_throw_type(ctx, exc,
                          "Failed to execute 'queueMicrotask' on 'WorkerGlobalScope': "
                          "parameter 1 is not of type 'Function'.");
  timers_t *ts = state_of(isl_realm_of(ctx));
  isl_call(ctx, ts->enqueue, NULL, 1, argv, exc);
  return *exc ? NULL : JSValueMakeUndefined(ctx);
}

static JSValueRef js_report(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                            size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)this_obj, (void)exc;
  isl_report_exception(ctx, ISL_ARG(0), "queueMicrotask callback");
  return JSValueMakeUndefined(ctx);
}

static const char enqueue_src[] =
    "(function (report) {\n"
    "  const then = Promise.prototype.then, resolved = Promise.resolve();\n"
    "  return function (cb) {\n"
    "    then.call(resolved, () => { try { cb(); } catch (e) { report(e); } });\n"
    "  };\n"
    "})";

/* scheduler.wait(delay): a promise resolved after delay ms (workerd's Scheduler). It is a
 * timer whose callback is the promise's resolve function. */
static JSValueRef js_scheduler_wait(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                    size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)this_obj;
  int32_t timeout = 0;
  if (argc > 0 && !to_long(ctx, argv[0], &timeout, exc)) return NULL;
  JSObjectRef resolve, reject;
  JSObjectRef p = isl_promise_new(ctx, &resolve, &reject);
  timer_add(ctx, resolve, 0, NULL, timeout, false);
  return p;
}

static void timers_teardown(isl_realm_t *r) {
  timers_t *ts = state_of(r);
  while (ts->head) timer_clear(r->ctx, ts->head);
  isl_unprotect(r->ctx, ts->enqueue);
  free(ts);
  r->api_state[ISL_STATE_TIMERS] = NULL;
}

void isl_api_timers_install(isl_realm_t *r) {
  JSContextRef ctx = r->ctx;
  ISL_CHECK(r->api_state[ISL_STATE_TIMERS] == NULL);
  timers_t *ts = isl_calloc(1, sizeof(*ts));
  r->api_state[ISL_STATE_TIMERS] = ts;
  isl_realm_add_teardown(r, timers_teardown);

  JSValueRef exc = NULL;
  JSValueRef mk = isl_eval(ctx, enqueue_src, sizeof(enqueue_src) - 1, "islet:timers", 1, &exc);
  ISL_CHECK(mk && !exc);
  JSValueRef report = isl_func_new(ctx, "report", js_report, 1);
  JSValueRef enq = isl_call(ctx, (JSObjectRef)mk, NULL, 1, &report, &exc);
  ISL_CHECK(enq && !exc);
  ts->enqueue = (JSObjectRef)enq;
  isl_protect(ctx, enq);

  int f = ISL_W | ISL_E | ISL_C;
  isl_define_value(ctx, r->global, "setTimeout",
                   isl_func_new(ctx, "setTimeout", js_set_timeout, 1), f);
  isl_define_value(ctx, r->global, "setInterval",
                   isl_func_new(ctx, "setInterval", js_set_interval, 1), f);
  isl_define_value(ctx, r->global, "clearTimeout",
                   isl_func_new(ctx, "clearTimeout", js_clear_timer, 0), f);
  isl_define_value(ctx, r->global, "clearInterval",
                   isl_func_new(ctx, "clearInterval", js_clear_timer, 0), f);
  isl_define_value(ctx, r->global, "queueMicrotask",
                   isl_func_new(ctx, "queueMicrotask", js_queue_microtask, 1), f);
  JSObjectRef sched = JSObjectMake(ctx, NULL, NULL);
  isl_define_value(ctx, sched, "wait", isl_func_new(ctx, "wait", js_scheduler_wait, 1), f);
  isl_define_value(ctx, r->global, "scheduler", sched, f);
}
