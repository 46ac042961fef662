/* The URL Standard's URLSearchParams class (https://url.spec.whatwg.org/#interface-urlsearchparams):
 * a list of name/value pairs over the application/x-www-form-urlencoded format
 * (src/url/urlencoded.c), which updates its URL's query after every change.
 *
 * The record conversion of the constructor uses the realm helper headers.c installs
 * ("headersRecord": own enumerable keys in order), so headers must be installed first. */
#include <stdlib.h>
#include <string.h>

#include "../url/percent.h"
#include "api.h"
#include "url_api.h"

/* ---- The native list ------------------------------------------------------------------------ */

isl_usp_t *isl_usp_new(void) {
  isl_usp_t *u = isl_calloc(1, sizeof(*u));
  u->refs = 1;
  return u;
}

isl_usp_t *isl_usp_ref(isl_usp_t *u) {
  u->refs++;
  return u;
}

void isl_usp_unref(isl_usp_t *u) {
  if (!u || --u->refs > 0) return;
  isl_form_list_dispose(&u->list);
  free(u);
}

void isl_usp_set_query(isl_usp_t *u, const char *query, size_t n) {
  isl_form_list_clear(&u->list);
  if (query) isl_urlencoded_parse(query, n, &u->list);
}

/* "Update": the URL's query becomes the serialization of the list (null when empty). */
static void usp_update(isl_usp_t *u) {
  isl_url_t *url = u->url;
  if (!url) return;
  url->query.len = 0;
  isl_urlencoded_serialize(&u->list, &url->query);
  url->has_query = url->query.len > 0;
  if (url->query.p) url->query.p[url->query.len] = 0;
}

static bool pair_name_is(const isl_form_pair_t *p, const isl_buf_t *name) {
  return p->name_len == name->len && memcmp(p->name, isl_url_str(name), name->len) == 0;
}

static bool pair_value_is(const isl_form_pair_t *p, const isl_buf_t *value) {
  return p->value_len == value->len && memcmp(p->value, isl_url_str(value), value->len) == 0;
}

/* ---- Sorting by UTF-16 code units ------------------------------------------------------------ */

/* The first UTF-16 code unit of code point c, and the second (0 when there is none). */
static void utf16_units(uint32_t c, uint32_t *hi, uint32_t *lo) {
  if (c < 0x10000) {
    *hi = c;
    *lo = 0;
  } else {
    *hi = 0xD800 + ((c - 0x10000) >> 10);
    *lo = 0xDC00 + ((c - 0x10000) & 0x3FF);
  }
}

/* Compares two UTF-8 strings as their UTF-16 forms would compare ("code unit less
 * than"): code point order, except that supplementary code points (surrogate pairs)
 * sort before U+E000..U+FFFF. */
static int utf16_compare(const char *a, size_t an, const char *b, size_t bn) {
  size_t i = 0, j = 0;
  while (i < an && j < bn) {
    uint32_t ca = isl_utf8_next(a, an, &i), cb = isl_utf8_next(b, bn, &j);
    if (ca == cb) continue;
    uint32_t ah, al, bh, bl;
    utf16_units(ca, &ah, &al);
    utf16_units(cb, &bh, &bl);
    if (ah != bh) return ah < bh ? -1 : 1;
    return al < bl ? -1 : 1;
  }
  if (i < an) return 1;
  if (j < bn) return -1;
  return 0;
}

typedef struct {
  const isl_form_pair_t *pair;
  size_t index;
} sort_item_t;

static int sort_cmp(const void *x, const void *y) {
  const sort_item_t *a = x, *b = y;
  int c = utf16_compare(a->pair->name, a->pair->name_len, b->pair->name, b->pair->name_len);
  if (c) return c;
  return a->index < b->index ? -1 : a->index > b->index; /* stable */
}

static void usp_sort(isl_usp_t *u) {
  size_t n = u->list.n;
  if (n < 2) return;
  sort_item_t *items = isl_malloc(n * sizeof(*items));
  for (size_t i = 0; i < n; i++) items[i] = (sort_item_t){&u->list.v[i], i};
  qsort(items, n, sizeof(*items), sort_cmp);
  isl_form_pair_t *sorted = isl_malloc(u->list.cap * sizeof(*sorted));
  for (size_t i = 0; i < n; i++) sorted[i] = *items[i].pair;
  free(u->list.v);
  u->list.v = sorted;
  free(items);
}

