/* TextEncoder and TextDecoder (https://encoding.spec.whatwg.org/#api). TextEncoder is
 * UTF-8 only, as the standard has it. TextDecoder decodes every encoding of the standard
 * through src/encoding (labels, decoders, indexes); this file keeps the Web IDL side:
 * options, streaming ("do not flush"), the BOM and the exceptions. */
#include <stdlib.h>
#include <string.h>

#include "encoding_api.h"

/* ---- TextEncoder ----------------------------------------------------------------------- */

static isl_class_def_t encoder_def;

/* The encoder has no state; a non-NULL private pointer marks real instances. */
static char encoder_tag;

static JSObjectRef js_encoder_new(JSContextRef ctx, JSObjectRef nt, size_t argc,
                                  const JSValueRef argv[], JSValueRef *exc) {
  (void)argc;
  (void)argv;
  (void)exc;
  return isl_wrap_new(ctx, &encoder_def, &encoder_tag, nt);
}

static JSValueRef js_encoder_encoding(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                      size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  if (!isl_unwrap(ctx, this_obj, &encoder_def, exc)) return NULL;
  return isl_str(ctx, "utf-8");
}

/* encode(optional USVString input = ""): UTF-8 bytes, lone surrogates as U+FFFD. */
static JSValueRef js_encoder_encode(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                    size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  if (!isl_unwrap(ctx, this_obj, &encoder_def, exc)) return NULL;
  isl_buf_t b = {0};
  if (argc > 0 && !JSValueIsUndefined(ctx, argv[0]) && !isl_to_utf8(ctx, argv[0], &b, exc)) {
    isl_buf_free(&b);
    return NULL;
  }
  JSObjectRef u8 = isl_uint8array_new(ctx, b.p, b.len);
  isl_buf_free(&b);
  return u8;
}

/* encodeInto(USVString source, [AllowShared] Uint8Array destination): encodes as many
 * whole code points as fit. read counts UTF-16 code units consumed, written bytes. */
