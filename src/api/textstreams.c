/* TextEncoderStream and TextDecoderStream (Encoding Standard, "Interface
 * TextDecoderStream" and "Interface TextEncoderStream",
 * https://encoding.spec.whatwg.org/#interface-textdecoderstream).
 *
 * Each is a GenericTransformStream: the object itself only answers `readable` and
 * `writable` (and the TextEncoderCommon / TextDecoderCommon attributes); the work is done
 * by a TransformStream it keeps in a private slot, whose transform and flush algorithms
 * are the C functions below (isl_transform_stream_new_c), so no transformer object user
 * code could reach or pollute is involved.
 *
 * TextDecoderStream decodes with src/encoding through the decoder TextDecoder uses
 * (encoding_api.h), every encoding TextDecoder supports, keeping the decoder's state
 * between chunks, so a multi-byte sequence split across chunks decodes as one code point.
 * TextEncoderStream encodes UTF-8 and keeps a lead surrogate that ends a chunk for the
 * next one, as the standard's encoder does ("convert code unit to scalar value").
 *
 * Not like the standard: a chunk in a SharedArrayBuffer (WebAssembly shared memory) is
 * refused with a TypeError, because the engine's C API gives no pointer to its bytes. */
#include <stdlib.h>
#include <string.h>

#include "encoding_api.h"
#include "streams_api.h"

/* ---- GenericTransformStream ------------------------------------------------------------- */

/* A new instance of def (priv: its native state) whose transform runs ops on data. */
static JSObjectRef generic_new(JSContextRef ctx, isl_class_def_t *def, void *priv,
                               JSObjectRef new_target, const isl_transform_ops_t *ops,
                               void *data) {
  JSObjectRef self = isl_wrap_new(ctx, def, priv, new_target);
  isl_generic_transform_init(ctx, self, ops, data);
  return self;
}

/* Hands out[0..len) (malloc'ed, taken) to JS as a Uint8Array without copying. */
static void free_bytes(void *bytes, void *unused) {
  (void)unused;
  free(bytes);
}

static JSObjectRef uint8array_take(JSContextRef ctx, isl_buf_t *out) {
  /* isl_utf16_to_utf8 reserves three bytes per code unit: give back what ASCII left
   * unused so the chunk does not hold three times its size. */
  if (out->cap > out->len + out->len / 4 + 64) out->p = isl_realloc(out->p, out->len + 1);
  size_t n = out->len;
  char *p = isl_buf_take(out);
  return JSObjectMakeTypedArrayWithBytesNoCopy(ctx, kJSTypedArrayTypeUint8Array, p, n,
                                               free_bytes, NULL, NULL);
}

/* ---- TextEncoderStream ------------------------------------------------------------------ */

/* The encoder's state: a lead surrogate that ended the last chunk (0: none). */
typedef struct {
  uint16_t lead;
} encoder_state_t;

static bool is_lead(uint16_t u) { return u >= 0xD800 && u <= 0xDBFF; }
static bool is_trail(uint16_t u) { return u >= 0xDC00 && u <= 0xDFFF; }

static const uint8_t REPLACEMENT_UTF8[3] = {0xEF, 0xBF, 0xBD}; /* U+FFFD */

/* Enqueues out as a Uint8Array unless it is empty ("if output is non-empty"). */
static bool enqueue_bytes(JSContextRef ctx, JSObjectRef controller, isl_buf_t *out,
                          JSValueRef *exc) {
  if (out->len == 0) {
    isl_buf_free(out);
    return true;
  }
  return isl_transform_controller_enqueue(ctx, controller, uint8array_take(ctx, out), exc);
}

/* "Encode and enqueue a chunk". */
static bool encoder_transform(JSContextRef ctx, void *data, JSValueRef chunk,
                              JSObjectRef controller, JSValueRef *exc) {
  encoder_state_t *st = data;
  /* 1. Let input be the result of converting chunk to a DOMString. */
  JSStringRef s = JSValueToStringCopy(ctx, chunk, exc);
  if (!s) return false;
  const uint16_t *u = JSStringGetCharactersPtr(s);
  size_t n = JSStringGetLength(s), i = 0, end = n;
  isl_buf_t out = {0};
  /* A lead surrogate left by the last chunk pairs with a trail surrogate starting this
   * one; otherwise it is U+FFFD and this chunk's first unit is read afresh. An empty chunk
   * leaves it waiting. */
  if (st->lead && n > 0) {
    if (is_trail(u[0])) {
      uint16_t pair[2] = {st->lead, u[0]};
      isl_utf16_to_utf8(&out, pair, 2);
      i = 1;
    } else {
      isl_buf_append(&out, REPLACEMENT_UTF8, sizeof(REPLACEMENT_UTF8));
    }
    st->lead = 0;
  }
  /* A lead surrogate at the end waits for the next chunk. */
  if (end > i && is_lead(u[end - 1])) st->lead = u[--end];
  /* Everything between: pairs become code points, lone surrogates U+FFFD. */
  if (end > i) isl_utf16_to_utf8(&out, u + i, end - i);
  JSStringRelease(s);
  return enqueue_bytes(ctx, controller, &out, exc);
}

