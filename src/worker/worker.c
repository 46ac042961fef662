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

static void dispatch(isl_worker_t *w, JSObjectRef target, JSObjectRef fn, const char *name,
                     isl_request_t *req, isl_response_cb cb, void *data) {
  JSContextRef ctx = w->realm->ctx;
  isl_reqctx_t *rc = isl_reqctx_new(w, cb, data);
  isl_reqctx_ref(rc); /* ours until this function returns: it may finish synchronously */
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
      isl_reqctx_unref(rc);
      return;
    }
    fn = (JSObjectRef)f;
  }
  if (!fn) {
    isl_log(ISL_LOG_ERROR, "%s: the %s export has no fetch() handler", w->main_path, name);
    isl_reqctx_respond(rc, isl_response_text(500, "Internal Server Error"));
    isl_reqctx_unref(rc);
    return;
  }
  JSValueRef args[3] = {request, w->env, ctxobj};
  isl_reqctx_call_handler(rc, ctx, fn, self, 3, args);
  isl_reqctx_unref(rc);
}

static void entry_fetch(isl_service_t *svc, isl_request_t *req, isl_response_cb cb, void *data) {
  isl_entry_t *e = (isl_entry_t *)svc;
  if (!e->w) {
    isl_request_free(req);
    cb(data, isl_response_text(503, "Service Unavailable"));
    return;
  }
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
  if (!w->classic) {
    dispatch(w, w->fetch_this, w->fetch_fn, "default", req, cb, data);
    return;
  }
  JSContextRef ctx = w->realm->ctx;
  isl_reqctx_t *rc = isl_reqctx_new(w, cb, data);
  isl_reqctx_ref(rc); /* ours until this function returns: it may finish synchronously */
  JSObjectRef request = isl_request_from_c(ctx, req);
  isl_dispatch_fetch_event(w, rc, request);
  isl_reqctx_unref(rc);
}

#define IDLE_GC_MS 1000

/* A worker that has served a burst and gone idle collects its heap once, so its memory
 * goes back to what it holds rather than what the burst allocated. JSC's own collector
 * runs on allocation, which an idle worker does not do. */
static void on_idle_gc(uv_timer_t *t) {
  isl_worker_t *w = t->data;
  if (w->active != 0) return;
  JSSynchronousGarbageCollectForDebugging(w->realm->ctx);
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

void isl_worker_became_idle(isl_worker_t *w) {
  if (w->idle_gc.data) uv_timer_start(&w->idle_gc, on_idle_gc, IDLE_GC_MS, 0);
}

static void on_idle_gc_closed(uv_handle_t *h) { free(h->data); }

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

/* The Web APIs and the worker's own globals: hundreds of C API calls, made in one batch. */
static void install_apis(void *data) {
  isl_worker_t *w = data;
  isl_api_install_all(w->realm);
  isl_context_install(w);
  isl_fetcher_install(w->realm);
}

isl_worker_t *isl_worker_new(const isl_worker_config_t *cfg, isl_buf_t *err) {
  isl_worker_t *w = isl_calloc(1, sizeof(*w));
  w->loop = cfg->loop;
  w->main_path = isl_strdup(cfg->modules ? (cfg->name ? cfg->name : cfg->modules[0].name)
                                         : cfg->main_path);
  w->mem_modules = cfg->modules;
  w->nmem_modules = cfg->nmodules;
  w->test_mode = cfg->test_mode;
  w->svc.name = "worker";
  w->svc.fetch = worker_fetch;
  w->realm = isl_realm_new(cfg->loop);
  w->realm->owner = w;
  w->realm->outbound = cfg->outbound;
  w->realm->outbound_name = cfg->outbound_name;
  JSGlobalContextRef ctx = w->realm->ctx;
  uv_timer_init(w->loop, &w->idle_gc);
  w->idle_gc.data = w;
  uv_unref((uv_handle_t *)&w->idle_gc); /* never keeps the loop alive */
  isl_realm_batch(w->realm, install_apis, w);
  JSGlobalContextSetUnhandledRejectionCallback(
      ctx, isl_func_new(ctx, "onunhandledrejection", js_unhandled_rejection, 2), NULL);

  w->env = JSObjectMake(ctx, NULL, NULL);
  isl_protect(ctx, w->env);
  if (w->test_mode) isl_set(ctx, w->env, "SELF", isl_fetcher_new(ctx, &w->svc), NULL);
  if (!add_bindings(w, cfg, err)) {
    isl_worker_free(w);
    return NULL;
  }
  if (!isl_loader_run_main(w, err)) {
    isl_worker_free(w);
    return NULL;
  }
  /* The handler is looked up once, as workerd does: the default export is fixed. */
  if (w->ns && !w->classic && resolve_entry(w, "default", &w->fetch_this, &w->fetch_fn)) {
    isl_protect(ctx, w->fetch_this);
    if (w->fetch_fn) isl_protect(ctx, w->fetch_fn);
  }
  /* From here on only handlers run: code generation from strings is refused, as in
   * workerd. */
  JSStringRef msg = JSStringCreateWithUTF8CString(
      "Code generation from strings disallowed for this context");
  JSGlobalContextSetEvalEnabled(ctx, false, msg);
  JSStringRelease(msg);
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
  JSContextRef ctx = w->realm->ctx;
  uv_timer_stop(&w->idle_gc);
  /* Phase 1: stop calling JS. Requests still open are detached and answered 503 so the
   * HTTP layer can finish them. */
  while (w->requests) {
    isl_reqctx_t *rc = w->requests;
    w->requests = rc->next;
    rc->w = NULL;
    rc->finished = true;
    if (rc->cb) {
      isl_response_cb cb = rc->cb;
      rc->cb = NULL;
      cb(rc->cb_data, isl_response_text(503, "Service Unavailable"));
    }
    isl_reqctx_unref(rc);
  }
  isl_realm_teardown(w->realm);
  /* Phase 2: release roots. */
  isl_loader_free(w);
  if (w->env) isl_unprotect(ctx, w->env);
  if (w->fetch_this) isl_unprotect(ctx, w->fetch_this);
  if (w->fetch_fn) isl_unprotect(ctx, w->fetch_fn);
  while (w->entries) {
    isl_entry_t *e = w->entries;
    w->entries = e->next;
    isl_unprotect(ctx, e->target);
    if (e->fn) isl_unprotect(ctx, e->fn);
    free(e->name);
    free(e);
  }
  if (w->listeners) isl_unprotect(ctx, w->listeners);
  long leaked = w->realm->protected_count;
  if (leaked != 0)
    isl_log(ISL_LOG_WARN, "worker %s: %ld protected values leaked", w->main_path, leaked);
  /* Phase 3: destroy the VM. */
  isl_realm_free(w->realm);
  free(w->main_path);
  w->main_path = NULL;
  /* The struct embeds the idle timer: it is freed in the timer's close callback. */
  uv_close((uv_handle_t *)&w->idle_gc, on_idle_gc_closed);
  return leaked;
}
