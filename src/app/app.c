#include "app.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/unixaddr.h"
#include "../services/disk.h"
#include "../services/external.h"
#include "../services/network.h"
#include "../worker/worker.h"

/* A service as bindings and sockets see it: a stable isl_service_t that forwards to the
 * implementation once it exists (workers are created after every slot, so bindings may
 * name services declared later, or each other). */
typedef struct {
  isl_service_t iface;
  isl_service_t *impl;
  const isl_config_service_t *cfg;
  isl_worker_t *worker;
  isl_worker_module_t *modules;
  isl_worker_binding_t *bindings;
  isl_service_t *network, *external; /* the implementation of those kinds (owned) */
  isl_service_t *disk;               /* ISL_SVC_DISK's implementation (owned) */
} slot_t;

/* A binding to a named entrypoint of a worker (`service = (name = "b", entrypoint = "E")`):
 * resolved once every worker exists, then a direct forward. */
typedef struct entry_slot {
  isl_service_t iface;
  slot_t *target;
  const char *entrypoint;
  const char *from; /* the binding's service and name, for messages */
  isl_service_t *resolved;
  struct entry_slot *next;
} entry_slot_t;

/* What a socket serves: its service, with the socket's HttpOptions applied to each
 * request and response on the way (header injection, forwardedProtoHeader). */
typedef struct {
  isl_service_t iface;
  isl_service_t *target;
  const isl_config_socket_t *cfg;
} sock_svc_t;

struct isl_app {
  uv_loop_t *loop;
  /* workerd's implicit "internet" (allow = ["public"]) when the config defines none. */
  isl_config_service_t internet;
  entry_slot_t *entries;
  sock_svc_t *socks; /* one per socket of the config */
  slot_t *slots;
  size_t nslots;
  isl_http_server_t **servers;
  size_t nservers, nrunning;
  void (*done)(void *data);
  void *done_data;
  /* `islet test CONFIG.capnp`: no sockets; each worker's tests run in config order. */
  bool test_mode;
  size_t test_next;
  int passed, failed;
  isl_worker_t *testing;
  void (*tests_done)(void *data, int passed, int failed);
  void *tests_data;
};

static void slot_fetch(isl_service_t *svc, isl_request_t *req, isl_response_cb cb, void *data) {
  slot_t *s = (slot_t *)svc;
  if (!s->impl) {
    isl_request_free(req);
    cb(data, isl_response_text(503, "Service Unavailable"));
    return;
  }
  s->impl->fetch(s->impl, req, cb, data);
}

static void entry_fetch(isl_service_t *svc, isl_request_t *req, isl_response_cb cb, void *data) {
  entry_slot_t *e = (entry_slot_t *)svc;
  if (!e->resolved) {
    isl_request_free(req);
    cb(data, isl_response_text(503, "Service Unavailable"));
    return;
  }
  e->resolved->fetch(e->resolved, req, cb, data);
}

/* workerd's HttpOptions.Header: any header of that name is removed first; a header
 * without a value is only removed. */
static void inject_headers(isl_headers_t *h, const isl_config_header_t *v, size_t n) {
  for (size_t i = 0; i < n; i++) {
    isl_headers_remove(h, v[i].name);
    if (v[i].value)
      isl_headers_add(h, v[i].name, strlen(v[i].name), v[i].value, strlen(v[i].value));
  }
}

/* forwardedProtoHeader (host style only): the client's value, when "http" or "https",
 * becomes the request URL's scheme, so a worker behind a TLS-terminating proxy sees the
 * protocol its client used. Other values are left alone. */
static void apply_forwarded_proto(isl_request_t *req, const char *header) {
  const char *proto = isl_headers_get(&req->headers, header);
  if (!proto || (strcasecmp(proto, "http") != 0 && strcasecmp(proto, "https") != 0)) return;
  const char *rest = strstr(req->url, "://");
  if (!rest) return;
  isl_buf_t url = {0};
  isl_buf_puts(&url, strcasecmp(proto, "http") == 0 ? "http" : "https");
  isl_buf_puts(&url, rest);
  free(req->url);
  req->url = isl_strdup(url.p);
  isl_buf_free(&url);
}

