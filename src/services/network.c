/* The network service (see network.h): requests go out through the HTTP client
 * (http_client.h), whose every connection this service's policy allows first.
 *
 * Bodies stream both ways (message.h's streaming bodies):
 * - The response is answered as soon as its head arrives, with a streaming body whose
 *   chunks are the client's sink chunks. When the body's reader pauses, or more than
 *   NET_DOWN_HIGH_WATER bytes wait, the transfer stops taking data from the socket
 *   (isl_http_transfer_pause) until the reader wants more. A few bytes that came with the
 *   head are pushed before answering, so they can leave with the head in one write.
 * - A request body that is a stream is read as curl sends it: chunks are kept (up to
 *   NET_HIGH_WATER, then the body is paused) and handed to curl's read callback, which
 *   pauses the transfer when nothing is there yet.
 * curl's callbacks only keep bytes and set flags: everything that may call out (answering
 * the caller, pushing into the response body, resuming or cancelling a body or the
 * transfer) happens in one "kick" task on the loop's next turn, never inside curl, whose
 * functions must not be re-entered, and never inside a worker's JS. */
#include "network.h"

#include <stdlib.h>
#include <string.h>

#include "../loop/task.h"
#include "http_client.h"

/* Request body bytes kept for curl before the body is paused. */
#define NET_HIGH_WATER (256 * 1024)
/* Response bytes received and not yet pushed before the transfer is paused. Both are
 * well above one read's worth: every pause and resume costs system calls (a socket
 * leaves and rejoins a poll set), and a side that keeps up never gets near them. */
#define NET_DOWN_HIGH_WATER (256 * 1024)
/* Response bytes that may go out with the head in one write (see kick_response). */
#define NET_WITH_HEAD (16 * 1024)

typedef struct {
  isl_service_t svc; /* first: the service pointer is the struct's */
  uv_loop_t *loop;
  char *name;
  isl_netpolicy_t *policy;
  isl_http_client_t *client; /* made at the first request */
} network_t;

/* One request in flight. Freed when nothing holds it: the transfer (until done), the
 * response body's source (until it ends or is canceled), the request body's reading
 * (until it ends or is canceled), a posted kick. */
typedef struct {
  int holds;
  uv_loop_t *loop;
  isl_http_transfer_t *transfer; /* NULL once done */
  isl_cancel_t *cancel;
  isl_response_cb cb; /* NULL once answered */
  void *cb_data;
  bool kick_posted;
  /* The request body: complete bytes (read from `sent` on), or a stream read into `up`. */
  isl_body_t *body;
  size_t sent; /* bytes handed to curl */
  bool up_stream, up_reading, up_paused, up_ended, read_paused;
  char *up_error;
  isl_buf_t up;
  size_t up_off;
  /* The response. */
  isl_response_t *res;    /* the head, until it is answered */
  isl_body_t *down;       /* the response body's handle (a stream), NULL once it ended */
  isl_buf_t down_buf;     /* received, not pushed yet */
  bool down_paused;       /* the body's reader wants no more for now */
  bool down_canceled;     /* the body's reader gave up: the transfer is not wanted */
  bool head_only;         /* HEAD, 204, 304: no body follows */
  bool done;              /* the transfer finished; done_error says how */
  char *done_error;
} net_req_t;

static void kick(void *data);

static void hold(net_req_t *q) { q->holds++; }

static void release(net_req_t *q) {
  if (--q->holds > 0) return;
  if (q->cancel) {
    isl_cancel_on(q->cancel, NULL, NULL);
    isl_cancel_unref(q->cancel);
  }
  isl_body_unref(q->body);
  isl_response_free(q->res);
  isl_buf_free(&q->up);
  isl_buf_free(&q->down_buf);
  free(q->up_error);
  free(q->done_error);
  free(q);
}

static void post_kick(net_req_t *q) {
  if (q->kick_posted) return;
  q->kick_posted = true;
  hold(q);
  isl_task_post(q->loop, kick, q);
}

/* ---- The request body --------------------------------------------------------------------- */

/* Complete bytes: copied out as curl asks. */
static size_t bytes_read(void *data, char *buf, size_t n) {
  net_req_t *q = data;
  size_t left = q->body->len - q->sent;
  if (n > left) n = left;
  memcpy(buf, q->body->data + q->sent, n);
  q->sent += n;
  return n;
}

static bool bytes_rewind(void *data) {
  ((net_req_t *)data)->sent = 0;
  return true;
}

/* A stream: what has arrived so far; a pause when nothing has and the body goes on. */
static size_t stream_read(void *data, char *buf, size_t n) {
  net_req_t *q = data;
  size_t left = q->up.len - q->up_off;
  if (left == 0) {
    if (q->up_ended && !q->up_error) return 0;
    q->read_paused = true; /* resumed by the kick once there are bytes (or the end) */
    if (q->up_paused || q->up_error) post_kick(q);
    return ISL_HTTP_READ_PAUSE;
  }
  if (n > left) n = left;
  memcpy(buf, q->up.p + q->up_off, n);
  q->up_off += n;
  q->sent += n;
  if (q->up_off == q->up.len) q->up.len = q->up_off = 0;
  if (q->up_paused && q->up.len - q->up_off < NET_HIGH_WATER / 2) post_kick(q);
  return n;
}