/* "Encode and flush": a lead surrogate still waiting becomes U+FFFD. */
static bool encoder_flush(JSContextRef ctx, void *data, JSObjectRef controller,
                          JSValueRef *exc) {
  encoder_state_t *st = data;
  if (!st->lead) return true;
  st->lead = 0;
  isl_buf_t out = {0};
  isl_buf_append(&out, REPLACEMENT_UTF8, sizeof(REPLACEMENT_UTF8));
  return enqueue_bytes(ctx, controller, &out, exc);
}

static const isl_transform_ops_t encoder_ops = {
    .transform = encoder_transform,
    .flush = encoder_flush,
    .release = free,
};

static isl_class_def_t encoder_stream_def;

/* A TextEncoderStream has no state of its own; a non-NULL private pointer marks
 * instances. */
static char encoder_stream_tag;

static JSObjectRef js_encoder_stream_new(JSContextRef ctx, JSObjectRef new_target, size_t argc,
                                         const JSValueRef argv[], JSValueRef *exc) {
  (void)argc, (void)argv, (void)exc;
  encoder_state_t *st = isl_calloc(1, sizeof(*st));
  return generic_new(ctx, &encoder_stream_def, &encoder_stream_tag, new_target, &encoder_ops,
                     st);
}

static JSValueRef js_encoder_stream_encoding(JSContextRef ctx, JSObjectRef fn,
                                             JSObjectRef this_obj, size_t argc,
                                             const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  if (!isl_unwrap(ctx, this_obj, &encoder_stream_def, exc)) return NULL;
  return isl_str(ctx, "utf-8");
}

static JSValueRef js_encoder_stream_readable(JSContextRef ctx, JSObjectRef fn,
                                             JSObjectRef this_obj, size_t argc,
                                             const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  if (!isl_unwrap(ctx, this_obj, &encoder_stream_def, exc)) return NULL;
  return isl_generic_transform_readable(ctx, this_obj);
}

static JSValueRef js_encoder_stream_writable(JSContextRef ctx, JSObjectRef fn,
                                             JSObjectRef this_obj, size_t argc,
                                             const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  if (!isl_unwrap(ctx, this_obj, &encoder_stream_def, exc)) return NULL;
  return isl_generic_transform_writable(ctx, this_obj);
}

static const isl_accessor_t encoder_stream_accessors[] = {
    {"encoding", js_encoder_stream_encoding, NULL},
    {"readable", js_encoder_stream_readable, NULL},
    {"writable", js_encoder_stream_writable, NULL},
    {0},
};

static isl_class_def_t encoder_stream_def = {
    .name = "TextEncoderStream",
    .construct = js_encoder_stream_new,
    .length = 0,
    .accessors = encoder_stream_accessors,
};

/* ---- TextDecoderStream ------------------------------------------------------------------ */

/* Enqueues out[skip..] as a string unless it is empty, then frees out. */
static bool enqueue_text(JSContextRef ctx, JSObjectRef controller, isl_u16buf_t *out,
                         size_t skip, JSValueRef *exc) {
  bool ok = true;
  if (out->len > skip) {
    JSStringRef s = JSStringCreateWithCharacters(out->p + skip, out->len - skip);
    JSValueRef v = JSValueMakeString(ctx, s);
    JSStringRelease(s);
    ok = isl_transform_controller_enqueue(ctx, controller, v, exc);
  }
  free(out->p);
  return ok;
}

/* Decodes p[0..n) (flush: the end of the stream) and enqueues what came out. In fatal
 * mode an error is a TypeError, which errors the stream. */
static bool decoder_run(JSContextRef ctx, isl_text_decoder_t *d, const uint8_t *p, size_t n,
                        bool flush, JSObjectRef controller, JSValueRef *exc) {
  isl_u16buf_t out = {0};
  size_t skip;
  if (!isl_text_decoder_step(d, p, n, flush, &out, &skip)) {
    free(out.p);
    isl_throw_type(ctx, exc, "TextDecoderStream: The encoded data was not valid for encoding %s",
                   isl_encoding_name(d->dec.enc));
    return false;
  }
  return enqueue_text(ctx, controller, &out, skip, exc);
}

