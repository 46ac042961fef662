#include "network.h"

#include <stdlib.h>

typedef struct {
  isl_service_t svc; /* first: the service pointer is the struct's */
  char *name;
  isl_netpolicy_t *policy; /* for the outbound client (issue 6): every address it connects to */
} network_t;

/* Nothing is logged per request: a config that routes traffic here would flood the log. */
static void network_fetch(isl_service_t *svc, isl_request_t *req, isl_response_cb cb, void *data) {
  network_t *n = (network_t *)svc;
  isl_request_free(req);
  isl_buf_t m = {0};
  isl_buf_printf(&m, "Bad Gateway: outbound network access is not supported yet (network "
                     "service '%s')\n", n->name);
  isl_response_t *res = isl_response_text(502, m.p);
  isl_buf_free(&m);
  cb(data, res);
}

isl_service_t *isl_network_new(const char *name, isl_netpolicy_t *policy) {
  network_t *n = isl_calloc(1, sizeof(*n));
  n->name = isl_strdup(name);
  n->policy = policy;
  n->svc.name = n->name;
  n->svc.fetch = network_fetch;
  return &n->svc;
}

void isl_network_free(isl_service_t *svc) {
  if (!svc) return;
  network_t *n = (network_t *)svc;
  free(n->name);
  isl_netpolicy_free(n->policy);
  free(n);
}
