/* The URL Standard's URL class (https://url.spec.whatwg.org/#url-class): a URL record
 * (src/url) behind Web IDL attributes, and its URLSearchParams kept in step with the
 * query both ways (see url_api.h for who owns what). */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "url_api.h"

typedef struct {
  isl_url_t rec;
  isl_usp_t *params; /* created when searchParams is first read */
} urlobj_t;

static void url_finalize(void *priv) {
  urlobj_t *o = priv;
  if (o->params) {
    o->params->url = NULL;
    isl_usp_unref(o->params);
  }
  isl_url_dispose(&o->rec);
  free(o);
}

static isl_class_def_t url_class;

/* The API URL parser on JS values: base is NULL or undefined when not given. Returns 1
 * with *out filled, 0 on a parse failure, -1 if converting an argument threw. */
static int api_parse(JSContextRef ctx, JSValueRef url, JSValueRef base, isl_url_t *out,
                     JSValueRef *exc) {
  isl_buf_t u = {0}, b = {0};
  int r = -1;
  if (!isl_to_utf8(ctx, url, &u, exc)) goto done;
  bool has_base = base && !JSValueIsUndefined(ctx, base);
  if (has_base && !isl_to_utf8(ctx, base, &b, exc)) goto done;
  isl_url_t parsed_base;
  if (has_base && !isl_url_parse(isl_url_str(&b), b.len, NULL, &parsed_base)) {
    r = 0;
    goto done;
  }
  r = isl_url_parse(isl_url_str(&u), u.len, has_base ? &parsed_base : NULL, out) ? 1 : 0;
  if (has_base) isl_url_dispose(&parsed_base);
done:
  isl_buf_free(&u);
  isl_buf_free(&b);
  return r;
}

static JSObjectRef wrap_record(JSContextRef ctx, isl_url_t *rec, JSObjectRef new_target) {
  urlobj_t *o = isl_calloc(1, sizeof(*o));
  o->rec = *rec;
  return new_target ? isl_wrap_new(ctx, &url_class, o, new_target) : isl_wrap(ctx, &url_class, o);
}

static JSObjectRef js_url_construct(JSContextRef ctx, JSObjectRef new_target, size_t argc,
                                    const JSValueRef argv[], JSValueRef *exc) {
  if (!isl_require_args(ctx, argc, 1, "URL", "constructor", exc)) return NULL;
  isl_url_t rec;
  int r = api_parse(ctx, argv[0], argc > 1 ? argv[1] : NULL, &rec, exc);
  if (r < 0) return NULL;
  if (r == 0) {
    /* The message names the input, as other runtimes do (truncated if long). */
    char *s = isl_to_cstr(ctx, argv[0], NULL, NULL);
    isl_throw_type(ctx, exc, "Invalid URL: %.200s", s ? s : "");
    free(s);
    return NULL;
  }
  return wrap_record(ctx, &rec, new_target);
}

static JSValueRef js_url_parse(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                               size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)this_obj;
  if (!isl_require_args(ctx, argc, 1, "URL", "parse", exc)) return NULL;
  isl_url_t rec;
  int r = api_parse(ctx, argv[0], argc > 1 ? argv[1] : NULL, &rec, exc);
  if (r < 0) return NULL;
  if (r == 0) return JSValueMakeNull(ctx);
  return wrap_record(ctx, &rec, NULL);
}

static JSValueRef js_url_can_parse(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)this_obj;
  if (!isl_require_args(ctx, argc, 1, "URL", "canParse", exc)) return NULL;
  isl_url_t rec;
  int r = api_parse(ctx, argv[0], argc > 1 ? argv[1] : NULL, &rec, exc);
  if (r < 0) return NULL;
  if (r == 1) isl_url_dispose(&rec);
  return JSValueMakeBoolean(ctx, r == 1);
}

/* ---- Attributes -------------------------------------------------------------------------------- */

static JSValueRef take_str(JSContextRef ctx, isl_buf_t *b) {
  JSValueRef v = isl_str_n(ctx, isl_url_str(b), b->len);
  isl_buf_free(b);
  return v;
}

#define GETTER(name)                                                                         \
  static void get_##name(const isl_url_t *u, isl_buf_t *out);                                \
  static JSValueRef js_url_get_##name(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, \
                                      size_t argc, const JSValueRef argv[], JSValueRef *exc) { \
    (void)fn, (void)argc, (void)argv;                                                        \
    urlobj_t *o = isl_unwrap(ctx, this_obj, &url_class, exc);                                \
    if (!o) return NULL;                                                                     \
    isl_buf_t out = {0};                                                                     \
    get_##name(&o->rec, &out);                                                               \
    return take_str(ctx, &out);                                                              \
  }                                                                                          \
  static void get_##name(const isl_url_t *u, isl_buf_t *out)

GETTER(href) { isl_url_serialize(u, false, out); }

GETTER(origin) { isl_url_serialize_origin(u, out); }

GETTER(protocol) {
  isl_buf_append(out, isl_url_str(&u->scheme), u->scheme.len);
  isl_buf_putc(out, ':');
}

GETTER(username) { isl_buf_append(out, isl_url_str(&u->username), u->username.len); }

GETTER(password) { isl_buf_append(out, isl_url_str(&u->password), u->password.len); }

GETTER(host) {
  if (u->host.kind == ISL_HOST_NULL) return;
  isl_buf_append(out, isl_url_str(&u->host.text), u->host.text.len);
  if (u->port != -1) isl_buf_printf(out, ":%d", (int)u->port);
}

GETTER(hostname) { isl_buf_append(out, isl_url_str(&u->host.text), u->host.text.len); }

GETTER(port) {
  if (u->port != -1) isl_buf_printf(out, "%d", (int)u->port);
}

