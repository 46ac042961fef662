/* workerd's IdentityTransformStream and FixedLengthStream
 * (https://developers.cloudflare.com/workers/runtime-apis/streams/transformstream/):
 * TransformStreams that pass bytes through unchanged. The writable side takes only
 * ArrayBuffers and ArrayBufferViews (anything else errors the stream with a TypeError);
 * the readable side gives Uint8Arrays. A FixedLengthStream promises exactly
 * expectedLength bytes: writing more errors the stream, closing with fewer too, and a body
 * made from its readable side declares that length, so a Response made from it is sent
 * with Content-Length instead of chunked.
 *
 * Both are TransformStreams (instances of TransformStream, same readable/writable
 * accessors) made by TransformStream's own constructor with a transformer whose transform
 * and flush are C functions holding the byte count. Not like workerd: the readable side is
 * a default stream, not a byte stream (no BYOB reader); the queuingStrategy argument is
 * accepted and not used. */
#include <math.h>
#include <stdlib.h>

#include "api.h"
#include "body.h"
#include "streams_api.h"

/* The byte count, shared by the transform and flush functions (each holds a reference). */
typedef struct {
  int refs;
  bool fixed;
  uint64_t expected, seen;
} count_t;

static void count_unref(void *data) {
  count_t *c = data;
  if (--c->refs == 0) free(c);
}

static JSValueRef transform(JSContextRef ctx, void *data, JSObjectRef this_obj, size_t argc,
                            const JSValueRef argv[], JSValueRef *exc) {
  (void)this_obj;
  count_t *c = data;
  JSValueRef chunk = ISL_ARG(0);
  uint8_t *p;
  size_t n;
  if (!isl_buffer_source(ctx, chunk, &p, &n))
    return isl_throw_type(ctx, exc, "This TransformStream is being used as a byte stream, but "
                                    "received a value that is not an ArrayBuffer or "
                                    "ArrayBufferView on its writable side.");
  if (c->fixed && n > c->expected - c->seen)
    return isl_throw_type(ctx, exc, "Attempt to write too many bytes through a "
                                    "FixedLengthStream.");
  c->seen += n;
  /* Readers of a byte stream expect Uint8Arrays: other views and buffers are copied into
   * one (the writer may reuse its buffer once the write is done). */
  JSValueRef out = JSValueGetTypedArrayType(ctx, chunk, NULL) == kJSTypedArrayTypeUint8Array
                       ? chunk
                       : isl_uint8array_new(ctx, p, n);
  return isl_transform_controller_enqueue(ctx, ISL_ARG(1), out, exc) ? JSValueMakeUndefined(ctx)
                                                                     : NULL;
}

static JSValueRef flush(JSContextRef ctx, void *data, JSObjectRef this_obj, size_t argc,
                        const JSValueRef argv[], JSValueRef *exc) {
  (void)this_obj, (void)argc, (void)argv;
  count_t *c = data;
  if (c->fixed && c->seen != c->expected)
    return isl_throw_type(ctx, exc, "FixedLengthStream did not see all expected bytes before "
                                    "close().");
  return JSValueMakeUndefined(ctx);
}

/* A TransformStream (an instance of def, its prototype from new_target) passing bytes
 * through, counting them. */
static JSObjectRef make(JSContextRef ctx, isl_class_def_t *def, JSObjectRef new_target,
                        bool fixed, uint64_t expected, JSValueRef *exc) {
  count_t *c = isl_calloc(1, sizeof(*c));
  c->refs = 2;
  c->fixed = fixed;
  c->expected = expected;
  JSObjectRef transformer = JSObjectMake(ctx, NULL, NULL);
  isl_set(ctx, transformer, "transform", isl_func_with_data(ctx, transform, c, count_unref), NULL);
  isl_set(ctx, transformer, "flush", isl_func_with_data(ctx, flush, c, count_unref), NULL);
  JSObjectRef ts = isl_transform_stream_new(ctx, def, new_target, transformer, exc);
  if (ts && fixed)
    isl_body_stream_set_length(ctx, isl_transform_stream_readable(ctx, ts), (int64_t)expected);
  return ts;
}

/* The optional queuingStrategy: a dictionary (undefined, null or an object). */
static bool check_strategy(JSContextRef ctx, JSValueRef v, const char *iface, JSValueRef *exc) {
  if (JSValueIsUndefined(ctx, v) || JSValueIsNull(ctx, v) || JSValueIsObject(ctx, v)) return true;
  isl_throw_type(ctx, exc, "Failed to construct '%s': the queuing strategy must be an object",
                 iface);
  return false;
}

static isl_class_def_t identity_class, fixed_class;

static JSObjectRef js_identity_construct(JSContextRef ctx, JSObjectRef new_target, size_t argc,
                                         const JSValueRef argv[], JSValueRef *exc) {
  if (!check_strategy(ctx, ISL_ARG(0), "IdentityTransformStream", exc)) return NULL;
  return make(ctx, &identity_class, new_target, false, 0, exc);
}

/* expectedLength: a number or a BigInt, a whole number from 0 to 2^53 - 1. */
static bool expected_length(JSContextRef ctx, JSValueRef v, uint64_t *out, JSValueRef *exc) {
  const double max = 9007199254740991.0;
  if (JSValueIsBigInt(ctx, v)) {
    JSValueRef e = NULL;
    double d = JSValueToNumber(ctx, v, &e); /* exact enough to range-check */
    if (e || d < 0 || d > max) goto range;
    *out = JSValueToUInt64(ctx, v, exc);
    return !*exc;
  }
  double d = JSValueToNumber(ctx, v, exc);
  if (*exc) return false;
  if (isnan(d) || isinf(d) || d < 0 || d > max || d != trunc(d)) goto range;
  *out = (uint64_t)d;
  return true;
range:
  isl_throw_type(ctx, exc, "Failed to construct 'FixedLengthStream': expectedLength must be a "
                           "whole number from 0 to 2^53 - 1.");
  return false;
}

static JSObjectRef js_fixed_construct(JSContextRef ctx, JSObjectRef new_target, size_t argc,
                                      const JSValueRef argv[], JSValueRef *exc) {
  if (argc < 1)
    return (JSObjectRef)isl_throw_type(ctx, exc, "Failed to construct 'FixedLengthStream': 1 "
                                                 "argument required, but only 0 present.");
  uint64_t expected;
  if (!expected_length(ctx, argv[0], &expected, exc)) return NULL;
  if (!check_strategy(ctx, ISL_ARG(1), "FixedLengthStream", exc)) return NULL;
  return make(ctx, &fixed_class, new_target, true, expected, exc);
}

static isl_class_def_t identity_class = {
    .name = "IdentityTransformStream",
    .construct = js_identity_construct,
    .length = 0,
};

static isl_class_def_t fixed_class = {
    .name = "FixedLengthStream",
    .parent = &identity_class,
    .construct = js_fixed_construct,
    .length = 1,
};

void isl_api_identitystream_install(isl_realm_t *r) {
  /* Instances are TransformStreams: TransformStream's state, and its finalizer frees it. */
  identity_class.parent = isl_transform_stream_class();
  identity_class.finalize = fixed_class.finalize = identity_class.parent->finalize;
  isl_class_install(r, &identity_class);
  isl_class_install(r, &fixed_class);
}
