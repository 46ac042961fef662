/* The outbound HTTP client: libcurl's multi-socket interface driven by a libuv loop
 * (sockets watched with uv_poll_t, curl's timeout with a uv_timer_t). HTTP/1.1, and
 * HTTP/2 over TLS where the server offers it (ALPN); TLS verified against the system CA
 * store; connections kept and reused between requests of the same client. No JavaScript.
 *
 * What the client does not do, because fetch() does it above the service (src/api/fetch.c):
 * redirects (curl never follows one), data: URLs, CORS. It never uses a proxy from the
 * environment, and speaks only http: and https:.
 *
 * Every address is checked before connecting, after DNS: the client's `allow` function
 * (a network service's allow/deny policy) sees each resolved address curl is about to
 * connect to, and a refusal becomes the network error "address A is not allowed by network
 * service 'N'". A connection in the pool was checked when it was opened; a client serves
 * one policy, so reusing it never crosses policies.
 *
 * Bodies go through a seam meant for streams: the request body is pulled from a source
 * (read() may say "not yet", and isl_http_transfer_resume() restarts it), and the response
 * is pushed to a sink: the head once, then the body in chunks, then done. The response body
 * is decoded from its Content-Encoding (gzip, deflate, br; see decode.h) unless the request
 * asks for it raw; a decoded response loses its Content-Encoding and Content-Length headers
 * (they described the bytes on the wire). */
#ifndef ISL_HTTP_CLIENT_H
#define ISL_HTTP_CLIENT_H

#include <sys/socket.h>
#include <uv.h>

#include "../base/message.h"

typedef struct isl_http_client isl_http_client_t;
typedef struct isl_http_transfer isl_http_transfer_t;

/* Whether the client may connect to addr (AF_INET or AF_INET6, with its port). */
typedef bool (*isl_http_allow_fn)(void *data, const struct sockaddr *addr);

/* Connection attempts that have not completed after this long fail (connect ETIMEDOUT).
 * There is no limit on a whole request, as in workerd: a caller gives up by cancelling. */
#define ISL_HTTP_CONNECT_TIMEOUT_MS 30000

/* A client on loop. name is the network service's, for messages (copied). allow may be
 * NULL (every address allowed). NULL with a message in err when libcurl cannot be loaded
 * (it is loaded on first use: src/services/curl_dl.h). */
isl_http_client_t *isl_http_client_new(uv_loop_t *loop, const char *name, isl_http_allow_fn allow,
                                       void *allow_data, char *err, size_t errlen);
/* Ends every transfer still in flight (each sink's done() gets an error), closes the
 * pooled connections, and frees the client once its libuv handles have closed. */
void isl_http_client_free(isl_http_client_t *c);

/* read() returns this when no body bytes are ready yet: the transfer pauses until
 * isl_http_transfer_resume(). */
#define ISL_HTTP_READ_PAUSE ((size_t)-1)

typedef struct {
  /* Copies up to n bytes of the request body into buf; returns the count, 0 at the end,
   * or ISL_HTTP_READ_PAUSE. */
  size_t (*read)(void *data, char *buf, size_t n);
  /* Starts the body again from its first byte, for when curl must send the request again
   * (a reused connection that turned out closed). false if it cannot; NULL: never. */
  bool (*rewind)(void *data);
} isl_http_source_t;

typedef struct {
  /* The final response's head (1xx responses are skipped). reason may be "" (HTTP/2 has
   * none). headers are handed over (the sink owns them), hop-by-hop fields removed. */
  void (*head)(void *data, int status, const char *reason, isl_headers_t *headers);
  /* Body bytes, decoded unless the request asked for them raw. Returning false stops the
   * transfer; done() then reports an error, which the sink may replace with its own. */
  bool (*chunk)(void *data, const char *p, size_t n);
  /* Called exactly once, last: error is NULL when the whole response arrived, else the
   * network error ("connect ECONNREFUSED 127.0.0.1:9", "DNS lookup failed for x", …). The
   * transfer handle is invalid from then on. */
  void (*done)(void *data, const char *error);
} isl_http_sink_t;

typedef struct {
  const char *method; /* as given; HEAD asks for no body */
  const char *url;    /* absolute http: or https: URL */
  const isl_headers_t *headers;
  /* The request body: NULL source means none. length -1 when unknown (HTTP/1.1 sends it
   * chunked). A POST or PUT without a body is sent with Content-Length: 0. */
  const isl_http_source_t *source;
  void *source_data;
  int64_t length;
  bool raw_encoding; /* leave the response body as it came (no Content-Encoding decoding,
                        and no Accept-Encoding added) */
  const isl_http_sink_t *sink;
  void *sink_data;
} isl_http_request_t;

/* Starts a transfer. The request's strings are copied; source, sink and their data must
 * stay valid until done(). Returns NULL if the request could not even start, in which case
 * done() has already been called. */
isl_http_transfer_t *isl_http_start(isl_http_client_t *c, const isl_http_request_t *r);

/* A paused request body has bytes again. */
void isl_http_transfer_resume(isl_http_transfer_t *t);

/* Stops a transfer: done(data, error) is called, with error as given, before this
 * returns. */
void isl_http_transfer_cancel(isl_http_transfer_t *t, const char *error);

#endif
