/* Conversions between JS values and C, property access, errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsc.h"

JSStringRef isl_jsstr_n(const char *utf8, size_t n) {
  /* ASCII fast path avoids the UTF-16 conversion. */
  size_t i = 0;
  while (i < n && (unsigned char)utf8[i] < 0x80 && utf8[i] != 0) i++;
  if (i == n && n < 4096) {
    JSChar tmp[4096];
    for (size_t k = 0; k < n; k++) tmp[k] = (unsigned char)utf8[k];
    return JSStringCreateWithCharacters(tmp, n);
  }
  size_t m;
  uint16_t *u = isl_utf8_to_utf16(utf8, n, &m);
  JSStringRef s = JSStringCreateWithCharacters(u, m);
  free(u);
  return s;
}

JSValueRef isl_str_n(JSContextRef ctx, const char *utf8, size_t n) {
  JSStringRef s = isl_jsstr_n(utf8, n);
  JSValueRef v = JSValueMakeString(ctx, s);
  JSStringRelease(s);
  return v;
}

JSValueRef isl_str(JSContextRef ctx, const char *utf8) { return isl_str_n(ctx, utf8, strlen(utf8)); }

JSValueRef isl_str_latin1(JSContextRef ctx, const char *p, size_t n) {
  uint16_t *u = isl_malloc((n + 1) * sizeof(uint16_t));
  for (size_t i = 0; i < n; i++) u[i] = (unsigned char)p[i];
  JSStringRef s = JSStringCreateWithCharacters(u, n);
  free(u);
  JSValueRef v = JSValueMakeString(ctx, s);
  JSStringRelease(s);
  return v;
}

/* JSC converts to UTF-8 itself without first widening its 8-bit (Latin-1) strings to
 * UTF-16, which JSStringGetCharactersPtr has to do. It converts strictly: at a lone
 * surrogate it stops. So the output is checked to stand for all n code units (a 4-byte
 * sequence is two); if it does not, islet converts from UTF-16 with U+FFFD for each lone
 * surrogate, as USVString requires. */
void isl_jsstr_to_utf8(JSStringRef s, isl_buf_t *out) {
  size_t n = JSStringGetLength(s);
  if (n <= 4096) {
    size_t max = n * 3 + 1;
    isl_buf_reserve(out, max);
    unsigned char *p = (unsigned char *)out->p + out->len;
    size_t got = JSStringGetUTF8CString(s, (char *)p, max);
    size_t units = 0;
    for (size_t i = 0; i + 1 < got; i++)
      if ((p[i] & 0xC0) != 0x80) units += p[i] >= 0xF0 ? 2 : 1;
    if (got > 0 && units == n) {
      out->len += got - 1; /* without the terminator JSC wrote */
      return;
    }
    out->p[out->len] = 0;
  }
  isl_utf16_to_utf8(out, JSStringGetCharactersPtr(s), JSStringGetLength(s));
}

bool isl_to_utf8(JSContextRef ctx, JSValueRef v, isl_buf_t *out, JSValueRef *exc) {
  JSValueRef e = NULL;
  JSStringRef s = JSValueToStringCopy(ctx, v, &e);
  if (e || !s) {
    if (exc) *exc = e;
    if (s) JSStringRelease(s);
    return false;
  }
  isl_jsstr_to_utf8(s, out);
  JSStringRelease(s);
  return true;
}

char *isl_to_cstr(JSContextRef ctx, JSValueRef v, size_t *len, JSValueRef *exc) {
  isl_buf_t b = {0};
  if (!isl_to_utf8(ctx, v, &b, exc)) {
    isl_buf_free(&b);
    return NULL;
  }
  if (len) *len = b.len;
  return isl_buf_take(&b);
}

bool isl_to_bytestring(JSContextRef ctx, JSValueRef v, isl_buf_t *out, JSValueRef *exc) {
  JSValueRef e = NULL;
  JSStringRef s = JSValueToStringCopy(ctx, v, &e);
  if (e || !s) {
    if (exc) *exc = e;
    if (s) JSStringRelease(s);
    return false;
  }
  const JSChar *c = JSStringGetCharactersPtr(s);
  size_t n = JSStringGetLength(s);
  isl_buf_reserve(out, n);
  for (size_t i = 0; i < n; i++) {
    if (c[i] > 0xFF) {
      JSStringRelease(s);
      isl_throw_type(ctx, exc, "Cannot convert to ByteString: character at index %zu has a value of %u, which is greater than 255.", i, (unsigned)c[i]);
      return false;
    }
    out->p[out->len++] = (char)c[i];
  }
  out->p[out->len] = 0;
  JSStringRelease(s);
  return true;
}

