/* A worker's life: create the isolate, load the code, dispatch requests, tear down. */
#include <stddef.h>
#include <malloc.h>
#ifdef ISL_MIMALLOC
#include <mimalloc.h>
#endif
#include <stdlib.h>
#include <string.h>

#include "../api/api.h"
#include "../api/fetch_api.h"
#include "../loop/task.h"
#include "internal.h"

static JSValueRef js_unhandled_rejection(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                         size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  (void)this_obj;
  (void)exc;
  char *d = isl_exception_describe(ctx, argc > 1 ? argv[1] : JSValueMakeUndefined(ctx));
  isl_log(ISL_LOG_ERROR, "unhandled promise rejection: %s", d);
  free(d);
  return JSValueMakeUndefined(ctx);
}

/* An entrypoint: an export with a fetch() handler, either an object (`export default {
 * fetch }`) or a class extending WorkerEntrypoint, instantiated per request with (ctx, env)
 * as workerd does. The default entrypoint is embedded in the worker (w->svc); named ones
 * (service bindings with `entrypoint = "Name"`) are made on demand. */
struct isl_entry {
  isl_service_t svc;
  isl_worker_t *w;
  char *name;
  JSObjectRef target; /* the object, or the class (protected) */
  JSObjectRef fn;     /* the object's fetch (protected); NULL for a class */
  isl_entry_t *next;
};

static void dispatch_run(isl_worker_t *w, isl_reqctx_t *rc, JSObjectRef target, JSObjectRef fn,
                         const char *name, isl_request_t *req) {
  JSContextRef ctx = w->realm->ctx;
  JSObjectRef request = isl_request_from_c(ctx, req);
  JSObjectRef ctxobj = isl_exec_ctx_new(ctx, rc);
  JSObjectRef self = target;
  if (target && !fn) {
    /* A class: a new instance for this request. */
    JSValueRef exc = NULL;
    JSValueRef cargs[2] = {ctxobj, w->env};
    self = JSObjectCallAsConstructor(ctx, target, 2, cargs, &exc);
    JSValueRef f = self ? isl_get(ctx, self, "fetch", &exc) : NULL;
    if (!self || exc || !f || !JSValueIsObject(ctx, f) || !JSObjectIsFunction(ctx, (JSObjectRef)f)) {
      isl_reqctx_fail(rc, ctx, exc, exc ? "exception constructing the entrypoint" : "the entrypoint has no fetch() method");
      return;
    }
    fn = (JSObjectRef)f;
  }
  if (!fn) {
    isl_log(ISL_LOG_ERROR, "%s: the %s export has no fetch() handler", w->main_path, name);
    isl_reqctx_respond(rc, isl_response_text(500, "Internal Server Error"));
    return;
  }
  JSValueRef args[3] = {request, w->env, ctxobj};
  isl_reqctx_call_handler(rc, ctx, fn, self, 3, args);
}

/* Answers a request the worker cannot take: its isolate failed to restart. */
static bool unavailable(isl_worker_t *w, isl_request_t *req, isl_response_cb cb, void *data) {
  if (w && w->realm) return false;
  isl_request_free(req);
  cb(data, isl_response_text(503, "Service Unavailable"));
  return true;
}

/* Everything JS does for the request, from here to the end of the microtasks its handler
 * queues, is one run charged to the request's budget (src/jsc/limits.c). */
static void dispatch(isl_worker_t *w, JSObjectRef target, JSObjectRef fn, const char *name,
                     isl_request_t *req, isl_response_cb cb, void *data) {
  isl_reqctx_t *rc = isl_reqctx_new(w, cb, data);
  isl_reqctx_ref(rc); /* ours until this function returns: it may finish synchronously */
  isl_run_t run;
  isl_run_begin(w->realm, &rc->budget, &run);
  dispatch_run(w, rc, target, fn, name, req);
  isl_run_end(w->realm, &run);
  isl_reqctx_unref(rc);
}

static void restart_if_condemned(isl_worker_t *w);

static void entry_fetch(isl_service_t *svc, isl_request_t *req, isl_response_cb cb, void *data) {
  isl_entry_t *e = (isl_entry_t *)svc;
  restart_if_condemned(e->w);
  /* After a restart the export may be gone (target NULL): nothing to call either. */
  if (unavailable(e->target ? e->w : NULL, req, cb, data)) return;
  dispatch(e->w, e->target, e->fn, e->name, req, cb, data);
}