/* ---- Initialization from a JS value ------------------------------------------------------------ */

/* One inner sequence<USVString>: keeps the first two items, counts them all. */
typedef struct {
  isl_buf_t item[2];
  size_t count;
} pair_t;

static bool pair_item(JSContextRef ctx, void *data, JSValueRef v, JSValueRef *exc) {
  pair_t *p = data;
  isl_buf_t scratch = {0};
  bool ok = isl_to_utf8(ctx, v, p->count < 2 ? &p->item[p->count] : &scratch, exc);
  isl_buf_free(&scratch);
  p->count++;
  return ok;
}

static bool fill_pair(JSContextRef ctx, void *data, JSValueRef v, JSValueRef *exc) {
  isl_usp_t *u = data;
  JSObjectRef method = NULL;
  if (JSValueIsObject(ctx, v) && !isl_iter_method(ctx, (JSObjectRef)v, &method, exc))
    return false;
  if (!method) {
    isl_throw_type(ctx, exc, "Failed to construct 'URLSearchParams': The provided value "
                             "cannot be converted to a sequence.");
    return false;
  }
  pair_t p = {0};
  bool ok = isl_iterate_with(ctx, (JSObjectRef)v, method, pair_item, &p, exc);
  /* 1.1. If innerSequence's size is not 2, throw a TypeError. */
  if (ok && p.count != 2) {
    isl_throw_type(ctx, exc, "Failed to construct 'URLSearchParams': Sequence initializer "
                             "must only contain pair elements (got %zu elements)", p.count);
    ok = false;
  }
  if (ok)
    isl_form_list_add(&u->list, isl_url_str(&p.item[0]), p.item[0].len,
                      isl_url_str(&p.item[1]), p.item[1].len);
  isl_buf_free(&p.item[0]);
  isl_buf_free(&p.item[1]);
  return ok;
}

static bool fill_record(JSContextRef ctx, isl_usp_t *u, JSObjectRef o, JSValueRef *exc) {
  JSValueRef arg = o;
  JSValueRef arr = isl_call_method(ctx, isl_realm_of(ctx)->helpers, "headersRecord", 1, &arg, exc);
  if (*exc) return false;
  JSObjectRef a = (JSObjectRef)arr;
  size_t n = (size_t)JSValueToNumber(ctx, isl_get(ctx, a, "length", NULL), NULL);
  isl_buf_t k = {0}, v = {0};
  bool ok = true;
  for (size_t i = 0; ok && i + 1 < n; i += 2) {
    k.len = v.len = 0;
    ok = isl_to_utf8(ctx, JSObjectGetPropertyAtIndex(ctx, a, (unsigned)i, NULL), &k, exc) &&
         isl_to_utf8(ctx, JSObjectGetPropertyAtIndex(ctx, a, (unsigned)i + 1, NULL), &v, exc);
    if (!ok) break;
    /* A record is an ordered map: two keys that convert to the same USVString (lone
     * surrogates) keep the first one's place and the last one's value. */
    size_t j = 0;
    while (j < u->list.n && !pair_name_is(&u->list.v[j], &k)) j++;
    if (j < u->list.n) {
      free(u->list.v[j].value);
      u->list.v[j].value = isl_strndup(isl_url_str(&v), v.len);
      u->list.v[j].value_len = v.len;
    } else {
      isl_form_list_add(&u->list, isl_url_str(&k), k.len, isl_url_str(&v), v.len);
    }
  }
  isl_buf_free(&k);
  isl_buf_free(&v);
  return ok;
}

/* The constructor's init: (sequence<sequence<USVString>> or record<USVString, USVString>
 * or USVString), default "". */
static bool init_from(JSContextRef ctx, isl_usp_t *u, JSValueRef init, JSValueRef *exc) {
  if (JSValueIsUndefined(ctx, init)) return true;
  if (JSValueIsObject(ctx, init)) {
    JSObjectRef method;
    if (!isl_iter_method(ctx, (JSObjectRef)init, &method, exc)) return false;
    if (method) return isl_iterate_with(ctx, (JSObjectRef)init, method, fill_pair, u, exc);
    return fill_record(ctx, u, (JSObjectRef)init, exc);
  }
  isl_buf_t s = {0};
  if (!isl_to_utf8(ctx, init, &s, exc)) return false;
  /* A leading '?' is dropped. */
  const char *p = isl_url_str(&s);
  size_t n = s.len;
  if (n && p[0] == '?') p++, n--;
  isl_urlencoded_parse(p, n, &u->list);
  isl_buf_free(&s);
  return true;
}