JSValueRef isl_get(JSContextRef ctx, JSObjectRef o, const char *name, JSValueRef *exc) {
  JSStringRef n = JSStringCreateWithUTF8CString(name);
  JSValueRef v = JSObjectGetProperty(ctx, o, n, exc);
  JSStringRelease(n);
  return v;
}

/* Names of isl_get_lit, by address: open addressing over a small table (a few dozen
 * literals are ever used). A full table makes strings per call, as isl_get does. */
#define LIT_SLOTS 64
static _Thread_local struct {
  const char *lit;
  JSStringRef str;
} lit_names[LIT_SLOTS];

static JSStringRef lit_name(const char *lit) {
  size_t h = ((uintptr_t)lit >> 3) % LIT_SLOTS;
  for (size_t i = 0; i < LIT_SLOTS; i++) {
    size_t k = (h + i) % LIT_SLOTS;
    if (lit_names[k].lit == lit) return lit_names[k].str;
    if (!lit_names[k].lit) {
      lit_names[k].lit = lit;
      lit_names[k].str = JSStringCreateWithUTF8CString(lit);
      return lit_names[k].str;
    }
  }
  return NULL;
}

JSValueRef isl_get_lit(JSContextRef ctx, JSObjectRef o, const char *literal, JSValueRef *exc) {
  JSStringRef n = lit_name(literal);
  if (!n) return isl_get(ctx, o, literal, exc);
  return JSObjectGetProperty(ctx, o, n, exc);
}

void isl_set(JSContextRef ctx, JSObjectRef o, const char *name, JSValueRef v, JSValueRef *exc) {
  JSStringRef n = JSStringCreateWithUTF8CString(name);
  JSObjectSetProperty(ctx, o, n, v, kJSPropertyAttributeNone, exc);
  JSStringRelease(n);
}

JSValueRef isl_global(JSContextRef ctx, const char *name) {
  return isl_get(ctx, JSContextGetGlobalObject(ctx), name, NULL);
}

JSObjectRef isl_array_new_internal(JSContextRef ctx) {
  JSObjectRef a = JSObjectMakeArray(ctx, 0, NULL, NULL);
  JSObjectSetPrototype(ctx, a, JSValueMakeNull(ctx));
  return a;
}

JSValueRef isl_call(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                    const JSValueRef argv[], JSValueRef *exc) {
  return JSObjectCallAsFunction(ctx, fn, this_obj, argc, argv, exc);
}

JSValueRef isl_call_method(JSContextRef ctx, JSObjectRef o, const char *name, size_t argc,
                           const JSValueRef argv[], JSValueRef *exc) {
  JSValueRef f = isl_get(ctx, o, name, exc);
  if (!f || (exc && *exc)) return NULL;
  if (!JSValueIsObject(ctx, f) || !JSObjectIsFunction(ctx, (JSObjectRef)f))
    return isl_throw_type(ctx, exc, "%s is not a function", name);
  return JSObjectCallAsFunction(ctx, (JSObjectRef)f, o, argc, argv, exc);
}

JSObjectRef isl_error_new(JSContextRef ctx, const char *ctor_name, const char *msg) {
  /* The standard error constructors as the realm had them before user code ran (a worker
   * that replaces globalThis.TypeError does not change what islet throws); other names
   * are looked up on the global. */
  isl_realm_t *r = isl_realm_of(ctx);
  JSValueRef c = NULL;
  if (r && r->helpers) {
    JSValueRef errs = isl_get(ctx, r->helpers, "errors", NULL);
    if (errs && JSValueIsObject(ctx, errs)) c = isl_get(ctx, (JSObjectRef)errs, ctor_name, NULL);
    if (c && JSValueIsUndefined(ctx, c)) c = NULL;
  }
  if (!c) c = isl_global(ctx, ctor_name);
  JSValueRef arg = isl_str(ctx, msg);
  if (c && JSValueIsObject(ctx, c) && JSObjectIsConstructor(ctx, (JSObjectRef)c)) {
    JSObjectRef e = JSObjectCallAsConstructor(ctx, (JSObjectRef)c, 1, &arg, NULL);
    if (e) return e;
  }
  return JSObjectMakeError(ctx, 1, &arg, NULL);
}

