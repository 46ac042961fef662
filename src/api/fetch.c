/* The global fetch() (https://fetch.spec.whatwg.org/#fetch-method) and the call that it
 * shares with service bindings (isl_fetch_to_service).
 *
 * A worker reaches nothing it was not given: fetch() sends every http(s) request to the
 * worker's globalOutbound (realm->outbound), another service of the config: a network
 * service (the default, workerd's implicit "internet"), an external server, or a worker
 * reached in memory. data: URLs are answered here without any service (Fetch's scheme
 * fetch). What this file adds on top of the service, for fetch() and Fetchers alike:
 *
 * - Redirects (Fetch's HTTP fetch step 8 and "HTTP-redirect fetch"): services never
 *   follow them. Mode "follow" follows at most 20, turning 301/302 POST and 303
 *   non-GET/HEAD into GET without body or body headers, dropping Authorization when the
 *   origin changes, and re-sending the body otherwise: bytes can be sent again, a stream
 *   body cannot, so that redirect is a network error, as Fetch says; "error" makes any
 *   redirect status a network error; "manual" returns the
 *   3xx response as it is (workerd's behaviour; browsers give an opaque-redirect filter).
 * - Network errors: a service's response with `error` set rejects with a TypeError.
 * - Response.url and Response.redirected from the URL list.
 * - An AbortSignal in the RequestInit (`signal`): abort rejects with its reason and
 *   cancels the request at the service (message.h's isl_cancel_t). The Request class
 *   itself does not carry a signal yet, so one is read from fetch()'s init only.
 * - workerd's `encodeResponseBody: "manual"` in the init: the network service leaves a
 *   compressed body as it came, with its Content-Encoding.
 *
 * A call in flight is a call_t on the realm's list (api_state[ISL_STATE_FETCH]). The
 * service may answer after the worker is gone (e.g. a waitUntil() fetch to a slow
 * backend at shutdown): teardown releases the resolvers and detaches each call, and a
 * detached call only frees what it is handed. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../loop/task.h"
#include "../url/dataurl.h"
#include "../url/url.h"
#include "abort_api.h"
#include "fetch.h"
#include "fetch_api.h"
#include "url_api.h"

/* Fetch's redirect limit (HTTP-redirect fetch step 5). */
#define MAX_REDIRECTS 20

typedef struct call call_t;

/* What an abort algorithm holds: freed by the abort machinery (release), and cut from
 * its call when either side goes first. */
typedef struct {
  call_t *call;
  isl_abort_algo_t *algo;
} abort_link_t;

struct call {
  isl_service_t *svc;
  isl_realm_t *realm;  /* NULL once detached (settled, aborted, or torn down) */
  JSObjectRef resolve, reject; /* protected while attached */
  /* The request as fetch() follows it through redirects. */
  char *method;
  char *url; /* the current URL: the last of the URL list */
  isl_headers_t headers;
  isl_body_t *body;
  isl_redirect_t redirect;
  bool raw_encoding;
  int redirects;       /* followed so far */
  isl_cancel_t *cancel; /* when a signal was given */
  abort_link_t *link;   /* while the signal's abort algorithm is registered */
  isl_budget_t *budget; /* the request that made the call (a reference), or NULL */
  isl_response_t *answer; /* the service's answer, while it waits for runs to end */
  call_t *prev, *next;
};

typedef struct {
  call_t *head;
} fetch_state_t;

/* ---- the call's life ---------------------------------------------------------------------- */

static void unlink_call(fetch_state_t *st, call_t *c) {
  if (c->prev) c->prev->next = c->next;
  else st->head = c->next;
  if (c->next) c->next->prev = c->prev;
  c->prev = c->next = NULL;
}

/* Takes the call off its realm's list and lets go of everything JS (ctx NULL: the realm is
 * being torn down, so the abort algorithm is dropped without touching JS). The call
 * itself stays until the service's answer (or the queued task) frees it. */
static void detach(call_t *c, JSContextRef ctx) {
  isl_realm_t *r = c->realm;
  if (!r) return;
  unlink_call(r->api_state[ISL_STATE_FETCH], c);
  isl_unprotect(r->ctx, c->resolve);
  isl_unprotect(r->ctx, c->reject);
  c->resolve = c->reject = NULL;
  c->realm = NULL;
  if (c->link) {
    abort_link_t *l = c->link;
    c->link = NULL;
    l->call = NULL;
    isl_abort_algo_remove(ctx, l->algo); /* frees l */
  }
}