/* ---- The class ---------------------------------------------------------------------------- */

static void usp_finalize(void *priv) { isl_usp_unref(priv); }

static JSObjectRef js_usp_construct(JSContextRef ctx, JSObjectRef new_target, size_t argc,
                                    const JSValueRef argv[], JSValueRef *exc);

static isl_class_def_t usp_class = {
    .name = "URLSearchParams",
    .construct = js_usp_construct,
    .length = 0,
    .finalize = usp_finalize,
};

JSObjectRef isl_usp_wrap(JSContextRef ctx, isl_usp_t *u) {
  return isl_wrap(ctx, &usp_class, isl_usp_ref(u));
}

bool isl_urlsearchparams_serialize(JSContextRef ctx, JSValueRef v, isl_buf_t *out) {
  isl_usp_t *u = isl_priv(ctx, v, &usp_class);
  if (!u) return false;
  isl_urlencoded_serialize(&u->list, out);
  return true;
}

static JSObjectRef js_usp_construct(JSContextRef ctx, JSObjectRef new_target, size_t argc,
                                    const JSValueRef argv[], JSValueRef *exc) {
  isl_usp_t *u = isl_usp_new();
  if (!init_from(ctx, u, ISL_ARG(0), exc)) {
    isl_usp_unref(u);
    return NULL;
  }
  return isl_wrap_new(ctx, &usp_class, u, new_target);
}

/* Brand check, argument count, and the USVString arguments: name always, value when
 * nargs > 1 or when the optional second argument is present (not undefined). */
#define USP_PROLOGUE(op, nargs)                                                          \
  (void)fn;                                                                              \
  isl_usp_t *u = isl_unwrap(ctx, this_obj, &usp_class, exc);                             \
  if (!u) return NULL;                                                                   \
  if (!isl_require_args(ctx, argc, (nargs), "URLSearchParams", (op), exc)) return NULL;  \
  isl_buf_t name = {0}, value = {0};                                                     \
  JSValueRef ret = NULL;                                                                 \
  bool has_value = argc > 1 && !JSValueIsUndefined(ctx, argv[1]);                        \
  if (!isl_to_utf8(ctx, argv[0], &name, exc)) goto fail;                                 \
  if (((nargs) > 1 || has_value) && !isl_to_utf8(ctx, ISL_ARG(1), &value, exc)) goto fail;

#define USP_EPILOGUE  \
  fail:               \
  isl_buf_free(&name); \
  isl_buf_free(&value); \
  return ret;

static JSValueRef js_usp_append(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  USP_PROLOGUE("append", 2)
  isl_form_list_add(&u->list, isl_url_str(&name), name.len, isl_url_str(&value), value.len);
  usp_update(u);
  ret = JSValueMakeUndefined(ctx);
  USP_EPILOGUE
}

static JSValueRef js_usp_delete(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  USP_PROLOGUE("delete", 1)
  for (size_t i = 0; i < u->list.n;) {
    const isl_form_pair_t *p = &u->list.v[i];
    if (pair_name_is(p, &name) && (!has_value || pair_value_is(p, &value)))
      isl_form_list_remove(&u->list, i);
    else
      i++;
  }
  usp_update(u);
  ret = JSValueMakeUndefined(ctx);
  USP_EPILOGUE
}

static JSValueRef js_usp_get(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                             size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  USP_PROLOGUE("get", 1)
  ret = JSValueMakeNull(ctx);
  for (size_t i = 0; i < u->list.n; i++) {
    if (pair_name_is(&u->list.v[i], &name)) {
      ret = isl_str_n(ctx, u->list.v[i].value, u->list.v[i].value_len);
      break;
    }
  }
  USP_EPILOGUE
}

static JSValueRef js_usp_get_all(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                 size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  USP_PROLOGUE("getAll", 1)
  JSObjectRef arr = JSObjectMakeArray(ctx, 0, NULL, NULL);
  unsigned k = 0;
  for (size_t i = 0; i < u->list.n; i++)
    if (pair_name_is(&u->list.v[i], &name))
      JSObjectSetPropertyAtIndex(ctx, arr, k++,
                                 isl_str_n(ctx, u->list.v[i].value, u->list.v[i].value_len), NULL);
  ret = arr;
  USP_EPILOGUE
}

