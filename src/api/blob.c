/* The File API's Blob (https://w3c.github.io/FileAPI/#blob-section): the constructor from
 * blob parts, size, type, slice(), text(), arrayBuffer() and bytes(). See blob.h for how
 * bytes are shared.
 *
 * Not here yet: stream(), which needs ReadableStream (the streams issue). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "blob.h"
#include "structured_clone.h"

/* ---- The native state ------------------------------------------------------------------ */

isl_blob_t *isl_blob_new(isl_body_t *store, size_t off, size_t len, const char *type) {
  isl_blob_t *b = isl_calloc(1, sizeof(*b));
  b->refs = 1;
  b->store = store;
  b->off = off;
  b->len = len;
  b->type = isl_strdup(type ? type : "");
  return b;
}

isl_blob_t *isl_file_new_from(const isl_blob_t *src, const char *name, size_t name_len,
                              double last_modified) {
  isl_blob_t *f = isl_blob_new(src->store ? isl_body_ref(src->store) : NULL, src->off,
                               src->len, src->type);
  f->is_file = true;
  f->name = isl_strndup(name, name_len);
  f->name_len = name_len;
  f->last_modified = last_modified;
  return f;
}

isl_blob_t *isl_blob_ref(isl_blob_t *b) {
  b->refs++;
  return b;
}

void isl_blob_unref(isl_blob_t *b) {
  if (!b || --b->refs > 0) return;
  isl_body_unref(b->store);
  free(b->type);
  free(b->name);
  free(b);
}

const char *isl_blob_bytes(const isl_blob_t *b) {
  return b->store ? b->store->data + b->off : "";
}

isl_body_t *isl_blob_body(const isl_blob_t *b) {
  if (b->store && b->off == 0 && b->len == b->store->len) return isl_body_ref(b->store);
  return isl_body_copy_of(isl_blob_bytes(b), b->len);
}

double isl_blob_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec * 1000.0 + (double)(ts.tv_nsec / 1000000);
}

static void blob_finalize(void *priv) { isl_blob_unref(priv); }

JSObjectRef isl_blob_wrap(JSContextRef ctx, isl_blob_t *b) {
  return isl_wrap(ctx, b->is_file ? &isl_file_class : &isl_blob_class, b);
}

isl_blob_t *isl_blob_priv(JSContextRef ctx, JSValueRef v) {
  return isl_priv(ctx, v, &isl_blob_class);
}

/* ---- Blob parts ------------------------------------------------------------------------ */

enum { PART_STRING, PART_BUFFER, PART_BLOB };

typedef struct {
  int kind;
  isl_buf_t str;    /* PART_STRING: UTF-8 */
  isl_blob_t *blob; /* PART_BLOB: a reference */
  unsigned keep;    /* PART_BUFFER: index in the keep array */
} part_t;

struct isl_blob_parts {
  part_t *v;
  size_t n, cap;
  /* Buffer sources are read when the parts are processed, after the options were
   * converted; until then this JS array keeps them alive (protected: the list is on the
   * C heap, where the collector does not look). */
  JSObjectRef keep;
  unsigned nkeep;
};

void isl_blob_parts_free(JSContextRef ctx, isl_blob_parts_t *parts) {
  if (!parts) return;
  if (parts->keep) isl_unprotect(ctx, parts->keep);
  for (size_t i = 0; i < parts->n; i++) {
    isl_buf_free(&parts->v[i].str);
    isl_blob_unref(parts->v[i].blob);
  }
  free(parts->v);
  free(parts);
}

static part_t *parts_push(isl_blob_parts_t *parts, int kind) {
  if (parts->n == parts->cap) {
    parts->cap = parts->cap ? parts->cap * 2 : 8;
    parts->v = isl_realloc(parts->v, parts->cap * sizeof(*parts->v));
  }
  part_t *p = &parts->v[parts->n++];
  memset(p, 0, sizeof(*p));
  p->kind = kind;
  return p;
}

