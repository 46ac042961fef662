/* The HTTP/1.1 server: listening sockets and connections on libuv, parsing with llhttp in
 * strict mode. No JavaScript here: each complete request becomes an isl_request_t handed
 * to an isl_service_t, and the isl_response_t it answers with is written back.
 *
 * One request per connection is in the service at a time; pipelined requests wait in the
 * connection's input buffer, so responses go out in order. A rejected request (bad framing,
 * limits) is answered and the connection closed without parsing anything after it. */
#ifndef ISL_HTTP_SERVER_H
#define ISL_HTTP_SERVER_H

#include <uv.h>

#include "../base/message.h"

typedef struct {
  size_t max_body_bytes;        /* request body above this → 413 (default 100 MiB) */
  uint64_t header_timeout_ms;   /* headers not complete in this time → 408 (default 30 s) */
  uint64_t body_timeout_ms;     /* no body bytes for this long → 408 (default 30 s); also
                                 * a response the client takes nothing of for this long
                                 * is dropped with its connection */
  uint64_t idle_timeout_ms;     /* idle keep-alive connection closed after (default 60 s) */
  uint64_t shutdown_grace_ms;   /* in-flight requests get this long at shutdown (10 s) */
} isl_http_limits_t;

void isl_http_limits_default(isl_http_limits_t *lim);

typedef struct isl_http_server isl_http_server_t;

/* Binds host:port (IPv4 or IPv6 literal, or "localhost") and starts accepting. Requests
 * are handed to svc, which must outlive the server. On failure returns a negative libuv
 * error code and writes a message into err. The URL given to the service is
 * "http://" + Host header (or the listen address) + request target. */
int isl_http_server_start(uv_loop_t *loop, const char *host, int port,
                          const isl_http_limits_t *lim, isl_service_t *svc,
                          isl_http_server_t **out, char *err, size_t errlen);

/* Listens on a unix domain socket instead: address is "unix:PATH" or "unix-abstract:NAME"
 * (see src/base/unixaddr.h). A socket file left at PATH by an earlier run is replaced when
 * nobody listens on it any more; anything else there (a regular file, a directory, a live
 * socket) is an error. The file is created with the process's umask and removed when the
 * server shuts down. Requests get "http://" + Host (or "localhost") + target as their URL. */
int isl_http_server_start_unix(uv_loop_t *loop, const char *address,
                               const isl_http_limits_t *lim, isl_service_t *svc,
                               isl_http_server_t **out, char *err, size_t errlen);

/* The port actually bound (useful with port 0); 0 for a unix socket. */
int isl_http_server_port(const isl_http_server_t *s);

/* Graceful stop: closes the listener, answers in-flight requests with Connection: close,
 * closes idle connections, and calls done once every connection is closed or the grace
 * period ran out. The server frees itself after done returns. */
void isl_http_server_shutdown(isl_http_server_t *s, void (*done)(void *data), void *data);

#endif