typedef struct {
  const isl_config_socket_t *cfg; /* outlives the app, so outlives this request too */
  isl_response_cb cb;
  void *data;
} sock_req_t;

static void sock_respond(void *data, isl_response_t *res) {
  sock_req_t *r = data;
  inject_headers(&res->headers, r->cfg->inject_response_headers,
                 r->cfg->ninject_response_headers);
  isl_response_cb cb = r->cb;
  void *cb_data = r->data;
  free(r);
  cb(cb_data, res);
}

static void sock_fetch(isl_service_t *svc, isl_request_t *req, isl_response_cb cb, void *data) {
  sock_svc_t *k = (sock_svc_t *)svc;
  const isl_config_socket_t *so = k->cfg;
  /* The client's header decides the scheme before injection can replace it. */
  if (so->forwarded_proto_header && !so->proxy_style)
    apply_forwarded_proto(req, so->forwarded_proto_header);
  inject_headers(&req->headers, so->inject_request_headers, so->ninject_request_headers);
  if (!so->ninject_response_headers) {
    k->target->fetch(k->target, req, cb, data);
    return;
  }
  sock_req_t *r = isl_calloc(1, sizeof(*r));
  *r = (sock_req_t){so, cb, data};
  k->target->fetch(k->target, req, sock_respond, r);
}

static slot_t *slot_named(isl_app_t *app, const char *name) {
  for (size_t i = 0; i < app->nslots; i++)
    if (strcmp(app->slots[i].cfg->name, name) == 0) return &app->slots[i];
  return NULL;
}

static bool start_worker(isl_app_t *app, slot_t *s, isl_buf_t *err) {
  const isl_config_service_t *c = s->cfg;
  static const isl_worker_module_kind_t mkinds[] = {
      [ISL_MOD_ESM] = ISL_WMOD_ESM,   [ISL_MOD_CJS] = ISL_WMOD_CJS,
      [ISL_MOD_TEXT] = ISL_WMOD_TEXT, [ISL_MOD_DATA] = ISL_WMOD_DATA,
      [ISL_MOD_JSON] = ISL_WMOD_JSON, [ISL_MOD_WASM] = ISL_WMOD_WASM};
  s->modules = isl_calloc(c->nmodules + 1, sizeof(*s->modules));
  for (size_t i = 0; i < c->nmodules; i++) {
    const isl_config_module_t *m = &c->modules[i];
    s->modules[i] = (isl_worker_module_t){m->name, mkinds[m->kind], m->bytes, m->len};
  }
  if (c->service_worker_script && c->nmodules) s->modules[0].kind = ISL_WMOD_CLASSIC;
  s->bindings = isl_calloc(c->nbindings + 1, sizeof(*s->bindings));
  for (size_t i = 0; i < c->nbindings; i++) {
    const isl_config_binding_t *b = &c->bindings[i];
    isl_worker_binding_t *o = &s->bindings[i];
    o->name = b->name;
    o->bytes = b->bytes;
    o->len = b->len;
    switch (b->kind) {
    case ISL_BIND_TEXT: o->kind = ISL_WBIND_TEXT; break;
    case ISL_BIND_DATA: o->kind = ISL_WBIND_DATA; break;
    case ISL_BIND_JSON: o->kind = ISL_WBIND_JSON; break;
    case ISL_BIND_WASM: o->kind = ISL_WBIND_WASM; break;
    case ISL_BIND_FROM_ENV: o->kind = ISL_WBIND_FROM_ENV; break;
    case ISL_BIND_SERVICE: {
      slot_t *t = slot_named(app, b->service);
      if (!t) {
        isl_buf_printf(err, "service '%s': binding '%s' names no service '%s'", c->name, b->name,
                       b->service);
        return false;
      }
      o->kind = ISL_WBIND_SERVICE;
      o->service = &t->iface;
      if (b->entrypoint) {
        if (t->cfg->kind != ISL_SVC_WORKER) {
          isl_buf_printf(err, "service '%s': binding '%s': service '%s' is not a worker, so it "
                              "has no entrypoint '%s'", c->name, b->name, t->cfg->name, b->entrypoint);
          return false;
        }
        entry_slot_t *e = isl_calloc(1, sizeof(*e));
        e->iface.name = b->entrypoint;
        e->iface.fetch = entry_fetch;
        e->target = t;
        e->entrypoint = b->entrypoint;
        e->from = b->name;
        e->next = app->entries;
        app->entries = e;
        o->service = &e->iface;
      }
      break;
    }
    }
  }
  /* globalOutbound: where the global fetch() sends requests; by default the service
   * named "internet" (the config's, or the implicit public network). */
  const char *ob_name = c->global_outbound ? c->global_outbound : "internet";
  slot_t *ob = slot_named(app, ob_name);
  if (c->global_outbound && !ob) {
    isl_buf_printf(err, "service '%s': globalOutbound names no service '%s'", c->name,
                   c->global_outbound);
    return false;
  }
  if (c->global_outbound_entrypoint) {
    isl_buf_printf(err, "service '%s': globalOutbound: named entrypoints are not supported yet",
                   c->name);
    return false;
  }
  isl_worker_config_t wc = {
      .loop = app->loop,
      .name = c->name,
      .modules = s->modules,
      .nmodules = c->nmodules,
      .bindings = s->bindings,
      .nbindings = c->nbindings,
      .outbound = ob ? &ob->iface : NULL,
      .outbound_name = ob_name,
      .test_mode = app->test_mode,
  };
  isl_buf_t werr = {0};
  s->worker = isl_worker_new(&wc, &werr);
  if (!s->worker) {
    isl_buf_printf(err, "service '%s': %s", c->name, werr.p ? werr.p : "failed to start");
    isl_buf_free(&werr);
    return false;
  }
  s->impl = isl_worker_service(s->worker);
  return true;
}

