/* The Fetch Standard's Response class (https://fetch.spec.whatwg.org/#response-class), with
 * workerd's webSocket attribute (always null until WebSockets exist), and the conversions
 * the worker layer uses (fetch_api.h).
 *
 * The fast path matters here: a worker makes a Response for every request. A Response
 * keeps its header list in C and makes the JS Headers object only when `.headers` is
 * read; its body is an isl_body_t that isl_response_to_c hands over as is. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "body.h"
#include "fetch_api.h"
#include "headers.h"
#include "request.h"

enum { TYPE_DEFAULT, TYPE_ERROR };
static const char *const type_names[] = {"default", "error"};

typedef struct {
  int status;
  char *status_text; /* bytes (Latin-1 in JS); never NULL */
  int type;
  isl_hdrs_t *headers;
  isl_bodystate_t body;
  char *url;       /* a fetched response's URL (Response.url), or NULL */
  bool redirected; /* its URL list has more than one URL */
} resp_t;

static void resp_free(void *p) {
  resp_t *r = p;
  free(r->status_text);
  free(r->url);
  isl_hdrs_unref(r->headers);
  isl_bodystate_dispose(&r->body);
  free(r);
}

static resp_t *resp_new(int status, isl_guard_t guard) {
  resp_t *r = isl_calloc(1, sizeof(*r));
  r->status = status;
  r->status_text = isl_strdup("");
  r->headers = isl_hdrs_new(guard);
  return r;
}

static isl_class_def_t response_class;

static bool is_null_body_status(int s) { return s == 101 || s == 204 || s == 205 || s == 304; }
static bool is_redirect_status(int s) {
  return s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
}

/* Web IDL `unsigned short` (no [EnforceRange]): ToNumber, truncate, modulo 2^16. */
static bool to_unsigned_short(JSContextRef ctx, JSValueRef v, int *out, JSValueRef *exc) {
  double d = JSValueToNumber(ctx, v, exc);
  if (*exc) return false;
  if (isnan(d) || isinf(d)) d = 0;
  d = fmod(trunc(d), 65536.0);
  if (d < 0) d += 65536.0;
  *out = (int)d;
  return true;
}

/* reason-phrase = *( HTAB / SP / VCHAR / obs-text ) */
static bool is_reason_phrase(const char *p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)p[i];
    if (!(c == '\t' || (c >= 0x20 && c != 0x7F))) return false;
  }
  return true;
}

/* The members of a ResponseInit, converted (Web IDL reads them in lexicographic order). */
typedef struct {
  JSValueRef headers; /* NULL when absent */
  int status;
  isl_buf_t status_text;
  bool has_status_text;
} resp_init_t;

static bool read_init(JSContextRef ctx, JSValueRef v, resp_init_t *ri, JSValueRef *exc) {
  ri->headers = NULL;
  ri->status = 200;
  ri->has_status_text = false;
  if (JSValueIsUndefined(ctx, v) || JSValueIsNull(ctx, v)) return true;
  if (!JSValueIsObject(ctx, v)) {
    isl_throw_type(ctx, exc, "Failed to construct 'Response': The provided value is not of "
                             "type 'ResponseInit'.");
    return false;
  }
  JSObjectRef o = (JSObjectRef)v;
  JSValueRef h = isl_get_lit(ctx, o, "headers", exc);
  if (*exc) return false;
  if (!JSValueIsUndefined(ctx, h)) ri->headers = h;
  JSValueRef s = isl_get_lit(ctx, o, "status", exc);
  if (*exc) return false;
  if (!JSValueIsUndefined(ctx, s) && !to_unsigned_short(ctx, s, &ri->status, exc)) return false;
  JSValueRef st = isl_get_lit(ctx, o, "statusText", exc);
  if (*exc) return false;
  if (!JSValueIsUndefined(ctx, st)) {
    if (!isl_to_bytestring(ctx, st, &ri->status_text, exc)) return false;
    ri->has_status_text = true;
  }
  return true;
}

/* Fetch's "initialize a response" with init and an extracted body (bytes, or NULL; a
 * stream body is set by the caller: has_body says there is one). Takes body. */