static JSValueRef js_usp_has(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                             size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  USP_PROLOGUE("has", 1)
  bool found = false;
  for (size_t i = 0; i < u->list.n && !found; i++) {
    const isl_form_pair_t *p = &u->list.v[i];
    found = pair_name_is(p, &name) && (!has_value || pair_value_is(p, &value));
  }
  ret = JSValueMakeBoolean(ctx, found);
  USP_EPILOGUE
}

static JSValueRef js_usp_set(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                             size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  USP_PROLOGUE("set", 2)
  /* 1. The first pair named name takes the value; the others go. 2. Otherwise append. */
  bool replaced = false;
  for (size_t i = 0; i < u->list.n;) {
    isl_form_pair_t *p = &u->list.v[i];
    if (!pair_name_is(p, &name)) {
      i++;
    } else if (!replaced) {
      free(p->value);
      p->value = isl_strndup(isl_url_str(&value), value.len);
      p->value_len = value.len;
      replaced = true;
      i++;
    } else {
      isl_form_list_remove(&u->list, i);
    }
  }
  if (!replaced)
    isl_form_list_add(&u->list, isl_url_str(&name), name.len, isl_url_str(&value), value.len);
  usp_update(u);
  ret = JSValueMakeUndefined(ctx);
  USP_EPILOGUE
}

static JSValueRef js_usp_sort(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                              size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  isl_usp_t *u = isl_unwrap(ctx, this_obj, &usp_class, exc);
  if (!u) return NULL;
  usp_sort(u);
  usp_update(u);
  return JSValueMakeUndefined(ctx);
}

static JSValueRef js_usp_to_string(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  isl_usp_t *u = isl_unwrap(ctx, this_obj, &usp_class, exc);
  if (!u) return NULL;
  isl_buf_t out = {0};
  isl_urlencoded_serialize(&u->list, &out);
  JSValueRef s = isl_str_n(ctx, isl_url_str(&out), out.len);
  isl_buf_free(&out);
  return s;
}

static JSValueRef js_usp_size(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                              size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  isl_usp_t *u = isl_unwrap(ctx, this_obj, &usp_class, exc);
  if (!u) return NULL;
  return JSValueMakeNumber(ctx, (double)u->list.n);
}

static JSValueRef js_usp_for_each(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  isl_usp_t *u = isl_unwrap(ctx, this_obj, &usp_class, exc);
  if (!u) return NULL;
  if (!isl_require_args(ctx, argc, 1, "URLSearchParams", "forEach", exc)) return NULL;
  if (!JSValueIsObject(ctx, argv[0]) || !JSObjectIsFunction(ctx, (JSObjectRef)argv[0]))
    return isl_throw_type(ctx, exc, "Failed to execute 'forEach' on 'URLSearchParams': "
                                    "parameter 1 is not of type 'Function'.");
  JSObjectRef cb = (JSObjectRef)argv[0];
  JSObjectRef self = JSValueIsObject(ctx, ISL_ARG(1)) ? (JSObjectRef)argv[1] : NULL;
  isl_usp_ref(u);
  /* Web IDL: the list is read afresh at each step, so the callback's changes show. */
  for (size_t i = 0; i < u->list.n; i++) {
    const isl_form_pair_t *p = &u->list.v[i];
    JSValueRef args[3] = {isl_str_n(ctx, p->value, p->value_len),
                          isl_str_n(ctx, p->name, p->name_len), this_obj};
    isl_call(ctx, cb, self, 3, args, exc);
    if (*exc) break;
  }
  isl_usp_unref(u);
  return *exc ? NULL : JSValueMakeUndefined(ctx);
}

/* ---- Iterators --------------------------------------------------------------------------- */

enum { ITER_KEYS, ITER_VALUES, ITER_ENTRIES };

typedef struct {
  isl_usp_t *u;
  int kind;
  size_t index;
} iter_t;

static void iter_finalize(void *priv) {
  iter_t *it = priv;
  isl_usp_unref(it->u);
  free(it);
}

static JSValueRef js_usp_iterator_next(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                       size_t argc, const JSValueRef argv[], JSValueRef *exc);

static const isl_method_t iter_methods[] = {
    {"next", js_usp_iterator_next, 0},
    {0},
};

static isl_class_def_t usp_iterator_class = {
    .name = "URLSearchParams Iterator",
    .methods = iter_methods,
    .finalize = iter_finalize,
    .not_global = true,
};

