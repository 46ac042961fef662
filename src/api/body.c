/* The Body mixin: BodyInit extraction and the readers. See body.h. */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "body.h"

bool isl_body_extract(JSContextRef ctx, JSValueRef init, isl_body_t **out,
                      const char **content_type, JSValueRef *exc) {
  *out = NULL;
  *content_type = NULL;
  if (JSValueIsUndefined(ctx, init) || JSValueIsNull(ctx, init)) return true;
  uint8_t *p;
  size_t n;
  isl_buf_t b = {0};
  if (JSValueIsString(ctx, init)) {
    /* USVString: UTF-8 encoded, lone surrogates become U+FFFD. */
    isl_to_utf8(ctx, init, &b, exc);
    *content_type = "text/plain;charset=UTF-8";
  } else if (isl_buffer_source(ctx, init, &p, &n)) {
    /* BufferSource: a copy of the bytes held now, so later writes do not show. */
    *out = isl_body_copy_of(p, n);
    return true;
  } else {
    /* URLSearchParams when installed (its serialisation is its toString). Everything
     * else that is none of BodyInit's types converts to USVString, as Web IDL's union
     * conversion does for an object when the union has a string type:
     * new Response({}) has the body "[object Object]". */
    JSValueRef usp = isl_global(ctx, "URLSearchParams");
    if (JSValueIsObject(ctx, init) && usp && JSValueIsObject(ctx, usp) &&
        JSObjectIsConstructor(ctx, (JSObjectRef)usp) &&
        JSValueIsInstanceOfConstructor(ctx, init, (JSObjectRef)usp, NULL))
      *content_type = "application/x-www-form-urlencoded;charset=UTF-8";
    else
      *content_type = "text/plain;charset=UTF-8";
    if (!isl_to_utf8(ctx, init, &b, exc)) {
      isl_buf_free(&b);
      *content_type = NULL;
      return false;
    }
  }
  size_t len = b.len;
  *out = isl_body_new(isl_buf_take(&b), len);
  return true;
}

void isl_bodystate_init(isl_bodystate_t *s, isl_body_t *body) {
  s->bytes = body;
  s->present = body != NULL;
  s->used = false;
}

void isl_bodystate_dispose(isl_bodystate_t *s) {
  isl_body_unref(s->bytes);
  s->bytes = NULL;
}

bool isl_bodystate_unusable(const isl_bodystate_t *s) { return s->present && s->used; }

isl_body_t *isl_bodystate_take(isl_bodystate_t *s) {
  isl_body_t *b = s->bytes;
  s->bytes = NULL;
  if (s->present) s->used = true;
  return b;
}

/* Hands the body's bytes to an ArrayBuffer/Uint8Array without copying when nothing else
 * holds them (the usual case); a clone sharing them gets a copy made instead, since the
 * buffer is writable. */
static void unref_body(void *bytes, void *data) {
  (void)bytes;
  isl_body_unref(data);
}

static JSObjectRef bytes_object(JSContextRef ctx, isl_body_t *b, bool typed) {
  static const char empty;
  if (!b) {
    return typed ? isl_uint8array_new(ctx, &empty, 0) : isl_arraybuffer_new(ctx, &empty, 0);
  }
  if (b->refs > 1) {
    JSObjectRef o = typed ? isl_uint8array_new(ctx, b->data, b->len)
                          : isl_arraybuffer_new(ctx, b->data, b->len);
    isl_body_unref(b);
    return o;
  }
  if (typed)
    return JSObjectMakeTypedArrayWithBytesNoCopy(ctx, kJSTypedArrayTypeUint8Array, b->data,
                                                 b->len, unref_body, b, NULL);
  return JSObjectMakeArrayBufferWithBytesNoCopy(ctx, b->data, b->len, unref_body, b, NULL);
}

/* UTF-8 decode: a leading BOM is dropped, invalid sequences become U+FFFD. */
static JSStringRef decode_utf8(const isl_body_t *b) {
  const char *p = b ? b->data : "";
  size_t n = b ? b->len : 0;
  if (n >= 3 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB &&
      (unsigned char)p[2] == 0xBF)
    p += 3, n -= 3;
  return isl_jsstr_n(p, n);
}

JSValueRef isl_body_consume(JSContextRef ctx, isl_bodystate_t *s, isl_read_kind_t kind) {
  /* 1. If this is unusable, return a promise rejected with a TypeError. */
  if (isl_bodystate_unusable(s))
    return isl_promise_rejected(ctx, isl_error_new(ctx, "TypeError", "Body has already been used"));
  /* 2-5. Read all bytes (a null body reads as empty), then convert. */
  isl_body_t *b = isl_bodystate_take(s);
  JSValueRef v = NULL;
  if (kind == ISL_READ_ARRAYBUFFER || kind == ISL_READ_BYTES)
    return isl_promise_resolved(ctx, bytes_object(ctx, b, kind == ISL_READ_BYTES));
  JSStringRef str = decode_utf8(b);
  isl_body_unref(b);
  if (kind == ISL_READ_TEXT) {
    v = JSValueMakeString(ctx, str);
  } else {
    v = JSValueMakeFromJSONString(ctx, str);
    if (!v) {
      JSStringRelease(str);
      return isl_promise_rejected(
          ctx, isl_error_new(ctx, "SyntaxError", "Failed to parse the body as JSON"));
    }
  }
  JSStringRelease(str);
  return isl_promise_resolved(ctx, v);
}

JSValueRef isl_body_get_stream(JSContextRef ctx, isl_bodystate_t *s, JSValueRef *exc) {
  if (!s->present) return JSValueMakeNull(ctx);
  return isl_throw_type(ctx, exc,
                        "ReadableStream bodies are not supported yet; use text(), json(), "
                        "arrayBuffer() or bytes()");
}

/* The mixin has no class of its own: Request and Response install its methods. */
void isl_api_body_install(isl_realm_t *r) { (void)r; }