/* Resolves an export into (target, fn): an object with fetch, or a class. */
static bool resolve_entry(isl_worker_t *w, const char *name, JSObjectRef *target, JSObjectRef *fn) {
  JSContextRef ctx = w->realm->ctx;
  *target = *fn = NULL;
  if (!w->ns) return false;
  JSValueRef v = isl_get(ctx, w->ns, name, NULL);
  if (!v || !JSValueIsObject(ctx, v)) return false;
  JSObjectRef o = (JSObjectRef)v;
  if (JSObjectIsConstructor(ctx, o)) {
    JSValueRef proto = isl_get(ctx, o, "prototype", NULL);
    JSValueRef f = proto && JSValueIsObject(ctx, proto) ? isl_get(ctx, (JSObjectRef)proto, "fetch", NULL) : NULL;
    if (f && JSValueIsObject(ctx, f) && JSObjectIsFunction(ctx, (JSObjectRef)f)) {
      *target = o;
      return true;
    }
    return false;
  }
  JSValueRef f = isl_get(ctx, o, "fetch", NULL);
  if (!f || !JSValueIsObject(ctx, f) || !JSObjectIsFunction(ctx, (JSObjectRef)f)) return false;
  *target = o;
  *fn = (JSObjectRef)f;
  return true;
}

isl_service_t *isl_worker_entrypoint(isl_worker_t *w, const char *name, isl_buf_t *err) {
  for (isl_entry_t *e = w->entries; e; e = e->next)
    if (strcmp(e->name, name) == 0) return &e->svc;
  JSObjectRef target, fn;
  if (w->classic || !resolve_entry(w, name, &target, &fn)) {
    isl_buf_printf(err, "%s has no entrypoint '%s' (an exported object with fetch(), or a class "
                        "extending WorkerEntrypoint)", w->main_path, name);
    return NULL;
  }
  isl_entry_t *e = isl_calloc(1, sizeof(*e));
  e->svc.name = "entrypoint";
  e->svc.fetch = entry_fetch;
  e->w = w;
  e->name = isl_strdup(name);
  e->target = target;
  e->fn = fn;
  isl_protect(w->realm->ctx, target);
  if (fn) isl_protect(w->realm->ctx, fn);
  e->next = w->entries;
  w->entries = e;
  return &e->svc;
}

/* The default export's fetch (module) or the fetch listeners (classic script). */
static void worker_fetch(isl_service_t *svc, isl_request_t *req, isl_response_cb cb, void *data) {
  isl_worker_t *w = (isl_worker_t *)((char *)svc - offsetof(isl_worker_t, svc));
  restart_if_condemned(w);
  if (unavailable(w, req, cb, data)) return;
  if (!w->classic) {
    dispatch(w, w->fetch_this, w->fetch_fn, "default", req, cb, data);
    return;
  }
  JSContextRef ctx = w->realm->ctx;
  isl_reqctx_t *rc = isl_reqctx_new(w, cb, data);
  isl_reqctx_ref(rc); /* ours until this function returns: it may finish synchronously */
  isl_run_t run;
  isl_run_begin(w->realm, &rc->budget, &run);
  JSObjectRef request = isl_request_from_c(ctx, req);
  isl_dispatch_fetch_event(w, rc, request);
  isl_run_end(w->realm, &run);
  isl_reqctx_unref(rc);
}

#define IDLE_GC_MS 1000

/* A worker that has served a burst and gone idle collects its heap once, so its memory
 * goes back to what it holds rather than what the burst allocated. JSC's own collector
 * runs on allocation, which an idle worker does not do. */
static void on_limit(isl_realm_t *r, isl_stop_t why, isl_budget_t *b);