JSValueRef isl_throw(JSContextRef ctx, JSValueRef *exc, const char *ctor_name,
                     const char *fmt, ...) {
  isl_buf_t b = {0};
  va_list ap;
  va_start(ap, fmt);
  isl_buf_vprintf(&b, fmt, ap);
  va_end(ap);
  if (exc) *exc = isl_error_new(ctx, ctor_name, b.p ? b.p : "");
  isl_buf_free(&b);
  return NULL;
}

JSObjectRef isl_dom_error_new(JSContextRef ctx, const char *name, const char *msg) {
  isl_realm_t *r = isl_realm_of(ctx);
  if (r && r->dom_exception_new) return r->dom_exception_new(ctx, name, msg);
  JSObjectRef e = isl_error_new(ctx, "Error", msg);
  isl_set(ctx, e, "name", isl_str(ctx, name), NULL);
  return e;
}

JSValueRef isl_throw_dom(JSContextRef ctx, JSValueRef *exc, const char *name,
                         const char *fmt, ...) {
  isl_buf_t b = {0};
  va_list ap;
  va_start(ap, fmt);
  isl_buf_vprintf(&b, fmt, ap);
  va_end(ap);
  JSObjectRef e = isl_dom_error_new(ctx, name, b.p ? b.p : "");
  isl_buf_free(&b);
  if (exc) *exc = e;
  return NULL;
}

/* Closes an iterator after a failure (IteratorClose): the original exception wins over
 * anything return() throws. */
static void iterator_close(JSContextRef ctx, JSObjectRef it) {
  JSValueRef ignored = NULL;
  JSValueRef ret = isl_get(ctx, it, "return", &ignored);
  if (!ignored && ret && JSValueIsObject(ctx, ret) && JSObjectIsFunction(ctx, (JSObjectRef)ret))
    isl_call(ctx, (JSObjectRef)ret, it, 0, NULL, &ignored);
}

bool isl_iter_method(JSContextRef ctx, JSObjectRef o, JSObjectRef *method, JSValueRef *exc) {
  *method = NULL;
  JSValueRef sym = isl_get(ctx, isl_realm_of(ctx)->helpers, "symbolIterator", NULL);
  JSValueRef m = JSObjectGetPropertyForKey(ctx, o, sym, exc);
  if (*exc) return false;
  if (JSValueIsUndefined(ctx, m) || JSValueIsNull(ctx, m)) return true;
  if (!JSValueIsObject(ctx, m) || !JSObjectIsFunction(ctx, (JSObjectRef)m)) {
    isl_throw_type(ctx, exc, "Symbol.iterator is not a function");
    return false;
  }
  *method = (JSObjectRef)m;
  return true;
}

bool isl_iterate_with(JSContextRef ctx, JSObjectRef o, JSObjectRef method, isl_iter_cb cb,
                      void *data, JSValueRef *exc) {
  JSValueRef it = isl_call(ctx, method, o, 0, NULL, exc);
  if (*exc) return false;
  if (!JSValueIsObject(ctx, it)) {
    isl_throw_type(ctx, exc, "Result of the Symbol.iterator method is not an object");
    return false;
  }
  JSObjectRef ito = (JSObjectRef)it;
  JSValueRef next = isl_get(ctx, ito, "next", exc);
  if (*exc) return false;
  if (!JSValueIsObject(ctx, next) || !JSObjectIsFunction(ctx, (JSObjectRef)next)) {
    isl_throw_type(ctx, exc, "The iterator's next is not a function");
    return false;
  }
  for (;;) {
    JSValueRef res = isl_call(ctx, (JSObjectRef)next, ito, 0, NULL, exc);
    if (*exc) return false;
    if (!JSValueIsObject(ctx, res)) {
      isl_throw_type(ctx, exc, "Iterator result is not an object");
      return false;
    }
    JSValueRef done = isl_get(ctx, (JSObjectRef)res, "done", exc);
    if (*exc) return false;
    if (JSValueToBoolean(ctx, done)) return true;
    JSValueRef item = isl_get(ctx, (JSObjectRef)res, "value", exc);
    if (*exc) return false;
    if (!cb(ctx, data, item, exc)) {
      iterator_close(ctx, ito);
      return false;
    }
  }
}

