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

/* A module given in memory (a config's `modules` list). */
typedef enum {
  ISL_WMOD_ESM,
  ISL_WMOD_CJS,
  ISL_WMOD_TEXT,
  ISL_WMOD_DATA,
  ISL_WMOD_JSON,
  ISL_WMOD_WASM,
  ISL_WMOD_CLASSIC, /* a service-worker script (serviceWorkerScript) */
} isl_worker_module_kind_t;

typedef struct {
  const char *name; /* imports resolve against these names, like paths */
  isl_worker_module_kind_t kind;
  const char *bytes;
  size_t len;
} isl_worker_module_t;

/* What appears on `env` (and as globals for a service-worker script). */
typedef enum {
  ISL_WBIND_TEXT,     /* a string */
  ISL_WBIND_DATA,     /* an ArrayBuffer */
  ISL_WBIND_JSON,     /* the parsed value */
  ISL_WBIND_WASM,     /* a WebAssembly.Module, compiled at startup */
  ISL_WBIND_FROM_ENV, /* the environment variable named by bytes, or null */
  ISL_WBIND_SERVICE,  /* a Fetcher for service */
} isl_worker_binding_kind_t;

typedef struct {
  const char *name;
  isl_worker_binding_kind_t kind;
  const char *bytes;
  size_t len;
  isl_service_t *service; /* ISL_WBIND_SERVICE; must outlive the worker */
} isl_worker_binding_t;

/* What a worker's code may spend (README, "Limits"). 0 means no limit. */
typedef struct {
  uint64_t cpu_ms;        /* CPU time per request, across its awaits and timers (30000) */
  uint64_t memory_mb;     /* heap per isolate; past it the isolate is recycled (128) */
  uint32_t subrequests;   /* fetch() and service binding calls per request (1000) */
  uint64_t wait_until_ms; /* how long waitUntil() work may go on after the response (30000) */
} isl_worker_limits_t;

/* The limits a worker gets when its config names none: the defaults above, unless
 * isl_worker_set_default_limits (the command line's flags) changed them. */
isl_worker_limits_t isl_worker_default_limits(void);
void isl_worker_set_default_limits(const isl_worker_limits_t *l);

typedef struct {
  const char *main_path; /* the module or script file (when modules is NULL) */
  uv_loop_t *loop;
  bool test_mode;        /* `islet test`: env.SELF reaches the worker in memory */
  /* A worker from a config: its modules (the first is the main one) and bindings. Both
   * arrays and what they point to are borrowed and must outlive the worker. name is the
   * service's name, for messages. */
  const char *name;
  const isl_worker_module_t *modules;
  size_t nmodules;
  const isl_worker_binding_t *bindings;
  size_t nbindings;
  /* globalOutbound: where the global fetch() sends requests (borrowed, must outlive the
   * worker), named outbound_name (NULL: "internet") in messages. NULL: fetch() rejects
   * every http(s) request with a TypeError saying the worker has no outbound. */
  isl_service_t *outbound;
  const char *outbound_name;
  /* NULL: isl_worker_default_limits(). Copied. */
  const isl_worker_limits_t *limits;
} isl_worker_config_t;

/* Loads the worker. Runs the loop until the main module's evaluation settles. The config
 * is copied; what it points to is borrowed and must outlive the worker (its isolate may
 * be recreated from it: a worker whose heap passes its memory limit is recycled). On failure
 * returns NULL and appends a message to err ("file:line:col: SyntaxError: …" and the
 * offending source line when known). */
isl_worker_t *isl_worker_new(const isl_worker_config_t *cfg, isl_buf_t *err);

/* The service that dispatches requests to the worker's fetch handler. Borrowed. */
isl_service_t *isl_worker_service(isl_worker_t *w);

/* The service for the named export (an object with fetch(), or a class extending
 * WorkerEntrypoint): what a service binding with `entrypoint = "Name"` calls. Owned by the
 * worker. NULL with a message in err when there is no such entrypoint. */
isl_service_t *isl_worker_entrypoint(isl_worker_t *w, const char *name, isl_buf_t *err);

/* Requests in the worker that have not finished (responses pending or waitUntil). */
size_t isl_worker_active(const isl_worker_t *w);

/* Runs the module's test handlers in order, printing a line per test (the caller prints
 * the summary line). Calls done(data, passed, failed) when all settled. */
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
