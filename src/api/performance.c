/* The Performance interface (High Resolution Time): performance.now() and
 * performance.timeOrigin.
 *
 * workerd freezes the clock during a request (time only advances on I/O) as a Spectre
 * mitigation. islet does not: now() is a monotonic, full-resolution clock, which is what
 * local development and benchmarks want. */
#include <stdlib.h>
#include <time.h>

#include "api.h"

typedef struct {
  uint64_t origin_ns;    /* isl_now_ns() at the time origin */
  double time_origin_ms; /* the same instant, in ms since the Unix epoch */
} perf_t;

static isl_class_def_t perf_def;

static JSValueRef js_perf_now(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                              size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  perf_t *p = isl_unwrap(ctx, this_obj, &perf_def, exc);
  if (!p) return NULL;
  return JSValueMakeNumber(ctx, (double)(isl_now_ns() - p->origin_ns) / 1e6);
}

static JSValueRef js_perf_time_origin(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                      size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  perf_t *p = isl_unwrap(ctx, this_obj, &perf_def, exc);
  if (!p) return NULL;
  return JSValueMakeNumber(ctx, p->time_origin_ms);
}

/* toJSON(): the default toJSON of Web IDL, i.e. an object with timeOrigin. */
static JSValueRef js_perf_to_json(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  perf_t *p = isl_unwrap(ctx, this_obj, &perf_def, exc);
  if (!p) return NULL;
  JSObjectRef o = JSObjectMake(ctx, NULL, NULL);
  isl_set(ctx, o, "timeOrigin", JSValueMakeNumber(ctx, p->time_origin_ms), NULL);
  return o;
}

static const isl_method_t perf_methods[] = {
    {"now", js_perf_now, 0},
    {"toJSON", js_perf_to_json, 0},
    {0},
};
static const isl_accessor_t perf_accessors[] = {
    {"timeOrigin", js_perf_time_origin, NULL},
    {0},
};
static void perf_free(void *p) { free(p); }
static isl_class_def_t perf_def = {
    .name = "Performance",
    .methods = perf_methods,
    .accessors = perf_accessors,
    .finalize = perf_free,
};

void isl_api_performance_install(isl_realm_t *r) {
  isl_class_install(r, &perf_def);
  /* The realm's time origin is the moment its globals were set up. */
  perf_t *p = isl_malloc(sizeof(*p));
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  p->origin_ns = isl_now_ns();
  p->time_origin_ms = (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
  isl_define_value(r->ctx, r->global, "performance", isl_wrap(r->ctx, &perf_def, p),
                   ISL_W | ISL_E | ISL_C);
}
