/* Fetcher: an object with fetch() that sends a request to a service in memory, as a task
 * on the loop (never re-entrantly), and resolves with its Response. Today it gives
 * `islet test` its env.SELF; service bindings (issue 4) use the same class.
 *
 * The service answers in C (isl_response_t), so the same path serves a worker calling
 * another worker, or the network later. */
#include <stdlib.h>

#include "../api/fetch_api.h"
#include "../loop/task.h"
#include "internal.h"

static isl_class_def_t fetcher_class;

typedef struct {
  isl_service_t *svc;
} fetcher_t;

typedef struct {
  isl_service_t *svc;
  isl_request_t *req;
  JSGlobalContextRef ctx;
  JSObjectRef resolve; /* protected until answered */
} call_t;

static void on_response(void *data, isl_response_t *res) {
  call_t *c = data;
  JSContextRef ctx = c->ctx;
  JSValueRef v = isl_response_from_c(ctx, res);
  isl_call(ctx, c->resolve, NULL, 1, &v, NULL);
  isl_unprotect(ctx, c->resolve);
  free(c);
}

static void run_call(void *data) {
  call_t *c = data;
  isl_request_t *req = c->req;
  c->req = NULL;
  c->svc->fetch(c->svc, req, on_response, c);
}

static JSValueRef js_fetcher_fetch(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  fetcher_t *f = isl_unwrap(ctx, this_obj, &fetcher_class, exc);
  if (!f) return NULL;
  JSValueRef err = NULL;
  /* new Request(input, init) gives fetch() the same argument rules as the Request
   * constructor. */
  JSObjectRef ctor = (JSObjectRef)isl_global(ctx, "Request");
  JSValueRef args[2] = {ISL_ARG(0), ISL_ARG(1)};
  JSObjectRef request = JSObjectCallAsConstructor(ctx, ctor, argc > 1 ? 2 : 1, args, &err);
  isl_request_t *req = request ? isl_request_to_c(ctx, request, &err) : NULL;
  if (!req) return isl_promise_rejected(ctx, err);
  call_t *c = isl_calloc(1, sizeof(*c));
  c->svc = f->svc;
  c->req = req;
  c->ctx = JSContextGetGlobalContext(ctx);
  JSObjectRef reject;
  JSObjectRef p = isl_promise_new(ctx, &c->resolve, &reject);
  isl_protect(ctx, c->resolve);
  isl_task_post(isl_realm_of(ctx)->loop, run_call, c);
  return p;
}

static const isl_method_t fetcher_methods[] = {
    {"fetch", js_fetcher_fetch, 1},
    {0},
};

static isl_class_def_t fetcher_class = {
    .name = "Fetcher",
    .methods = fetcher_methods,
    .finalize = free,
};

void isl_fetcher_install(isl_realm_t *r) { isl_class_install(r, &fetcher_class); }

JSObjectRef isl_fetcher_new(JSContextRef ctx, isl_service_t *svc) {
  fetcher_t *f = isl_malloc(sizeof(*f));
  f->svc = svc;
  return isl_wrap(ctx, &fetcher_class, f);
}
