/* The network service (see network.h): requests go out through the HTTP client
 * (http_client.h), whose every connection this service's policy allows first.
 *
 * Until bodies stream, the request body is a source over the request's bytes and the
 * response sink appends each chunk to a buffer, which becomes the response's body when the
 * transfer is done. The streams work replaces these two with a stream on each side. */
#include "network.h"

#include <stdlib.h>
#include <string.h>

#include "http_client.h"

typedef struct {
  isl_service_t svc; /* first: the service pointer is the struct's */
  uv_loop_t *loop;
  char *name;
  isl_netpolicy_t *policy;
  isl_http_client_t *client; /* made at the first request */
} network_t;

/* One request in flight. */
typedef struct {
  network_t *n;
  isl_http_transfer_t *transfer; /* NULL once done */
  isl_body_t *body;              /* the request body (a reference), read from `sent` on */
  size_t sent;
  isl_cancel_t *cancel;
  isl_response_t *res; /* from the head on */
  isl_buf_t bytes;     /* the response body so far */
  bool too_large;
  isl_response_cb cb;
  void *cb_data;
} net_req_t;

static size_t body_read(void *data, char *buf, size_t n) {
  net_req_t *q = data;
  size_t left = q->body->len - q->sent;
  if (n > left) n = left;
  memcpy(buf, q->body->data + q->sent, n);
  q->sent += n;
  return n;
}

static bool body_rewind(void *data) {
  ((net_req_t *)data)->sent = 0;
  return true;
}

static void sink_head(void *data, int status, const char *reason, isl_headers_t *headers) {
  net_req_t *q = data;
  q->res = isl_response_new(status);
  if (*reason) q->res->status_text = isl_strdup(reason);
  q->res->headers = *headers;
  *headers = (isl_headers_t){0};
}

static bool sink_chunk(void *data, const char *p, size_t n) {
  net_req_t *q = data;
  if (q->bytes.len + n > ISL_NETWORK_MAX_BODY) {
    q->too_large = true;
    return false;
  }
  isl_buf_append(&q->bytes, p, n);
  return true;
}

static void answer(net_req_t *q, isl_response_t *res) {
  if (q->cancel) {
    isl_cancel_on(q->cancel, NULL, NULL);
    isl_cancel_unref(q->cancel);
  }
  isl_body_unref(q->body);
  isl_buf_free(&q->bytes);
  isl_response_cb cb = q->cb;
  void *cb_data = q->cb_data;
  free(q);
  cb(cb_data, res);
}

static void sink_done(void *data, const char *error) {
  net_req_t *q = data;
  q->transfer = NULL;
  isl_response_t *res = q->res;
  q->res = NULL;
  if (q->too_large) {
    isl_buf_t m = {0};
    isl_buf_printf(&m, "the response body is larger than %zu bytes, which islet cannot hold "
                       "yet (bodies do not stream)", (size_t)ISL_NETWORK_MAX_BODY);
    isl_response_free(res);
    res = isl_response_network_error(m.p);
    isl_buf_free(&m);
  } else if (error) {
    isl_response_free(res);
    res = isl_response_network_error(error);
  } else if (q->bytes.len) {
    size_t len = q->bytes.len;
    res->body = isl_body_new(isl_buf_take(&q->bytes), len);
  }
  answer(q, res);
}

static const isl_http_source_t body_source = {.read = body_read, .rewind = body_rewind};
static const isl_http_sink_t buffer_sink = {
    .head = sink_head, .chunk = sink_chunk, .done = sink_done};

static void on_cancel(void *data) {
  net_req_t *q = data;
  if (q->transfer) isl_http_transfer_cancel(q->transfer, "The operation was aborted");
}

static bool policy_allows(void *data, const struct sockaddr *addr) {
  return isl_netpolicy_allows(data, addr);
}

/* Nothing is logged per request: a config that routes traffic here would flood the log. */
static void network_fetch(isl_service_t *svc, isl_request_t *req, isl_response_cb cb, void *data) {
  network_t *n = (network_t *)svc;
  const char *u = req->url;
  if (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0) {
    isl_buf_t m = {0};
    isl_buf_printf(&m, "network service '%s' fetches only http: and https: URLs, not '%.*s'",
                   n->name, (int)strcspn(u, ":") + 1, u);
    isl_request_free(req);
    cb(data, isl_response_network_error(m.p));
    isl_buf_free(&m);
    return;
  }
  if (req->cancel && req->cancel->fired) {
    isl_request_free(req);
    cb(data, isl_response_network_error("The operation was aborted"));
    return;
  }
  if (!n->client) {
    char err[300];
    n->client = isl_http_client_new(n->loop, n->name, policy_allows, n->policy, err, sizeof(err));
    if (!n->client) {
      isl_request_free(req);
      cb(data, isl_response_network_error(err));
      return;
    }
  }
  net_req_t *q = isl_calloc(1, sizeof(*q));
  q->n = n;
  q->cb = cb;
  q->cb_data = data;
  q->body = req->body;
  req->body = NULL;
  q->cancel = req->cancel;
  req->cancel = NULL;
  if (q->cancel) isl_cancel_on(q->cancel, on_cancel, q);
  isl_http_request_t hr = {
      .method = req->method,
      .url = req->url,
      .headers = &req->headers,
      .source = q->body ? &body_source : NULL,
      .source_data = q,
      .length = q->body ? (int64_t)q->body->len : 0,
      .raw_encoding = req->raw_encoding,
      .sink = &buffer_sink,
      .sink_data = q,
  };
  /* isl_http_start may finish (and free q) before it returns; it copies what it needs of
   * req, which is freed only after. */
  isl_http_transfer_t *t = isl_http_start(n->client, &hr);
  if (t) q->transfer = t;
  isl_request_free(req);
}

isl_service_t *isl_network_new(uv_loop_t *loop, const char *name, isl_netpolicy_t *policy) {
  network_t *n = isl_calloc(1, sizeof(*n));
  n->loop = loop;
  n->name = isl_strdup(name);
  n->policy = policy;
  n->svc.name = n->name;
  n->svc.fetch = network_fetch;
  return &n->svc;
}

void isl_network_free(isl_service_t *svc) {
  if (!svc) return;
  network_t *n = (network_t *)svc;
  isl_http_client_free(n->client); /* answers requests still in flight */
  free(n->name);
  isl_netpolicy_free(n->policy);
  free(n);
}
