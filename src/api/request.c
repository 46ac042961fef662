/* The Fetch Standard's Request class (https://fetch.spec.whatwg.org/#request-class), with
 * workerd's `cf` attribute, and the conversions the worker layer uses (fetch_api.h).
 *
 * Not here: mode/credentials/cache and the other
 * browser-only members, which workerd does not implement either. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "body.h"
#include "fetch_api.h"
#include "abort_api.h"
#include "headers.h"
#include "request.h"
#include "url_api.h"

/* Fetch parses a request's URL with the WHATWG URL parser (src/url). Workers have no
 * document base URL, so a relative URL fails as it does in workerd. */
char *isl_fetch_url_parse(const char *s, size_t n, bool *credentials) {
  return isl_url_href_of(s, n, NULL, 0, credentials);
}

/* ---- The Request class ---------------------------------------------------------------- */

enum { REDIRECT_FOLLOW, REDIRECT_MANUAL, REDIRECT_ERROR };
static const char *const redirect_names[] = {"follow", "manual", "error"};

typedef struct {
  char *method;
  char *url;
  int redirect;
  isl_hdrs_t *headers;
  isl_bodystate_t body;
} req_t;

static void req_free(void *p) {
  req_t *r = p;
  free(r->method);
  free(r->url);
  isl_hdrs_unref(r->headers);
  isl_bodystate_dispose(&r->body);
  free(r);
}

static isl_class_def_t request_class;

static bool method_is(const char *m, const char *name) { return strcasecmp(m, name) == 0; }

/* Fetch's "normalize a method": the six standard methods are upper-cased. */
static void normalize_method(char *m) {
  static const char *const std[] = {"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"};
  for (size_t i = 0; i < sizeof(std) / sizeof(std[0]); i++)
    if (method_is(m, std[i])) strcpy(m, std[i]);
}

