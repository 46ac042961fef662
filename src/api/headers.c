/* The Fetch Standard's Headers class (https://fetch.spec.whatwg.org/#headers-class).
 *
 * Guards: islet follows workerd, which does not apply the browser's forbidden request- and
 * response-header lists (a worker is a server and may set Host, Set-Cookie, …). So the
 * "request", "request-no-cors" and "response" guards accept every valid header; only
 * "immutable" restricts anything. The guards are still recorded so that copies (clone())
 * keep them. */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "headers.h"

/* ---- The native list ---------------------------------------------------------------- */

isl_hdrs_t *isl_hdrs_new(isl_guard_t guard) {
  isl_hdrs_t *h = isl_calloc(1, sizeof(*h));
  h->refs = 1;
  h->guard = guard;
  return h;
}

isl_hdrs_t *isl_hdrs_ref(isl_hdrs_t *h) {
  h->refs++;
  return h;
}

void isl_hdrs_unref(isl_hdrs_t *h) {
  if (!h || --h->refs > 0) return;
  isl_headers_dispose(&h->list);
  isl_headers_dispose(&h->sorted);
  free(h);
}

isl_hdrs_t *isl_hdrs_clone(const isl_hdrs_t *src, isl_guard_t guard) {
  isl_hdrs_t *h = isl_hdrs_new(guard);
  isl_headers_copy(&h->list, &src->list);
  return h;
}

static void hdrs_add(isl_hdrs_t *h, const char *name, size_t nlen, const char *value,
                     size_t vlen) {
  isl_headers_add(&h->list, name, nlen, value, vlen);
  h->version++;
}

void isl_hdrs_add_trusted(isl_hdrs_t *h, const char *name, const char *value) {
  hdrs_add(h, name, strlen(name), value, strlen(value));
}

bool isl_hdrs_has(const isl_hdrs_t *h, const char *lower_name) {
  for (size_t i = 0; i < h->list.n; i++)
    if (strcmp(h->list.v[i].name, lower_name) == 0) return true;
  return false;
}

/* ---- Validation ---------------------------------------------------------------------- */

/* tchar from RFC 9110: a header name is a non-empty token. */
static bool is_tchar(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool is_token(const char *s, size_t n) {
  if (n == 0) return false;
  for (size_t i = 0; i < n; i++)
    if (!is_tchar((unsigned char)s[i])) return false;
  return true;
}

static bool is_http_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* "Normalize": strip leading and trailing HTTP whitespace. Adjusts *p and *n in place. */
static void normalize_value(const char **p, size_t *n) {
  while (*n && is_http_ws((*p)[0])) (*p)++, (*n)--;
  while (*n && is_http_ws((*p)[*n - 1])) (*n)--;
}

/* A header value has no NUL, CR or LF (leading/trailing whitespace is gone by now). */
static bool is_header_value(const char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i] == 0 || p[i] == '\r' || p[i] == '\n') return false;
  return true;
}

static void lower_ascii(char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] >= 'A' && s[i] <= 'Z') s[i] = (char)(s[i] + 32);
}

/* Fetch's "validate" for a (name, value) pair: name and value validity, then the guard. */
static bool validate(JSContextRef ctx, const isl_hdrs_t *h, const char *name, size_t nlen,
                     const char *value, size_t vlen, JSValueRef *exc) {
  /* 1. If name is not a header name or value is not a header value, throw a TypeError. */
  if (!is_token(name, nlen)) {
    isl_throw_type(ctx, exc, "Invalid header name: \"%.*s\"", (int)nlen, name);
    return false;
  }
  if (!is_header_value(value, vlen)) {
    isl_throw_type(ctx, exc, "Invalid header value for \"%.*s\"", (int)nlen, name);
    return false;
  }
  /* 2. If this's guard is "immutable", throw a TypeError.
   * 3-5. The forbidden request/response header checks are not applied (see the top). */
  if (h->guard == ISL_GUARD_IMMUTABLE) {
    isl_throw_type(ctx, exc, "Can't modify immutable headers");
    return false;
  }
  return true;
}

