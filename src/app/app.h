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

/* `islet test CONFIG.capnp`: the services without the sockets, each worker in test mode
 * (env.SELF reaches it in memory). */
isl_app_t *isl_app_start_tests(uv_loop_t *loop, const isl_config_t *cfg, isl_buf_t *err);
/* Runs every worker service's tests, in config order, printing a line per test;
 * done(data, passed, failed) gets the totals. */
void isl_app_run_tests(isl_app_t *app, void (*done)(void *data, int passed, int failed),
                       void *data);
/* The loop ran out of work with a test still pending: fails it and moves on (see
 * isl_worker_tests_stalled). false if no test is running. */
bool isl_app_tests_stalled(isl_app_t *app);
/* Frees an app that has no running servers (a test app); returns the protected JS values
 * its workers leaked. The loop must run afterwards so their handles close. */
long isl_app_free(isl_app_t *app);

/* Graceful stop; done(data) runs when every server has finished and every worker is
 * freed. */
void isl_app_stop(isl_app_t *app, void (*done)(void *data), void *data);

#endif