static void free_call(call_t *c) {
  free(c->method);
  free(c->url);
  isl_headers_dispose(&c->headers);
  isl_body_unref(c->body);
  isl_cancel_unref(c->cancel);
  isl_budget_unref(c->budget);
  free(c);
}

static void settle(call_t *c, bool ok, JSValueRef v) {
  JSContextRef ctx = c->realm->ctx;
  JSObjectRef fn = ok ? c->resolve : c->reject;
  isl_protect(ctx, fn); /* detach releases it */
  detach(c, ctx);
  isl_call(ctx, fn, NULL, 1, &v, NULL);
  isl_unprotect(ctx, fn);
}

static void reject_with_type_error(call_t *c, const char *msg) {
  settle(c, false, isl_error_new(c->realm->ctx, "TypeError", msg));
}

/* ---- sending, and what comes back ------------------------------------------------------- */

static void on_response(void *data, isl_response_t *res);

static void run_call(void *data) {
  call_t *c = data;
  if (!c->realm) {
    free_call(c);
    return;
  }
  isl_request_t *req = isl_request_new(c->method, c->url);
  isl_headers_copy(&req->headers, &c->headers);
  req->body = isl_body_ref(c->body);
  req->redirect = c->redirect;
  req->raw_encoding = c->raw_encoding;
  req->cancel = isl_cancel_ref(c->cancel);
  c->svc->fetch(c->svc, req, on_response, c);
}

static bool is_redirect_status(int s) {
  return s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
}

static bool same_origin(const char *a, const char *b) {
  isl_url_t ua, ub;
  if (!isl_url_parse(a, strlen(a), NULL, &ua)) return false;
  if (!isl_url_parse(b, strlen(b), NULL, &ub)) {
    isl_url_dispose(&ua);
    return false;
  }
  isl_buf_t oa = {0}, ob = {0};
  isl_url_serialize_origin(&ua, &oa);
  isl_url_serialize_origin(&ub, &ob);
  /* An opaque origin ("null") is never the same as another. */
  bool same = oa.len == ob.len && strcmp(oa.p, ob.p) == 0 && strcmp(oa.p, "null") != 0;
  isl_buf_free(&oa);
  isl_buf_free(&ob);
  isl_url_dispose(&ua);
  isl_url_dispose(&ub);
  return same;
}

/* Fetch's "HTTP-redirect fetch" for redirect mode "follow". Returns true if the request
 * goes on to location (a task is queued), false if res is the answer after all (no
 * Location). On a network error the call is rejected (and true returned). */
static bool follow_redirect(call_t *c, const isl_response_t *res) {
  /* 2-3. The location URL, parsed against the current URL; none: res is the answer. */
  const char *loc = isl_headers_get(&res->headers, "location");
  if (!loc) return false;
  isl_buf_t m = {0};
  char *next = isl_url_href_of(loc, strlen(loc), c->url, strlen(c->url), NULL);
  if (!next) {
    isl_buf_printf(&m, "fetch(): the redirect from %s has an invalid Location: %s", c->url, loc);
  } else if (strncmp(next, "http:", 5) != 0 && strncmp(next, "https:", 6) != 0) {
    /* 4. Only http(s) can be redirected to. */
    isl_buf_printf(&m, "fetch(): %s redirected to %s, which is not an http: or https: URL",
                   c->url, next);
  } else if (c->redirects >= MAX_REDIRECTS) {
    /* 5. At most 20 redirects. */
    isl_buf_printf(&m, "fetch(): too many redirects (more than %d), the last to %s",
                   MAX_REDIRECTS, next);
  }
  if (m.len) {
    free(next);
    reject_with_type_error(c, m.p);
    isl_buf_free(&m);
    return true;
  }
  /* 11. Unless the redirect is a 303 (which drops the body), a stream body would have to
   * be sent again, and the first request read it: a network error. */
  if (res->status != 303 && isl_body_is_stream(c->body)) {
    isl_buf_printf(&m, "fetch(): %s redirected to %s, and the request's body is a stream, "
                       "which cannot be sent again", c->url, next);
    free(next);
    reject_with_type_error(c, m.p);
    isl_buf_free(&m);
    return true;
  }
  c->redirects++;
  /* 12. 301/302 after POST, and 303 after anything but GET or HEAD, become a GET without
   * the body or the headers that describe it. */
  int st = res->status;
  if (((st == 301 || st == 302) && strcmp(c->method, "POST") == 0) ||
      (st == 303 && strcmp(c->method, "GET") != 0 && strcmp(c->method, "HEAD") != 0)) {
    free(c->method);
    c->method = isl_strdup("GET");
    isl_body_unref(c->body);
    c->body = NULL;
    static const char *const body_headers[] = {"content-encoding", "content-language",
                                               "content-location", "content-type",
                                               "content-length"};
    for (size_t i = 0; i < sizeof(body_headers) / sizeof(body_headers[0]); i++)
      isl_headers_remove(&c->headers, body_headers[i]);
  }
  /* 13. Credentials stay with their origin. */
  if (!same_origin(c->url, next)) isl_headers_remove(&c->headers, "authorization");
  /* 14-15. The body (bytes here) goes again to the next URL. */
  free(c->url);
  c->url = next;
  isl_task_post(c->realm->loop, run_call, c);
  return true;
}