static void on_idle_gc(uv_timer_t *t) {
  isl_worker_t *w = t->data;
  if (w->active != 0 || !w->realm) return; /* isl_worker_became_idle starts it again */
  uint64_t idle_ms = uv_now(w->loop) - w->idle_since_ms;
  if (idle_ms < IDLE_GC_MS) {
    uv_timer_start(&w->idle_gc, on_idle_gc, IDLE_GC_MS - idle_ms, 0);
    return;
  }
  JSSynchronousGarbageCollectForDebugging(w->realm->ctx);
  isl_jsc_release_free_memory();
  /* A heap that stays over the memory limit once idle (a cache that grew for good) is
   * found here, even if no run noticed it. */
  if (w->limits.memory_bytes && isl_realm_heap_over(w->realm))
    on_limit(w->realm, ISL_STOP_MEMORY, NULL);
  /* And what the collection freed in C goes back to the system. */
#ifdef ISL_MIMALLOC
  /* mimalloc returns freed pages to the system only after a delay (so a busy process
   * does not decommit and recommit); an idle worker wants them back now. */
  long delay = mi_option_get(mi_option_decommit_delay);
  long seg_delay = mi_option_get(mi_option_segment_decommit_delay);
  mi_option_set(mi_option_decommit_delay, 0);
  mi_option_set(mi_option_segment_decommit_delay, 0);
  mi_collect(true);
  mi_option_set(mi_option_decommit_delay, delay);
  mi_option_set(mi_option_segment_decommit_delay, seg_delay);
#endif
  malloc_trim(0);
}

/* Called after every request a worker finishes, so the timer is not moved each time (a
 * libuv timer restart is a heap operation): it notes when the worker went idle, and the
 * timer, when it fires, waits out what is left of the second. */
void isl_worker_became_idle(isl_worker_t *w) {
  if (!w->idle_gc.data) return;
  w->idle_since_ms = uv_now(w->loop);
  if (!uv_is_active((uv_handle_t *)&w->idle_gc))
    uv_timer_start(&w->idle_gc, on_idle_gc, IDLE_GC_MS, 0);
}

static void on_wait_timer(uv_timer_t *t) { isl_reqctx_wait_expired(t->data); }

void isl_worker_arm_wait_timer(isl_worker_t *w) {
  if (!w->wait_head) {
    uv_timer_stop(&w->wait_timer);
    return;
  }
  uint64_t now = isl_now_ns(), due = w->wait_head->wait_deadline_ns;
  uv_update_time(w->loop);
  uv_timer_start(&w->wait_timer, on_wait_timer, due > now ? (due - now + 999999) / 1000000 : 0, 0);
}

/* The struct embeds two timers: it is freed when both have closed. */
static void on_timer_closed(uv_handle_t *h) {
  isl_worker_t *w = h->data;
  if (--w->open_handles == 0) free(w);
}

/* env: one property per binding, made before the code runs. */
static bool add_bindings(isl_worker_t *w, const isl_worker_config_t *cfg, isl_buf_t *err) {
  JSContextRef ctx = w->realm->ctx;
  for (size_t i = 0; i < cfg->nbindings; i++) {
    const isl_worker_binding_t *b = &cfg->bindings[i];
    JSValueRef v = NULL, exc = NULL;
    switch (b->kind) {
    case ISL_WBIND_TEXT:
      v = isl_str_n(ctx, b->bytes, b->len);
      break;
    case ISL_WBIND_DATA:
      v = isl_arraybuffer_new(ctx, b->bytes, b->len);
      break;
    case ISL_WBIND_JSON: {
      JSStringRef s = isl_jsstr_n(b->bytes, b->len);
      v = JSValueMakeFromJSONString(ctx, s);
      JSStringRelease(s);
      if (!v) {
        isl_buf_printf(err, "%s: binding '%s' is not valid JSON", w->main_path, b->name);
        return false;
      }
      break;
    }
    case ISL_WBIND_WASM: {
      JSObjectRef wasm = (JSObjectRef)isl_global(ctx, "WebAssembly");
      JSValueRef ctor = isl_get(ctx, wasm, "Module", NULL);
      JSValueRef arg = isl_uint8array_new(ctx, b->bytes, b->len);
      v = JSObjectCallAsConstructor(ctx, (JSObjectRef)ctor, 1, &arg, &exc);
      if (!v) {
        char *d = isl_exception_describe(ctx, exc);
        isl_buf_printf(err, "%s: binding '%s' is not a valid WebAssembly module: %s", w->main_path,
                       b->name, d);
        free(d);
        return false;
      }
      break;
    }
    case ISL_WBIND_FROM_ENV: {
      char *var = isl_strndup(b->bytes, b->len);
      const char *val = getenv(var);
      free(var);
      v = val ? isl_str(ctx, val) : JSValueMakeNull(ctx);
      break;
    }
    case ISL_WBIND_SERVICE:
      v = isl_fetcher_new(ctx, b->service);
      break;
    }
    isl_set(ctx, w->env, b->name, v, NULL);
  }
  return true;
}

