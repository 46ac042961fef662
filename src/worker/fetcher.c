/* Fetcher: an object with fetch() that sends a request to a service in memory, as a task
 * on the loop (never re-entrantly), and resolves with its Response. Today it gives
 * `islet test` its env.SELF; service bindings (issue 4) use the same class.
 *
 * The service answers in C (isl_response_t), so the same path serves a worker calling
 * another worker, or the network later. */
#include <stdlib.h>

#include "../api/fetch.h"
#include "internal.h"

static isl_class_def_t fetcher_class;

typedef struct {
  isl_service_t *svc;
} fetcher_t;

static JSValueRef js_fetcher_fetch(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  fetcher_t *f = isl_unwrap(ctx, this_obj, &fetcher_class, exc);
  if (!f) return NULL;
  return isl_fetch_to_service(ctx, f->svc, argc, argv, exc);
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