/* The response's URL: the current URL without its fragment. */
static char *url_without_fragment(const char *url) {
  return isl_strndup(url, strcspn(url, "#"));
}

/* The service's answer, handled on behalf of the request that made the call (limits.c):
 * what it settles runs for that request, even one that is over by now, since other
 * requests may await the same promise. */
static void handle_response(call_t *c, isl_response_t *res) {
  if (res->error) {
    isl_buf_t m = {0};
    isl_buf_printf(&m, "fetch() to %s failed: %s", c->url, res->error);
    isl_response_free(res);
    reject_with_type_error(c, m.p);
    isl_buf_free(&m);
    free_call(c);
    return;
  }
  if (is_redirect_status(res->status) && c->redirect == ISL_REDIRECT_ERROR) {
    isl_buf_t m = {0};
    isl_buf_printf(&m, "fetch(): %s answered with a redirect (%d) and the request's redirect "
                       "mode is 'error'", c->url, res->status);
    isl_response_free(res);
    reject_with_type_error(c, m.p);
    isl_buf_free(&m);
    free_call(c);
    return;
  }
  if (is_redirect_status(res->status) && c->redirect == ISL_REDIRECT_FOLLOW &&
      follow_redirect(c, res)) {
    isl_response_free(res);
    if (!c->realm) free_call(c); /* rejected */
    return;
  }
  res->url = url_without_fragment(c->url);
  res->redirected = c->redirects > 0;
  JSValueRef v = isl_response_from_c(c->realm->ctx, res);
  settle(c, true, v);
  free_call(c);
}

static void deliver(void *data) {
  call_t *c = data;
  isl_response_t *res = c->answer;
  isl_realm_t *r = c->realm;
  c->answer = NULL;
  if (!r) {
    isl_response_free(res);
    free_call(c);
    return;
  }
  isl_budget_t *b = c->budget;
  isl_budget_ref(b); /* handle_response may free c */
  isl_run_t run;
  isl_run_begin(r, b, &run);
  handle_response(c, res);
  isl_run_end(r, &run);
  isl_budget_unref(b);
}

static void on_response(void *data, isl_response_t *res) {
  call_t *c = data;
  c->answer = res;
  /* A worker may answer from inside its own run of JS: the caller's JS runs after that
   * run, not nested in it. */
  isl_after_runs(deliver, c);
}

/* ---- AbortSignal ------------------------------------------------------------------------ */

/* The signal aborted: reject with its reason now, and tell the service to stop (which may
 * answer, and so free the call, from inside isl_cancel_fire). */
static void on_abort(JSContextRef ctx, void *data, JSValueRef reason) {
  abort_link_t *l = data;
  call_t *c = l->call;
  if (!c) return;
  l->call = NULL;
  c->link = NULL; /* the abort machinery releases l after this returns */
  isl_cancel_t *k = isl_cancel_ref(c->cancel);
  isl_protect(ctx, reason);
  settle(c, false, reason);
  isl_unprotect(ctx, reason);
  isl_cancel_fire(k);
  isl_cancel_unref(k);
}

static void on_abort_release(void *data) {
  abort_link_t *l = data;
  if (l->call) l->call->link = NULL;
  free(l);
}