/* "host:port", "*:port" (every interface), "[v6]:port". (unix: addresses are taken
 * before this.) */
static bool parse_address(const char *a, char *host, size_t hostlen, int *port) {
  const char *colon = strrchr(a, ':');
  if (!colon || colon == a) return false;
  const char *h = a;
  size_t hl = (size_t)(colon - a);
  if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
    h++;
    hl -= 2;
  }
  if (hl == 1 && h[0] == '*') {
    h = "0.0.0.0";
    hl = 7;
  }
  if (hl >= hostlen) return false;
  char *end;
  long p = strtol(colon + 1, &end, 10);
  if (*end || p < 0 || p > 65535 || end == colon + 1) return false;
  memcpy(host, h, hl);
  host[hl] = 0;
  *port = (int)p;
  return true;
}

/* Frees everything; returns the protected JS values the workers leaked (see
 * isl_worker_free). */
static long free_app(isl_app_t *app) {
  long leaked = 0;
  /* Workers first: a network service answers its requests in flight when it is freed,
   * and those answers must find their workers already detached, not call into JS. */
  for (size_t i = 0; i < app->nslots; i++) {
    slot_t *s = &app->slots[i];
    s->impl = NULL;
    if (s->worker) leaked += isl_worker_free(s->worker);
  }
  for (size_t i = 0; i < app->nslots; i++) {
    slot_t *s = &app->slots[i];
    free(s->modules);
    free(s->bindings);
    isl_network_free(s->network);
    isl_external_free(s->external);
    isl_disk_service_free(s->disk);
  }
  while (app->entries) {
    entry_slot_t *e = app->entries;
    app->entries = e->next;
    free(e);
  }
  free(app->slots);
  free(app->socks);
  free(app->servers);
  free(app);
  return leaked;
}

/* Starts the HTTP server of one config socket on addr: a unix socket ("unix:PATH",
 * "unix-abstract:NAME") or host:port. */