bool isl_hdrs_append(JSContextRef ctx, isl_hdrs_t *h, const char *name, size_t nlen,
                     const char *value, size_t vlen, JSValueRef *exc) {
  /* 1. Normalize value. 2. Validate. 3. (no-CORS check: not applied.) 4. Append. */
  normalize_value(&value, &vlen);
  if (!validate(ctx, h, name, nlen, value, vlen, exc)) return false;
  size_t at = h->list.n;
  hdrs_add(h, name, nlen, value, vlen);
  lower_ascii(h->list.v[at].name, nlen);
  return true;
}

/* Appends the combined value of name ("a, b") to out; false if name is absent. */
static bool get_combined(const isl_hdrs_t *h, const char *lname, isl_buf_t *out) {
  bool found = false;
  for (size_t i = 0; i < h->list.n; i++) {
    if (strcmp(h->list.v[i].name, lname) != 0) continue;
    if (found) isl_buf_append(out, ", ", 2);
    isl_buf_puts(out, h->list.v[i].value);
    found = true;
  }
  return found;
}

/* ---- Sort and combine ---------------------------------------------------------------- */

static const isl_header_t *sort_base;

static int cmp_index(const void *a, const void *b) {
  size_t i = *(const size_t *)a, j = *(const size_t *)b;
  int c = strcmp(sort_base[i].name, sort_base[j].name);
  if (c) return c;
  return i < j ? -1 : i > j; /* stable: keeps the values of one name in list order */
}

/* The "sort and combine" view the iterators walk, recomputed only after a change. */
static const isl_headers_t *sorted_view(isl_hdrs_t *h) {
  if (h->sorted_valid && h->sorted_version == h->version) return &h->sorted;
  isl_headers_dispose(&h->sorted);
  size_t n = h->list.n;
  size_t *idx = isl_malloc((n ? n : 1) * sizeof(*idx));
  for (size_t i = 0; i < n; i++) idx[i] = i;
  sort_base = h->list.v;
  qsort(idx, n, sizeof(*idx), cmp_index);
  isl_buf_t v = {0};
  for (size_t k = 0; k < n;) {
    const char *name = h->list.v[idx[k]].name;
    if (strcmp(name, "set-cookie") == 0) {
      /* Set-Cookie values are never combined: each is its own entry. */
      const char *val = h->list.v[idx[k]].value;
      isl_headers_add(&h->sorted, name, strlen(name), val, strlen(val));
      k++;
      continue;
    }
    v.len = 0;
    size_t k2 = k;
    for (; k2 < n && strcmp(h->list.v[idx[k2]].name, name) == 0; k2++) {
      if (k2 > k) isl_buf_append(&v, ", ", 2);
      isl_buf_puts(&v, h->list.v[idx[k2]].value);
    }
    isl_headers_add(&h->sorted, name, strlen(name), v.p ? v.p : "", v.len);
    k = k2;
  }
  isl_buf_free(&v);
  free(idx);
  h->sorted_valid = true;
  h->sorted_version = h->version;
  return &h->sorted;
}

/* ---- Fill from a HeadersInit --------------------------------------------------------- */


/* One sequence<ByteString> of a pair: keeps the first two items, counts them all. */
typedef struct {
  isl_buf_t item[2];
  size_t count;
} pair_t;

static bool pair_item(JSContextRef ctx, void *data, JSValueRef v, JSValueRef *exc) {
  pair_t *p = data;
  isl_buf_t scratch = {0};
  isl_buf_t *out = p->count < 2 ? &p->item[p->count] : &scratch;
  bool ok = isl_to_bytestring(ctx, v, out, exc);
  isl_buf_free(&scratch);
  p->count++;
  return ok;
}

