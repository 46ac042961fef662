/* TextEncoder and TextDecoder (https://encoding.spec.whatwg.org/). This issue implements
 * UTF-8 only; the label table and the decoder struct are shaped so that later encodings
 * add a table row and a decode function. */
#include <stdlib.h>
#include <string.h>

#include "api.h"

/* ---- Labels ---------------------------------------------------------------------------- */

typedef enum { ENC_UTF8 } enc_t;

static const char *const enc_names[] = {[ENC_UTF8] = "utf-8"};

/* The Encoding Standard's labels for the encodings islet supports, lower-case. */
static const struct {
  const char *label;
  enc_t enc;
} labels[] = {
    {"unicode-1-1-utf-8", ENC_UTF8}, {"unicode11utf8", ENC_UTF8}, {"unicode20utf8", ENC_UTF8},
    {"utf-8", ENC_UTF8},             {"utf8", ENC_UTF8},          {"x-unicode20utf8", ENC_UTF8},
};

static bool is_ascii_ws(char c) {
  return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

/* "Get an encoding": strip leading and trailing ASCII whitespace, match an ASCII
 * case-insensitive label. Returns -1 for an unknown label. */
static int encoding_for_label(const char *s, size_t n) {
  while (n && is_ascii_ws(s[0])) s++, n--;
  while (n && is_ascii_ws(s[n - 1])) n--;
  for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
    const char *l = labels[i].label;
    if (strlen(l) != n) continue;
    size_t k = 0;
    for (; k < n; k++) {
      char c = s[k];
      if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
      if (c != l[k]) break;
    }
    if (k == n) return (int)labels[i].enc;
  }
  return -1;
}

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

/* The UTF-8 decoder's state (Encoding Standard, "UTF-8 decoder"), kept between calls
 * while streaming, so a sequence split across chunks decodes as one code point. */
typedef struct {
  enc_t enc;
  bool fatal, ignore_bom;
  bool bom_seen;
  bool do_not_flush;
  uint32_t code_point;
  int bytes_needed, bytes_seen;
  uint8_t lower, upper;
} decoder_t;

static isl_class_def_t decoder_def;

static void decoder_reset(decoder_t *d) {
  d->code_point = 0;
  d->bytes_needed = d->bytes_seen = 0;
  d->lower = 0x80;
  d->upper = 0xBF;
  d->bom_seen = false;
}

typedef struct {
  uint16_t *p;
  size_t len, cap;
} u16buf_t;

static void u16_push(u16buf_t *b, uint32_t c) {
  if (b->len + 2 > b->cap) {
    b->cap = b->cap ? b->cap * 2 : 64;
    b->p = isl_realloc(b->p, b->cap * sizeof(uint16_t));
  }
  if (c >= 0x10000) {
    c -= 0x10000;
    b->p[b->len++] = (uint16_t)(0xD800 + (c >> 10));
    b->p[b->len++] = (uint16_t)(0xDC00 + (c & 0x3FF));
  } else {
    b->p[b->len++] = (uint16_t)c;
  }
}

/* Runs the UTF-8 decoder over p[0..n) and, when flush is set, the end of the stream.
 * Returns false on the first error in fatal mode. */
static bool utf8_decode(decoder_t *d, const uint8_t *p, size_t n, bool flush, u16buf_t *out) {
  size_t i = 0;
  while (i < n) {
    uint8_t b = p[i];
    if (d->bytes_needed == 0) {
      i++;
      if (b < 0x80) {
        u16_push(out, b);
      } else if (b >= 0xC2 && b <= 0xDF) {
        d->bytes_needed = 1;
        d->code_point = b & 0x1Fu;
      } else if (b >= 0xE0 && b <= 0xEF) {
        if (b == 0xE0) d->lower = 0xA0;
        if (b == 0xED) d->upper = 0x9F;
        d->bytes_needed = 2;
        d->code_point = b & 0xFu;
      } else if (b >= 0xF0 && b <= 0xF4) {
        if (b == 0xF0) d->lower = 0x90;
        if (b == 0xF4) d->upper = 0x8F;
        d->bytes_needed = 3;
        d->code_point = b & 0x7u;
      } else {
        if (d->fatal) return false;
        u16_push(out, 0xFFFD);
      }
      continue;
    }
    if (b < d->lower || b > d->upper) {
      /* An invalid continuation: the sequence so far is an error, and the byte is
       * "restored to the stream", i.e. processed again as a possible lead byte. */
      d->code_point = 0;
      d->bytes_needed = d->bytes_seen = 0;
      d->lower = 0x80;
      d->upper = 0xBF;
      if (d->fatal) return false;
      u16_push(out, 0xFFFD);
      continue;
    }
    i++;
    d->lower = 0x80;
    d->upper = 0xBF;
    d->code_point = (d->code_point << 6) | (b & 0x3Fu);
    if (++d->bytes_seen == d->bytes_needed) {
      u16_push(out, d->code_point);
      d->code_point = 0;
      d->bytes_needed = d->bytes_seen = 0;
    }
  }
  /* End of queue with an incomplete sequence: one error. */
  if (flush && d->bytes_needed != 0) {
    d->code_point = 0;
    d->bytes_needed = d->bytes_seen = 0;
    d->lower = 0x80;
    d->upper = 0xBF;
    if (d->fatal) return false;
    u16_push(out, 0xFFFD);
  }
  return true;
}

