/* setTimeout, setInterval, clearTimeout, clearInterval (HTML "Timers"), queueMicrotask and
 * scheduler.wait (workerd).
 *
 * The realm's timers live in a min-heap ordered by (deadline, order of scheduling), with
 * one uv_timer_t armed for the earliest deadline. When it fires, one "pass" runs every
 * timer that is due and was scheduled before the pass began, in heap order; so timers
 * with equal deadlines run in the order they were set, and a timer set (or an interval
 * re-armed) from a callback never runs in the same pass: the handle is re-armed from a
 * uv_prepare_t after the pass, since libuv 1.44 would run a handle started with delay 0
 * inside its own timer phase again. Deadlines are kept in nanoseconds of the monotonic
 * clock, and a timer whose deadline libuv's millisecond clock reached early waits for the
 * next pass, so no timer fires before its timeout has elapsed.
 *
 * A timer's callback and extra arguments are protected (true roots: the heap is the only
 * thing that refers to them) from creation until it is cleared or has fired for the last
 * time. The state hangs off realm->api_state[ISL_STATE_TIMERS]; the realm teardown clears
 * every timer and closes both handles; the state is freed in the last close callback,
 * which never touches the realm.
 *
 * Pending timers keep the loop alive on purpose (no uv_unref): `islet test` waits for them.
 *
 * Handlers must be functions. HTML also accepts a string, compiled like eval; workerd's
 * setTimeout takes a function only and throws a TypeError for anything else, at startup
 * and at request time alike, and so does islet (eval is refused at request time anyway). */
#include <math.h>
#include <stdlib.h>

#include "timers.h"

typedef struct {
  int32_t id;
  uint64_t due_ns; /* deadline on the isl_now_ns() clock */
  uint64_t seq;    /* when it was scheduled, for ties and for "not in this pass" */
  size_t slot;     /* index in the heap */
  int nesting;     /* the task's timer nesting level (HTML) */
  bool repeat;
  int32_t timeout;  /* ms, after clamping */
  JSObjectRef fn;   /* protected */
  JSValueRef *args; /* protected each */
  size_t nargs;
  isl_budget_t *budget; /* the request that set it (a reference), or NULL */
} isl_timer_t;

typedef struct {
  uv_timer_t handle;  /* armed for the earliest deadline */
  uv_prepare_t rearm; /* arms handle after a pass */
  isl_realm_t *realm;
  isl_timer_t **heap;
  size_t count, cap;
  int32_t next_id;
  uint64_t next_seq;
  bool in_pass;
  isl_timer_t *running; /* the timer whose callback runs now, out of the heap */
  bool running_cleared; /* … and it was cleared from inside its callback */
  int running_nesting;  /* nesting level of the timer task being run, 0 outside one */
  int open_handles;     /* at teardown: handles not yet closed */
  JSObjectRef enqueue;  /* queueMicrotask helper, protected */
} timers_t;

static timers_t *state_of(isl_realm_t *r) { return r->api_state[ISL_STATE_TIMERS]; }

size_t isl_timers_pending(isl_realm_t *r) {
  timers_t *ts = state_of(r);
  if (!ts) return 0;
  bool running_interval = ts->running && ts->running->repeat && !ts->running_cleared;
  return ts->count + (running_interval ? 1 : 0);
}

/* ---- The heap -------------------------------------------------------------------------- */

static bool before(const isl_timer_t *a, const isl_timer_t *b) {
  return a->due_ns != b->due_ns ? a->due_ns < b->due_ns : a->seq < b->seq;
}

static void heap_set(timers_t *ts, size_t i, isl_timer_t *t) {
  ts->heap[i] = t;
  t->slot = i;
}

static void heap_up(timers_t *ts, size_t i) {
  isl_timer_t *t = ts->heap[i];
  while (i > 0 && before(t, ts->heap[(i - 1) / 2])) {
    heap_set(ts, i, ts->heap[(i - 1) / 2]);
    i = (i - 1) / 2;
  }
  heap_set(ts, i, t);
}

static void heap_down(timers_t *ts, size_t i) {
  isl_timer_t *t = ts->heap[i];
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= ts->count) break;
    if (c + 1 < ts->count && before(ts->heap[c + 1], ts->heap[c])) c++;
    if (!before(ts->heap[c], t)) break;
    heap_set(ts, i, ts->heap[c]);
    i = c;
  }
  heap_set(ts, i, t);
}

