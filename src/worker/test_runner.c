/* `islet test`: runs the module's test handlers one after another. Each named export
 * that is an object with a test() method is a test named after the export (the default
 * export's is named "default"); test(controller, env, ctx) may return a promise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../loop/task.h"
#include "internal.h"

#define TEST_TIMEOUT_MS 30000

typedef struct runner runner_t;

/* What one test may spend: each test() call has its own budget, as each request does
 * (src/jsc/limits.c), so a test that spins fails instead of hanging the run. It outlives
 * the test while timers the test set hold it. */
typedef struct {
  isl_budget_t b; /* first */
  int refs;
  runner_t *r; /* NULL once its test has finished */
} test_budget_t;

struct runner {
  isl_worker_t *w;
  JSPropertyNameArrayRef names;
  size_t next, count;
  int passed, failed;
  uint64_t started;
  char *current;
  unsigned generation; /* ignores a test's settlement after it timed out */
  uv_timer_t timer;
  isl_reqctx_t *rc;
  test_budget_t *budget; /* the running test's */
  void (*done)(void *data, int passed, int failed);
  void *done_data;
};

static void run_next(void *data);

static void discard_response(void *data, isl_response_t *res) {
  (void)data;
  isl_response_free(res);
}

static void budget_ref(isl_budget_t *b) { ((test_budget_t *)b)->refs++; }

static void budget_unref(isl_budget_t *b) {
  test_budget_t *tb = (test_budget_t *)b;
  if (--tb->refs == 0) free(tb);
}

static void finish_test(runner_t *r, bool ok, const char *why);

static void budget_stopped(isl_budget_t *b, isl_stop_t why) {
  test_budget_t *tb = (test_budget_t *)b;
  if (!tb->r || !tb->r->current) return;
  char msg[128];
  if (why == ISL_STOP_CPU)
    snprintf(msg, sizeof(msg), "exceeded the CPU limit (%.0f ms used)", (double)b->cpu_ns / 1e6);
  else
    snprintf(msg, sizeof(msg), "exceeded the memory limit");
  finish_test(tb->r, false, msg);
}

static const isl_budget_ops_t test_budget_ops = {budget_ref, budget_unref, budget_stopped};

static void finish_test(runner_t *r, bool ok, const char *why) {
  if (r->budget) {
    r->budget->r = NULL;
    budget_unref(&r->budget->b);
    r->budget = NULL;
  }
  uv_timer_stop(&r->timer);
  double ms = (double)(isl_now_ns() - r->started) / 1e6;
  if (ok) {
    printf("PASS %s (%.1f ms)\n", r->current, ms);
    r->passed++;
  } else {
    printf("FAIL %s: %s\n", r->current, why);
    r->failed++;
  }
  fflush(stdout);
  free(r->current);
  r->current = NULL;
  r->generation++;
  isl_task_post(r->w->loop, run_next, r);
}

typedef struct {
  runner_t *r;
  unsigned generation;
} pending_t;

static void on_settled(JSContextRef ctx, void *data, bool ok, JSValueRef value) {
  pending_t *p = data;
  runner_t *r = p->r;
  if (!ctx) {
    free(p); /* collected unsettled: the runner already reported it (or is gone) */
    return;
  }
  /* A test stopped for its limits rejects with JSC's termination; budget_stopped reports
   * it once the run is over. */
  bool stopped = !ok && r->budget && r->budget->b.exceeded;
  if (p->generation == r->generation && r->current && !stopped) {
    if (ok) {
      finish_test(r, true, NULL);
    } else {
      char *d = isl_exception_describe(ctx, value);
      finish_test(r, false, d);
      free(d);
    }
  }
  free(p);
}

static void on_timeout(uv_timer_t *t) {
  runner_t *r = t->data;
  finish_test(r, false, "timed out after 30 s");
}

static void close_done(uv_handle_t *h) {
  runner_t *r = h->data;
  void (*done)(void *, int, int) = r->done;
  void *dd = r->done_data;
  int passed = r->passed, failed = r->failed;
  r->w->runner = NULL;
  free(r);
  done(dd, passed, failed);
}

static void run_next(void *data) {
  runner_t *r = data;
  JSContextRef ctx = r->w->realm->ctx;
  while (r->next < r->count) {
    JSStringRef name = JSPropertyNameArrayGetNameAtIndex(r->names, r->next++);
    JSValueRef v = JSObjectGetProperty(ctx, r->w->ns, name, NULL);
    if (!v || !JSValueIsObject(ctx, v)) continue;
    JSValueRef t = isl_get(ctx, (JSObjectRef)v, "test", NULL);
    if (!t || !JSValueIsObject(ctx, t) || !JSObjectIsFunction(ctx, (JSObjectRef)t)) continue;
    isl_buf_t b = {0};
    isl_jsstr_to_utf8(name, &b);
    r->current = isl_buf_take(&b);
    r->started = isl_now_ns();
    uv_timer_start(&r->timer, on_timeout, TEST_TIMEOUT_MS, 0);
    JSObjectRef controller = JSObjectMake(ctx, NULL, NULL);
    JSValueRef args[3] = {controller, r->w->env, isl_exec_ctx_new(ctx, r->rc)};
    pending_t *p = isl_malloc(sizeof(*p));
    p->r = r;
    p->generation = r->generation;
    test_budget_t *tb = isl_calloc(1, sizeof(*tb));
    tb->b.ops = &test_budget_ops;
    tb->refs = 1; /* the runner's, until the test finishes */
    tb->r = r;
    r->budget = tb;
    isl_run_t run;
    isl_run_begin(r->w->realm, &tb->b, &run);
    isl_call_then(ctx, (JSObjectRef)t, (JSObjectRef)v, 3, args, on_settled, p);
    isl_run_end(r->w->realm, &run);
    return;
  }
  JSPropertyNameArrayRelease(r->names);
  isl_reqctx_respond(r->rc, isl_response_new(200));
  uv_close((uv_handle_t *)&r->timer, close_done);
}

void isl_worker_run_tests(isl_worker_t *w, void (*done)(void *data, int passed, int failed),
                          void *data) {
  runner_t *r = isl_calloc(1, sizeof(*r));
  r->w = w;
  w->runner = r;
  r->done = done;
  r->done_data = data;
  JSContextRef ctx = w->realm->ctx;
  if (!w->ns) w->ns = JSObjectMake(ctx, NULL, NULL); /* a classic script has no exports */
  r->names = JSObjectCopyPropertyNames(ctx, w->ns);
  r->count = JSPropertyNameArrayGetCount(r->names);
  uv_timer_init(w->loop, &r->timer);
  r->timer.data = r;
  /* Unreferenced: a test awaiting something that can never happen ends the loop, and
   * the caller reports it, instead of waiting for the timeout. */
  uv_unref((uv_handle_t *)&r->timer);
  /* One request context for the whole run: waitUntil() in tests is tracked by it. */
  r->rc = isl_reqctx_new(w, discard_response, NULL);
  isl_task_post(w->loop, run_next, r);
}

bool isl_worker_tests_stalled(isl_worker_t *w) {
  runner_t *r = w->runner;
  if (!r) return false;
  if (r->current) finish_test(r, false, "never settled: it awaits something nothing can resolve");
  else isl_task_post(w->loop, run_next, r);
  return true;
}