static JSValueRef js_encoder_encode_into(JSContextRef ctx, JSObjectRef fn,
                                         JSObjectRef this_obj, size_t argc,
                                         const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  if (!isl_unwrap(ctx, this_obj, &encoder_def, exc)) return NULL;
  if (!isl_require_args(ctx, argc, 2, "TextEncoder", "encodeInto", exc)) return NULL;
  JSStringRef s = JSValueToStringCopy(ctx, argv[0], exc);
  if (!s) return NULL;
  if (JSValueGetTypedArrayType(ctx, argv[1], NULL) != kJSTypedArrayTypeUint8Array) {
    JSStringRelease(s);
    return isl_throw_type(ctx, exc,
                          "Failed to execute 'encodeInto' on 'TextEncoder': parameter 2 is not "
                          "of type 'Uint8Array'.");
  }
  JSObjectRef dst = (JSObjectRef)argv[1];
  uint8_t *out;
  size_t cap;
  isl_buffer_source(ctx, dst, &out, &cap); /* the view's bytes, offset included */
  const JSChar *u = JSStringGetCharactersPtr(s);
  size_t n = JSStringGetLength(s);
  size_t read = 0, written = 0;
  while (read < n) {
    uint32_t c = u[read];
    size_t units = 1;
    if (c >= 0xD800 && c <= 0xDFFF) {
      if (c <= 0xDBFF && read + 1 < n && u[read + 1] >= 0xDC00 && u[read + 1] <= 0xDFFF) {
        c = 0x10000 + ((c - 0xD800) << 10) + (u[read + 1] - 0xDC00u);
        units = 2;
      } else {
        c = 0xFFFD;
      }
    }
    size_t len = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    /* Never split a code point: stop when the whole sequence does not fit. */
    if (written + len > cap) break;
    uint8_t *o = out + written;
    if (len == 1) {
      o[0] = (uint8_t)c;
    } else if (len == 2) {
      o[0] = (uint8_t)(0xC0 | (c >> 6));
      o[1] = (uint8_t)(0x80 | (c & 0x3F));
    } else if (len == 3) {
      o[0] = (uint8_t)(0xE0 | (c >> 12));
      o[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
      o[2] = (uint8_t)(0x80 | (c & 0x3F));
    } else {
      o[0] = (uint8_t)(0xF0 | (c >> 18));
      o[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3F));
      o[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
      o[3] = (uint8_t)(0x80 | (c & 0x3F));
    }
    written += len;
    read += units;
  }
  JSStringRelease(s);
  JSObjectRef res = JSObjectMake(ctx, NULL, NULL);
  isl_set(ctx, res, "read", JSValueMakeNumber(ctx, (double)read), NULL);
  isl_set(ctx, res, "written", JSValueMakeNumber(ctx, (double)written), NULL);
  return res;
}

static const isl_method_t encoder_methods[] = {
    {"encode", js_encoder_encode, 0},
    {"encodeInto", js_encoder_encode_into, 2},
    {0},
};
static const isl_accessor_t encoder_accessors[] = {
    {"encoding", js_encoder_encoding, NULL},
    {0},
};
static isl_class_def_t encoder_def = {
    .name = "TextEncoder",
    .construct = js_encoder_new,
    .methods = encoder_methods,
    .accessors = encoder_accessors,
};

/* ---- TextDecoder ----------------------------------------------------------------------- */

/* A TextDecoder: the common part (its decoder keeps state between calls while streaming,
 * so a sequence split across chunks decodes as one code point) and "do not flush". */
typedef struct {
  isl_text_decoder_t common;
  bool do_not_flush;
} text_decoder_t;

static isl_class_def_t decoder_def;

/* The encodings whose decoders drop a leading U+FEFF ("serialize I/O queue"). */
static bool strips_bom(isl_enc_t enc) {
  return enc == ISL_ENC_UTF8 || enc == ISL_ENC_UTF16BE || enc == ISL_ENC_UTF16LE;
}

bool isl_text_decoder_init(JSContextRef ctx, isl_text_decoder_t *d, JSValueRef label,
                           JSValueRef opts, const char *iface, JSValueRef *exc) {
  int enc = ISL_ENC_UTF8;
  /* 1. Let encoding be the result of getting an encoding from label. */
  if (!JSValueIsUndefined(ctx, label)) {
    isl_buf_t text = {0};
    if (!isl_to_utf8(ctx, label, &text, exc)) {
      isl_buf_free(&text);
      return false;
    }
    enc = isl_encoding_for_label(text.p ? text.p : "", text.len);
    /* 2. If encoding is failure or replacement, throw a RangeError. */
    if (enc < 0 || enc == ISL_ENC_REPLACEMENT) {
      isl_throw_range(ctx, exc,
                      "Failed to construct '%s': The encoding label provided ('%s') is invalid.",
                      iface, text.p ? text.p : "");
      isl_buf_free(&text);
      return false;
    }
    isl_buf_free(&text);
  }
  /* The options dictionary: members read in lexicographic order (fatal, ignoreBOM). */
  bool fatal = false, ignore_bom = false;
  if (!JSValueIsUndefined(ctx, opts) && !JSValueIsNull(ctx, opts)) {
    if (!JSValueIsObject(ctx, opts)) {
      isl_throw_type(ctx, exc,
                     "Failed to construct '%s': The provided value is not of type "
                     "'TextDecoderOptions'.",
                     iface);
      return false;
    }
    JSValueRef v = isl_get(ctx, (JSObjectRef)opts, "fatal", exc);
    if (!v || *exc) return false;
    fatal = JSValueToBoolean(ctx, v);
    v = isl_get(ctx, (JSObjectRef)opts, "ignoreBOM", exc);
    if (!v || *exc) return false;
    ignore_bom = JSValueToBoolean(ctx, v);
  }
  isl_decoder_init(&d->dec, (isl_enc_t)enc, fatal);
  d->ignore_bom = ignore_bom;
  d->bom_seen = false;
  return true;
}

bool isl_text_decoder_step(isl_text_decoder_t *d, const uint8_t *p, size_t n, bool flush,
                           isl_u16buf_t *out, size_t *skip) {
  *skip = 0;
  if (!isl_decoder_decode(&d->dec, p, n, flush, out)) return false;
  /* Serialize I/O queue: for the Unicode encodings, drop one leading U+FEFF unless
   * ignoreBOM, once per stream (BOM seen is set by the first code point out). */
  if (strips_bom(d->dec.enc) && !d->ignore_bom && !d->bom_seen && out->len > 0) {
    if (out->p[0] == 0xFEFF) *skip = 1;
    d->bom_seen = true;
  }
  return true;
}

static JSObjectRef js_decoder_new(JSContextRef ctx, JSObjectRef nt, size_t argc,
                                  const JSValueRef argv[], JSValueRef *exc) {
  text_decoder_t *d = isl_calloc(1, sizeof(*d));
  if (!isl_text_decoder_init(ctx, &d->common, ISL_ARG(0), ISL_ARG(1), "TextDecoder", exc)) {
    free(d);
    return NULL;
  }
  return isl_wrap_new(ctx, &decoder_def, d, nt);
}

/* decode(optional [AllowShared] BufferSource input, optional TextDecodeOptions options). */
static JSValueRef js_decoder_decode(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                    size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  text_decoder_t *d = isl_unwrap(ctx, this_obj, &decoder_def, exc);
  if (!d) return NULL;
  uint8_t *p = NULL;
  size_t n = 0;
  JSValueRef input = ISL_ARG(0);
  if (!JSValueIsUndefined(ctx, input) && !isl_buffer_source(ctx, input, &p, &n))
    return isl_throw_type(ctx, exc,
                          "Failed to execute 'decode' on 'TextDecoder': parameter 1 is not of "
                          "type 'ArrayBuffer or ArrayBufferView'.");
  bool stream = false;
  JSValueRef opts = ISL_ARG(1);
  if (!JSValueIsUndefined(ctx, opts) && !JSValueIsNull(ctx, opts)) {
    if (!JSValueIsObject(ctx, opts))
      return isl_throw_type(ctx, exc,
                            "Failed to execute 'decode' on 'TextDecoder': The provided value "
                            "is not of type 'TextDecodeOptions'.");
    JSValueRef v = isl_get(ctx, (JSObjectRef)opts, "stream", exc);
    if (!v || *exc) return NULL;
    stream = JSValueToBoolean(ctx, v);
  }
  /* The "stream" getter may have run user code that detached or resized the buffer, so
   * the bytes are located again now (the spec copies them at this point too). */
  if (!JSValueIsUndefined(ctx, input) && !isl_buffer_source(ctx, input, &p, &n)) n = 0;
  /* 1. If this's do not flush is false, set this's decoder to a new instance (and the
   * BOM seen flag to false). */
  isl_text_decoder_t *c = &d->common;
  if (!d->do_not_flush) {
    isl_decoder_init(&c->dec, c->dec.enc, c->dec.fatal);
    c->bom_seen = false;
  }
  /* 2. Set this's do not flush to options["stream"]. */
  d->do_not_flush = stream;
  /* 3-5. Decode the input; flush the decoder at the end unless streaming. */
  isl_u16buf_t out = {0};
  size_t skip;
  if (!isl_text_decoder_step(c, p, n, !stream, &out, &skip)) {
    free(out.p);
    /* The decoder starts afresh on the next call (it was reset on the error). */
    d->do_not_flush = false;
    return isl_throw_type(ctx, exc, "Failed to execute 'decode' on 'TextDecoder': The "
                                    "encoded data was not valid for encoding %s",
                          isl_encoding_name(c->dec.enc));
  }
  JSStringRef s = JSStringCreateWithCharacters(out.p ? out.p + skip : NULL, out.len - skip);
  free(out.p);
  JSValueRef v = JSValueMakeString(ctx, s);
  JSStringRelease(s);
  return v;
}

static JSValueRef js_decoder_encoding(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                      size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  text_decoder_t *d = isl_unwrap(ctx, this_obj, &decoder_def, exc);
  return d ? isl_str(ctx, isl_encoding_name(d->common.dec.enc)) : NULL;
}

static JSValueRef js_decoder_fatal(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  text_decoder_t *d = isl_unwrap(ctx, this_obj, &decoder_def, exc);
  return d ? JSValueMakeBoolean(ctx, d->common.dec.fatal) : NULL;
}

static JSValueRef js_decoder_ignore_bom(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                        size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  text_decoder_t *d = isl_unwrap(ctx, this_obj, &decoder_def, exc);
  return d ? JSValueMakeBoolean(ctx, d->common.ignore_bom) : NULL;
}

static const isl_method_t decoder_methods[] = {
    {"decode", js_decoder_decode, 0},
    {0},
};
static const isl_accessor_t decoder_accessors[] = {
    {"encoding", js_decoder_encoding, NULL},
    {"fatal", js_decoder_fatal, NULL},
    {"ignoreBOM", js_decoder_ignore_bom, NULL},
    {0},
};
static isl_class_def_t decoder_def = {
    .name = "TextDecoder",
    .construct = js_decoder_new,
    .length = 0,
    .methods = decoder_methods,
    .accessors = decoder_accessors,
    .finalize = free,
};

void isl_api_encoding_install(isl_realm_t *r) {
  isl_class_install(r, &encoder_def);
  isl_class_install(r, &decoder_def);
}
