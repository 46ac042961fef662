/* A `network` service of a config (e.g. workerd's implicit "internet"). Outbound network
 * access does not exist yet (issue 6): the service answers every request with 502 and a
 * body saying so, and a worker whose globalOutbound is a network service has its fetch()
 * rejected before anything is sent (src/api/fetch.c). No JavaScript here. */
#ifndef ISL_NETWORK_H
#define ISL_NETWORK_H

#include "../base/message.h"
#include "netpolicy.h"

/* A new network service named name (copied) whose connections policy (owned; the
 * service's allow/deny lists, see netpolicy.h) permits. Free with isl_network_free. */
isl_service_t *isl_network_new(const char *name, isl_netpolicy_t *policy);
void isl_network_free(isl_service_t *svc);

#endif