/* workerd's init.encodeResponseBody: "automatic" (the default) or "manual". */
static bool raw_encoding_of(JSContextRef ctx, JSValueRef init, bool *raw, JSValueRef *exc) {
  *raw = false;
  if (!JSValueIsObject(ctx, init)) return true;
  JSValueRef v = isl_get_lit(ctx, (JSObjectRef)init, "encodeResponseBody", exc);
  if (*exc) return false;
  if (JSValueIsUndefined(ctx, v)) return true;
  char *s = isl_to_cstr(ctx, v, NULL, exc);
  if (!s) return false;
  bool ok = strcmp(s, "automatic") == 0 || strcmp(s, "manual") == 0;
  *raw = strcmp(s, "manual") == 0;
  if (!ok)
    isl_throw_type(ctx, exc, "fetch(): encodeResponseBody must be \"automatic\" or \"manual\", "
                             "not \"%s\"", s);
  free(s);
  return ok;
}

/* ---- starting a call -------------------------------------------------------------------- */

/* new Request(input, init) gives fetch() the same argument rules as the Request
 * constructor (fetch step 2). NULL with *err set if it threw. */
static isl_request_t *make_request(JSContextRef ctx, size_t argc, const JSValueRef argv[],
                                   isl_abort_signal_t **signal, JSValueRef *err) {
  JSValueRef args[2] = {ISL_ARG(0), ISL_ARG(1)};
  JSObjectRef request = isl_request_construct(ctx, argc > 1 ? 2 : 1, args, err);
  if (!request) return NULL;
  /* The Request read init.signal (or took input's): the fetch honours the same one. */
  *signal = isl_request_abort_signal(ctx, request);
  return isl_request_to_c(ctx, request, err);
}

/* fetch()'s options beyond the Request's, read from init. */
typedef struct {
  bool raw_encoding;
  isl_abort_signal_t *signal; /* NULL: none */
} fetch_opts_t;

/* Reads the options, and applies fetch step 3's "if the signal is aborted, abort the
 * fetch() call". NULL when the request may go on; otherwise the rejected promise (req is
 * freed then). */
static JSObjectRef read_options(JSContextRef ctx, JSValueRef init, isl_request_t *req,
                                isl_abort_signal_t *signal, fetch_opts_t *o) {
  JSValueRef err = NULL;
  *o = (fetch_opts_t){0};
  o->signal = signal;
  raw_encoding_of(ctx, init, &o->raw_encoding, &err);
  if (!err && o->signal && isl_abort_signal_aborted(o->signal))
    err = isl_abort_signal_reason(ctx, o->signal);
  if (!err) return NULL;
  isl_request_free(req);
  return isl_promise_rejected(ctx, err);
}

/* Sends req (taken) to svc. Returns the promise. */
static JSObjectRef send_request(JSContextRef ctx, isl_service_t *svc, isl_request_t *req,
                                const fetch_opts_t *o) {
  bool raw = o->raw_encoding;
  isl_abort_signal_t *sig = o->signal;
  isl_realm_t *r = isl_realm_of(ctx);
  fetch_state_t *st = r->api_state[ISL_STATE_FETCH];
  call_t *c = isl_calloc(1, sizeof(*c));
  c->svc = svc;
  c->method = req->method;
  c->url = req->url;
  c->headers = req->headers;
  c->body = req->body;
  c->redirect = req->redirect;
  c->raw_encoding = raw;
  req->method = req->url = NULL;
  req->headers = (isl_headers_t){0};
  req->body = NULL;
  isl_request_free(req);
  c->realm = r;
  c->budget = r->current;
  isl_budget_ref(c->budget);
  JSObjectRef p = isl_promise_new(ctx, &c->resolve, &c->reject);
  isl_protect(ctx, c->resolve);
  isl_protect(ctx, c->reject);
  c->next = st->head;
  if (st->head) st->head->prev = c;
  st->head = c;
  if (sig) {
    c->cancel = isl_cancel_new();
    abort_link_t *l = isl_calloc(1, sizeof(*l));
    l->call = c;
    l->algo = isl_abort_signal_add(ctx, sig, on_abort, l, on_abort_release);
    if (l->algo) c->link = l;
    else free(l); /* not added (already aborted): checked above, so cannot happen */
  }
  isl_task_post(r->loop, run_call, c);
  return p;
}

JSObjectRef isl_fetch_to_service(JSContextRef ctx, isl_service_t *svc, size_t argc,
                                 const JSValueRef argv[], JSValueRef *exc) {
  (void)exc; /* failures reject the promise */
  JSValueRef err = NULL;
  isl_abort_signal_t *signal = NULL;
  isl_request_t *req = make_request(ctx, argc, argv, &signal, &err);
  if (!req) return isl_promise_rejected(ctx, err);
  fetch_opts_t o;
  JSObjectRef rejected = read_options(ctx, ISL_ARG(1), req, signal, &o);
  if (rejected) return rejected;
  if (!isl_subrequest_begin(ctx, &err)) {
    isl_request_free(req);
    return isl_promise_rejected(ctx, err);
  }
  return send_request(ctx, svc, req, &o);
}