static bool initialize(JSContextRef ctx, resp_t *r, resp_init_t *ri, isl_body_t *body,
                       bool has_body, const char *content_type, JSValueRef *exc) {
  /* 1. If init["status"] is not in the range 200 to 599, inclusive, throw a RangeError. */
  if (ri->status < 200 || ri->status > 599) {
    isl_throw_range(ctx, exc, "Failed to construct 'Response': The status provided (%d) is "
                              "outside the range [200, 599].", ri->status);
    goto fail;
  }
  /* 2. If init["statusText"] does not match reason-phrase, throw a TypeError. */
  if (ri->has_status_text) {
    if (!is_reason_phrase(ri->status_text.p ? ri->status_text.p : "", ri->status_text.len)) {
      isl_throw_type(ctx, exc, "Failed to construct 'Response': Invalid statusText");
      goto fail;
    }
    free(r->status_text);
    r->status_text = isl_strndup(ri->status_text.p ? ri->status_text.p : "", ri->status_text.len);
  }
  /* 3-4. Status, then the headers from init["headers"]. */
  r->status = ri->status;
  if (ri->headers && !isl_hdrs_fill(ctx, r->headers, ri->headers, exc)) goto fail;
  /* 6. If body is non-null: a null body status is a TypeError; otherwise set the body and
   * its Content-Type unless the headers already have one. */
  if (body || has_body) {
    if (is_null_body_status(r->status)) {
      isl_throw_type(ctx, exc, "Response with null body status (%d) cannot have a body.",
                     r->status);
      goto fail;
    }
    if (content_type && !isl_hdrs_has(r->headers, "content-type"))
      isl_hdrs_add_trusted(r->headers, "content-type", content_type);
  }
  isl_bodystate_init(&r->body, body);
  return true;
fail:
  isl_body_unref(body);
  return false;
}

static JSObjectRef js_response_construct(JSContextRef ctx, JSObjectRef new_target, size_t argc,
                                         const JSValueRef argv[], JSValueRef *exc) {
  /* Arguments first, as Web IDL converts them: the body, then the init dictionary. */
  isl_body_t *body = NULL;
  JSObjectRef stream = NULL;
  const char *ct = NULL;
  char *ct_owned = NULL;
  resp_init_t ri = {0};
  if (!isl_body_extract(ctx, ISL_ARG(0), &body, &stream, &ct, &ct_owned, exc)) return NULL;
  if (!read_init(ctx, ISL_ARG(1), &ri, exc)) {
    isl_body_unref(body);
    free(ct_owned);
    isl_buf_free(&ri.status_text);
    return NULL;
  }
  /* 1-2. A new response whose headers have the "response" guard, initialised. */
  resp_t *r = resp_new(200, ISL_GUARD_RESPONSE);
  bool ok = initialize(ctx, r, &ri, body, stream != NULL, ct, exc);
  free(ct_owned);
  isl_buf_free(&ri.status_text);
  if (!ok) {
    resp_free(r);
    return NULL;
  }
  JSObjectRef o = isl_wrap_new(ctx, &response_class, r, new_target);
  if (stream) isl_bodystate_set_stream(ctx, &r->body, o, stream);
  return o;
}

/* ---- Static methods -------------------------------------------------------------------- */

static JSValueRef js_response_error(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                    size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)this_obj, (void)argc, (void)argv, (void)exc;
  /* A network error: status 0, type "error", immutable headers, null body. */
  resp_t *r = resp_new(0, ISL_GUARD_IMMUTABLE);
  r->type = TYPE_ERROR;
  return isl_wrap(ctx, &response_class, r);
}