static bool fill_pair(JSContextRef ctx, void *data, JSValueRef v, JSValueRef *exc) {
  isl_hdrs_t *h = data;
  if (!JSValueIsObject(ctx, v)) {
    isl_throw_type(ctx, exc, "Header pair must be an iterable of [name, value]");
    return false;
  }
  JSObjectRef method;
  if (!isl_iter_method(ctx, (JSObjectRef)v, &method, exc)) return false;
  if (!method) {
    isl_throw_type(ctx, exc, "Header pair must be an iterable of [name, value]");
    return false;
  }
  pair_t p = {0};
  bool ok = isl_iterate_with(ctx, (JSObjectRef)v, method, pair_item, &p, exc);
  /* 1. If header's size is not 2, throw a TypeError. */
  if (ok && p.count != 2) {
    isl_throw_type(ctx, exc, "Header pair must contain exactly two items, got %zu", p.count);
    ok = false;
  }
  /* 2. Append (header[0], header[1]) to headers. */
  if (ok)
    ok = isl_hdrs_append(ctx, h, p.item[0].p ? p.item[0].p : "", p.item[0].len,
                         p.item[1].p ? p.item[1].p : "", p.item[1].len, exc);
  isl_buf_free(&p.item[0]);
  isl_buf_free(&p.item[1]);
  return ok;
}

static bool fill_record(JSContextRef ctx, isl_hdrs_t *h, JSObjectRef o, JSValueRef *exc) {
  /* The helper returns [key, value, …] for o's own enumerable keys, in Web IDL's record
   * order (it sees symbols too, whose conversion to ByteString below throws). */
  isl_realm_t *r = isl_realm_of(ctx);
  JSValueRef arg = o;
  JSValueRef arr = isl_call_method(ctx, r->helpers, "headersRecord", 1, &arg, exc);
  if (*exc) return false;
  JSObjectRef a = (JSObjectRef)arr;
  size_t n = (size_t)JSValueToNumber(ctx, isl_get(ctx, a, "length", NULL), NULL);
  isl_buf_t k = {0}, v = {0};
  bool ok = true;
  for (size_t i = 0; ok && i + 1 < n; i += 2) {
    k.len = v.len = 0;
    ok = isl_to_bytestring(ctx, JSObjectGetPropertyAtIndex(ctx, a, (unsigned)i, NULL), &k, exc) &&
         isl_to_bytestring(ctx, JSObjectGetPropertyAtIndex(ctx, a, (unsigned)i + 1, NULL), &v, exc) &&
         isl_hdrs_append(ctx, h, k.p ? k.p : "", k.len, v.p ? v.p : "", v.len, exc);
  }
  isl_buf_free(&k);
  isl_buf_free(&v);
  return ok;
}

bool isl_hdrs_fill(JSContextRef ctx, isl_hdrs_t *h, JSValueRef init, JSValueRef *exc) {
  /* HeadersInit is (sequence<sequence<ByteString>> or record<ByteString, ByteString>):
   * anything but an object is a TypeError. */
  if (!JSValueIsObject(ctx, init)) {
    isl_throw_type(ctx, exc, "Failed to construct 'Headers': The provided value is not of "
                             "type '(record<ByteString, ByteString> or "
                             "sequence<sequence<ByteString>>)'.");
    return false;
  }
  /* A Headers object: copying its list is what iterating it would give (iteration only
   * combines values get() combines anyway, and keeps Set-Cookie apart), minus the cost. */
  isl_hdrs_t *src = isl_headers_priv(ctx, init);
  if (src) {
    for (size_t i = 0; i < src->list.n; i++)
      isl_hdrs_add_trusted(h, src->list.v[i].name, src->list.v[i].value);
    return true;
  }
  JSObjectRef method;
  if (!isl_iter_method(ctx, (JSObjectRef)init, &method, exc)) return false;
  if (method) return isl_iterate_with(ctx, (JSObjectRef)init, method, fill_pair, h, exc);
  return fill_record(ctx, h, (JSObjectRef)init, exc);
}

