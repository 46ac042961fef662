/* An `external` service of a config: every request is forwarded to one HTTP/1.1 server
 * (external = (address = "host:port", http = (...))) by a small client on libuv and
 * llhttp. The server may be on a unix socket (address = "unix:/path" or
 * "unix-abstract:name"). No JavaScript here.
 *
 * One connection per request, with `Connection: close` (no pooling yet). Bodies stream
 * both ways with back-pressure: a request body of complete bytes goes with the head
 * (Content-Length); a streamed one is written as it comes (Content-Length when its length
 * is known, else chunked), paused while the socket is behind. The response is answered as
 * soon as its head has arrived, with a streaming body fed as the backend sends it; when
 * its reader pauses, the socket is not read, and when it gives up (a client gone), the
 * connection is closed, which the backend sees. A backend that cannot be reached, resets
 * the connection or answers something that is not HTTP/1.x gives 502 Bad Gateway (once the
 * head is answered: the body ends with an error); one that makes no progress for
 * ISL_EXTERNAL_TIMEOUT_MS while islet waits on it gives 504 Gateway Timeout (the time a
 * body's other side takes, a slow client or a slow producer, does not count). A request
 * body that fails, or a caller that cancels (fetch()'s AbortSignal), ends it with a
 * network error.
 *
 * Host: in the default style (http = ()), the request line carries the path and Host the
 * request URL's host, as workerd sends it; with style = proxy the request line carries
 * the absolute URL. Hop-by-hop headers (Connection, Keep-Alive, Transfer-Encoding, TE,
 * Upgrade, Proxy-*) are not forwarded in either direction. forwardedProtoHeader, when
 * set, carries the request URL's scheme ("http" or "https"). */
#ifndef ISL_EXTERNAL_H
#define ISL_EXTERNAL_H

#include <uv.h>

#include "../base/message.h"

#define ISL_EXTERNAL_TIMEOUT_MS 30000

typedef struct {
  const char *name;    /* the service's name, for messages */
  /* "host:port" or "[v6]:port" (host may be a name, resolved per request), or a unix
   * socket: "unix:PATH", "unix-abstract:NAME" (src/base/unixaddr.h) */
  const char *address;
  bool proxy_style;
  const char *forwarded_proto_header; /* NULL: none */
} isl_external_config_t;

/* A new external service. Returns NULL with a message in err when the address cannot be
 * used. The config's strings are copied. Requests in flight when the service is freed
 * still complete (they hold their own copy of what they need). */
isl_service_t *isl_external_new(uv_loop_t *loop, const isl_external_config_t *cfg,
                                isl_buf_t *err);
void isl_external_free(isl_service_t *svc);

#endif