/* Web IDL's conversion of one item to (BufferSource or Blob or USVString). */
static bool convert_part(JSContextRef ctx, isl_blob_parts_t *parts, JSValueRef v,
                         JSValueRef *exc) {
  isl_blob_t *b = isl_blob_priv(ctx, v);
  if (b) {
    parts_push(parts, PART_BLOB)->blob = isl_blob_ref(b);
    return true;
  }
  uint8_t *p;
  size_t n;
  if (isl_buffer_source(ctx, v, &p, &n)) {
    if (!parts->keep) {
      parts->keep = JSObjectMakeArray(ctx, 0, NULL, NULL);
      isl_protect(ctx, parts->keep);
    }
    JSObjectSetPropertyAtIndex(ctx, parts->keep, parts->nkeep, v, NULL);
    parts_push(parts, PART_BUFFER)->keep = parts->nkeep++;
    return true;
  }
  part_t *s = parts_push(parts, PART_STRING);
  return isl_to_utf8(ctx, v, &s->str, exc);
}

/* isl_iterate's callback: each item converted as it comes. */
static bool convert_item(JSContextRef ctx, void *data, JSValueRef v, JSValueRef *exc) {
  return convert_part(ctx, data, v, exc);
}

isl_blob_parts_t *isl_blob_parts_read(JSContextRef ctx, JSValueRef v, const char *iface,
                                      JSValueRef *exc) {
  isl_blob_parts_t *parts = isl_calloc(1, sizeof(*parts));
  if (JSValueIsUndefined(ctx, v)) return parts;
  /* A sequence: an object with a callable @@iterator. */
  JSObjectRef method = NULL;
  if (JSValueIsObject(ctx, v) && !isl_iter_method(ctx, (JSObjectRef)v, &method, exc)) goto fail;
  if (!method) {
    isl_throw_type(ctx, exc, "Failed to construct '%s': The provided value cannot be "
                             "converted to a sequence.", iface);
    goto fail;
  }
  if (!isl_iterate_with(ctx, (JSObjectRef)v, method, convert_item, parts, exc)) goto fail;
  return parts;
fail:
  isl_blob_parts_free(ctx, parts);
  return NULL;
}

/* "Convert line endings to native": CRLF and lone CR become LF (islet runs on POSIX). */
static void append_native(isl_buf_t *out, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '\r') {
      isl_buf_putc(out, '\n');
      if (i + 1 < n && s[i + 1] == '\n') i++;
    } else {
      isl_buf_putc(out, s[i]);
    }
  }
}

isl_body_t *isl_blob_parts_take(JSContextRef ctx, isl_blob_parts_t *parts, bool native,
                                size_t *len) {
  /* One Blob part alone is shared, not copied. */
  if (parts->n == 1 && parts->v[0].kind == PART_BLOB) {
    isl_body_t *b = parts->v[0].blob->len ? isl_blob_body(parts->v[0].blob) : NULL;
    *len = parts->v[0].blob->len;
    isl_blob_parts_free(ctx, parts);
    return b;
  }
  /* "Process blob parts": strings (UTF-8 already), the bytes buffers hold now, Blobs. */
  isl_buf_t out = {0};
  for (size_t i = 0; i < parts->n; i++) {
    part_t *p = &parts->v[i];
    if (p->kind == PART_STRING) {
      if (native) append_native(&out, p->str.p, p->str.len);
      else isl_buf_append(&out, p->str.p, p->str.len);
    } else if (p->kind == PART_BLOB) {
      isl_buf_append(&out, isl_blob_bytes(p->blob), p->blob->len);
    } else {
      uint8_t *bp;
      size_t bn;
      JSValueRef v = JSObjectGetPropertyAtIndex(ctx, parts->keep, p->keep, NULL);
      if (isl_buffer_source(ctx, v, &bp, &bn)) isl_buf_append(&out, bp, bn);
    }
  }
  isl_blob_parts_free(ctx, parts);
  *len = out.len;
  if (out.len == 0) {
    isl_buf_free(&out);
    return NULL;
  }
  return isl_body_new(isl_buf_take(&out), *len);
}

/* ---- Options --------------------------------------------------------------------------- */

bool isl_blob_options(JSContextRef ctx, JSValueRef v, const char *iface, JSObjectRef *o,
                      JSValueRef *exc) {
  *o = NULL;
  if (JSValueIsUndefined(ctx, v) || JSValueIsNull(ctx, v)) return true;
  if (!JSValueIsObject(ctx, v)) {
    isl_throw_type(ctx, exc, "Failed to construct '%s': The provided value is not of type "
                             "'%sPropertyBag'.", iface, iface);
    return false;
  }
  *o = (JSObjectRef)v;
  return true;
}