static bool listen_socket(isl_app_t *app, const isl_config_socket_t *so, const char *addr,
                          const isl_http_limits_t *lim, isl_service_t *svc, isl_buf_t *err) {
  isl_http_server_t **out = &app->servers[app->nservers];
  char msg[512];
  if (isl_unixaddr_is(addr)) {
    if (isl_http_server_start_unix(app->loop, addr, lim, svc, out, msg, sizeof(msg)) < 0) {
      isl_buf_printf(err, "socket '%s': %s", so->name, msg);
      return false;
    }
    isl_log(ISL_LOG_INFO, "socket %s: serving '%s' on %s", so->name, so->service, addr);
    app->nservers++;
    return true;
  }
  char host[256];
  int port;
  if (!parse_address(addr, host, sizeof(host), &port)) {
    isl_buf_printf(err, "socket '%s': cannot use address '%s' (expected host:port, *:port, "
                        "[v6]:port, unix:PATH or unix-abstract:NAME)", so->name, addr);
    return false;
  }
  if (isl_http_server_start(app->loop, host, port, lim, svc, out, msg, sizeof(msg)) < 0) {
    isl_buf_printf(err, "socket '%s': cannot listen on %s: %s", so->name, addr, msg);
    return false;
  }
  isl_log(ISL_LOG_INFO, "socket %s: serving '%s' on http://%s:%d/", so->name, so->service, host,
          isl_http_server_port(*out));
  app->nservers++;
  return true;
}

static isl_app_t *app_start(uv_loop_t *loop, const isl_config_t *cfg, const isl_http_limits_t *lim,
                            const isl_socket_override_t *overrides, size_t noverrides,
                            bool test_mode, isl_buf_t *err) {
  isl_app_t *app = isl_calloc(1, sizeof(*app));
  app->loop = loop;
  app->test_mode = test_mode;
  app->nslots = cfg->nservices;
  app->slots = isl_calloc(cfg->nservices + 1, sizeof(slot_t));
  for (size_t i = 0; i < cfg->nservices; i++) app->slots[i].cfg = &cfg->services[i];
  if (!isl_config_service(cfg, "internet")) {
    /* The config's own default: allow = ["public"], which allow == NULL gives. */
    app->internet = (isl_config_service_t){.name = "internet", .kind = ISL_SVC_NETWORK};
    app->slots[app->nslots++].cfg = &app->internet;
  }
  for (size_t i = 0; i < app->nslots; i++) {
    app->slots[i].iface.name = app->slots[i].cfg->name;
    app->slots[i].iface.fetch = slot_fetch;
  }
  for (size_t i = 0; i < noverrides; i++) {
    bool found = false;
    for (size_t k = 0; k < cfg->nsockets; k++)
      if (strcmp(cfg->sockets[k].name, overrides[i].name) == 0) found = true;
    if (!found) {
      isl_buf_printf(err, "-s %s=%s: the config has no socket named '%s'", overrides[i].name,
                     overrides[i].address, overrides[i].name);
      goto fail;
    }
  }
  for (size_t i = 0; i < app->nslots; i++) {
    slot_t *s = &app->slots[i];
    if (s->cfg->kind == ISL_SVC_NETWORK) {
      /* Bad allow/deny entries stop startup here rather than at the first fetch. The
       * config has already supplied the default allow list, so an empty one is explicit
       * (nothing allowed) and must not reach netpolicy as NULL (its "use the default"). */
      static const char *const no_entries[1];
      char msg[512];
      const char *const *allow = s->cfg->allow ? (const char *const *)s->cfg->allow : no_entries;
      if (s->cfg == &app->internet) allow = NULL; /* netpolicy's default: ["public"] */
      isl_netpolicy_t *policy =
          isl_netpolicy_new(allow, s->cfg->nallow,
                            (const char *const *)s->cfg->deny, s->cfg->ndeny, msg, sizeof(msg));
      if (!policy) {
        isl_buf_printf(err, "service '%s': %s", s->cfg->name, msg);
        goto fail;
      }
      s->impl = s->network = isl_network_new(loop, s->cfg->name, policy);
      continue;
    }
    if (s->cfg->kind == ISL_SVC_EXTERNAL) {
      isl_external_config_t ec = {s->cfg->name, s->cfg->address, s->cfg->http_proxy_style,
                                  s->cfg->http_forwarded_proto_header};
      s->impl = s->external = isl_external_new(loop, &ec, err);
      if (!s->external) goto fail;
      continue;
    }
    if (s->cfg->kind == ISL_SVC_DISK) {
      char msg[512];
      s->impl = s->disk = isl_disk_service_new(s->cfg->path, s->cfg->writable,
                                               s->cfg->allow_dotfiles, msg, sizeof(msg));
      if (!s->disk) {
        isl_buf_printf(err, "service '%s': %s", s->cfg->name, msg);
        goto fail;
      }
      continue;
    }
    /* Every other kind was handled above: this is a worker. */
    if (!start_worker(app, s, err)) goto fail;
  }
  /* Named entrypoints, now that every worker has loaded its code. */
  for (entry_slot_t *e = app->entries; e; e = e->next) {
    if (!e->target->worker) continue;
    e->resolved = isl_worker_entrypoint(e->target->worker, e->entrypoint, err);
    if (!e->resolved) {
      isl_buf_printf(err, " (named by binding '%s')", e->from);
      goto fail;
    }
  }
  app->servers = isl_calloc(cfg->nsockets + 1, sizeof(*app->servers));
  app->socks = isl_calloc(cfg->nsockets + 1, sizeof(*app->socks));
  for (size_t i = 0; i < (test_mode ? 0 : cfg->nsockets); i++) {
    const isl_config_socket_t *so = &cfg->sockets[i];
    const char *addr = so->address;
    for (size_t k = 0; k < noverrides; k++)
      if (strcmp(overrides[k].name, so->name) == 0) addr = overrides[k].address;
    /* style = proxy needs nothing more: the HTTP server already takes an absolute-form
     * target (GET http://example.com/path) as the request URL, in either style. */
    slot_t *t = slot_named(app, so->service);
    if (!t) {
      isl_buf_printf(err, "socket '%s' names no service '%s'", so->name, so->service);
      goto fail;
    }
    sock_svc_t *k = &app->socks[i];
    *k = (sock_svc_t){{so->service, sock_fetch}, &t->iface, so};
    if (!listen_socket(app, so, addr, lim, &k->iface, err)) goto fail;
  }
  return app;
fail:
  if (app->nservers) {
    /* Servers already listening: stop them, then free (the loop finishes them). */
    isl_app_stop(app, NULL, NULL);
    return NULL;
  }
  free_app(app);
  return NULL;
}

