/* The Crypto interface (Web Crypto API): crypto.getRandomValues() and
 * crypto.randomUUID(). crypto.subtle comes with a later issue. Randomness comes from the
 * kernel's CSPRNG through getrandom(2), so no OpenSSL is needed here. */
#include <errno.h>
#include <sys/random.h>

#include "api.h"

static isl_class_def_t crypto_def;
static char crypto_tag; /* a stateless class: the private pointer only marks instances */

/* Fills p[0..n) from the kernel. getrandom may return fewer bytes than asked for when
 * interrupted by a signal, so it loops; any other failure is fatal (there is no safe
 * fallback for a CSPRNG). */
static void fill_random(void *p, size_t n) {
  uint8_t *b = p;
  while (n > 0) {
    ssize_t got = getrandom(b, n, 0);
    if (got < 0) {
      ISL_CHECK(errno == EINTR);
      continue;
    }
    b += got;
    n -= (size_t)got;
  }
}

/* getRandomValues(ArrayBufferView array) */
static JSValueRef js_crypto_get_random_values(JSContextRef ctx, JSObjectRef fn,
                                              JSObjectRef this_obj, size_t argc,
                                              const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  if (!isl_unwrap(ctx, this_obj, &crypto_def, exc)) return NULL;
  if (!isl_require_args(ctx, argc, 1, "Crypto", "getRandomValues", exc)) return NULL;
  JSTypedArrayType t = JSValueGetTypedArrayType(ctx, argv[0], NULL);
  uint8_t *p;
  size_t n;
  if (t == kJSTypedArrayTypeArrayBuffer || !isl_buffer_source(ctx, argv[0], &p, &n))
    return isl_throw_type(ctx, exc,
                          "Failed to execute 'getRandomValues' on 'Crypto': parameter 1 is not "
                          "of type 'ArrayBufferView'.");
  /* 1. If array is not an Int8Array, Uint8Array, Uint8ClampedArray, Int16Array,
   * Uint16Array, Int32Array, Uint32Array, BigInt64Array, or BigUint64Array, then throw a
   * TypeMismatchError. (Float arrays and DataView land here.) */
  switch (t) {
  case kJSTypedArrayTypeInt8Array:
  case kJSTypedArrayTypeUint8Array:
  case kJSTypedArrayTypeUint8ClampedArray:
  case kJSTypedArrayTypeInt16Array:
  case kJSTypedArrayTypeUint16Array:
  case kJSTypedArrayTypeInt32Array:
  case kJSTypedArrayTypeUint32Array:
  case kJSTypedArrayTypeBigInt64Array:
  case kJSTypedArrayTypeBigUint64Array:
    break;
  default:
    return isl_throw_dom(ctx, exc, "TypeMismatchError",
                         "Failed to execute 'getRandomValues' on 'Crypto': The provided "
                         "ArrayBufferView is of type '%s', which is not an integer array type.",
                         t == kJSTypedArrayTypeFloat32Array   ? "Float32"
                         : t == kJSTypedArrayTypeFloat64Array ? "Float64"
                         : t == kJSTypedArrayTypeNone         ? "DataView"
                                                              : "Float16");
  }
  /* 2. If the byteLength of array is greater than 65536, throw a QuotaExceededError. */
  if (n > 65536)
    return isl_throw_dom(ctx, exc, "QuotaExceededError",
                         "Failed to execute 'getRandomValues' on 'Crypto': The "
                         "ArrayBufferView's byte length (%zu) exceeds the number of bytes of "
                         "entropy available via this API (65536).",
                         n);
  /* 3-4. Overwrite all elements with random values and return array. */
  fill_random(p, n);
  return argv[0];
}

/* randomUUID(): a version 4 UUID (RFC 9562 §5.4) in lower-case hex. */
static JSValueRef js_crypto_random_uuid(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                        size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  if (!isl_unwrap(ctx, this_obj, &crypto_def, exc)) return NULL;
  uint8_t b[16];
  fill_random(b, sizeof(b));
  b[6] = (uint8_t)((b[6] & 0x0F) | 0x40); /* version 4 */
  b[8] = (uint8_t)((b[8] & 0x3F) | 0x80); /* variant 10xx */
  static const char hex[] = "0123456789abcdef";
  char s[37];
  size_t o = 0;
  for (int i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s[o++] = '-';
    s[o++] = hex[b[i] >> 4];
    s[o++] = hex[b[i] & 15];
  }
  s[o] = 0;
  return isl_str(ctx, s);
}

static const isl_method_t crypto_methods[] = {
    {"getRandomValues", js_crypto_get_random_values, 1},
    {"randomUUID", js_crypto_random_uuid, 0},
    {0},
};
static isl_class_def_t crypto_def = {
    .name = "Crypto",
    .methods = crypto_methods,
};

void isl_api_crypto_install(isl_realm_t *r) {
  isl_class_install(r, &crypto_def);
  isl_define_value(r->ctx, r->global, "crypto", isl_wrap(r->ctx, &crypto_def, &crypto_tag),
                   ISL_W | ISL_E | ISL_C);
}