/* "Decode and enqueue a chunk". */
static bool decoder_transform(JSContextRef ctx, void *data, JSValueRef chunk,
                              JSObjectRef controller, JSValueRef *exc) {
  /* 1. Let bufferSource be the result of converting chunk to an AllowSharedBufferSource. */
  uint8_t *p;
  size_t n;
  if (!isl_buffer_source(ctx, chunk, &p, &n)) {
    isl_throw_type(ctx, exc, "TextDecoderStream: a chunk written to it must be an ArrayBuffer "
                             "or ArrayBufferView");
    return false;
  }
  /* The bytes are decoded before any JS runs, so they need no copy. */
  return decoder_run(ctx, data, p, n, false, controller, exc);
}

/* "Flush and enqueue": an incomplete sequence left at the end is an error (fatal) or
 * U+FFFD. */
static bool decoder_flush(JSContextRef ctx, void *data, JSObjectRef controller,
                          JSValueRef *exc) {
  return decoder_run(ctx, data, NULL, 0, true, controller, exc);
}

static const isl_transform_ops_t decoder_ops = {
    .transform = decoder_transform,
    .flush = decoder_flush,
    .release = free,
};

static isl_class_def_t decoder_stream_def;

/* The wrapper keeps its own copy of the decoder's settings for the attributes; the
 * transform owns the decoder that runs (either may outlive the other). */
static JSObjectRef js_decoder_stream_new(JSContextRef ctx, JSObjectRef new_target, size_t argc,
                                         const JSValueRef argv[], JSValueRef *exc) {
  isl_text_decoder_t settings;
  if (!isl_text_decoder_init(ctx, &settings, ISL_ARG(0), ISL_ARG(1), "TextDecoderStream", exc))
    return NULL;
  isl_text_decoder_t *attrs = isl_malloc(sizeof(*attrs));
  isl_text_decoder_t *running = isl_malloc(sizeof(*running));
  *attrs = *running = settings;
  return generic_new(ctx, &decoder_stream_def, attrs, new_target, &decoder_ops, running);
}

#define THIS_DECODER(ctx, this_obj, exc) \
  isl_text_decoder_t *d = isl_unwrap((ctx), (this_obj), &decoder_stream_def, (exc))

static JSValueRef js_decoder_stream_encoding(JSContextRef ctx, JSObjectRef fn,
                                             JSObjectRef this_obj, size_t argc,
                                             const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  THIS_DECODER(ctx, this_obj, exc);
  return d ? isl_str(ctx, isl_encoding_name(d->dec.enc)) : NULL;
}

static JSValueRef js_decoder_stream_fatal(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                          size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  THIS_DECODER(ctx, this_obj, exc);
  return d ? JSValueMakeBoolean(ctx, d->dec.fatal) : NULL;
}

static JSValueRef js_decoder_stream_ignore_bom(JSContextRef ctx, JSObjectRef fn,
                                               JSObjectRef this_obj, size_t argc,
                                               const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  THIS_DECODER(ctx, this_obj, exc);
  return d ? JSValueMakeBoolean(ctx, d->ignore_bom) : NULL;
}

static JSValueRef js_decoder_stream_readable(JSContextRef ctx, JSObjectRef fn,
                                             JSObjectRef this_obj, size_t argc,
                                             const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  THIS_DECODER(ctx, this_obj, exc);
  return d ? isl_generic_transform_readable(ctx, this_obj) : NULL;
}

static JSValueRef js_decoder_stream_writable(JSContextRef ctx, JSObjectRef fn,
                                             JSObjectRef this_obj, size_t argc,
                                             const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  THIS_DECODER(ctx, this_obj, exc);
  return d ? isl_generic_transform_writable(ctx, this_obj) : NULL;
}

static const isl_accessor_t decoder_stream_accessors[] = {
    {"encoding", js_decoder_stream_encoding, NULL},
    {"fatal", js_decoder_stream_fatal, NULL},
    {"ignoreBOM", js_decoder_stream_ignore_bom, NULL},
    {"readable", js_decoder_stream_readable, NULL},
    {"writable", js_decoder_stream_writable, NULL},
    {0},
};

static isl_class_def_t decoder_stream_def = {
    .name = "TextDecoderStream",
    .construct = js_decoder_stream_new,
    .length = 0,
    .accessors = decoder_stream_accessors,
    .finalize = free,
};

void isl_api_textstreams_install(isl_realm_t *r) {
  isl_class_install(r, &encoder_stream_def);
  isl_class_install(r, &decoder_stream_def);
}