/* Sending again from the start is possible only while nothing was handed to curl. */
static bool stream_rewind(void *data) { return ((net_req_t *)data)->sent == 0; }

static bool up_chunk(void *data, isl_body_t *b, const char *p, size_t n) {
  (void)b;
  net_req_t *q = data;
  /* What curl took is dropped first, once it is at least as much as what is left, so
   * the buffer never outgrows about twice the high-water mark (a body curl reads as
   * fast as it comes is rarely drained to empty). */
  size_t left = q->up.len - q->up_off;
  if (q->up_off && q->up_off >= left) {
    memmove(q->up.p, q->up.p + q->up_off, left);
    q->up.len = left;
    q->up_off = 0;
  }
  isl_buf_append(&q->up, p, n);
  if (q->read_paused) post_kick(q);
  q->up_paused = q->up.len - q->up_off >= NET_HIGH_WATER;
  return !q->up_paused;
}

static void up_end(void *data, isl_body_t *b, const char *error) {
  (void)b;
  net_req_t *q = data;
  q->up_ended = true;
  q->up_reading = false;
  if (error) q->up_error = isl_strdup(error);
  post_kick(q);
  release(q); /* the reading's hold */
}

static const isl_body_sink_t up_sink = {.chunk = up_chunk, .end = up_end};
static const isl_http_source_t bytes_source = {.read = bytes_read, .rewind = bytes_rewind};
static const isl_http_source_t stream_source = {.read = stream_read, .rewind = stream_rewind};

/* ---- The response body -------------------------------------------------------------------- */

static void down_flow(isl_body_t *b, void *data) {
  (void)b;
  net_req_t *q = data;
  q->down_paused = false;
  post_kick(q);
}

static void down_cancel(isl_body_t *b, void *data, const char *reason) {
  (void)b, (void)reason;
  net_req_t *q = data;
  q->down = NULL;
  q->down_canceled = true;
  post_kick(q); /* stops the transfer */
  release(q);   /* the body source's hold */
}

static const isl_body_source_t down_source = {.flow = down_flow, .cancel = down_cancel};

static bool no_body_status(int s) { return s < 200 || s == 204 || s == 304; }

static void sink_head(void *data, int status, const char *reason, isl_headers_t *headers) {
  net_req_t *q = data;
  isl_response_t *res = isl_response_new(status);
  if (*reason) res->status_text = isl_strdup(reason);
  res->headers = *headers;
  *headers = (isl_headers_t){0};
  if (!q->head_only && !no_body_status(status)) {
    /* The length when the server said it (and it was not decoded: then it is gone). */
    const char *cl = isl_headers_get(&res->headers, "content-length");
    char *end = NULL;
    long long len = cl ? strtoll(cl, &end, 10) : -1;
    if (!cl || *end || len < 0) len = ISL_BODY_LENGTH_UNKNOWN;
    hold(q); /* the body source's */
    q->down = res->body = isl_body_stream_new(&down_source, q, len);
  }
  q->res = res;
  post_kick(q);
}

static bool sink_chunk(void *data, const char *p, size_t n) {
  net_req_t *q = data;
  if (!q->down) return false; /* nobody reads: stop */
  if (!q->down_buf.cap) {
    /* Room for what will arrive before the next kick, at once: growing the buffer step
     * by step would copy it each time. */
    int64_t len = isl_body_length(q->down);
    size_t want = NET_DOWN_HIGH_WATER + 64 * 1024;
    isl_buf_reserve(&q->down_buf, len >= 0 && (uint64_t)len < want ? (size_t)len : want);
  }
  isl_buf_append(&q->down_buf, p, n);
  if (q->down_paused || q->down_buf.len >= NET_DOWN_HIGH_WATER) isl_http_transfer_pause(q->transfer);
  post_kick(q);
  return true;
}

static void sink_done(void *data, const char *error) {
  net_req_t *q = data;
  q->transfer = NULL;
  q->done = true;
  if (error) q->done_error = isl_strdup(error);
  post_kick(q);
  release(q); /* the transfer's hold */
}

static const isl_http_sink_t stream_sink = {
    .head = sink_head, .chunk = sink_chunk, .done = sink_done};

/* ---- The kick: everything that calls out ------------------------------------------------ */

static void answer(net_req_t *q, isl_response_t *res) {
  isl_response_cb cb = q->cb;
  q->cb = NULL;
  cb(q->cb_data, res);
}