static JSValueRef js_response_redirect(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                       size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)this_obj;
  if (!isl_require_args(ctx, argc, 1, "Response", "redirect", exc)) return NULL;
  size_t len;
  char *s = isl_to_cstr(ctx, argv[0], &len, exc);
  if (!s) return NULL;
  int status = 302;
  if (argc > 1 && !JSValueIsUndefined(ctx, argv[1]) &&
      !to_unsigned_short(ctx, argv[1], &status, exc)) {
    free(s);
    return NULL;
  }
  /* 1-2. Parse url (absolute only until the URL parser exists); failure is a TypeError. */
  char *url = isl_fetch_url_parse(s, len, NULL);
  if (!url) {
    isl_throw_type(ctx, exc, "Invalid URL: %s", s);
    free(s);
    return NULL;
  }
  free(s);
  /* 3. If status is not a redirect status, throw a RangeError. */
  if (!is_redirect_status(status)) {
    free(url);
    return isl_throw_range(ctx, exc, "Invalid status code for a redirect: %d", status);
  }
  /* 4-7. Status, and a Location header, in immutable headers. */
  resp_t *r = resp_new(status, ISL_GUARD_IMMUTABLE);
  isl_hdrs_add_trusted(r->headers, "location", url);
  free(url);
  return isl_wrap(ctx, &response_class, r);
}

static JSValueRef js_response_static_json(JSContextRef ctx, JSObjectRef fn,
                                          JSObjectRef this_obj, size_t argc,
                                          const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)this_obj;
  resp_init_t ri = {0};
  if (!read_init(ctx, ISL_ARG(1), &ri, exc)) goto fail;
  /* 1. Serialise data to JSON bytes: what JSON.stringify throws is thrown; a value it
   * cannot represent (undefined, a function, a symbol) is a TypeError. */
  JSStringRef js = JSValueCreateJSONString(ctx, ISL_ARG(0), 0, exc);
  if (*exc) goto fail;
  if (!js) {
    isl_throw_type(ctx, exc, "Failed to execute 'json' on 'Response': The data is not "
                             "JSON serializable");
    goto fail;
  }
  isl_buf_t b = {0};
  isl_jsstr_to_utf8(js, &b);
  JSStringRelease(js);
  size_t n = b.len;
  isl_body_t *body = isl_body_new(isl_buf_take(&b), n);
  /* 2-4. A response initialised with init and the body, typed "application/json". */
  resp_t *r = resp_new(200, ISL_GUARD_RESPONSE);
  if (!initialize(ctx, r, &ri, body, true, "application/json", exc)) {
    resp_free(r);
    goto fail;
  }
  isl_buf_free(&ri.status_text);
  return isl_wrap(ctx, &response_class, r);
fail:
  isl_buf_free(&ri.status_text);
  return NULL;
}

/* ---- Attributes and methods -------------------------------------------------------------- */

