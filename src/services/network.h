/* A `network` service of a config (e.g. workerd's implicit "internet"): requests go out to
 * the network over HTTP/1.1 or HTTP/2 (src/services/http_client.h), to addresses its
 * allow/deny policy permits (checked on every resolved address before connecting). No
 * JavaScript here.
 *
 * A failure to get a response (DNS, a refused connection, a refused address, TLS, a
 * connection that ends early) is answered with a network error: a 502 whose `error` says
 * what happened (message.h), which fetch() turns into a TypeError. Redirects are returned
 * as they are: fetch() follows them. A request's `cancel` stops its transfer. The response
 * body is held whole until bodies stream: one larger than ISL_NETWORK_MAX_BODY is a
 * network error. */
#ifndef ISL_NETWORK_H
#define ISL_NETWORK_H

#include <uv.h>

#include "../base/message.h"
#include "netpolicy.h"

#define ISL_NETWORK_MAX_BODY ((size_t)256 << 20)

/* A new network service named name (copied) on loop, whose connections policy (owned; the
 * service's allow/deny lists, see netpolicy.h) permits. Free with isl_network_free, which
 * ends the requests still in flight with a network error. */
isl_service_t *isl_network_new(uv_loop_t *loop, const char *name, isl_netpolicy_t *policy);
void isl_network_free(isl_service_t *svc);

#endif
