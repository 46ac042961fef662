/* Queuing strategies (Streams Standard §7, https://streams.spec.whatwg.org/#qs):
 * CountQueuingStrategy, ByteLengthQueuingStrategy, and the conversion of a stream's
 * `strategy` argument (the QueuingStrategy dictionary, ExtractHighWaterMark,
 * ExtractSizeAlgorithm) that the stream constructors share.
 *
 * Each strategy's `size` getter returns the same function every time within a realm (the
 * spec's "count queuing strategy size function" and "byte length queuing strategy size
 * function"), made once when the realm installs this file. This file is also the first
 * streams file installed, so it sets up the shared per-realm state. */
#include <math.h>
#include <stdlib.h>

#include "streams_internal.h"

typedef struct {
  double hwm;
} strategy_t;

static void strategy_finalize(void *p) { free(p); }

/* QueuingStrategyInit: { required unrestricted double highWaterMark }. */
static JSObjectRef construct(JSContextRef ctx, isl_class_def_t *def, JSObjectRef new_target,
                             size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  if (!isl_require_args(ctx, argc, 1, def->name, "constructor", exc)) return NULL;
  JSValueRef init = argv[0];
  if (!JSValueIsObject(ctx, init)) {
    if (!st_dict_check(ctx, init, "The strategy init", exc)) return NULL;
  }
  JSValueRef h = st_dict_get(ctx, init, "highWaterMark", exc);
  if (!h) return NULL;
  if (JSValueIsUndefined(ctx, h)) {
    isl_throw_type(ctx, exc,
                   "Failed to construct '%s': required member highWaterMark is undefined.",
                   def->name);
    return NULL;
  }
  JSValueRef e = NULL;
  double hwm = JSValueToNumber(ctx, h, &e);
  if (e) {
    *exc = e;
    return NULL;
  }
  strategy_t *s = isl_malloc(sizeof(*s));
  s->hwm = hwm;
  return isl_wrap_new(ctx, def, s, new_target);
}

static isl_class_def_t count_class, byte_class;

static JSObjectRef js_count_construct(JSContextRef ctx, JSObjectRef nt, size_t argc,
                                      const JSValueRef argv[], JSValueRef *exc) {
  return construct(ctx, &count_class, nt, argc, argv, exc);
}

static JSObjectRef js_byte_construct(JSContextRef ctx, JSObjectRef nt, size_t argc,
                                     const JSValueRef argv[], JSValueRef *exc) {
  return construct(ctx, &byte_class, nt, argc, argv, exc);
}

static JSValueRef js_count_hwm(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                               const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  strategy_t *s = isl_unwrap(ctx, this_obj, &count_class, exc);
  return s ? JSValueMakeNumber(ctx, s->hwm) : NULL;
}

static JSValueRef js_count_size_get(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                    size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  if (!isl_unwrap(ctx, this_obj, &count_class, exc)) return NULL;
  return st_realm(ctx)->count_size;
}

static JSValueRef js_byte_hwm(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                              const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  strategy_t *s = isl_unwrap(ctx, this_obj, &byte_class, exc);
  return s ? JSValueMakeNumber(ctx, s->hwm) : NULL;
}

static JSValueRef js_byte_size_get(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  if (!isl_unwrap(ctx, this_obj, &byte_class, exc)) return NULL;
  return st_realm(ctx)->byte_size;
}

/* The count queuing strategy size function: every chunk has size 1. */
static JSValueRef js_count_size(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                                const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)this_obj, (void)argc, (void)argv, (void)exc;
  return JSValueMakeNumber(ctx, 1);
}

/* The byte length queuing strategy size function: ? GetV(chunk, "byteLength"). */
static JSValueRef js_byte_size(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                               const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)this_obj;
  JSValueRef chunk = ISL_ARG(0);
  JSObjectRef o = JSValueToObject(ctx, chunk, exc);
  if (!o) return NULL;
  return isl_get(ctx, o, "byteLength", exc);
}

static const isl_accessor_t count_accessors[] = {
    {"highWaterMark", js_count_hwm, NULL},
    {"size", js_count_size_get, NULL},
    {0},
};

static const isl_accessor_t byte_accessors[] = {
    {"highWaterMark", js_byte_hwm, NULL},
    {"size", js_byte_size_get, NULL},
    {0},
};

static isl_class_def_t count_class = {
    .name = "CountQueuingStrategy",
    .construct = js_count_construct,
    .length = 1,
    .accessors = count_accessors,
    .finalize = strategy_finalize,
};

static isl_class_def_t byte_class = {
    .name = "ByteLengthQueuingStrategy",
    .construct = js_byte_construct,
    .length = 1,
    .accessors = byte_accessors,
    .finalize = strategy_finalize,
};

/* ---- The strategy argument of the stream constructors --------------------------------- */

bool st_strategy_convert(JSContextRef ctx, JSValueRef v, st_strategy_t *s, JSValueRef *exc) {
  s->has_hwm = false;
  s->hwm = 0;
  s->size = NULL;
  if (!st_dict_check(ctx, v, "The strategy", exc)) return false;
  /* Dictionary members in lexicographic order: highWaterMark, then size. */
  JSValueRef h = st_dict_get(ctx, v, "highWaterMark", exc);
  if (!h) return false;
  if (!JSValueIsUndefined(ctx, h)) {
    JSValueRef e = NULL;
    s->hwm = JSValueToNumber(ctx, h, &e);
    if (e) {
      *exc = e;
      return false;
    }
    s->has_hwm = true;
  }
  return st_dict_callback(ctx, v, "size", "The strategy", &s->size, exc);
}

bool st_extract_hwm(JSContextRef ctx, const st_strategy_t *s, double dflt, double *out,
                    JSValueRef *exc) {
  if (!s->has_hwm) {
    *out = dflt;
    return true;
  }
  if (isnan(s->hwm) || s->hwm < 0) {
    isl_throw_range(ctx, exc, "The highWaterMark must be a non-negative number");
    return false;
  }
  *out = s->hwm;
  return true;
}

bool st_is_count_size(JSContextRef ctx, JSValueRef fn) {
  return fn && fn == (JSValueRef)st_realm(ctx)->count_size;
}

bool st_chunk_size(JSContextRef ctx, JSValueRef fn, JSValueRef chunk, double *out,
                   JSValueRef *exc) {
  if (!fn || st_is_count_size(ctx, fn)) {
    *out = 1;
    return true;
  }
  /* Invoke the callback with an undefined this; its result converts to unrestricted
   * double (ToNumber, which may throw too). */
  JSValueRef e = NULL;
  JSValueRef r = st_call1(ctx, fn, NULL, chunk, &e);
  if (!e) *out = JSValueToNumber(ctx, r, &e);
  if (e) {
    *exc = e;
    return false;
  }
  return true;
}

void isl_api_queuing_install(isl_realm_t *r) {
  JSContextRef ctx = r->ctx;
  st_realm_init(r);
  st_realm_t *st = st_realm(ctx);
  isl_class_install(r, &count_class);
  isl_class_install(r, &byte_class);
  st->count_size = isl_func_new(ctx, "size", js_count_size, 0);
  st->byte_size = isl_func_new(ctx, "size", js_byte_size, 1);
  isl_set(ctx, r->helpers, "stCountSize", st->count_size, NULL);
  isl_set(ctx, r->helpers, "stByteSize", st->byte_size, NULL);
}