bool isl_iterate(JSContextRef ctx, JSValueRef v, isl_iter_cb cb, void *data, JSValueRef *exc) {
  JSObjectRef method = NULL;
  if (JSValueIsObject(ctx, v) && !isl_iter_method(ctx, (JSObjectRef)v, &method, exc))
    return false;
  if (!method) {
    isl_throw_type(ctx, exc, "The value is not iterable (a sequence is required)");
    return false;
  }
  return isl_iterate_with(ctx, (JSObjectRef)v, method, cb, data, exc);
}

/* Appends "url:line:col", with the column mapped back to the user's source when the
 * realm's code was transformed. */
static void append_place(JSContextRef ctx, isl_buf_t *b, const char *p, size_t n) {
  isl_realm_t *r = isl_realm_of(ctx);
  const char *c2 = NULL, *c1 = NULL;
  for (size_t i = n; i > 0; i--) {
    if (p[i - 1] != ':') continue;
    if (!c2) c2 = p + i - 1;
    else {
      c1 = p + i - 1;
      break;
    }
  }
  if (!r || !r->map_column || !c1) {
    isl_buf_append(b, p, n);
    return;
  }
  int line = atoi(c1 + 1), col = atoi(c2 + 1);
  char *url = isl_strndup(p, (size_t)(c1 - p));
  col = r->map_column(r->owner, url, line, col);
  isl_buf_printf(b, "%s:%d:%d", url, line, col);
  free(url);
}

char *isl_exception_describe(JSContextRef ctx, JSValueRef exc) {
  isl_buf_t b = {0};
  if (!exc) return isl_strdup("(no exception)");
  if (JSValueIsObject(ctx, exc)) {
    JSObjectRef o = (JSObjectRef)exc;
    JSValueRef name = isl_get(ctx, o, "name", NULL);
    JSValueRef msg = isl_get(ctx, o, "message", NULL);
    JSValueRef stack = isl_get(ctx, o, "stack", NULL);
    if (msg && !JSValueIsUndefined(ctx, msg)) {
      if (name && !JSValueIsUndefined(ctx, name)) isl_to_utf8(ctx, name, &b, NULL);
      else isl_buf_puts(&b, "Error");
      isl_buf_puts(&b, ": ");
      isl_to_utf8(ctx, msg, &b, NULL);
    } else {
      isl_to_utf8(ctx, exc, &b, NULL);
    }
    if (stack && JSValueIsString(ctx, stack)) {
      isl_buf_t s = {0};
      isl_to_utf8(ctx, stack, &s, NULL);
      /* JSC's stack is "fn@url:line:col" per line; render it as "    at …". */
      char *line = s.p;
      while (line && *line) {
        char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        /* Frames of native code and of islet's internal helpers tell the reader nothing. */
        if (n && !(n >= 13 && memcmp(line + n - 13, "[native code]", 13) == 0) &&
            !memmem(line, n, "@islet:", 7)) {
          isl_buf_puts(&b, "\n    at ");
          char *at = memchr(line, '@', n);
          if (at && at > line) {
            isl_buf_append(&b, line, (size_t)(at - line));
            isl_buf_puts(&b, " (");
            append_place(ctx, &b, at + 1, n - (size_t)(at - line) - 1);
            isl_buf_putc(&b, ')');
          } else if (at) {
            append_place(ctx, &b, at + 1, n - 1); /* an anonymous frame: just the place */
          } else {
            isl_buf_append(&b, line, n);
          }
        }
        line = nl ? nl + 1 : NULL;
      }
      isl_buf_free(&s);
    } else {
      JSValueRef file = isl_get(ctx, o, "sourceURL", NULL);
      JSValueRef lineno = isl_get(ctx, o, "line", NULL);
      if (file && JSValueIsString(ctx, file)) {
        isl_buf_puts(&b, "\n    at ");
        isl_to_utf8(ctx, file, &b, NULL);
        if (lineno && JSValueIsNumber(ctx, lineno))
          isl_buf_printf(&b, ":%d", (int)JSValueToNumber(ctx, lineno, NULL));
      }
    }
  } else {
    isl_buf_puts(&b, "Uncaught ");
    isl_to_utf8(ctx, exc, &b, NULL);
  }
  return isl_buf_take(&b);
}

