/* AbortSignal's C API (src/api/abort_api.h) and what only a forced garbage collection
 * can show: dependent signals kept alive by their sources while they have listeners and
 * collected when they have none, listeners whose target or signal is collected first,
 * timeout signals held by their timer, and a teardown that releases every root. Runs in a
 * real realm with every API installed. */
#include <stdlib.h>

#include "api/abort_api.h"
#include "api/api.h"
#include "check.h"
#define REALM_EVAL_URL "abort_test"
#include "realm_eval.h"

static uv_loop_t loop;

static void gc(void) { JSSynchronousGarbageCollectForDebugging(realm->ctx); }

/* ---- The C API ----------------------------------------------------------------------- */

static char order[16];
static int released;

static void algo_record(JSContextRef ctx, void *data, JSValueRef reason) {
  (void)reason;
  CHECK(ctx != NULL);
  size_t n = strlen(order);
  if (n + 1 < sizeof(order)) order[n] = *(const char *)data;
}

static void algo_release(void *data) {
  (void)data;
  released++;
}

static isl_abort_algo_t *to_remove;

static void algo_removes_next(JSContextRef ctx, void *data, JSValueRef reason) {
  algo_record(ctx, data, reason);
  isl_abort_algo_remove(ctx, to_remove);
}

static JSValueRef seen_reason;

static void algo_keep_reason(JSContextRef ctx, void *data, JSValueRef reason) {
  (void)ctx, (void)data;
  seen_reason = reason;
}

static void test_c_api(void) {
  JSContextRef ctx = realm->ctx;
  JSObjectRef so = isl_abort_signal_new(ctx);
  isl_abort_signal_t *s = isl_abort_signal_of(ctx, so);
  CHECK(s && isl_abort_signal_object(s) == so);
  CHECK(!isl_abort_signal_aborted(s));
  CHECK(JSValueIsUndefined(ctx, isl_abort_signal_reason(ctx, s)));
  CHECK(isl_abort_signal_of(ctx, JSValueMakeNumber(ctx, 1)) == NULL);
  CHECK(isl_abort_signal_of(ctx, eval("new EventTarget()")) == NULL);

  order[0] = 0;
  released = 0;
  isl_abort_signal_add(ctx, s, algo_record, "a", algo_release);
  isl_abort_algo_t *b = isl_abort_signal_add(ctx, s, algo_record, "b", algo_release);
  isl_abort_signal_add(ctx, s, algo_removes_next, "c", algo_release);
  to_remove = isl_abort_signal_add(ctx, s, algo_record, "d", algo_release);
  isl_abort_signal_add(ctx, s, algo_record, "e", algo_release);
  isl_abort_algo_remove(ctx, b); /* removed before the abort: released now */
  CHECK(released == 1);
  isl_abort_signal_abort(ctx, s, NULL);
  CHECK(isl_abort_signal_aborted(s));
  CHECK_STR(order, "ace"); /* in order; d removed by c while the algorithms ran */
  CHECK(released == 5);    /* each released once */
  JSValueRef r = isl_abort_signal_reason(ctx, s);
  CHECK(JSValueIsObject(ctx, r));
  JSValueRef name = isl_get(ctx, (JSObjectRef)r, "name", NULL);
  char *n = isl_to_cstr(ctx, name, NULL, NULL);
  CHECK_STR(n, "AbortError");
  free(n);
  /* Adding to an aborted signal adds nothing and releases nothing. */
  CHECK(isl_abort_signal_add(ctx, s, algo_record, "z", algo_release) == NULL);
  CHECK(released == 5);

  /* A given reason reaches the algorithms, which run before the abort event. */
  JSObjectRef so2 = isl_abort_signal_new(ctx);
  isl_set(ctx, realm->global, "cSignal", so2, NULL);
  eval("globalThis.cLog = []; cSignal.onabort = () => cLog.push(String(cSignal.reason));");
  isl_abort_signal_t *s2 = isl_abort_signal_of(ctx, so2);
  isl_abort_signal_add(ctx, s2, algo_keep_reason, NULL, NULL);
  isl_abort_signal_abort(ctx, s2, isl_str(ctx, "because"));
  CHECK(seen_reason && JSValueIsString(ctx, seen_reason));
  CHECK(eval_true("cLog.length === 1 && cLog[0] === 'because'"));
  isl_abort_signal_abort(ctx, s2, isl_str(ctx, "again")); /* no-op */
  CHECK(eval_true("cLog.length === 1 && cSignal.reason === 'because'"));
}

