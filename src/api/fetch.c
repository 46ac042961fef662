/* The global fetch() (https://fetch.spec.whatwg.org/#fetch-method) and the in-memory
 * call that it shares with service bindings (isl_fetch_to_service).
 *
 * A worker reaches nothing it was not given: fetch() sends every request to the worker's
 * globalOutbound (realm->outbound), which is another service of the config (a worker, an
 * external server) reached in memory. When the outbound is a network service — the
 * default, workerd's implicit "internet" — the promise rejects, because outbound network
 * requests do not exist yet (issue 6). data: URLs are not supported yet either.
 *
 * A call in flight is a call_t on the realm's list (api_state[ISL_STATE_FETCH]). The
 * service may answer after the worker is gone (e.g. a waitUntil() fetch to a slow
 * backend at shutdown): teardown releases the resolver and detaches each call, and a
 * detached call only frees what it is handed. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../loop/task.h"
#include "fetch.h"
#include "fetch_api.h"

typedef struct call call_t;
struct call {
  isl_service_t *svc;
  isl_request_t *req;
  isl_response_t *res;  /* the answer, while its delivery waits for the next turn */
  isl_realm_t *realm;   /* NULL once detached by teardown */
  JSObjectRef resolve;  /* protected while attached */
  isl_budget_t *budget; /* the request that made the call (a reference), or NULL */
  call_t *prev, *next;
};

typedef struct {
  call_t *head;
} fetch_state_t;

static void unlink_call(fetch_state_t *st, call_t *c) {
  if (c->prev) c->prev->next = c->next;
  else st->head = c->next;
  if (c->next) c->next->prev = c->prev;
  c->prev = c->next = NULL;
}

static void call_free(call_t *c) {
  isl_budget_unref(c->budget);
  free(c);
}

/* Resolves the call's promise. What runs then (the caller's continuation) runs on behalf
 * of the request that made the call, even if that one is over by now: other requests may
 * await the same promise. */
static void deliver(void *data) {
  call_t *c = data;
  isl_response_t *res = c->res;
  isl_realm_t *r = c->realm;
  c->res = NULL;
  if (!r) {
    isl_response_free(res);
    call_free(c);
    return;
  }
  unlink_call(r->api_state[ISL_STATE_FETCH], c);
  JSContextRef ctx = r->ctx;
  isl_run_t run;
  isl_run_begin(r, c->budget, &run);
  JSValueRef v = isl_response_from_c(ctx, res);
  isl_call(ctx, c->resolve, NULL, 1, &v, NULL);
  isl_run_end(r, &run);
  isl_unprotect(ctx, c->resolve);
  call_free(c);
}

static void on_response(void *data, isl_response_t *res) {
  call_t *c = data;
  c->res = res;
  /* A worker may answer from inside its own run of JS: the caller's JS runs after it. */
  isl_after_runs(deliver, c);
}

static void run_call(void *data) {
  call_t *c = data;
  isl_request_t *req = c->req;
  c->req = NULL;
  if (!c->realm) {
    isl_request_free(req);
    call_free(c);
    return;
  }
  c->svc->fetch(c->svc, req, on_response, c);
}

/* new Request(input, init) gives fetch() the same argument rules as the Request
 * constructor (fetch step 2). NULL with *err set if it threw. */
static isl_request_t *make_request(JSContextRef ctx, size_t argc, const JSValueRef argv[],
                                   JSValueRef *err) {
  JSObjectRef ctor = (JSObjectRef)isl_global(ctx, "Request");
  JSValueRef args[2] = {ISL_ARG(0), ISL_ARG(1)};
  JSObjectRef request = JSObjectCallAsConstructor(ctx, ctor, argc > 1 ? 2 : 1, args, err);
  return request ? isl_request_to_c(ctx, request, err) : NULL;
}

static JSObjectRef send_request(JSContextRef ctx, isl_service_t *svc, isl_request_t *req) {
  isl_realm_t *r = isl_realm_of(ctx);
  fetch_state_t *st = r->api_state[ISL_STATE_FETCH];
  call_t *c = isl_calloc(1, sizeof(*c));
  c->svc = svc;
  c->req = req;
  c->realm = r;
  c->budget = r->current;
  isl_budget_ref(c->budget);
  JSObjectRef reject;
  JSObjectRef p = isl_promise_new(ctx, &c->resolve, &reject);
  isl_protect(ctx, c->resolve);
  c->next = st->head;
  if (st->head) st->head->prev = c;
  st->head = c;
  isl_task_post(r->loop, run_call, c);
  return p;
}

JSObjectRef isl_fetch_to_service(JSContextRef ctx, isl_service_t *svc, size_t argc,
                                 const JSValueRef argv[], JSValueRef *exc) {
  (void)exc; /* failures reject the promise */
  JSValueRef err = NULL;
  isl_request_t *req = make_request(ctx, argc, argv, &err);
  if (!req) return isl_promise_rejected(ctx, err);
  if (!isl_subrequest_begin(ctx, &err)) {
    isl_request_free(req);
    return isl_promise_rejected(ctx, err);
  }
  return send_request(ctx, svc, req);
}

static JSObjectRef reject_type(JSContextRef ctx, const char *msg) {
  return isl_promise_rejected(ctx, isl_error_new(ctx, "TypeError", msg));
}

static JSValueRef js_fetch(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                           const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)this_obj, (void)exc;
  JSValueRef err = NULL;
  if (argc == 0)
    return reject_type(ctx, "Failed to execute 'fetch': 1 argument required, but only 0 present.");
  isl_request_t *req = make_request(ctx, argc, argv, &err);
  if (!req) return isl_promise_rejected(ctx, err);
  /* Scheme fetch: islet serves http(s) only; the URL parser lower-cased the scheme. */
  const char *u = req->url;
  bool http = strncmp(u, "http:", 5) == 0 || strncmp(u, "https:", 6) == 0;
  if (!http) {
    isl_buf_t m = {0};
    if (strncmp(u, "data:", 5) == 0)
      isl_buf_puts(&m, "fetch(): data: URLs are not supported yet");
    else
      isl_buf_printf(&m, "fetch(): cannot fetch '%.*s' URLs, only http: and https:",
                     (int)strcspn(u, ":") + 1, u);
    isl_request_free(req);
    JSObjectRef p = reject_type(ctx, m.p);
    isl_buf_free(&m);
    return p;
  }
  isl_realm_t *r = isl_realm_of(ctx);
  if (!r->outbound) {
    isl_buf_t m = {0};
    isl_buf_printf(&m,
                   "fetch(): outbound network requests are not supported yet; this worker's "
                   "globalOutbound is the network service '%s'",
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
  return send_request(ctx, r->outbound, req);
}

static void fetch_teardown(isl_realm_t *r) {
  fetch_state_t *st = r->api_state[ISL_STATE_FETCH];
  while (st->head) {
    call_t *c = st->head;
    unlink_call(st, c);
    isl_unprotect(r->ctx, c->resolve);
    c->resolve = NULL;
    c->realm = NULL; /* freed when the task runs or the service answers */
  }
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
