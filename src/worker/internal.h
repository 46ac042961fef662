/* Shared between the files of src/worker only. */
#ifndef ISL_WORKER_INTERNAL_H
#define ISL_WORKER_INTERNAL_H

#include "../jsc/jsc.h"
#include "worker.h"

typedef struct isl_module isl_module_t;
typedef struct isl_reqctx isl_reqctx_t;
typedef struct isl_entry isl_entry_t;

struct isl_worker {
  isl_realm_t *realm; /* NULL if recycling failed: the worker answers 503 */
  uv_loop_t *loop;
  isl_service_t svc; /* first-class: container_of from the service pointer */
  char *main_path;  /* the file, or the service's name for a worker from a config */
  const isl_worker_module_t *mem_modules; /* a config's modules (borrowed), or NULL */
  size_t nmem_modules;
  char *root_dir; /* realpath of the main module's directory: imports stay inside */
  bool classic;   /* a service-worker script (addEventListener) rather than a module */
  bool test_mode;
  JSObjectRef ns;        /* the main module's namespace (protected) */
  JSObjectRef env;       /* the env object handed to handlers (protected) */
  /* The default entrypoint, once loaded (protected): an object and its fetch, or a class
   * (fetch_fn NULL) instantiated per request. */
  JSObjectRef fetch_this, fetch_fn;
  isl_entry_t *entries; /* named entrypoints made for service bindings */
  isl_module_t *modules; /* loaded modules, for the import cache */
  isl_reqctx_t *requests; /* live request contexts */
  size_t active;
  void *runner; /* test_runner.c's state while `islet test` runs */
  void *linker; /* linker.c's state */
  uv_timer_t idle_gc; /* collects the heap once the worker has been idle a while */
  uint64_t idle_since_ms; /* loop time at which the worker last went idle */
  /* Limits. */
  isl_worker_config_t cfg;    /* a copy, to recreate the isolate from */
  isl_worker_limits_t wlimits;
  isl_limits_t limits;        /* what the realm enforces */
  uint64_t wait_until_ns;
  /* Requests answered whose waitUntil() work is still running, in order of their
   * deadline (all have the same bound, so that is the order they were answered in), and
   * the timer armed for the first. */
  isl_reqctx_t *wait_head, *wait_tail;
  uv_timer_t wait_timer;
  int open_handles;           /* at free: timers not yet closed */
  void *recycle_ticket;       /* a posted recycle (worker.c), or NULL */
};

/* worker.c: called when the last request context finishes (starts the idle GC timer). */
void isl_worker_became_idle(isl_worker_t *w);

/* worker.c: classic scripts see their bindings as globals. */
void isl_worker_env_to_globals(isl_worker_t *w);

/* loader.c: loads path as the main module or classic script and runs it. Returns false
 * with a message in err. */
bool isl_loader_run_main(isl_worker_t *w, isl_buf_t *err);
void isl_loader_free(isl_worker_t *w);

/* context.c: request contexts, ExecutionContext, FetchEvent and addEventListener. */
struct isl_reqctx {
  isl_budget_t budget;   /* first: what the request may still spend (src/jsc/limits.c) */
  int refs;
  isl_worker_t *w;       /* NULL once the worker was freed */
  isl_response_cb cb;    /* cleared once answered */
  void *cb_data;
  int waiting;           /* ctx.waitUntil() promises not yet settled */
  int streaming;         /* response bodies its JS still produces (a ReadableStream) */
  bool finished;         /* answered and nothing waiting: no longer active */
  bool dispatching;      /* inside the synchronous part of a FetchEvent dispatch */
  bool respond_called;   /* FetchEvent.respondWith() was called */
  bool pass_through;     /* ctx.passThroughOnException() was called */
  isl_reqctx_t *next, *prev;
  uint64_t wait_deadline_ns; /* while on the worker's list of waitUntil() work */
  isl_reqctx_t *wnext, *wprev;
  bool in_wait_list;
};

void isl_context_install(isl_worker_t *w);
isl_reqctx_t *isl_reqctx_new(isl_worker_t *w, isl_response_cb cb, void *cb_data);
/* The context holds one reference on itself until it is finished; JS wrappers and pending
 * promise reactions hold one each. */
void isl_reqctx_ref(isl_reqctx_t *rc);
void isl_reqctx_unref(isl_reqctx_t *rc);
/* Answers the request (once): res is taken. */
void isl_reqctx_respond(isl_reqctx_t *rc, isl_response_t *res);
/* Answers 500 and logs what went wrong (503, and nothing logged, for a request that was
 * stopped for its limits: the worker logs that). */
void isl_reqctx_fail(isl_reqctx_t *rc, JSContextRef ctx, JSValueRef exc, const char *what);
/* Ends rc now: answers status if it has not been answered, and no longer waits for its
 * waitUntil() work (stopped for its limits, or its waitUntil() bound passed). */
void isl_reqctx_abandon(isl_reqctx_t *rc, int status);
/* The worker's isolate goes away: every live request is answered 503 and detached. */
void isl_reqctx_detach_all(isl_worker_t *w);
/* worker.c's timer for the waitUntil() bound: abandons the requests past it. */
void isl_reqctx_wait_expired(isl_worker_t *w);
/* worker.c: (re)arms the waitUntil() timer for the first request on the list. */
void isl_worker_arm_wait_timer(isl_worker_t *w);
/* A new ExecutionContext object bound to rc. */
JSObjectRef isl_exec_ctx_new(JSContextRef ctx, isl_reqctx_t *rc);
/* Dispatches a FetchEvent for request to the classic script's listeners. */
void isl_dispatch_fetch_event(isl_worker_t *w, isl_reqctx_t *rc, JSObjectRef request);
/* Calls a handler and settles rc from what it returns or throws. */
void isl_reqctx_call_handler(isl_reqctx_t *rc, JSContextRef ctx, JSObjectRef fn,
                             JSObjectRef this_obj, size_t argc, const JSValueRef argv[]);
/* Settles rc from a handler's result (a Response or a promise of one). */
void isl_reqctx_settle_with(isl_reqctx_t *rc, JSContextRef ctx, JSValueRef result);

/* fetcher.c: the Fetcher class (env.SELF in tests; service bindings later). */
void isl_fetcher_install(isl_realm_t *r);
JSObjectRef isl_fetcher_new(JSContextRef ctx, isl_service_t *svc);

#endif