/* An algorithm whose signal is collected unaborted is released, never run. */
static void test_algorithm_released_with_its_signal(void) {
  JSContextRef ctx = realm->ctx;
  released = 0;
  order[0] = 0;
  for (int i = 0; i < 8; i++) {
    isl_abort_signal_t *s = isl_abort_signal_of(ctx, isl_abort_signal_new(ctx));
    isl_abort_signal_add(ctx, s, algo_record, "x", algo_release);
  }
  for (int i = 0; i < 5 && released < 8; i++) {
    eval("for (let i = 0; i < 1000; i++) ({});");
    gc();
  }
  /* Conservative stack scanning may keep one or two alive; most must go. */
  CHECK(released >= 6);
  CHECK_STR(order, "");
}

/* ---- Garbage collection -------------------------------------------------------------- */

static void test_dependent_with_listener_is_kept(void) {
  eval("globalThis.c1 = new AbortController(); globalThis.fired1 = 0;"
       "(() => { AbortSignal.any([c1.signal]).onabort = () => fired1++; })();"
       "(() => { AbortSignal.any([c1.signal]).addEventListener('abort', () => fired1++); })();");
  gc();
  eval("for (let i = 0; i < 1000; i++) ({});");
  gc();
  eval("c1.abort();");
  CHECK(eval_true("fired1 === 2"));
}

static void test_dependent_of_dependent_with_listener_is_kept(void) {
  eval("globalThis.c2 = new AbortController(); globalThis.fired2 = 0;"
       "(() => { const mid = AbortSignal.any([c2.signal]);"
       "         AbortSignal.any([mid]).onabort = () => fired2++; })();");
  gc();
  eval("c2.abort();");
  CHECK(eval_true("fired2 === 1"));
}

/* WeakRefs tell whether a signal was collected. Each is made in its own function, so no
 * stack slot of this file's frames holds the signal. */
static void make_weak(const char *src) { eval(src); }

static bool collected(const char *weakref) {
  for (int i = 0; i < 5; i++) {
    eval("for (let i = 0; i < 1000; i++) ({});");
    gc();
    isl_buf_t b = {0};
    isl_buf_printf(&b, "%s.deref() === undefined", weakref);
    bool gone = eval_true(b.p);
    isl_buf_free(&b);
    if (gone) return true;
  }
  return false;
}

static void test_dependent_without_interest_is_collected(void) {
  eval("globalThis.c3 = new AbortController();");
  make_weak("globalThis.w3 = new WeakRef(AbortSignal.any([c3.signal]));");
  CHECK(collected("w3"));
  make_weak("globalThis.w3b = (() => { const d = AbortSignal.any([c3.signal]);"
            " const f = () => {}; d.addEventListener('abort', f);"
            " d.removeEventListener('abort', f); return new WeakRef(d); })();");
  CHECK(collected("w3b")); /* the listener is gone, so the source lets it go */
  eval("c3.abort();"); /* the source's dependents list no longer names them */
  CHECK(eval_true("c3.signal.aborted"));
}

static void test_aborted_dependent_is_released(void) {
  eval("globalThis.c4 = new AbortController();");
  make_weak("globalThis.w4 = (() => { const d = AbortSignal.any([c4.signal]);"
            " d.onabort = () => {}; return new WeakRef(d); })();");
  eval("c4.abort();");
  CHECK(collected("w4")); /* once aborted, it needs no keeping */
}

static void test_listener_target_collected_before_its_signal(void) {
  eval("globalThis.c5 = new AbortController();");
  make_weak("globalThis.w5 = (() => { const t = new EventTarget();"
            " t.addEventListener('x', () => {}, { signal: c5.signal }); return new WeakRef(t); })();");
  CHECK(collected("w5"));
  eval("c5.abort();"); /* the algorithm finds its target gone (ASan would catch misuse) */
  CHECK(eval_true("c5.signal.aborted"));
}

static void test_listener_signal_collected_before_its_target(void) {
  make_weak("globalThis.t6 = new EventTarget(); globalThis.n6 = 0;"
            "globalThis.w6 = (() => { const c = new AbortController();"
            " t6.addEventListener('x', () => n6++, { signal: c.signal }); return new WeakRef(c.signal); })();");
  CHECK(collected("w6"));
  eval("t6.dispatchEvent(new Event('x'));");
  CHECK(eval_true("n6 === 1"));
}

static void stop_timer(uv_timer_t *t) { uv_timer_stop(t); }

/* Many dependents on two sources, a part of them collected in any order, then an abort:
 * the O(1) unlinking must keep every back index right (ASan checks the memory). */