static void heap_push(timers_t *ts, isl_timer_t *t) {
  if (ts->count == ts->cap) {
    ts->cap = ts->cap ? ts->cap * 2 : 16;
    ts->heap = isl_realloc(ts->heap, ts->cap * sizeof(*ts->heap));
  }
  heap_set(ts, ts->count++, t);
  heap_up(ts, t->slot);
}

static void heap_remove(timers_t *ts, isl_timer_t *t) {
  size_t i = t->slot;
  isl_timer_t *last = ts->heap[--ts->count];
  if (i == ts->count) return;
  heap_set(ts, i, last);
  heap_up(ts, i);
  heap_down(ts, last->slot);
}

/* ---- Scheduling ------------------------------------------------------------------------ */

static void on_timer(uv_timer_t *h);

/* Arms the handle for the earliest deadline (or stops it when no timer is left). Inside
 * a pass this waits for the prepare phase, so the pass cannot pick up new timers. */
static void arm(timers_t *ts) {
  if (ts->in_pass) return; /* the pass re-arms when it ends */
  if (ts->count == 0) {
    uv_timer_stop(&ts->handle);
    return;
  }
  uint64_t now = isl_now_ns(), due = ts->heap[0]->due_ns;
  uint64_t ms = due > now ? (due - now + 999999) / 1000000 : 0;
  /* libuv measures from the loop's cached time, which is stale when script ran for a
   * while; refresh it so the handle does not fire early by that much. */
  uv_update_time(ts->realm->loop);
  uv_timer_start(&ts->handle, on_timer, ms, 0);
}

static void on_rearm(uv_prepare_t *h) {
  timers_t *ts = h->data;
  uv_prepare_stop(h);
  arm(ts);
}

static void timer_free(JSContextRef ctx, isl_timer_t *t) {
  isl_budget_unref(t->budget);
  isl_unprotect(ctx, t->fn);
  for (size_t i = 0; i < t->nargs; i++) isl_unprotect(ctx, t->args[i]);
  free(t->args);
  free(t);
}

/* Steps 5-6 and 10-12 of the timer initialization steps: clamp, then schedule. */
static void timer_schedule(timers_t *ts, isl_timer_t *t, int32_t timeout, int nesting) {
  /* 5. If timeout is less than 0, then set timeout to 0. */
  if (timeout < 0) timeout = 0;
  /* 6. If nesting level is greater than 5, and timeout is less than 4, then set timeout
   * to 4. */
  if (nesting > 5 && timeout < 4) timeout = 4;
  /* The task's timer nesting level is nesting level + 1. */
  t->nesting = nesting + 1;
  t->timeout = timeout;
  t->due_ns = isl_now_ns() + (uint64_t)timeout * 1000000;
  t->seq = ts->next_seq++;
  heap_push(ts, t);
  if (ts->heap[0] == t) arm(ts);
}

/* Runs t's callback with the global as `this`, inside a task of its nesting level. t is
 * out of the heap; it goes back if it is an interval that was not cleared meanwhile.
 *
 * The callback runs on behalf of the request that set the timer and is charged to its
 * CPU budget. A timer of a request that is over (answered, its waitUntil() work done) or
 * was stopped for its limits does not fire: it is dropped, interval or not, as in
 * workerd, so timers cannot keep a request's work going past its end. */
static void timer_run(timers_t *ts, isl_timer_t *t) {
  isl_realm_t *r = ts->realm;
  JSContextRef ctx = r->ctx;
  if (!isl_budget_live(t->budget)) {
    timer_free(ctx, t);
    return;
  }
  ts->running = t;
  ts->running_cleared = false;
  int saved = ts->running_nesting;
  ts->running_nesting = t->nesting;
  JSValueRef exc = NULL;
  isl_run_t run;
  isl_run_begin(r, t->budget, &run);
  JSObjectCallAsFunction(ctx, t->fn, r->global, t->nargs, t->args, &exc);
  if (exc && !r->stop) /* a stopped run is reported by the worker layer */
    isl_report_exception(ctx, exc, t->repeat ? "setInterval callback" : "setTimeout callback");
  isl_run_end(r, &run);
  ts->running_nesting = saved;
  ts->running = NULL;
  if (t->repeat && !ts->running_cleared)
    /* An interval re-runs the initialization steps with the same id, from inside this
     * task, so its nesting level grows each time. */
    timer_schedule(ts, t, t->timeout, t->nesting);
  else
    timer_free(ctx, t);
}