/* ---- The Headers class ---------------------------------------------------------------- */

static void headers_finalize(void *priv) { isl_hdrs_unref(priv); }

isl_hdrs_t *isl_headers_priv(JSContextRef ctx, JSValueRef v) {
  return isl_priv(ctx, v, &isl_headers_class);
}

JSObjectRef isl_headers_wrap(JSContextRef ctx, isl_hdrs_t *h) {
  return isl_wrap(ctx, &isl_headers_class, isl_hdrs_ref(h));
}

JSObjectRef isl_headers_of(JSContextRef ctx, JSObjectRef owner, isl_hdrs_t *h) {
  JSValueRef v = isl_slot_get(ctx, owner, "headers");
  if (JSValueIsObject(ctx, v)) return (JSObjectRef)v;
  JSObjectRef o = isl_headers_wrap(ctx, h);
  isl_slot_set(ctx, owner, "headers", o);
  return o;
}

static JSObjectRef js_headers_construct(JSContextRef ctx, JSObjectRef new_target, size_t argc,
                                        const JSValueRef argv[], JSValueRef *exc) {
  /* 1. Set this's guard to "none". 2. If init is given, fill this with init. */
  isl_hdrs_t *h = isl_hdrs_new(ISL_GUARD_NONE);
  if (argc > 0 && !JSValueIsUndefined(ctx, argv[0]) && !isl_hdrs_fill(ctx, h, argv[0], exc)) {
    isl_hdrs_unref(h);
    return NULL;
  }
  return isl_wrap_new(ctx, &isl_headers_class, h, new_target);
}

/* Converts argument i to a ByteString; false if conversion threw. */
static bool arg_bytes(JSContextRef ctx, size_t argc, const JSValueRef argv[], size_t i,
                      isl_buf_t *out, JSValueRef *exc) {
  if (!isl_to_bytestring(ctx, ISL_ARG(i), out, exc)) return false;
  if (!out->p) isl_buf_reserve(out, 1), out->p[0] = 0;
  return true;
}

/* Common prologue: brand check, argument count, ByteString name (and value). */
#define HEADERS_PROLOGUE(op, nargs)                                                      \
  isl_hdrs_t *h = isl_unwrap(ctx, this_obj, &isl_headers_class, exc);                  \
  if (!h) return NULL;                                                                 \
  if (!isl_require_args(ctx, argc, (nargs), "Headers", (op), exc)) return NULL;        \
  isl_buf_t name = {0}, value = {0};                                                   \
  JSValueRef ret = NULL;                                                               \
  (void)fn;                                                                            \
  if (!arg_bytes(ctx, argc, argv, 0, &name, exc)) goto fail;                           \
  if ((nargs) > 1 && !arg_bytes(ctx, argc, argv, 1, &value, exc)) goto fail;

static JSValueRef js_headers_append(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                    size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  HEADERS_PROLOGUE("append", 2)
  if (isl_hdrs_append(ctx, h, name.p, name.len, value.p, value.len, exc))
    ret = JSValueMakeUndefined(ctx);
fail:
  isl_buf_free(&name);
  isl_buf_free(&value);
  return ret;
}

static JSValueRef js_headers_delete(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                    size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  HEADERS_PROLOGUE("delete", 1)
  /* 1. If validating (name, ``) for this returns false, return. (Throws on a bad name or
   * an immutable guard.) */
  if (!validate(ctx, h, name.p, name.len, "", 0, exc)) goto fail;
  /* 3-4. If this's header list does not contain name, return; otherwise delete it. */
  lower_ascii(name.p, name.len);
  if (isl_hdrs_has(h, name.p)) {
    isl_headers_remove(&h->list, name.p);
    h->version++;
  }
  ret = JSValueMakeUndefined(ctx);
fail:
  isl_buf_free(&name);
  isl_buf_free(&value);
  return ret;
}