#define RESP_GETTER(name)                                                                  \
  static JSValueRef js_response_get_##name(JSContextRef ctx, JSObjectRef fn,               \
                                           JSObjectRef this_obj, size_t argc,              \
                                           const JSValueRef argv[], JSValueRef *exc) {     \
    (void)fn, (void)argc, (void)argv;                                                      \
    resp_t *r = isl_unwrap(ctx, this_obj, &response_class, exc);                           \
    if (!r) return NULL;
#define RESP_GETTER_END }

RESP_GETTER(type)
  return isl_str(ctx, type_names[r->type]);
RESP_GETTER_END

/* Constructed responses have no URL list; fetched ones (isl_response_from_c) have the
 * last URL fetch() requested, without fragment. */
RESP_GETTER(url)
  return isl_str(ctx, r->url ? r->url : "");
RESP_GETTER_END

RESP_GETTER(redirected)
  return JSValueMakeBoolean(ctx, r->redirected);
RESP_GETTER_END

RESP_GETTER(status)
  return JSValueMakeNumber(ctx, r->status);
RESP_GETTER_END

RESP_GETTER(ok)
  return JSValueMakeBoolean(ctx, r->status >= 200 && r->status <= 299);
RESP_GETTER_END

RESP_GETTER(status_text)
  return isl_str_latin1(ctx, r->status_text, strlen(r->status_text));
RESP_GETTER_END

RESP_GETTER(headers)
  return isl_headers_of(ctx, this_obj, r->headers);
RESP_GETTER_END

RESP_GETTER(body)
  return isl_body_get_stream(ctx, &r->body, this_obj, exc);
RESP_GETTER_END

RESP_GETTER(body_used)
  return JSValueMakeBoolean(ctx, isl_bodystate_unusable(ctx, &r->body));
RESP_GETTER_END

/* workerd: the WebSocket of a 101 response; none until WebSockets exist. */
RESP_GETTER(web_socket)
  (void)r;
  return JSValueMakeNull(ctx);
RESP_GETTER_END

static JSValueRef js_response_clone(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                    size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  resp_t *r = isl_unwrap(ctx, this_obj, &response_class, exc);
  if (!r) return NULL;
  /* 1. If this is unusable, throw a TypeError. */
  if (isl_bodystate_unusable(ctx, &r->body))
    return isl_throw_type(ctx, exc, "Cannot clone a Response whose body was already used.");
  /* 2. Clone: headers copied with the same guard, the body cloned (shared bytes, or a
   * teed stream: a locked one cannot be). */
  resp_t *c = resp_new(r->status, r->headers->guard);
  free(c->status_text);
  c->status_text = isl_strdup(r->status_text);
  c->type = r->type;
  c->url = r->url ? isl_strdup(r->url) : NULL;
  c->redirected = r->redirected;
  isl_headers_copy(&c->headers->list, &r->headers->list);
  JSObjectRef o = isl_wrap(ctx, &response_class, c);
  if (!isl_bodystate_clone(ctx, &r->body, this_obj, &c->body, o, exc)) return NULL;
  return o;
}

ISL_BODY_READERS(response, &response_class, resp_t, body, headers)

static const isl_method_t response_methods[] = {
    {"clone", js_response_clone, 0},
    ISL_BODY_METHODS(response),
    {0},
};

static const isl_accessor_t response_accessors[] = {
    {"type", js_response_get_type, NULL},
    {"url", js_response_get_url, NULL},
    {"redirected", js_response_get_redirected, NULL},
    {"status", js_response_get_status, NULL},
    {"ok", js_response_get_ok, NULL},
    {"statusText", js_response_get_status_text, NULL},
    {"headers", js_response_get_headers, NULL},
    {"body", js_response_get_body, NULL},
    {"bodyUsed", js_response_get_body_used, NULL},
    {"webSocket", js_response_get_web_socket, NULL},
    {0},
};

static const isl_method_t response_statics[] = {
    {"error", js_response_error, 0},
    {"redirect", js_response_redirect, 1},
    {"json", js_response_static_json, 1},
    {0},
};

static isl_class_def_t response_class = {
    .name = "Response",
    .construct = js_response_construct,
    .length = 0,
    .methods = response_methods,
    .accessors = response_accessors,
    .statics = response_statics,
    .finalize = resp_free,
};

void isl_api_response_install(isl_realm_t *r) { isl_class_install(r, &response_class); }

/* ---- Conversions for the worker layer ----------------------------------------------- */

isl_response_t *isl_response_to_c(JSContextRef ctx, JSValueRef v, JSValueRef *exc) {
  resp_t *r = isl_priv(ctx, v, &response_class);
  if (!r) return (isl_response_t *)isl_throw_type(ctx, exc, "Expected a Response object");
  isl_body_t *body;
  if (!isl_bodystate_to_c(ctx, &r->body, &body, exc)) return NULL;
  isl_response_t *out = isl_response_new(r->status);
  if (r->status_text[0]) out->status_text = isl_strdup(r->status_text);
  isl_headers_copy(&out->headers, &r->headers->list);
  out->body = body;
  return out;
}

JSObjectRef isl_response_from_c(JSContextRef ctx, isl_response_t *res) {
  /* As in workerd, a response that came from elsewhere has immutable headers. */
  resp_t *r = resp_new(res->status, ISL_GUARD_IMMUTABLE);
  if (res->status_text) {
    free(r->status_text);
    r->status_text = res->status_text;
    res->status_text = NULL;
  } else {
    free(r->status_text);
    r->status_text = isl_strdup(isl_status_reason(res->status));
  }
  r->headers->list = res->headers;
  res->headers = (isl_headers_t){0};
  for (size_t i = 0; i < r->headers->list.n; i++)
    for (char *nm = r->headers->list.v[i].name; *nm; nm++)
      if (*nm >= 'A' && *nm <= 'Z') *nm = (char)(*nm | 32);
  isl_bodystate_init(&r->body, res->body);
  res->body = NULL;
  r->url = res->url;
  res->url = NULL;
  r->redirected = res->redirected;
  isl_response_free(res);
  return isl_wrap(ctx, &response_class, r);
}