bool isl_buffer_source(JSContextRef ctx, JSValueRef v, uint8_t **p, size_t *n) {
  static uint8_t empty;
  if (!v || !JSValueIsObject(ctx, v)) return false;
  JSObjectRef o = (JSObjectRef)v;
  JSTypedArrayType t = JSValueGetTypedArrayType(ctx, v, NULL);
  if (t == kJSTypedArrayTypeArrayBuffer) {
    *p = JSObjectGetArrayBufferBytesPtr(ctx, o, NULL);
    *n = JSObjectGetArrayBufferByteLength(ctx, o, NULL);
  } else if (t != kJSTypedArrayTypeNone) {
    /* JSObjectGetTypedArrayBytesPtr returns the start of the whole buffer in this JSC
     * (not the view's first byte), so the view's offset is added to the buffer's bytes. */
    JSObjectRef buf = JSObjectGetTypedArrayBuffer(ctx, o, NULL);
    uint8_t *bp = buf ? JSObjectGetArrayBufferBytesPtr(ctx, buf, NULL) : NULL;
    *p = bp ? bp + JSObjectGetTypedArrayByteOffset(ctx, o, NULL) : NULL;
    *n = JSObjectGetTypedArrayByteLength(ctx, o, NULL);
  } else {
    /* DataView is not a typed array to the C API: go through its buffer. */
    JSValueRef dv = isl_global(ctx, "DataView");
    if (!dv || !JSValueIsObject(ctx, dv) ||
        !JSValueIsInstanceOfConstructor(ctx, v, (JSObjectRef)dv, NULL))
      return false;
    JSValueRef buf = isl_get(ctx, o, "buffer", NULL);
    size_t off = (size_t)JSValueToNumber(ctx, isl_get(ctx, o, "byteOffset", NULL), NULL);
    *n = (size_t)JSValueToNumber(ctx, isl_get(ctx, o, "byteLength", NULL), NULL);
    uint8_t *bp = JSObjectGetArrayBufferBytesPtr(ctx, (JSObjectRef)buf, NULL);
    *p = bp ? bp + off : NULL;
  }
  /* The C API gives no pointer into a SharedArrayBuffer (WebAssembly's shared memory):
   * such bytes cannot be read here, so they are not taken as a BufferSource (the caller
   * throws its TypeError) rather than read from nowhere. A detached buffer has length 0. */
  if (!*p) {
    if (*n) return false;
    *p = &empty;
  }
  return true;
}

static void free_bytes(void *bytes, void *ctx) {
  (void)ctx;
  free(bytes);
}

JSObjectRef isl_arraybuffer_new(JSContextRef ctx, const void *p, size_t n) {
  void *copy = isl_malloc(n ? n : 1);
  if (n) memcpy(copy, p, n);
  return JSObjectMakeArrayBufferWithBytesNoCopy(ctx, copy, n, free_bytes, NULL, NULL);
}

JSObjectRef isl_uint8array_new(JSContextRef ctx, const void *p, size_t n) {
  void *copy = isl_malloc(n ? n : 1);
  if (n) memcpy(copy, p, n);
  return JSObjectMakeTypedArrayWithBytesNoCopy(ctx, kJSTypedArrayTypeUint8Array, copy, n,
                                               free_bytes, NULL, NULL);
}

bool isl_require_args(JSContextRef ctx, size_t argc, size_t need, const char *iface,
                      const char *op, JSValueRef *exc) {
  if (argc >= need) return true;
  isl_throw_type(ctx, exc,
                 "Failed to execute '%s' on '%s': %zu argument%s required, but only %zu present.",
                 op, iface, need, need == 1 ? "" : "s", argc);
  return false;
}

void isl_report_exception(JSContextRef ctx, JSValueRef exc, const char *where) {
  char *d = isl_exception_describe(ctx, exc);
  if (where) isl_log(ISL_LOG_ERROR, "uncaught exception in %s: %s", where, d);
  else isl_log(ISL_LOG_ERROR, "uncaught exception: %s", d);
  free(d);
}