isl_app_t *isl_app_start(uv_loop_t *loop, const isl_config_t *cfg, const isl_http_limits_t *lim,
                         const isl_socket_override_t *overrides, size_t noverrides, isl_buf_t *err) {
  return app_start(loop, cfg, lim, overrides, noverrides, false, err);
}

isl_app_t *isl_app_start_tests(uv_loop_t *loop, const isl_config_t *cfg, isl_buf_t *err) {
  isl_http_limits_t lim;
  isl_http_limits_default(&lim);
  return app_start(loop, cfg, &lim, NULL, 0, true, err);
}

static void run_next_worker(isl_app_t *app);

static void on_worker_tests_done(void *data, int passed, int failed) {
  isl_app_t *app = data;
  app->passed += passed;
  app->failed += failed;
  app->testing = NULL;
  run_next_worker(app);
}

static void run_next_worker(isl_app_t *app) {
  while (app->test_next < app->nslots) {
    slot_t *s = &app->slots[app->test_next++];
    if (!s->worker) continue;
    app->testing = s->worker;
    isl_worker_run_tests(s->worker, on_worker_tests_done, app);
    return;
  }
  app->tests_done(app->tests_data, app->passed, app->failed);
}

void isl_app_run_tests(isl_app_t *app, void (*done)(void *data, int passed, int failed),
                       void *data) {
  app->tests_done = done;
  app->tests_data = data;
  run_next_worker(app);
}

bool isl_app_tests_stalled(isl_app_t *app) {
  return app->testing && isl_worker_tests_stalled(app->testing);
}

long isl_app_free(isl_app_t *app) {
  return free_app(app);
}

static void on_server_stopped(void *data) {
  isl_app_t *app = data;
  if (--app->nrunning > 0) return;
  void (*done)(void *) = app->done;
  void *dd = app->done_data;
  free_app(app);
  if (done) done(dd);
}

void isl_app_stop(isl_app_t *app, void (*done)(void *data), void *data) {
  app->done = done;
  app->done_data = data;
  app->nrunning = app->nservers;
  if (app->nservers == 0) {
    free_app(app);
    if (done) done(data);
    return;
  }
  for (size_t i = 0; i < app->nservers; i++) isl_http_server_shutdown(app->servers[i], on_server_stopped, app);
}
