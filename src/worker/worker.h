/* A worker: one isolate (realm) running one script, and the service through which
 * requests reach its fetch handler.
 *
 * Life story: isl_worker_new creates the realm, installs the Web APIs, loads and evaluates
 * the main module (or classic script) with code generation from strings allowed, waits for
 * its top-level evaluation to settle, then disables eval/new Function for good: from then on
 * the worker only runs handlers. Each request gets a request context (context.c) that
 * lives until the response is handed back and every ctx.waitUntil() promise settled.
 * isl_worker_free tears down in phases: stop calling JS (API teardown: timers), release
 * roots, destroy the VM. */
#ifndef ISL_WORKER_H
#define ISL_WORKER_H

#include <uv.h>

#include "../base/message.h"

typedef struct isl_worker isl_worker_t;

typedef struct {
  const char *main_path; /* the module or script file */
  uv_loop_t *loop;
  bool test_mode;        /* `islet test`: env.SELF reaches the worker in memory */
} isl_worker_config_t;

/* Loads the worker. Runs the loop until the main module's evaluation settles. On failure
 * returns NULL and appends a message to err ("file:line:col: SyntaxError: …" and the
 * offending source line when known). */
isl_worker_t *isl_worker_new(const isl_worker_config_t *cfg, isl_buf_t *err);

/* The service that dispatches requests to the worker's fetch handler. Borrowed. */
isl_service_t *isl_worker_service(isl_worker_t *w);

/* Requests in the worker that have not finished (responses pending or waitUntil). */
size_t isl_worker_active(const isl_worker_t *w);

/* Runs the module's test handlers in order, printing a line per test and the summary
 * line. Calls done(data, passed, failed) when all settled. */
void isl_worker_run_tests(isl_worker_t *w, void (*done)(void *data, int passed, int failed),
                          void *data);

/* Called when the loop ran out of work while tests were still running: the current
 * test can never settle. Fails it and moves on; false if no tests are running. */
bool isl_worker_tests_stalled(isl_worker_t *w);

/* Frees the worker. The loop must be run afterwards until it has no more handles of the
 * worker's (uv_run in default mode returns). Returns the number of protected JS values
 * that were still held after every owner released its roots: anything but 0 is a leak
 * (`islet test` fails on it). */
long isl_worker_free(isl_worker_t *w);

#endif