static void test_many_dependents(void) {
  eval("globalThis.c11 = new AbortController(); globalThis.c11b = new AbortController();"
       "globalThis.kept11 = []; globalThis.n11 = 0;"
       "for (let i = 0; i < 3000; i++) {"
       "  const d = AbortSignal.any(i % 2 ? [c11.signal, c11b.signal] : [c11b.signal, c11.signal]);"
       "  if (i % 7 === 0) d.onabort = () => n11++;"
       "  if (i % 3 === 0) kept11.push(AbortSignal.any([d, c11.signal]));"
       "}");
  for (int i = 0; i < 3; i++) {
    eval("for (let i = 0; i < 1000; i++) ({});");
    gc();
  }
  eval("kept11.splice(0, 500);");
  gc();
  eval("c11b.abort('b');");
  CHECK(eval_true("n11 === 429"));
  CHECK(eval_true("kept11.every((s) => s.aborted && s.reason === 'b')"));
  eval("c11.abort('a');");
  CHECK(eval_true("n11 === 429"));
}

/* Setters user code puts on Array.prototype must not swallow the callbacks a target keeps
 * alive (they would be collected while still listed). */
static void test_array_setters_do_not_drop_callbacks(void) {
  eval("globalThis.t10 = new EventTarget(); globalThis.n10 = 0;"
       "for (let i = 0; i < 8; i++) Object.defineProperty(Array.prototype, i, "
       "  { set(v) {}, get() { return undefined; }, configurable: true });"
       "for (let i = 0; i < 4; i++) t10.addEventListener('x', (() => () => n10++)());"
       "globalThis.c10 = new AbortController();"
       "(() => { AbortSignal.any([c10.signal]).onabort = () => n10 += 100; })();");
  for (int i = 0; i < 3; i++) {
    eval("for (let i = 0; i < 1000; i++) ({});");
    gc();
  }
  eval("for (let i = 0; i < 8; i++) delete Array.prototype[i];");
  eval("t10.dispatchEvent(new Event('x')); c10.abort();");
  CHECK(eval_true("n10 === 104"));
}

static void run_loop_for(uint64_t ms) {
  /* Timeout signals do not keep the loop alive; this timer does. */
  uv_timer_t t;
  uv_timer_init(&loop, &t);
  uv_timer_start(&t, stop_timer, ms, 0);
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_close((uv_handle_t *)&t, NULL);
  uv_run(&loop, UV_RUN_DEFAULT);
}

static void test_timeout_signal_held_by_its_timer(void) {
  eval("globalThis.fired7 = 0;"
       "(() => { AbortSignal.timeout(5).onabort = () => fired7++; })();"
       "(() => { AbortSignal.any([AbortSignal.timeout(5)]).onabort = () => fired7++; })();");
  gc();
  eval("for (let i = 0; i < 1000; i++) ({});");
  gc();
  run_loop_for(30);
  CHECK(eval_true("fired7 === 2"));
}

static void test_timeout_does_not_keep_the_loop_alive(void) {
  eval("globalThis.s8 = AbortSignal.timeout(1000000);");
  CHECK(uv_run(&loop, UV_RUN_NOWAIT) == 0); /* nothing keeps it alive */
  CHECK(eval_true("!s8.aborted"));
}

static void test_teardown_releases_everything(void) {
  long before_teardown = realm->protected_count;
  eval("globalThis.s9 = AbortSignal.timeout(100000); s9.onabort = () => {};");
  CHECK(realm->protected_count > before_teardown);
  isl_realm_teardown(realm);
  CHECK(realm->protected_count == 0);
  uv_run(&loop, UV_RUN_DEFAULT); /* the timers' close callbacks */
  CHECK(uv_loop_alive(&loop) == 0);
  isl_realm_free(realm);
}

int main(void) {
  uv_loop_init(&loop);
  realm = isl_realm_new(&loop);
  isl_api_install_all(realm);
  test_c_api();
  test_algorithm_released_with_its_signal();
  test_dependent_with_listener_is_kept();
  test_dependent_of_dependent_with_listener_is_kept();
  test_dependent_without_interest_is_collected();
  test_aborted_dependent_is_released();
  test_listener_target_collected_before_its_signal();
  test_listener_signal_collected_before_its_target();
  test_many_dependents();
  test_array_setters_do_not_drop_callbacks();
  test_timeout_signal_held_by_its_timer();
  test_timeout_does_not_keep_the_loop_alive();
  test_teardown_releases_everything();
  uv_loop_close(&loop);
  return check_summary();
}