static JSObjectRef js_decoder_new(JSContextRef ctx, JSObjectRef nt, size_t argc,
                                  const JSValueRef argv[], JSValueRef *exc) {
  int enc = ENC_UTF8;
  /* 1. Let encoding be the result of getting an encoding from label. */
  if (argc > 0 && !JSValueIsUndefined(ctx, argv[0])) {
    isl_buf_t label = {0};
    if (!isl_to_utf8(ctx, argv[0], &label, exc)) {
      isl_buf_free(&label);
      return NULL;
    }
    enc = encoding_for_label(label.p ? label.p : "", label.len);
    /* 2. If encoding is failure or replacement, throw a RangeError. */
    if (enc < 0) {
      isl_throw_range(ctx, exc,
                      "Failed to construct 'TextDecoder': The encoding label provided ('%s') "
                      "is invalid.",
                      label.p ? label.p : "");
      isl_buf_free(&label);
      return NULL;
    }
    isl_buf_free(&label);
  }
  /* The options dictionary: members read in lexicographic order (fatal, ignoreBOM). */
  bool fatal = false, ignore_bom = false;
  JSValueRef opts = ISL_ARG(1);
  if (!JSValueIsUndefined(ctx, opts) && !JSValueIsNull(ctx, opts)) {
    if (!JSValueIsObject(ctx, opts))
      return (JSObjectRef)isl_throw_type(
          ctx, exc,
          "Failed to construct 'TextDecoder': The provided value is not of type "
          "'TextDecoderOptions'.");
    JSValueRef v = isl_get(ctx, (JSObjectRef)opts, "fatal", exc);
    if (!v || *exc) return NULL;
    fatal = JSValueToBoolean(ctx, v);
    v = isl_get(ctx, (JSObjectRef)opts, "ignoreBOM", exc);
    if (!v || *exc) return NULL;
    ignore_bom = JSValueToBoolean(ctx, v);
  }
  decoder_t *d = isl_calloc(1, sizeof(*d));
  d->enc = (enc_t)enc;
  d->fatal = fatal;
  d->ignore_bom = ignore_bom;
  decoder_reset(d);
  return isl_wrap_new(ctx, &decoder_def, d, nt);
}

/* decode(optional [AllowShared] BufferSource input, optional TextDecodeOptions options). */
static JSValueRef js_decoder_decode(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                    size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  decoder_t *d = isl_unwrap(ctx, this_obj, &decoder_def, exc);
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
  if (!d->do_not_flush) decoder_reset(d);
  /* 2. Set this's do not flush to options["stream"]. */
  d->do_not_flush = stream;
  /* 3-5. Decode the input; flush the decoder at the end unless streaming. */
  u16buf_t out = {0};
  if (!utf8_decode(d, p, n, !stream, &out)) {
    free(out.p);
    d->do_not_flush = false;
    return isl_throw_type(ctx, exc, "Failed to execute 'decode' on 'TextDecoder': The "
                                    "encoded data was not valid for encoding %s",
                          enc_names[d->enc]);
  }
  /* Serialize I/O queue: strip one leading U+FEFF unless ignoreBOM, once per stream. */
  size_t skip = 0;
  if (!d->ignore_bom && !d->bom_seen && out.len > 0) {
    if (out.p[0] == 0xFEFF) skip = 1;
    d->bom_seen = true;
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
  decoder_t *d = isl_unwrap(ctx, this_obj, &decoder_def, exc);
  return d ? isl_str(ctx, enc_names[d->enc]) : NULL;
}

static JSValueRef js_decoder_fatal(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  decoder_t *d = isl_unwrap(ctx, this_obj, &decoder_def, exc);
  return d ? JSValueMakeBoolean(ctx, d->fatal) : NULL;
}

static JSValueRef js_decoder_ignore_bom(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                        size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  decoder_t *d = isl_unwrap(ctx, this_obj, &decoder_def, exc);
  return d ? JSValueMakeBoolean(ctx, d->ignore_bom) : NULL;
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