static JSObjectRef reject_type(JSContextRef ctx, const char *msg) {
  return isl_promise_rejected(ctx, isl_error_new(ctx, "TypeError", msg));
}

/* Fetch's scheme fetch for data: — the response is made here, without a service. */
static JSObjectRef fetch_data_url(JSContextRef ctx, isl_request_t *req) {
  isl_buf_t mime = {0}, body = {0};
  JSObjectRef p;
  if (!isl_data_url_process(req->url, strlen(req->url), &mime, &body)) {
    isl_buf_t m = {0};
    isl_buf_printf(&m, "fetch(): invalid data: URL: %s", req->url);
    p = reject_type(ctx, m.p);
    isl_buf_free(&m);
  } else {
    isl_response_t *res = isl_response_new(200);
    res->status_text = isl_strdup("OK");
    isl_headers_add(&res->headers, "content-type", 12, mime.p, mime.len);
    size_t n = body.len;
    if (n) res->body = isl_body_new(isl_buf_take(&body), n);
    else res->body = isl_body_copy_of("", 0);
    res->url = url_without_fragment(req->url);
    p = isl_promise_resolved(ctx, isl_response_from_c(ctx, res));
  }
  isl_buf_free(&mime);
  isl_buf_free(&body);
  isl_request_free(req);
  return p;
}

static JSValueRef js_fetch(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                           const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)this_obj, (void)exc;
  JSValueRef err = NULL;
  if (argc == 0)
    return reject_type(ctx, "Failed to execute 'fetch': 1 argument required, but only 0 present.");
  isl_abort_signal_t *signal = NULL;
  isl_request_t *req = make_request(ctx, argc, argv, &signal, &err);
  if (!req) return isl_promise_rejected(ctx, err);
  fetch_opts_t o;
  JSObjectRef rejected = read_options(ctx, ISL_ARG(1), req, signal, &o);
  if (rejected) return rejected;
  /* Scheme fetch: data: here, http(s) through the outbound; the URL parser lower-cased
   * the scheme. */
  const char *u = req->url;
  if (strncmp(u, "data:", 5) == 0) return fetch_data_url(ctx, req);
  if (strncmp(u, "http:", 5) != 0 && strncmp(u, "https:", 6) != 0) {
    isl_buf_t m = {0};
    isl_buf_printf(&m, "fetch(): cannot fetch '%.*s' URLs, only http:, https: and data:",
                   (int)strcspn(u, ":") + 1, u);
    isl_request_free(req);
    JSObjectRef p = reject_type(ctx, m.p);
    isl_buf_free(&m);
    return p;
  }
  isl_realm_t *r = isl_realm_of(ctx);
  if (!r->outbound) {
    isl_buf_t m = {0};
    isl_buf_printf(&m, "fetch(): this worker has no outbound service ('%s' does not exist)",
                   r->outbound_name ? r->outbound_name : "internet");
    isl_request_free(req);
    JSObjectRef p = reject_type(ctx, m.p);
    isl_buf_free(&m);
    return p;
  }
  if (!isl_subrequest_begin(ctx, &err)) {
    isl_request_free(req);
    return isl_promise_rejected(ctx, err);
  }
  return send_request(ctx, r->outbound, req, &o);
}

static void fetch_teardown(isl_realm_t *r) {
  fetch_state_t *st = r->api_state[ISL_STATE_FETCH];
  while (st->head) detach(st->head, NULL); /* each freed when its task runs or it is answered */
  free(st);
  r->api_state[ISL_STATE_FETCH] = NULL;
}

void isl_api_fetch_install(isl_realm_t *r) {
  ISL_CHECK(r->api_state[ISL_STATE_FETCH] == NULL);
  r->api_state[ISL_STATE_FETCH] = isl_calloc(1, sizeof(fetch_state_t));
  isl_realm_add_teardown(r, fetch_teardown);
  isl_define_value(r->ctx, r->global, "fetch", isl_func_new(r->ctx, "fetch", js_fetch, 1),
                   ISL_W | ISL_E | ISL_C);
}