static JSValueRef js_usp_iterator_next(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                       size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  iter_t *it = isl_unwrap(ctx, this_obj, &usp_iterator_class, exc);
  if (!it) return NULL;
  /* The default iterator reads the live list at each step. */
  JSObjectRef res = JSObjectMake(ctx, NULL, NULL);
  if (it->index >= it->u->list.n) {
    isl_set(ctx, res, "value", JSValueMakeUndefined(ctx), NULL);
    isl_set(ctx, res, "done", JSValueMakeBoolean(ctx, true), NULL);
    return res;
  }
  const isl_form_pair_t *p = &it->u->list.v[it->index++];
  JSValueRef v;
  if (it->kind == ITER_KEYS) {
    v = isl_str_n(ctx, p->name, p->name_len);
  } else if (it->kind == ITER_VALUES) {
    v = isl_str_n(ctx, p->value, p->value_len);
  } else {
    JSValueRef kv[2] = {isl_str_n(ctx, p->name, p->name_len), isl_str_n(ctx, p->value, p->value_len)};
    v = JSObjectMakeArray(ctx, 2, kv, NULL);
  }
  isl_set(ctx, res, "value", v, NULL);
  isl_set(ctx, res, "done", JSValueMakeBoolean(ctx, false), NULL);
  return res;
}

static JSValueRef make_iter(JSContextRef ctx, JSObjectRef this_obj, int kind, JSValueRef *exc) {
  isl_usp_t *u = isl_unwrap(ctx, this_obj, &usp_class, exc);
  if (!u) return NULL;
  iter_t *it = isl_malloc(sizeof(*it));
  it->u = isl_usp_ref(u);
  it->kind = kind;
  it->index = 0;
  return isl_wrap(ctx, &usp_iterator_class, it);
}

static JSValueRef js_usp_entries(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                 size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  return make_iter(ctx, this_obj, ITER_ENTRIES, exc);
}

static JSValueRef js_usp_keys(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                              size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  return make_iter(ctx, this_obj, ITER_KEYS, exc);
}

static JSValueRef js_usp_values(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  return make_iter(ctx, this_obj, ITER_VALUES, exc);
}

static const isl_method_t usp_methods[] = {
    {"append", js_usp_append, 2},
    {"delete", js_usp_delete, 1},
    {"get", js_usp_get, 1},
    {"getAll", js_usp_get_all, 1},
    {"has", js_usp_has, 1},
    {"set", js_usp_set, 2},
    {"sort", js_usp_sort, 0},
    {"forEach", js_usp_for_each, 1},
    {"entries", js_usp_entries, 0},
    {"keys", js_usp_keys, 0},
    {"values", js_usp_values, 0},
    {"toString", js_usp_to_string, 0},
    {0},
};

static const isl_accessor_t usp_accessors[] = {
    {"size", js_usp_size, NULL},
    {0},
};

void isl_api_urlsearchparams_install(isl_realm_t *r) {
  JSContextRef ctx = r->ctx;
  usp_class.methods = usp_methods;
  usp_class.accessors = usp_accessors;
  isl_class_install(r, &usp_class);
  isl_class_install(r, &usp_iterator_class);

  /* URLSearchParams.prototype[Symbol.iterator] is entries (Web IDL). */
  JSObjectRef proto = isl_proto(ctx, &usp_class);
  JSValueRef entries = isl_get(ctx, proto, "entries", NULL);
  JSObjectSetPropertyForKey(ctx, proto, isl_get(ctx, isl_realm_of(ctx)->helpers, "symbolIterator", NULL), entries,
                            kJSPropertyAttributeDontEnum, NULL);

  /* The iterator prototype inherits from %IteratorPrototype% and has no constructor. */
  JSValueRef exc = NULL;
  JSObjectRef iproto = isl_proto(ctx, &usp_iterator_class);
  static const char ip_src[] = "Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()))";
  JSValueRef ip = isl_eval_static(ctx, ip_src, sizeof(ip_src) - 1, "islet:url", &exc);
  ISL_CHECK(ip && !exc && JSValueIsObject(ctx, ip));
  JSObjectSetPrototype(ctx, iproto, ip);
  JSStringRef c = JSStringCreateWithUTF8CString("constructor");
  JSObjectDeleteProperty(ctx, iproto, c, NULL);
  JSStringRelease(c);
}