static bool is_token_char(unsigned char c) {
  if (((c | 32) >= 'a' && (c | 32) <= 'z') || (c >= '0' && c <= '9')) return true;
  return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* A Request's AbortSignal lives in a slot, made when first read; until then the slot
 * SIGNAL_SOURCE_SLOT holds the signal it is to follow (init.signal or the input
 * Request's), if any. */
#define SIGNAL_SLOT "request.signal"
#define SIGNAL_SOURCE_SLOT "request.signalSource"

/* Reads member name (a string literal) of the init dictionary; NULL when absent
 * (undefined). */
static JSValueRef init_member(JSContextRef ctx, JSObjectRef init, const char *name,
                              JSValueRef *exc) {
  if (!init) return NULL;
  JSValueRef v = isl_get_lit(ctx, init, name, exc);
  if (*exc || JSValueIsUndefined(ctx, v)) return NULL;
  return v;
}

static JSObjectRef js_request_construct(JSContextRef ctx, JSObjectRef new_target, size_t argc,
                                        const JSValueRef argv[], JSValueRef *exc) {
  if (argc < 1)
    return (JSObjectRef)isl_throw_type(ctx, exc, "Failed to construct 'Request': 1 argument "
                                                 "required, but only 0 present.");
  req_t *r = isl_calloc(1, sizeof(*r));
  char *s = NULL;
  isl_buf_t mb = {0};
  isl_body_t *init_body = NULL;
  JSObjectRef init_stream = NULL;
  JSValueRef cf = NULL;
  JSValueRef input = argv[0], initv = ISL_ARG(1);

  /* 5-6. input is a string: parse it; otherwise it is a Request whose request is copied. */
  req_t *src = isl_priv(ctx, input, &request_class);
  if (!src) {
    size_t len;
    bool cred;
    if (!(s = isl_to_cstr(ctx, input, &len, exc))) goto fail;
    if (!(r->url = isl_fetch_url_parse(s, len, &cred))) {
      isl_throw_type(ctx, exc, "Invalid URL: %s", s);
      goto fail;
    }
    if (cred) {
      isl_throw_type(ctx, exc, "Request cannot be constructed from a URL that includes "
                               "credentials: %s", s);
      goto fail;
    }
    r->method = isl_strdup("GET");
    free(s);
    s = NULL;
  } else {
    r->url = isl_strdup(src->url);
    r->method = isl_strdup(src->method);
    r->redirect = src->redirect;
    cf = isl_slot_get(ctx, (JSObjectRef)input, "cf");
  }

  /* RequestInit: a dictionary, so undefined/null or an object; members are read in
   * lexicographic order, as Web IDL converts them. */
  JSObjectRef init = NULL;
  if (!JSValueIsUndefined(ctx, initv) && !JSValueIsNull(ctx, initv)) {
    if (!JSValueIsObject(ctx, initv)) {
      isl_throw_type(ctx, exc, "Failed to construct 'Request': The provided value is not "
                               "of type 'RequestInit'.");
      goto fail;
    }
    init = (JSObjectRef)initv;
  }
  JSValueRef v_body = init_member(ctx, init, "body", exc);
  if (*exc) goto fail;
  JSValueRef v_cf = init_member(ctx, init, "cf", exc);
  if (*exc) goto fail;
  JSValueRef v_duplex = init_member(ctx, init, "duplex", exc);
  if (*exc) goto fail;
  JSValueRef v_headers = init_member(ctx, init, "headers", exc);
  if (*exc) goto fail;
  JSValueRef v_method = init_member(ctx, init, "method", exc);
  if (*exc) goto fail;
  JSValueRef v_redirect = init_member(ctx, init, "redirect", exc);
  if (*exc) goto fail;
  JSValueRef v_signal = init_member(ctx, init, "signal", exc);
  if (*exc) goto fail;
  /* 29. The signal: init's if it exists (null: none), else input's. The Request's own
   * signal follows it; it is made when first read (see js_request_get_signal). */
  JSValueRef signal_src = src ? isl_slot_get(ctx, (JSObjectRef)input, SIGNAL_SOURCE_SLOT) : NULL;
  if (src && JSValueIsUndefined(ctx, signal_src)) signal_src = NULL;
  if (src && !signal_src) {
    JSValueRef own = isl_slot_get(ctx, (JSObjectRef)input, SIGNAL_SLOT);
    if (!JSValueIsUndefined(ctx, own)) signal_src = own;
  }
  if (v_signal) {
    signal_src = JSValueIsNull(ctx, v_signal) ? NULL : v_signal;
    if (signal_src && !isl_abort_signal_of(ctx, signal_src)) {
      isl_throw_type(ctx, exc, "Failed to construct 'Request': member signal is not of type "
                               "AbortSignal.");
      goto fail;
    }
  }

  if (v_cf) cf = v_cf;
  /* RequestDuplex has one value, "half". Fetch requires it with a stream body; workerd
   * does not, so it is accepted but not required. */
  if (v_duplex) {
    if (!(s = isl_to_cstr(ctx, v_duplex, NULL, exc))) goto fail;
    if (strcmp(s, "half") != 0) {
      isl_throw_type(ctx, exc, "Failed to construct 'Request': The provided value '%s' is "
                               "not a valid enum value of type RequestDuplex.", s);
      goto fail;
    }
    free(s);
    s = NULL;
  }
  /* 25. If init["method"] exists: it must be a method and not a forbidden method; then
   * it is normalised. */
  if (v_method) {
    if (!isl_to_bytestring(ctx, v_method, &mb, exc)) goto fail;
    bool token = mb.len > 0 && strlen(mb.p) == mb.len;
    for (size_t i = 0; token && i < mb.len; i++) token = is_token_char((unsigned char)mb.p[i]);
    if (!token) {
      isl_throw_type(ctx, exc, "Invalid HTTP method: \"%s\"", mb.p ? mb.p : "");
      goto fail;
    }
    if (method_is(mb.p, "CONNECT") || method_is(mb.p, "TRACE") || method_is(mb.p, "TRACK")) {
      isl_throw_type(ctx, exc, "Forbidden HTTP method: \"%s\"", mb.p);
      goto fail;
    }
    normalize_method(mb.p);
    free(r->method);
    r->method = isl_buf_take(&mb);
  }
  /* 28. If init["redirect"] exists, set request's redirect mode (a Web IDL enum). */
  if (v_redirect) {
    if (!(s = isl_to_cstr(ctx, v_redirect, NULL, exc))) goto fail;
    int k = 0;
    while (k < 3 && strcmp(s, redirect_names[k]) != 0) k++;
    if (k == 3) {
      isl_throw_type(ctx, exc, "Failed to construct 'Request': The provided value '%s' is "
                               "not a valid enum value of type RequestRedirect.", s);
      goto fail;
    }
    r->redirect = k;
  }

  /* 32-33. The headers: init["headers"] if it exists, else a copy of input's. */
  r->headers = isl_hdrs_new(ISL_GUARD_REQUEST);
  if (v_headers) {
    if (!isl_hdrs_fill(ctx, r->headers, v_headers, exc)) goto fail;
  } else if (src) {
    isl_headers_copy(&r->headers->list, &src->headers->list);
  }

  /* 34-35. A body (from init, or input's) with GET or HEAD is a TypeError. */
  bool init_has_body = v_body && !JSValueIsNull(ctx, v_body);
  bool input_has_body = src && src->body.present;
  if ((init_has_body || input_has_body) &&
      (strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0)) {
    isl_throw_type(ctx, exc, "Request with a GET or HEAD method cannot have a body.");
    goto fail;
  }
  /* 36. If init["body"] is non-null, extract it; its Content-Type is added unless the
   * headers already have one. */
  if (init_has_body) {
    const char *ct;
    char *ct_owned;
    if (!isl_body_extract(ctx, v_body, &init_body, &init_stream, &ct, &ct_owned, exc)) goto fail;
    if (ct && !isl_hdrs_has(r->headers, "content-type"))
      isl_hdrs_add_trusted(r->headers, "content-type", ct);
    free(ct_owned);
  }
  /* 40. If initBody is null and inputBody is non-null: inputBody must be usable, and is
   * taken (the input's bodyUsed becomes true). */
  bool take_input = !init_has_body && input_has_body;
  if (take_input && (isl_bodystate_unusable(ctx, &src->body) ||
                     isl_bodystate_locked(ctx, &src->body))) {
    isl_throw_type(ctx, exc, "Cannot construct a Request with a Request object that has "
                             "already been used.");
    goto fail;
  }
  if (init_has_body) {
    isl_bodystate_init(&r->body, init_body);
    init_body = NULL;
  }
  free(s);
  JSObjectRef o = isl_wrap_new(ctx, &request_class, r, new_target);
  if (init_stream) isl_bodystate_set_stream(ctx, &r->body, o, init_stream);
  if (take_input) isl_bodystate_move(ctx, &r->body, o, &src->body);
  if (cf && !JSValueIsUndefined(ctx, cf)) isl_slot_set(ctx, o, "cf", cf);
  if (signal_src) isl_slot_set(ctx, o, SIGNAL_SOURCE_SLOT, signal_src);
  return o;
fail:
  free(s);
  isl_buf_free(&mb);
  isl_body_unref(init_body);
  req_free(r);
  return NULL;
}

#define REQ_GETTER(name)                                                                   \
  static JSValueRef js_request_get_##name(JSContextRef ctx, JSObjectRef fn,                \
                                          JSObjectRef this_obj, size_t argc,               \
                                          const JSValueRef argv[], JSValueRef *exc) {      \
    (void)fn, (void)argc, (void)argv;                                                      \
    req_t *r = isl_unwrap(ctx, this_obj, &request_class, exc);                             \
    if (!r) return NULL;
#define REQ_GETTER_END }

REQ_GETTER(method)
  return isl_str_latin1(ctx, r->method, strlen(r->method));
REQ_GETTER_END

REQ_GETTER(url)
  return isl_str(ctx, r->url);
REQ_GETTER_END

REQ_GETTER(headers)
  return isl_headers_of(ctx, this_obj, r->headers);
REQ_GETTER_END

REQ_GETTER(redirect)
  return isl_str(ctx, redirect_names[r->redirect]);
REQ_GETTER_END

REQ_GETTER(body)
  return isl_body_get_stream(ctx, &r->body, this_obj, exc);
REQ_GETTER_END

REQ_GETTER(body_used)
  return JSValueMakeBoolean(ctx, isl_bodystate_unusable(ctx, &r->body));
REQ_GETTER_END

/* The signal: one that follows the source given at construction, else one that is never
 * aborted (an incoming request's, as in workerd without the request-signal flag). */
REQ_GETTER(signal)
  (void)r;
  JSValueRef own = isl_slot_get(ctx, this_obj, SIGNAL_SLOT);
  if (!JSValueIsUndefined(ctx, own)) return own;
  JSValueRef src = isl_slot_get(ctx, this_obj, SIGNAL_SOURCE_SLOT);
  isl_abort_signal_t *s = JSValueIsUndefined(ctx, src) ? NULL : isl_abort_signal_of(ctx, src);
  JSObjectRef sig = s ? isl_abort_signal_follow(ctx, s) : isl_abort_signal_new(ctx);
  isl_slot_set(ctx, this_obj, SIGNAL_SLOT, sig);
  return sig;
REQ_GETTER_END

/* workerd's Cloudflare request properties: whatever init.cf was, else undefined. */
REQ_GETTER(cf)
  return isl_slot_get(ctx, this_obj, "cf");
REQ_GETTER_END

static JSValueRef js_request_clone(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  req_t *r = isl_unwrap(ctx, this_obj, &request_class, exc);
  if (!r) return NULL;
  /* 1. If this is unusable, throw a TypeError. */
  if (isl_bodystate_unusable(ctx, &r->body))
    return isl_throw_type(ctx, exc, "Cannot clone a Request whose body was already used.");
  /* 2. Clone the request: a copy of the headers with the same guard, and the body cloned
   * (shared bytes, or a teed stream: a locked one cannot be). */
  req_t *c = isl_calloc(1, sizeof(*c));
  c->method = isl_strdup(r->method);
  c->url = isl_strdup(r->url);
  c->redirect = r->redirect;
  c->headers = isl_hdrs_clone(r->headers, r->headers->guard);
  JSObjectRef o = isl_wrap(ctx, &request_class, c);
  if (!isl_bodystate_clone(ctx, &r->body, this_obj, &c->body, o, exc)) return NULL;
  JSValueRef cf = isl_slot_get(ctx, this_obj, "cf");
  if (!JSValueIsUndefined(ctx, cf)) isl_slot_set(ctx, o, "cf", cf);
  /* The clone's signal follows this one's. */
  JSValueRef sig = js_request_get_signal(ctx, NULL, this_obj, 0, NULL, exc);
  if (sig) isl_slot_set(ctx, o, SIGNAL_SOURCE_SLOT, sig);
  return o;
}

JSObjectRef isl_request_construct(JSContextRef ctx, size_t argc, const JSValueRef argv[],
                                  JSValueRef *exc) {
  return js_request_construct(ctx, NULL, argc, argv, exc);
}

isl_abort_signal_t *isl_request_abort_signal(JSContextRef ctx, JSObjectRef request) {
  JSValueRef v = isl_slot_get(ctx, request, SIGNAL_SLOT);
  if (JSValueIsUndefined(ctx, v)) v = isl_slot_get(ctx, request, SIGNAL_SOURCE_SLOT);
  return JSValueIsUndefined(ctx, v) ? NULL : isl_abort_signal_of(ctx, v);
}

ISL_BODY_READERS(request, &request_class, req_t, body, headers)

static const isl_method_t request_methods[] = {
    {"clone", js_request_clone, 0},
    ISL_BODY_METHODS(request),
    {0},
};

static const isl_accessor_t request_accessors[] = {
    {"method", js_request_get_method, NULL},
    {"url", js_request_get_url, NULL},
    {"headers", js_request_get_headers, NULL},
    {"redirect", js_request_get_redirect, NULL},
    {"body", js_request_get_body, NULL},
    {"bodyUsed", js_request_get_body_used, NULL},
    {"signal", js_request_get_signal, NULL},
    {"cf", js_request_get_cf, NULL},
    {0},
};

static isl_class_def_t request_class = {
    .name = "Request",
    .construct = js_request_construct,
    .length = 1,
    .methods = request_methods,
    .accessors = request_accessors,
    .finalize = req_free,
};

void isl_api_request_install(isl_realm_t *r) { isl_class_install(r, &request_class); }

/* ---- Conversions for the worker layer ----------------------------------------------- */

JSObjectRef isl_request_from_c(JSContextRef ctx, isl_request_t *req) {
  req_t *r = isl_calloc(1, sizeof(*r));
  r->method = req->method;
  r->url = req->url;
  /* As in workerd, an incoming request's headers are immutable; a worker changes them by
   * making a new Request. */
  r->headers = isl_hdrs_new(ISL_GUARD_IMMUTABLE);
  r->headers->list = req->headers;
  for (size_t i = 0; i < r->headers->list.n; i++) {
    char *nm = r->headers->list.v[i].name;
    for (; *nm; nm++)
      if (*nm >= 'A' && *nm <= 'Z') *nm = (char)(*nm | 32);
  }
  isl_bodystate_init(&r->body, req->body);
  free(req);
  return isl_wrap(ctx, &request_class, r);
}

isl_request_t *isl_request_to_c(JSContextRef ctx, JSValueRef v, JSValueRef *exc) {
  req_t *r = isl_priv(ctx, v, &request_class);
  if (!r) return (isl_request_t *)isl_throw_type(ctx, exc, "Expected a Request object");
  isl_body_t *body;
  if (!isl_bodystate_to_c(ctx, &r->body, &body, exc)) return NULL;
  isl_request_t *out = isl_request_new(r->method, r->url);
  out->redirect = (isl_redirect_t)r->redirect; /* same order as isl_redirect_t */
  isl_headers_copy(&out->headers, &r->headers->list);
  out->body = body;
  return out;
}
