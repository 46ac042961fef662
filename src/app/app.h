/* An application: the services and sockets of one workerd-format config, running on one
 * loop. Each worker service is its own isolate; a service binding from one worker to
 * another is a Fetcher calling the target's isl_service_t on the same thread.
 *
 * Life story: isl_app_start creates a slot per service first (so bindings can name
 * services declared later, or each other), then the workers (each evaluating its code),
 * then one HTTP server per socket. isl_app_stop closes the servers gracefully; when they
 * are done, the workers are freed and `done` is called. */
#ifndef ISL_APP_H
#define ISL_APP_H

#include <uv.h>

#include "../base/base.h"
#include "../config/config.h"
#include "../http/server.h"

typedef struct isl_app isl_app_t;

typedef struct {
  const char *name; /* socket name */
  const char *address;
} isl_socket_override_t;

/* Starts everything in cfg (which must outlive the app). overrides replace sockets'
 * addresses by name (`-s name=addr`); an override naming no socket is an error. Returns
 * NULL with a message in err. */
isl_app_t *isl_app_start(uv_loop_t *loop, const isl_config_t *cfg, const isl_http_limits_t *lim,
                         const isl_socket_override_t *overrides, size_t noverrides, isl_buf_t *err);

/* Graceful stop; done(data) runs when every server has finished and every worker is
 * freed. */
void isl_app_stop(isl_app_t *app, void (*done)(void *data), void *data);

#endif