/* ---- Limits ----------------------------------------------------------------------- */

static isl_worker_limits_t default_limits = {
    .cpu_ms = 30000, .memory_mb = 128, .subrequests = 1000, .wait_until_ms = 30000};

isl_worker_limits_t isl_worker_default_limits(void) { return default_limits; }

void isl_worker_set_default_limits(const isl_worker_limits_t *l) { default_limits = *l; }

static bool boot(isl_worker_t *w, isl_buf_t *err);
static long shutdown_realm(isl_worker_t *w);

typedef struct {
  isl_worker_t *w; /* NULL once the worker is freed, or restarted without the task */
} recycle_ticket_t;

/* Recreates the isolate: its requests still open are answered 503, the old VM is
 * destroyed with everything in it, and the code is loaded again into a new one. Named
 * entrypoints keep their services (bindings point at them) and are looked up again. */
static void restart_isolate(isl_worker_t *w) {
  shutdown_realm(w);
  isl_buf_t err = {0};
  if (boot(w, &err)) {
    isl_log(ISL_LOG_INFO, "worker '%s': isolate restarted", w->main_path);
  } else {
    isl_log(ISL_LOG_ERROR, "worker '%s': its isolate could not be restarted (%s); it answers "
                           "503 from now on", w->main_path, err.p ? err.p : "unknown error");
    if (w->realm) shutdown_realm(w);
  }
  isl_buf_free(&err);
}

static void recycle(void *data) {
  recycle_ticket_t *t = data;
  isl_worker_t *w = t->w;
  free(t);
  if (!w) return;
  w->recycle_ticket = NULL;
  restart_isolate(w);
}

/* Schedules a restart of the isolate on the loop's next turn: limits are reported from
 * inside a run or a check whose callers (C frames on the stack) still use the realm.
 * `islet test` keeps its one isolate. */
static void condemn(isl_worker_t *w) {
  if (w->test_mode || w->recycle_ticket) return;
  recycle_ticket_t *t = isl_malloc(sizeof(*t));
  t->w = w;
  w->recycle_ticket = t;
  isl_task_post(w->loop, recycle, t);
}

/* A request for a worker whose restart is scheduled is served by the new isolate: the
 * restart happens now, before dispatch, when no JS is running (requests come from the
 * loop, so normally none is), rather than the request joining the old isolate only to be
 * answered 503 when the task runs. */
static void restart_if_condemned(isl_worker_t *w) {
  if (!w || !w->recycle_ticket || isl_runs_in_progress()) return;
  ((recycle_ticket_t *)w->recycle_ticket)->w = NULL; /* the task frees the ticket */
  w->recycle_ticket = NULL;
  restart_isolate(w);
}

/* The realm's report of a request stopped for its limits (it has had its 503 already), or
 * of a heap found over the limit between runs. Either way the isolate is recreated: its
 * state can no longer be trusted. JSC's termination unwinds the code without running its
 * finally blocks and leaves the promise of every async function it unwound pending for
 * ever (a module-level `ready` promise would hang each later request that awaits it), and
 * when it lands inside a microtask it drops every microtask queued in the isolate, so a
 * request in flight whose continuation was queued would never be answered. Nothing tells
 * which requests lost something: every request in flight is answered 503 now, rather than
 * some hanging, and the next request gets a fresh isolate. A run that ended by itself past
 * its budget (its last piece shorter than the watchdog's slice) is treated the same: only
 * the timing of the watchdog's check separates it from a stopped one. */
static void on_limit(isl_realm_t *r, isl_stop_t why, isl_budget_t *b) {
  isl_worker_t *w = r->owner;
  bool restart = !w->test_mode;
  size_t others = restart ? w->active : 0; /* the stopped request is over already */
  isl_buf_t m = {0};
  if (why == ISL_STOP_CPU) {
    double used = (double)(b ? b->cpu_ns : r->stop_used_ns) / 1e6;
    isl_buf_printf(&m, "worker '%s': %s exceeded the CPU limit (%.0f ms used, limit %llu ms); "
                       "stopped%s", w->main_path, b ? "a request" : "code running outside any request",
                   used, (unsigned long long)w->wlimits.cpu_ms,
                   b ? " (503 if it was not answered yet)" : "");
    if (restart) isl_buf_printf(&m, "; its isolate is restarted");
  } else {
    isl_buf_printf(&m, "worker '%s': heap of %.1f MB exceeds the memory limit of %llu MB; %s",
                   w->main_path, (double)r->heap_bytes / (1 << 20),
                   (unsigned long long)w->wlimits.memory_mb,
                   w->test_mode ? "stopped the code that was running"
                                : "its requests get 503 and its isolate is restarted");
  }
  if (others > 0)
    isl_buf_printf(&m, ", %zu%s request%s in flight answered 503", others, b ? " other" : "",
                   others == 1 ? "" : "s");
  isl_log(ISL_LOG_ERROR, "%s", m.p);
  isl_buf_free(&m);
  if (!restart) return;
  for (isl_reqctx_t *rc; (rc = w->requests) != NULL;) {
    isl_reqctx_abandon(rc, 503);
    ISL_CHECK(w->requests != rc); /* abandoning unlinks it */
  }
  condemn(w);
}