bool isl_blob_read_endings(JSContextRef ctx, JSObjectRef o, bool *native, JSValueRef *exc) {
  *native = false;
  if (!o) return true;
  JSValueRef v = isl_get(ctx, o, "endings", exc);
  if (*exc) return false;
  if (JSValueIsUndefined(ctx, v)) return true;
  char *s = isl_to_cstr(ctx, v, NULL, exc);
  if (!s) return false;
  bool ok = true;
  if (strcmp(s, "native") == 0) *native = true;
  else if (strcmp(s, "transparent") != 0) {
    isl_throw_type(ctx, exc, "The provided value '%s' is not a valid enum value of type "
                             "EndingType.", s);
    ok = false;
  }
  free(s);
  return ok;
}

/* The type rule of the Blob constructor and slice(): a code point outside U+0020 to
 * U+007E makes it empty (in UTF-8, any byte outside that range); otherwise lower-cased. */
static char *normalize_type(char *t) {
  for (char *p = t; *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (c < 0x20 || c > 0x7E) {
      t[0] = 0;
      return t;
    }
    if (c >= 'A' && c <= 'Z') *p = (char)(c | 0x20);
  }
  return t;
}

/* A DOMString converted and normalised; a NUL inside also makes it empty. */
static bool to_type(JSContextRef ctx, JSValueRef v, char **type, JSValueRef *exc) {
  size_t n;
  char *s = isl_to_cstr(ctx, v, &n, exc);
  if (!s) return false;
  if (strlen(s) != n) s[0] = 0;
  *type = normalize_type(s);
  return true;
}

bool isl_blob_read_type(JSContextRef ctx, JSObjectRef o, char **type, JSValueRef *exc) {
  *type = NULL;
  JSValueRef v = o ? isl_get(ctx, o, "type", exc) : NULL;
  if (*exc) return false;
  if (!v || JSValueIsUndefined(ctx, v)) {
    *type = isl_strdup("");
    return true;
  }
  return to_type(ctx, v, type, exc);
}

/* ---- The Blob class -------------------------------------------------------------------- */

static JSObjectRef js_blob_construct(JSContextRef ctx, JSObjectRef new_target, size_t argc,
                                     const JSValueRef argv[], JSValueRef *exc) {
  /* Web IDL converts the arguments in order: blobParts, then options (endings, type). */
  isl_blob_parts_t *parts = isl_blob_parts_read(ctx, ISL_ARG(0), "Blob", exc);
  if (!parts) return NULL;
  JSObjectRef o;
  bool native;
  char *type = NULL;
  if (!isl_blob_options(ctx, ISL_ARG(1), "Blob", &o, exc) ||
      !isl_blob_read_endings(ctx, o, &native, exc) || !isl_blob_read_type(ctx, o, &type, exc)) {
    isl_blob_parts_free(ctx, parts);
    return NULL;
  }
  size_t len;
  isl_body_t *store = isl_blob_parts_take(ctx, parts, native, &len);
  isl_blob_t *b = isl_blob_new(store, 0, len, type);
  free(type);
  return isl_wrap_new(ctx, &isl_blob_class, b, new_target);
}

static JSValueRef js_blob_get_size(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  isl_blob_t *b = isl_unwrap(ctx, this_obj, &isl_blob_class, exc);
  return b ? JSValueMakeNumber(ctx, (double)b->len) : NULL;
}

static JSValueRef js_blob_get_type(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  isl_blob_t *b = isl_unwrap(ctx, this_obj, &isl_blob_class, exc);
  return b ? isl_str(ctx, b->type) : NULL;
}

/* Web IDL [Clamp] long long: NaN is 0, clamped to ±(2^53 - 1), rounded half to even. */
static bool to_clamped(JSContextRef ctx, JSValueRef v, double *out, JSValueRef *exc) {
  double d = JSValueToNumber(ctx, v, exc);
  if (*exc) return false;
  const double max = 9007199254740991.0;
  if (isnan(d)) d = 0;
  if (d > max) d = max;
  if (d < -max) d = -max;
  *out = nearbyint(d);
  return true;
}

/* slice()'s relative index: negative counts from the end; both clamped to [0, size]. */
static size_t relative_index(double i, size_t size) {
  if (i < 0) return i + (double)size < 0 ? 0 : (size_t)(i + (double)size);
  return i > (double)size ? size : (size_t)i;
}