static JSValueRef js_headers_get(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                 size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  HEADERS_PROLOGUE("get", 1)
  /* 1. If name is not a header name, throw a TypeError. 2. Return get(name). */
  if (!is_token(name.p, name.len)) {
    isl_throw_type(ctx, exc, "Invalid header name: \"%s\"", name.p);
    goto fail;
  }
  lower_ascii(name.p, name.len);
  if (get_combined(h, name.p, &value))
    ret = isl_str_latin1(ctx, value.p ? value.p : "", value.len);
  else
    ret = JSValueMakeNull(ctx);
fail:
  isl_buf_free(&name);
  isl_buf_free(&value);
  return ret;
}

static JSValueRef js_headers_get_set_cookie(JSContextRef ctx, JSObjectRef fn,
                                            JSObjectRef this_obj, size_t argc,
                                            const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  (void)argc;
  (void)argv;
  isl_hdrs_t *h = isl_unwrap(ctx, this_obj, &isl_headers_class, exc);
  if (!h) return NULL;
  /* The values of all Set-Cookie headers, in order, uncombined. */
  JSObjectRef arr = JSObjectMakeArray(ctx, 0, NULL, NULL);
  unsigned k = 0;
  for (size_t i = 0; i < h->list.n; i++) {
    if (strcmp(h->list.v[i].name, "set-cookie") != 0) continue;
    const char *v = h->list.v[i].value;
    JSObjectSetPropertyAtIndex(ctx, arr, k++, isl_str_latin1(ctx, v, strlen(v)), NULL);
  }
  return arr;
}

static JSValueRef js_headers_has(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                 size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  HEADERS_PROLOGUE("has", 1)
  if (!is_token(name.p, name.len)) {
    isl_throw_type(ctx, exc, "Invalid header name: \"%s\"", name.p);
    goto fail;
  }
  lower_ascii(name.p, name.len);
  ret = JSValueMakeBoolean(ctx, isl_hdrs_has(h, name.p));
fail:
  isl_buf_free(&name);
  isl_buf_free(&value);
  return ret;
}

static JSValueRef js_headers_set(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                 size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  HEADERS_PROLOGUE("set", 2)
  /* 1. Normalize value. 2. Validate (throws on bad input or an immutable guard). */
  const char *vp = value.p;
  size_t vlen = value.len;
  normalize_value(&vp, &vlen);
  if (!validate(ctx, h, name.p, name.len, vp, vlen, exc)) goto fail;
  lower_ascii(name.p, name.len);
  /* 4. Set: replace the first header named name, remove the others, or append. */
  size_t o = 0;
  bool replaced = false;
  for (size_t i = 0; i < h->list.n; i++) {
    isl_header_t *e = &h->list.v[i];
    if (strcmp(e->name, name.p) == 0) {
      if (!replaced) {
        isl_header_set_value(e, vp, vlen);
        replaced = true;
      } else {
        isl_header_free(e);
        continue;
      }
    }
    h->list.v[o++] = *e;
  }
  h->list.n = o;
  if (!replaced) isl_headers_add(&h->list, name.p, name.len, vp, vlen);
  h->version++;
  ret = JSValueMakeUndefined(ctx);
fail:
  isl_buf_free(&name);
  isl_buf_free(&value);
  return ret;
}

static JSValueRef entry_array(JSContextRef ctx, const isl_header_t *e) {
  JSValueRef kv[2] = {isl_str_latin1(ctx, e->name, strlen(e->name)),
                      isl_str_latin1(ctx, e->value, strlen(e->value))};
  return JSObjectMakeArray(ctx, 2, kv, NULL);
}