/* ---- Life ------------------------------------------------------------------------- */

/* The Web APIs and the worker's own globals: hundreds of C API calls, made in one batch. */
static void install_apis(void *data) {
  isl_worker_t *w = data;
  isl_api_install_all(w->realm);
  isl_context_install(w);
  isl_fetcher_install(w->realm);
}

/* Creates the realm and loads the code into it. On failure the realm is left for the
 * caller to shut down. */
static bool boot(isl_worker_t *w, isl_buf_t *err) {
  const isl_worker_config_t *cfg = &w->cfg;
  w->classic = false;
  w->realm = isl_realm_new(cfg->loop);
  w->realm->owner = w;
  w->realm->outbound = cfg->outbound;
  w->realm->outbound_name = cfg->outbound_name;
  w->realm->on_limit = on_limit;
  JSGlobalContextRef ctx = w->realm->ctx;
  isl_realm_batch(w->realm, install_apis, w);
  JSGlobalContextSetUnhandledRejectionCallback(
      ctx, isl_func_new(ctx, "onunhandledrejection", js_unhandled_rejection, 2), NULL);

  w->env = JSObjectMake(ctx, NULL, NULL);
  isl_protect(ctx, w->env);
  if (w->test_mode) isl_set(ctx, w->env, "SELF", isl_fetcher_new(ctx, &w->svc), NULL);
  if (!add_bindings(w, cfg, err)) return false;
  /* The code's evaluation is bounded too: a loop at the top level of a module is stopped
   * once it has run for the CPU limit. */
  isl_realm_set_limits(w->realm, &w->limits);
  isl_cpu_trigger_t outer;
  isl_realm_startup_begin(w->realm, &outer);
  bool loaded = isl_loader_run_main(w, err);
  isl_realm_startup_end(w->realm, &outer);
  if (w->realm->stop != ISL_STOP_NONE) {
    /* Stopped, maybe inside a microtask the evaluation did not wait for. */
    isl_buf_t m = {0};
    isl_buf_printf(&m, "%s: the code's evaluation at startup exceeded the %s limit",
                   w->main_path, w->realm->stop == ISL_STOP_CPU ? "CPU" : "memory");
    isl_buf_free(err);
    *err = m;
    w->realm->stop = ISL_STOP_NONE;
    JSValueRef ignored = NULL; /* JSC's pending termination, if any */
    JSValueToNumber(ctx, JSValueMakeUndefined(ctx), &ignored);
    return false;
  }
  if (!loaded) return false;
  /* The handler is looked up once, as workerd does: the default export is fixed. */
  if (w->ns && !w->classic && resolve_entry(w, "default", &w->fetch_this, &w->fetch_fn)) {
    isl_protect(ctx, w->fetch_this);
    if (w->fetch_fn) isl_protect(ctx, w->fetch_fn);
  }
  /* Named entrypoints made before a restart. */
  for (isl_entry_t *e = w->entries; e; e = e->next) {
    if (w->classic || !resolve_entry(w, e->name, &e->target, &e->fn)) continue;
    isl_protect(ctx, e->target);
    if (e->fn) isl_protect(ctx, e->fn);
  }
  /* From here on only handlers run: code generation from strings is refused, as in
   * workerd. */
  JSStringRef msg = JSStringCreateWithUTF8CString(
      "Code generation from strings disallowed for this context");
  JSGlobalContextSetEvalEnabled(ctx, false, msg);
  JSStringRelease(msg);
  return true;
}