static void kick_request_body(net_req_t *q) {
  if (!q->up_stream) return;
  if (q->transfer && q->up_error) {
    isl_buf_t m = {0};
    isl_buf_printf(&m, "the request body failed: %s", q->up_error);
    isl_http_transfer_cancel(q->transfer, m.p); /* done() comes back: the kick posted */
    isl_buf_free(&m);
    return;
  }
  if (q->transfer && q->read_paused && (q->up.len > q->up_off || q->up_ended)) {
    q->read_paused = false;
    isl_http_transfer_resume(q->transfer);
  }
  if (q->up_reading && q->up_paused && q->up.len - q->up_off < NET_HIGH_WATER / 2) {
    q->up_paused = false;
    isl_body_resume(q->body);
  }
  if (!q->transfer && q->up_reading) {
    /* The exchange is over: the rest of the request body is not wanted. */
    q->up_reading = false;
    isl_body_cancel(q->body, "the request to the network ended");
    release(q);
  }
}

/* Pushes the response bytes received so far. The buffer is taken out first (curl is not
 * called meanwhile, but the reader may resume the body), and kept for the next ones. */
static void push_received(net_req_t *q) {
  if (!q->down || !q->down_buf.len) return;
  isl_buf_t b = q->down_buf;
  q->down_buf = (isl_buf_t){0};
  isl_push_t r = isl_body_push(q->down, b.p, b.len);
  if (!q->down_buf.p && b.cap <= 2 * NET_DOWN_HIGH_WATER) {
    b.len = 0;
    q->down_buf = b;
  } else {
    isl_buf_free(&b);
  }
  if (r == ISL_PUSH_CANCELED) {
    q->down = NULL;
    q->down_canceled = true;
    release(q); /* the body source's hold: canceled inside the push, no cancel() */
  } else if (r == ISL_PUSH_PAUSE) {
    q->down_paused = true;
  }
}

static void kick_response(net_req_t *q) {
  /* A few bytes that arrived with the head are pushed before the head is answered: the
   * body keeps them for its reader (a copy), so the HTTP server can send the head and the
   * first bytes in one write. More than that goes after, straight to the reader. */
  if (q->cb && q->res && q->down_buf.len <= NET_WITH_HEAD) push_received(q);
  if (q->cb && q->res) {
    isl_response_t *res = q->res;
    q->res = NULL;
    answer(q, res);
  }
  if (q->cb && q->done) {
    /* Done before any head: a network error. */
    answer(q, isl_response_network_error(q->done_error ? q->done_error : "no response"));
    return;
  }
  push_received(q);
  if (q->down && q->done && !q->down_buf.len) {
    isl_body_t *b = q->down;
    q->down = NULL;
    isl_body_end(b, q->done_error);
    release(q);
    return;
  }
  if (q->transfer && q->down_canceled) {
    /* The response body's reader gave up: the transfer is not wanted any more. */
    isl_http_transfer_cancel(q->transfer, "the response body was canceled");
    return;
  }
  if (q->transfer && q->down && !q->down_paused && q->down_buf.len < NET_DOWN_HIGH_WATER)
    isl_http_transfer_resume(q->transfer);
}

static void kick(void *data) {
  net_req_t *q = data;
  q->kick_posted = false;
  hold(q);
  kick_request_body(q);
  kick_response(q);
  release(q);
  release(q); /* the posted kick's hold */
}

/* ---- The service -------------------------------------------------------------------------- */

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
  q->holds = 2; /* the transfer's, and ours until this returns */
  q->loop = n->loop;
  q->cb = cb;
  q->cb_data = data;
  q->body = req->body;
  req->body = NULL;
  q->up_stream = isl_body_is_stream(q->body);
  q->head_only = strcmp(req->method, "HEAD") == 0;
  q->cancel = req->cancel;
  req->cancel = NULL;
  if (q->cancel) isl_cancel_on(q->cancel, on_cancel, q);
  isl_http_request_t hr = {
      .method = req->method,
      .url = req->url,
      .headers = &req->headers,
      .source = !q->body ? NULL : q->up_stream ? &stream_source : &bytes_source,
      .source_data = q,
      .length = isl_body_length(q->body),
      .raw_encoding = req->raw_encoding,
      .sink = &stream_sink,
      .sink_data = q,
  };
  if (q->up_stream) {
    /* Read from now on: the first chunks wait in `up` for curl to ask. */
    hold(q);
    q->up_reading = true;
    if (!isl_body_read(q->body, &up_sink, q)) {
      q->up_reading = false;
      q->up_ended = true;
      q->up_error = isl_strdup("the body was already read");
      release(q);
    }
  }
  /* isl_http_start may finish (calling done) before it returns; it copies what it needs
   * of req, which is freed only after. */
  isl_http_transfer_t *t = isl_http_start(n->client, &hr);
  if (t && !q->done) q->transfer = t;
  isl_request_free(req);
  release(q);
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
  isl_http_client_free(n->client); /* ends the transfers still in flight */
  free(n->name);
  isl_netpolicy_free(n->policy);
  free(n);
}