static JSValueRef js_headers_for_each(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                      size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  isl_hdrs_t *h = isl_unwrap(ctx, this_obj, &isl_headers_class, exc);
  if (!h) return NULL;
  if (!isl_require_args(ctx, argc, 1, "Headers", "forEach", exc)) return NULL;
  if (!JSValueIsObject(ctx, argv[0]) || !JSObjectIsFunction(ctx, (JSObjectRef)argv[0]))
    return isl_throw_type(ctx, exc, "Failed to execute 'forEach' on 'Headers': parameter 1 "
                                    "is not of type 'Function'.");
  JSObjectRef cb = (JSObjectRef)argv[0];
  JSObjectRef self = JSValueIsObject(ctx, ISL_ARG(1)) ? (JSObjectRef)argv[1] : NULL;
  isl_hdrs_ref(h); /* the callback may drop the last other reference */
  /* Web IDL: the pairs are recomputed after each call, so changes made by the callback
   * are seen by the following steps. */
  for (size_t i = 0;; i++) {
    const isl_headers_t *s = sorted_view(h);
    if (i >= s->n) break;
    JSValueRef args[3] = {isl_str_latin1(ctx, s->v[i].value, strlen(s->v[i].value)),
                          isl_str_latin1(ctx, s->v[i].name, strlen(s->v[i].name)), this_obj};
    /* Without thisArg, JSC passes the global object as `this`. */
    isl_call(ctx, cb, self, 3, args, exc);
    if (*exc) break;
  }
  isl_hdrs_unref(h);
  return *exc ? NULL : JSValueMakeUndefined(ctx);
}

/* ---- Iterators ------------------------------------------------------------------------ */

enum { ITER_KEYS, ITER_VALUES, ITER_ENTRIES };

typedef struct {
  isl_hdrs_t *h; /* a reference: the target's list outlives its wrapper if need be */
  int kind;
  size_t index;
} iter_t;

static void iter_finalize(void *priv) {
  iter_t *it = priv;
  isl_hdrs_unref(it->h);
  free(it);
}

static JSValueRef js_headers_iterator_next(JSContextRef ctx, JSObjectRef fn,
                                           JSObjectRef this_obj, size_t argc,
                                           const JSValueRef argv[], JSValueRef *exc);

static const isl_method_t iter_methods[] = {
    {"next", js_headers_iterator_next, 0},
    {0},
};

static isl_class_def_t headers_iterator_class = {
    .name = "Headers Iterator",
    .methods = iter_methods,
    .finalize = iter_finalize,
    .not_global = true,
};

static JSValueRef js_headers_iterator_next(JSContextRef ctx, JSObjectRef fn,
                                           JSObjectRef this_obj, size_t argc,
                                           const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  (void)argc;
  (void)argv;
  iter_t *it = isl_unwrap(ctx, this_obj, &headers_iterator_class, exc);
  if (!it) return NULL;
  /* Web IDL's default iterator: the pairs are those of the live list at each step. */
  const isl_headers_t *s = sorted_view(it->h);
  JSObjectRef res = JSObjectMake(ctx, NULL, NULL);
  if (it->index >= s->n) {
    isl_set(ctx, res, "value", JSValueMakeUndefined(ctx), NULL);
    isl_set(ctx, res, "done", JSValueMakeBoolean(ctx, true), NULL);
    return res;
  }
  const isl_header_t *e = &s->v[it->index++];
  JSValueRef v;
  if (it->kind == ITER_KEYS) v = isl_str_latin1(ctx, e->name, strlen(e->name));
  else if (it->kind == ITER_VALUES) v = isl_str_latin1(ctx, e->value, strlen(e->value));
  else v = entry_array(ctx, e);
  isl_set(ctx, res, "value", v, NULL);
  isl_set(ctx, res, "done", JSValueMakeBoolean(ctx, false), NULL);
  return res;
}

static JSValueRef make_iter(JSContextRef ctx, JSObjectRef this_obj, int kind, JSValueRef *exc) {
  isl_hdrs_t *h = isl_unwrap(ctx, this_obj, &isl_headers_class, exc);
  if (!h) return NULL;
  iter_t *it = isl_malloc(sizeof(*it));
  it->h = isl_hdrs_ref(h);
  it->kind = kind;
  it->index = 0;
  return isl_wrap(ctx, &headers_iterator_class, it);
}