/* Tears the realm down in phases and returns the protected values still held (leaks).
 * The worker struct, its services and its timers stay. */
static long shutdown_realm(isl_worker_t *w) {
  isl_realm_t *r = w->realm;
  if (!r) return 0;
  JSContextRef ctx = r->ctx;
  uv_timer_stop(&w->idle_gc);
  /* Phase 1: stop calling JS. Requests still open are detached and answered 503 so the
   * HTTP layer can finish them. */
  isl_reqctx_detach_all(w);
  isl_realm_teardown(r);
  /* Phase 2: release roots. */
  isl_loader_free(w);
  if (w->env) isl_unprotect(ctx, w->env);
  if (w->fetch_this) isl_unprotect(ctx, w->fetch_this);
  if (w->fetch_fn) isl_unprotect(ctx, w->fetch_fn);
  w->env = w->fetch_this = w->fetch_fn = w->ns = NULL;
  for (isl_entry_t *e = w->entries; e; e = e->next) {
    if (e->target) isl_unprotect(ctx, e->target);
    if (e->fn) isl_unprotect(ctx, e->fn);
    e->target = e->fn = NULL;
  }
  long leaked = r->protected_count;
  if (leaked != 0)
    isl_log(ISL_LOG_WARN, "worker %s: %ld protected values leaked", w->main_path, leaked);
  /* Phase 3: destroy the VM. */
  isl_realm_free(r);
  w->realm = NULL;
  return leaked;
}

isl_worker_t *isl_worker_new(const isl_worker_config_t *cfg, isl_buf_t *err) {
  isl_worker_t *w = isl_calloc(1, sizeof(*w));
  w->cfg = *cfg;
  w->loop = cfg->loop;
  w->main_path = isl_strdup(cfg->modules ? (cfg->name ? cfg->name : cfg->modules[0].name)
                                         : cfg->main_path);
  w->mem_modules = cfg->modules;
  w->nmem_modules = cfg->nmodules;
  w->test_mode = cfg->test_mode;
  w->svc.name = "worker";
  w->svc.fetch = worker_fetch;
  w->wlimits = cfg->limits ? *cfg->limits : default_limits;
  w->limits = (isl_limits_t){
      .cpu_ns = w->wlimits.cpu_ms * 1000000,
      .memory_bytes = w->wlimits.memory_mb << 20,
      .subrequests = w->wlimits.subrequests,
  };
  w->wait_until_ns = w->wlimits.wait_until_ms * 1000000;
  uv_timer_init(w->loop, &w->idle_gc);
  w->idle_gc.data = w;
  uv_unref((uv_handle_t *)&w->idle_gc); /* never keeps the loop alive */
  uv_timer_init(w->loop, &w->wait_timer);
  w->wait_timer.data = w;
  uv_unref((uv_handle_t *)&w->wait_timer); /* a bound, not work: the work keeps it alive */
  if (!boot(w, err)) {
    isl_worker_free(w);
    return NULL;
  }
  return w;
}

void isl_worker_env_to_globals(isl_worker_t *w) {
  JSContextRef ctx = w->realm->ctx;
  JSPropertyNameArrayRef names = JSObjectCopyPropertyNames(ctx, w->env);
  for (size_t i = 0; i < JSPropertyNameArrayGetCount(names); i++) {
    JSStringRef n = JSPropertyNameArrayGetNameAtIndex(names, i);
    JSObjectSetProperty(ctx, w->realm->global, n, JSObjectGetProperty(ctx, w->env, n, NULL),
                        kJSPropertyAttributeDontEnum, NULL);
  }
  JSPropertyNameArrayRelease(names);
}

isl_service_t *isl_worker_service(isl_worker_t *w) { return &w->svc; }

size_t isl_worker_active(const isl_worker_t *w) { return w->active; }

long isl_worker_free(isl_worker_t *w) {
  if (!w) return 0;
  if (w->recycle_ticket) ((recycle_ticket_t *)w->recycle_ticket)->w = NULL;
  long leaked = shutdown_realm(w);
  while (w->entries) {
    isl_entry_t *e = w->entries;
    w->entries = e->next;
    free(e->name);
    free(e);
  }
  free(w->main_path);
  w->main_path = NULL;
  w->open_handles = 2;
  uv_close((uv_handle_t *)&w->idle_gc, on_timer_closed);
  uv_close((uv_handle_t *)&w->wait_timer, on_timer_closed);
  return leaked;
}