static JSValueRef js_blob_slice(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  isl_blob_t *b = isl_unwrap(ctx, this_obj, &isl_blob_class, exc);
  if (!b) return NULL;
  /* Arguments converted left to right: start, end, contentType. */
  double start = 0, end = (double)b->len;
  if (argc > 0 && !JSValueIsUndefined(ctx, argv[0]) && !to_clamped(ctx, argv[0], &start, exc))
    return NULL;
  if (argc > 1 && !JSValueIsUndefined(ctx, argv[1]) && !to_clamped(ctx, argv[1], &end, exc))
    return NULL;
  char *type = NULL;
  if (argc > 2 && !JSValueIsUndefined(ctx, argv[2])) {
    if (!to_type(ctx, argv[2], &type, exc)) return NULL;
  }
  /* 1-4. Relative start and end, and the span between them (never negative). */
  size_t rs = relative_index(start, b->len), re = relative_index(end, b->len);
  size_t span = re > rs ? re - rs : 0;
  /* 5-6. A new Blob on the same bytes: the store is shared, not copied. */
  isl_blob_t *s = isl_blob_new(span && b->store ? isl_body_ref(b->store) : NULL,
                               span ? b->off + rs : 0, span, type ? type : "");
  free(type);
  return isl_wrap(ctx, &isl_blob_class, s);
}

/* The readers: the bytes are all here, so each promise is settled at once. A failed
 * brand check rejects, as Web IDL says for promise-returning operations. */
enum { READ_TEXT, READ_ARRAYBUFFER, READ_BYTES };

static JSValueRef read_blob(JSContextRef ctx, JSObjectRef this_obj, int kind) {
  JSValueRef err = NULL;
  isl_blob_t *b = isl_unwrap(ctx, this_obj, &isl_blob_class, &err);
  if (!b) return isl_promise_rejected(ctx, err);
  const char *p = isl_blob_bytes(b);
  size_t n = b->len;
  if (kind == READ_ARRAYBUFFER) return isl_promise_resolved(ctx, isl_arraybuffer_new(ctx, p, n));
  if (kind == READ_BYTES) return isl_promise_resolved(ctx, isl_uint8array_new(ctx, p, n));
  /* UTF-8 decode: a leading BOM is dropped, invalid sequences become U+FFFD. */
  if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3, n -= 3;
  return isl_promise_resolved(ctx, isl_str_n(ctx, p, n));
}

static JSValueRef js_blob_text(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                               size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv, (void)exc;
  return read_blob(ctx, this_obj, READ_TEXT);
}

static JSValueRef js_blob_array_buffer(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                       size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv, (void)exc;
  return read_blob(ctx, this_obj, READ_ARRAYBUFFER);
}

static JSValueRef js_blob_bytes(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv, (void)exc;
  return read_blob(ctx, this_obj, READ_BYTES);
}

static const isl_method_t blob_methods[] = {
    {"slice", js_blob_slice, 0},
    {"text", js_blob_text, 0},
    {"arrayBuffer", js_blob_array_buffer, 0},
    {"bytes", js_blob_bytes, 0},
    {0},
};

static const isl_accessor_t blob_accessors[] = {
    {"size", js_blob_get_size, NULL},
    {"type", js_blob_get_type, NULL},
    {0},
};

isl_class_def_t isl_blob_class = {
    .name = "Blob",
    .construct = js_blob_construct,
    .length = 0,
    .methods = blob_methods,
    .accessors = blob_accessors,
    .finalize = blob_finalize,
};

/* Blob and File are [Serializable] (File API, "Blob" and "File"): a clone shares the
 * original's bytes, which never change, and copies its type (and a File's name and
 * lastModified). */
static JSObjectRef blob_clone(JSContextRef ctx, JSObjectRef src, JSValueRef *exc) {
  (void)exc;
  const isl_blob_t *b = isl_blob_priv(ctx, src);
  isl_blob_t *copy = b->is_file ? isl_file_new_from(b, b->name, b->name_len, b->last_modified)
                                : isl_blob_new(b->store ? isl_body_ref(b->store) : NULL, b->off,
                                               b->len, b->type);
  return isl_blob_wrap(ctx, copy);
}

void isl_api_blob_install(isl_realm_t *r) {
  isl_class_install(r, &isl_blob_class);
  isl_structured_clone_register(&isl_blob_class, blob_clone); /* File is a Blob too */
}
