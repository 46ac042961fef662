/* atob() and btoa() (HTML, "Base64 utility methods"). The algorithm lives in
 * src/base/base64.c; this file only converts between JS strings and bytes. Both treat a
 * string as one byte per UTF-16 code unit (a "binary string"). */
#include <stdlib.h>

#include "../base/base64.h"
#include "api.h"

/* btoa(data): data is a DOMString; every code unit must fit in a byte. */
static JSValueRef js_btoa(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                          const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  (void)this_obj;
  if (!isl_require_args(ctx, argc, 1, "WorkerGlobalScope", "btoa", exc)) return NULL;
  JSStringRef s = JSValueToStringCopy(ctx, argv[0], exc);
  if (!s) return NULL;
  const JSChar *c = JSStringGetCharactersPtr(s);
  size_t n = JSStringGetLength(s);
  uint8_t *bytes = isl_malloc(n);
  for (size_t i = 0; i < n; i++) {
    /* 1. If data contains any code point greater than U+00FF, throw InvalidCharacterError. */
    if (c[i] > 0xFF) {
      free(bytes);
      JSStringRelease(s);
      return isl_throw_dom(ctx, exc, "InvalidCharacterError",
                           "Failed to execute 'btoa' on 'WorkerGlobalScope': The string to be "
                           "encoded contains characters outside of the Latin1 range.");
    }
    bytes[i] = (uint8_t)c[i];
  }
  JSStringRelease(s);
  /* 2-3. Forgiving-base64 encode the bytes. */
  isl_buf_t out = {0};
  isl_base64_encode(&out, bytes, n);
  free(bytes);
  JSValueRef v = isl_str_n(ctx, out.p ? out.p : "", out.len);
  isl_buf_free(&out);
  return v;
}

/* atob(data): forgiving-base64 decode; each output byte becomes one code unit. */
static JSValueRef js_atob(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                          const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  (void)this_obj;
  if (!isl_require_args(ctx, argc, 1, "WorkerGlobalScope", "atob", exc)) return NULL;
  JSStringRef s = JSValueToStringCopy(ctx, argv[0], exc);
  if (!s) return NULL;
  const JSChar *c = JSStringGetCharactersPtr(s);
  size_t n = JSStringGetLength(s);
  /* Code units outside ASCII are never in the alphabet nor whitespace; map them to a byte
   * that the decoder rejects (0x80) so that the C function sees bytes only. */
  char *ascii = isl_malloc(n);
  for (size_t i = 0; i < n; i++) ascii[i] = c[i] < 0x80 ? (char)c[i] : (char)0x80;
  JSStringRelease(s);
  isl_buf_t out = {0};
  bool ok = isl_base64_decode(&out, ascii, n);
  free(ascii);
  JSValueRef v = NULL;
  /* 2. If decodedData is failure, throw an InvalidCharacterError DOMException. */
  if (!ok)
    isl_throw_dom(ctx, exc, "InvalidCharacterError",
                  "Failed to execute 'atob' on 'WorkerGlobalScope': The string to be decoded "
                  "is not correctly encoded.");
  else
    v = isl_str_latin1(ctx, out.p ? out.p : "", out.len);
  isl_buf_free(&out);
  return v;
}

void isl_api_base64_install(isl_realm_t *r) {
  isl_define_value(r->ctx, r->global, "atob", isl_func_new(r->ctx, "atob", js_atob, 1),
                   ISL_W | ISL_E | ISL_C);
  isl_define_value(r->ctx, r->global, "btoa", isl_func_new(r->ctx, "btoa", js_btoa, 1),
                   ISL_W | ISL_E | ISL_C);
}