static JSValueRef js_headers_entries(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                     size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  return make_iter(ctx, this_obj, ITER_ENTRIES, exc);
}

static JSValueRef js_headers_keys(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  return make_iter(ctx, this_obj, ITER_KEYS, exc);
}

static JSValueRef js_headers_values(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                    size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  return make_iter(ctx, this_obj, ITER_VALUES, exc);
}

static const isl_method_t headers_methods[] = {
    {"append", js_headers_append, 2},
    {"delete", js_headers_delete, 1},
    {"get", js_headers_get, 1},
    {"getSetCookie", js_headers_get_set_cookie, 0},
    {"has", js_headers_has, 1},
    {"set", js_headers_set, 2},
    {"forEach", js_headers_for_each, 1},
    {"entries", js_headers_entries, 0},
    {"keys", js_headers_keys, 0},
    {"values", js_headers_values, 0},
    {0},
};

isl_class_def_t isl_headers_class = {
    .name = "Headers",
    .construct = js_headers_construct,
    .length = 0,
    .methods = headers_methods,
    .finalize = headers_finalize,
};

/* Record conversion needs [[OwnPropertyKeys]] and [[GetOwnProperty]], which the C API
 * lacks; Reflect is captured at install so user code cannot swap it later. */
static const char record_helper_src[] =
    "(function (R) {\n"
    "  return function headersRecord(o) {\n"
    "    const keys = R.ownKeys(o), out = [];\n"
    "    for (let i = 0; i < keys.length; i++) {\n"
    "      const d = R.getOwnPropertyDescriptor(o, keys[i]);\n"
    "      if (d !== undefined && d.enumerable) {\n"
    "        out[out.length] = keys[i];\n"
    "        out[out.length] = o[keys[i]];\n"
    "      }\n"
    "    }\n"
    "    return out;\n"
    "  };\n"
    "})(Reflect)";

void isl_api_headers_install(isl_realm_t *r) {
  JSContextRef ctx = r->ctx;
  isl_class_install(r, &isl_headers_class);
  isl_class_install(r, &headers_iterator_class);

  /* Internal helpers kept on the realm's (unreachable) helper object. */
  JSValueRef exc = NULL;
  JSValueRef rec = isl_eval_static(ctx, record_helper_src, sizeof(record_helper_src) - 1,
                                   "islet:headers", &exc);
  ISL_CHECK(rec && !exc);
  isl_set(ctx, r->helpers, "headersRecord", rec, NULL);
  JSValueRef sym = isl_get(ctx, (JSObjectRef)isl_global(ctx, "Symbol"), "iterator", NULL);
  isl_set(ctx, r->helpers, "symbolIterator", sym, NULL);

  /* Headers.prototype[Symbol.iterator] is the same function as entries (Web IDL). */
  JSObjectRef proto = isl_proto(ctx, &isl_headers_class);
  JSValueRef entries = isl_get(ctx, proto, "entries", NULL);
  JSObjectSetPropertyForKey(ctx, proto, sym, entries, kJSPropertyAttributeDontEnum, NULL);

  /* The iterator prototype inherits from %IteratorPrototype% and, unlike a class
   * prototype, has no constructor. */
  JSObjectRef iproto = isl_proto(ctx, &headers_iterator_class);
  static const char ip_src[] = "Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()))";
  JSValueRef ip = isl_eval_static(ctx, ip_src, sizeof(ip_src) - 1, "islet:headers", &exc);
  ISL_CHECK(ip && !exc && JSValueIsObject(ctx, ip));
  JSObjectSetPrototype(ctx, iproto, ip);
  JSStringRef c = JSStringCreateWithUTF8CString("constructor");
  JSObjectDeleteProperty(ctx, iproto, c, NULL);
  JSStringRelease(c);
}