/* One pass: every timer that is due and was scheduled before the pass began. */
static void on_timer(uv_timer_t *h) {
  timers_t *ts = h->data;
  uint64_t now = isl_now_ns(), seq_limit = ts->next_seq;
  ts->in_pass = true;
  while (ts->count) {
    isl_timer_t *t = ts->heap[0];
    if (t->due_ns > now || t->seq >= seq_limit) break;
    heap_remove(ts, t);
    timer_run(ts, t);
  }
  ts->in_pass = false;
  if (ts->count) uv_prepare_start(&ts->rearm, on_rearm);
}

/* Adds a timer calling fn(args…) after timeout ms. Returns its id. */
static int32_t timer_add(JSContextRef ctx, JSObjectRef fn, size_t nargs, const JSValueRef *args,
                         int32_t timeout, bool repeat) {
  timers_t *ts = state_of(isl_realm_of(ctx));
  isl_timer_t *t = isl_calloc(1, sizeof(*t));
  /* 2. Let id be an implementation-defined integer greater than zero that does not
   * already exist in the map of active timers. */
  for (;;) {
    if (ts->next_id == INT32_MAX) ts->next_id = 0;
    int32_t id = ++ts->next_id;
    bool taken = ts->running && ts->running->id == id && !ts->running_cleared;
    for (size_t i = 0; i < ts->count && !taken; i++) taken = ts->heap[i]->id == id;
    if (!taken) {
      t->id = id;
      break;
    }
  }
  t->repeat = repeat;
  t->fn = fn;
  t->budget = isl_realm_of(ctx)->current;
  isl_budget_ref(t->budget);
  isl_protect(ctx, fn);
  if (nargs) {
    t->args = isl_malloc(nargs * sizeof(JSValueRef));
    for (size_t i = 0; i < nargs; i++) {
      t->args[i] = args[i];
      isl_protect(ctx, args[i]);
    }
    t->nargs = nargs;
  }
  /* 3-4. nesting level: the running timer task's level, or 0 outside timer tasks. */
  timer_schedule(ts, t, timeout, ts->running_nesting);
  return t->id;
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
  if (id <= 0) return JSValueMakeUndefined(ctx);
  /* The running timer is out of the heap: mark it, timer_run frees it afterwards. */
  if (ts->running && ts->running->id == id) {
    ts->running_cleared = true;
    return JSValueMakeUndefined(ctx);
  }
  for (size_t i = 0; i < ts->count; i++) {
    isl_timer_t *t = ts->heap[i];
    if (t->id != id) continue;
    bool first = i == 0;
    heap_remove(ts, t);
    timer_free(ctx, t);
    if (first) arm(ts);
    break;
  }
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

static void on_handle_closed(uv_handle_t *h) {
  timers_t *ts = h->data;
  if (--ts->open_handles == 0) free(ts);
}

static void timers_teardown(isl_realm_t *r) {
  timers_t *ts = state_of(r);
  while (ts->count) {
    isl_timer_t *t = ts->heap[--ts->count];
    timer_free(r->ctx, t);
  }
  free(ts->heap);
  ts->heap = NULL;
  isl_unprotect(r->ctx, ts->enqueue);
  r->api_state[ISL_STATE_TIMERS] = NULL;
  ts->open_handles = 2;
  uv_close((uv_handle_t *)&ts->handle, on_handle_closed);
  uv_close((uv_handle_t *)&ts->rearm, on_handle_closed);
}

void isl_api_timers_install(isl_realm_t *r) {
  JSContextRef ctx = r->ctx;
  ISL_CHECK(r->api_state[ISL_STATE_TIMERS] == NULL);
  timers_t *ts = isl_calloc(1, sizeof(*ts));
  ts->realm = r;
  uv_timer_init(r->loop, &ts->handle);
  ts->handle.data = ts;
  uv_prepare_init(r->loop, &ts->rearm);
  ts->rearm.data = ts;
  r->api_state[ISL_STATE_TIMERS] = ts;
  isl_realm_add_teardown(r, timers_teardown);

  JSValueRef exc = NULL;
  JSValueRef mk = isl_eval_static(ctx, enqueue_src, sizeof(enqueue_src) - 1, "islet:timers", &exc);
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