GETTER(pathname) { isl_url_serialize_path(u, out); }

GETTER(search) {
  if (!u->has_query || u->query.len == 0) return;
  isl_buf_putc(out, '?');
  isl_buf_append(out, u->query.p, u->query.len);
}

GETTER(hash) {
  if (!u->has_fragment || u->fragment.len == 0) return;
  isl_buf_putc(out, '#');
  isl_buf_append(out, u->fragment.p, u->fragment.len);
}

/* The URLSearchParams list follows the query after href and search change. */
static void resync_params(urlobj_t *o) {
  if (o->params)
    isl_usp_set_query(o->params, o->rec.has_query ? isl_url_str(&o->rec.query) : NULL,
                      o->rec.query.len);
}

/* Setters: brand check, the value as a USVString, then the record's setter. */
#define SETTER(name)                                                                         \
  static void set_##name(JSContextRef ctx, urlobj_t *o, const char *v, size_t n,            \
                         JSValueRef *exc);                                                   \
  static JSValueRef js_url_set_##name(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, \
                                      size_t argc, const JSValueRef argv[], JSValueRef *exc) { \
    (void)fn;                                                                                \
    urlobj_t *o = isl_unwrap(ctx, this_obj, &url_class, exc);                                \
    if (!o) return NULL;                                                                     \
    isl_buf_t v = {0};                                                                       \
    if (!isl_to_utf8(ctx, ISL_ARG(0), &v, exc)) return NULL;                                 \
    set_##name(ctx, o, isl_url_str(&v), v.len, exc);                                         \
    isl_buf_free(&v);                                                                        \
    return *exc ? NULL : JSValueMakeUndefined(ctx);                                          \
  }                                                                                          \
  static void set_##name(JSContextRef ctx, urlobj_t *o, const char *v, size_t n,            \
                         JSValueRef *exc)

SETTER(href) {
  /* 1-2. Parse without a base; failure throws. */
  isl_url_t rec;
  if (!isl_url_parse(v, n, NULL, &rec)) {
    isl_throw_type(ctx, exc, "Invalid URL: %.200s", v);
    return;
  }
  /* 3-6. The new record, and the query object's list from its query. */
  isl_url_dispose(&o->rec);
  o->rec = rec;
  resync_params(o);
}

SETTER(protocol) {
  (void)ctx, (void)exc;
  isl_url_set_protocol(&o->rec, v, n);
}

SETTER(username) {
  (void)ctx, (void)exc;
  isl_url_set_username(&o->rec, v, n);
}

SETTER(password) {
  (void)ctx, (void)exc;
  isl_url_set_password(&o->rec, v, n);
}

SETTER(host) {
  (void)ctx, (void)exc;
  isl_url_set_host(&o->rec, v, n);
}

SETTER(hostname) {
  (void)ctx, (void)exc;
  isl_url_set_hostname(&o->rec, v, n);
}

SETTER(port) {
  (void)ctx, (void)exc;
  isl_url_set_port(&o->rec, v, n);
}

SETTER(pathname) {
  (void)ctx, (void)exc;
  isl_url_set_pathname(&o->rec, v, n);
}

SETTER(search) {
  (void)ctx, (void)exc;
  isl_url_set_search(&o->rec, v, n);
  /* The list is parsed from the value itself (less its '?'), not from the new query. */
  if (o->params) {
    if (n && v[0] == '?') v++, n--;
    isl_usp_set_query(o->params, n || o->rec.has_query ? v : NULL, n);
  }
}

SETTER(hash) {
  (void)ctx, (void)exc;
  isl_url_set_hash(&o->rec, v, n);
}

static JSValueRef js_url_search_params(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                       size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  urlobj_t *o = isl_unwrap(ctx, this_obj, &url_class, exc);
  if (!o) return NULL;
  /* [SameObject]: made once, kept on the wrapper. */
  JSValueRef v = isl_slot_get(ctx, this_obj, "searchParams");
  if (JSValueIsObject(ctx, v)) return v;
  o->params = isl_usp_new();
  o->params->url = &o->rec;
  resync_params(o);
  JSObjectRef w = isl_usp_wrap(ctx, o->params);
  isl_slot_set(ctx, this_obj, "searchParams", w);
  return w;
}

static const isl_accessor_t url_accessors[] = {
    {"href", js_url_get_href, js_url_set_href},
    {"origin", js_url_get_origin, NULL},
    {"protocol", js_url_get_protocol, js_url_set_protocol},
    {"username", js_url_get_username, js_url_set_username},
    {"password", js_url_get_password, js_url_set_password},
    {"host", js_url_get_host, js_url_set_host},
    {"hostname", js_url_get_hostname, js_url_set_hostname},
    {"port", js_url_get_port, js_url_set_port},
    {"pathname", js_url_get_pathname, js_url_set_pathname},
    {"search", js_url_get_search, js_url_set_search},
    {"searchParams", js_url_search_params, NULL},
    {"hash", js_url_get_hash, js_url_set_hash},
    {0},
};

static const isl_method_t url_methods[] = {
    {"toJSON", js_url_get_href, 0},
    {"toString", js_url_get_href, 0},
    {0},
};

static const isl_method_t url_statics[] = {
    {"parse", js_url_parse, 1},
    {"canParse", js_url_can_parse, 1},
    {0},
};

static isl_class_def_t url_class = {
    .name = "URL",
    .construct = js_url_construct,
    .length = 1,
    .methods = url_methods,
    .accessors = url_accessors,
    .statics = url_statics,
    .finalize = url_finalize,
};

void isl_api_url_install(isl_realm_t *r) { isl_class_install(r, &url_class); }
