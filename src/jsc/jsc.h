/* The binding layer: every JavaScriptCore calling convention islet relies on, so that each
 * Web API file (src/api) only converts arguments, calls C helpers and converts back.
 *
 * A realm is one JS global object (a JSGlobalContextRef) in its own context group, i.e.
 * one isolate: its own VM, heap and globals. It records the prototype and constructor of
 * every class installed in it, a count of protected values (leak checks at teardown) and
 * an opaque owner pointer for the worker layer.
 *
 * Classes follow Web IDL: attributes are accessors and operations are methods on the
 * prototype, constructors throw a TypeError without `new` and support subclassing
 * (new.target), Symbol.toStringTag is set, and methods called on the wrong object throw
 * "Illegal invocation". Native state lives in the instance's private pointer; JS values a
 * native object needs are kept in private slots on its wrapper (invisible to JS, traced
 * by the GC), never protected. */
#ifndef ISL_JSC_H
#define ISL_JSC_H

#include <JavaScriptCore/JavaScript.h>
#include <uv.h>

#include "../base/base.h"

/* Exported by JavaScriptCore but absent from the public headers. */
void JSGlobalContextSetEvalEnabled(JSGlobalContextRef ctx, bool enabled, JSStringRef message);
bool JSObjectSetPrivateProperty(JSContextRef ctx, JSObjectRef object, JSStringRef name,
                                JSValueRef value);
JSValueRef JSObjectGetPrivateProperty(JSContextRef ctx, JSObjectRef object, JSStringRef name);
bool JSObjectDeletePrivateProperty(JSContextRef ctx, JSObjectRef object, JSStringRef name);
typedef bool (*JSShouldTerminateCallback)(JSContextRef ctx, void *context);
void JSContextGroupSetExecutionTimeLimit(JSContextGroupRef group, double limit,
                                         JSShouldTerminateCallback callback, void *context);
void JSContextGroupClearExecutionTimeLimit(JSContextGroupRef group);
void JSGlobalContextSetUnhandledRejectionCallback(JSGlobalContextRef ctx,
                                                  JSObjectRef function, JSValueRef *exception);
/* The target of a Proxy (or of the global object's proxy); NULL for any other object. */
JSObjectRef JSObjectGetProxyTarget(JSObjectRef object);
/* An object describing the group's heap (heapSize, heapCapacity, extraMemorySize,
 * objectCount, objectTypeCounts, ...); costs a walk over every object. */
JSObjectRef JSGetMemoryUsageStatistics(JSContextRef ctx);
/* JSC's options, from its GLib API (public, but its header pulls in GLib): must be set
 * before the first VM is created. Returns whether the option exists. */
int jsc_options_set_boolean(const char *option, int value);
/* Tells the collector that a wrapper just made keeps size bytes of malloc'ed memory alive
 * (zlib's state behind a CompressionStream), so collections come as soon as if the
 * engine had allocated them itself. */
void JSReportExtraMemoryCost(JSContextRef ctx, size_t size);
/* A full collection, now (used when a worker goes idle). */
void JSSynchronousGarbageCollectForDebugging(JSContextRef ctx);
/* WTF::releaseFastMallocFreeMemory(): JSC's allocator (libpas) hands its free pages back
 * to the system. Exported C++; declared by its symbol name. */
void isl_jsc_release_free_memory(void) __asm__("_ZN3WTF27releaseFastMallocFreeMemoryEv");

typedef JSObjectCallAsFunctionCallback isl_fn_t;

typedef struct {
  const char *name;
  isl_fn_t fn;
  int length;
} isl_method_t;

typedef struct {
  const char *name;
  isl_fn_t get;
  isl_fn_t set; /* NULL: read-only */
} isl_accessor_t;

/* A Web IDL constant: a number on both the interface object and the prototype. */
typedef struct {
  const char *name;
  double value;
} isl_const_t;

/* A constructor body. argv holds the arguments the caller passed (argc of them, missing
 * trailing ones are simply absent). new_target is the constructor `new` was applied to;
 * pass it to isl_wrap_new so subclasses get their own prototype. Return NULL and set *exc
 * to throw. */
typedef JSObjectRef (*isl_ctor_t)(JSContextRef ctx, JSObjectRef new_target, size_t argc,
                                  const JSValueRef argv[], JSValueRef *exc);

typedef struct isl_class_def isl_class_def_t;
struct isl_class_def {
  const char *name;
  isl_class_def_t *parent;         /* e.g. File's parent is Blob; NULL otherwise */
  isl_ctor_t construct;            /* NULL: `new X()` throws "Illegal constructor" */
  int length;                      /* the constructor's .length */
  const isl_method_t *methods;     /* prototype methods; ends with {0} */
  const isl_accessor_t *accessors; /* prototype accessors; ends with {0} */
  const isl_method_t *statics;     /* static methods on the constructor; ends with {0} */
  const isl_const_t *constants;    /* constants (e.g. Event.AT_TARGET); ends with {0} */
  void (*finalize)(void *priv);    /* frees native state; must not touch JS */
  bool not_global;                 /* true: do not define the constructor on globalThis */
  /* Filled in by the layer. */
  int id;
  JSClassRef jsclass;
};

#define ISL_MAX_CLASSES 64

/* A JS helper compiled on first use instead of in every realm (the URLPattern engine,
 * console's inspector): most workers never call it. Evaluating it late must not let user
 * code that ran first reach it, so it comes in two parts. `capture` (source of one
 * expression, a classic script) is evaluated at install, before any user code, and gives
 * an object holding every built-in the helper will use. `body` (source of a function
 * expression taking that object) is evaluated on first use and may take built-ins only
 * from it, never from the global object or a prototype; what it returns is the helper.
 * Both must live as long as the process (see isl_eval_static). */
typedef struct {
  const char *url; /* script name in stacks, "islet:…" */
  const char *capture;
  size_t capture_len;
  const char *body;
  size_t body_len;
  int id; /* filled in by the layer */
} isl_lazy_def_t;

#define ISL_MAX_LAZY 8

typedef struct isl_realm isl_realm_t;

/* ---- Limits (limits.c) -----------------------------------------------------------------
 *
 * What JavaScript may spend. A realm has limits (per request: CPU time and subrequests;
 * per isolate: heap size), enforced through JSC's execution time limit: a watchdog whose
 * callback (on_watchdog in limits.c) runs every few milliseconds of CPU time that one run
 * of JS takes, and decides whether to stop it (an uncatchable termination).
 *
 * A budget is what one request may still spend. islet's C code enters JS from the loop on
 * behalf of a budget, bracketing the call with isl_run_begin/isl_run_end; everything that
 * run does, including the microtasks it queues (JSC drains them before the outermost API
 * call returns), is charged to that budget. APIs that schedule JS for later (timers,
 * subrequests) keep the budget that was current when they were set up (realm->current)
 * and run their callback on its behalf, so CPU spent across awaits, timers and
 * subrequest responses adds up per request. NULL budget: unowned work (module
 * evaluation at startup, timers set then), limited per run. */
/* The longest execution time limit limits.c arms: JSC's watchdog checks a run of JS at
 * least this often (in CPU time of one VM entry). */
#define ISL_WATCHDOG_SLICE_NS 100000000ull

typedef enum {
  ISL_STOP_NONE,
  ISL_STOP_CPU,    /* the run's budget used up its CPU time */
  ISL_STOP_MEMORY, /* the isolate's heap grew past its limit */
} isl_stop_t;

typedef struct {
  uint64_t cpu_ns;       /* JS time per request; 0: unlimited */
  uint64_t memory_bytes; /* heap per isolate; 0: unlimited */
  uint32_t subrequests;  /* fetch() and service binding calls per request; 0: unlimited */
} isl_limits_t;

typedef struct isl_budget isl_budget_t;
typedef struct {
  void (*ref)(isl_budget_t *b);
  void (*unref)(isl_budget_t *b);
  /* A run charged to b was stopped (called after the run, outside JS). */
  void (*stopped)(isl_budget_t *b, isl_stop_t why);
} isl_budget_ops_t;

/* Embedded in its owner (a request context), whose life the ops manage. */
struct isl_budget {
  const isl_budget_ops_t *ops;
  uint64_t cpu_ns;      /* time spent running JS on its behalf */
  uint32_t subrequests; /* fetch() and service binding calls made */
  bool closed;          /* the request is over: its timers no longer fire */
  bool exceeded;        /* a run was stopped for it (CPU or memory) */
};

/* What watchdog_clock.c knows of the run in progress on a thread: once the monotonic
 * clock passes deadline_ns, JSC's watchdog is made to call back at its next check,
 * whatever the length of the VM entries (microtasks) the run is made of. */
typedef struct {
  bool armed;          /* the run has a CPU limit */
  int64_t deadline_ns; /* isl_now_ns() when the run's budget is spent */
} isl_cpu_trigger_t;

/* One bracketed run (on the caller's stack). */
typedef struct {
  isl_budget_t *prev;
  isl_cpu_trigger_t trigger; /* the enclosing run's, in another realm (outermost runs) */
} isl_run_t;

struct isl_realm {
  JSContextGroupRef group;
  JSGlobalContextRef ctx;
  JSObjectRef global;
  uv_loop_t *loop;
  void *owner;          /* the worker that runs in this realm (src/worker) */
  /* Where the global fetch() sends requests (the worker's globalOutbound), set by the
   * worker layer: an isl_service_t *, or NULL for none (fetch() then rejects). Its name
   * (NULL: the default "internet") is for messages. Borrowed: the service and the name
   * outlive the realm. */
  void *outbound;
  const char *outbound_name;
  /* Maps a column in generated code back to the user's source (module transforms change
   * some lines' lengths); used when stacks are rendered. NULL: columns are exact. */
  int (*map_column)(void *owner, const char *url, int line, int col);
  long protected_count; /* isl_protect minus isl_unprotect; 0 at teardown */
  /* Makes the DOMException that isl_throw_dom throws; set by src/api/domexception.c when
   * it installs the class, so C code never goes through a global user code can replace.
   * NULL before that (an Error with .name set is made instead). */
  JSObjectRef (*dom_exception_new)(JSContextRef ctx, const char *name, const char *msg);
  JSObjectRef protos[ISL_MAX_CLASSES];
  JSObjectRef ctors[ISL_MAX_CLASSES];
  JSObjectRef helpers; /* internal JS helper functions, protected */
  JSObjectRef h_call_then, h_then; /* hot helpers, looked up once (protected) */
  JSValueRef h_pending; /* what callThen returns when the result settles later (held) */
  /* What class.c defines properties with, looked up once (held by helpers): the
   * captured natives, the constructor maker, Object.prototype, Symbol.toStringTag. */
  JSObjectRef h_define_property, h_define_getter, h_define_setter, h_ctor;
  JSObjectRef object_prototype;
  JSValueRef to_string_tag;
  JSObjectRef descs[8]; /* data descriptors by ISL_W|ISL_E|ISL_C flags (protected) */
  JSObjectRef rx_ok, rx_fail;      /* isl_call_then's settle functions (protected) */
  void **rx;                       /* isl_call_then reactions by token; NULL: free */
  size_t nrx, caprx;
  size_t *rx_free;                 /* free tokens */
  size_t nrx_free;
  /* Lazy helpers by def->id: what capture returned until lazy_ready, then the helper
   * (both protected). */
  JSValueRef lazy[ISL_MAX_LAZY];
  bool lazy_ready[ISL_MAX_LAZY];
  /* Limits (limits.c). */
  isl_limits_t limits;
  isl_budget_t *current; /* the budget JS runs for now (innermost run), or NULL */
  isl_budget_t *run_budget; /* the outermost run's budget, charged for its time */
  int run_depth;
  uint64_t run_start_ns;  /* when the outermost run began */
  uint32_t loose_slices;  /* watchdog slices seen outside any bracketed run */
  uint64_t startup_ns;    /* when the modules' evaluation began (0: not evaluating) */
  isl_stop_t stop;        /* the watchdog stopped the current run, and why */
  uint64_t stop_used_ns;  /* what the stopped run's budget had used */
  uint64_t heap_bytes;    /* the heap size found by the last memory check that measured */
  uint64_t mem_next_ns, mem_last_full_ns, mem_last_rss; /* memory check pacing */
  void *mem_ticket;       /* a memory check posted to the loop, or NULL */
  /* Called after a run that was stopped or ended past its budget (outside JS, after the
   * budget's own stopped(), while the run still counts as in progress), and when a memory
   * check between runs finds the heap over the limit (budget NULL): the worker layer logs
   * and recreates the isolate. */
  void (*on_limit)(isl_realm_t *r, isl_stop_t why, isl_budget_t *b);
  /* Per-API state, owned by the API that sets it (e.g. the timer list). */
  void *api_state[16];
  void (*teardown[16])(isl_realm_t *r);
  int nteardown;
};

/* Creates an isolate: its own context group and global object, with no Web APIs yet
 * (src/api installs them: isl_api_install_all). */
isl_realm_t *isl_realm_new(uv_loop_t *loop);
/* Phase 1 of teardown: stop calling JS. Runs every registered API teardown (timers
 * closed, …) in reverse order of registration. */
void isl_realm_teardown(isl_realm_t *r);
/* Phase 2: destroys the context and its group. isl_realm_teardown must have run and all
 * libuv handles the APIs owned must be closed. */
void isl_realm_free(isl_realm_t *r);
/* Runs fn(data) from inside a call made from JS, so the engine's lock is taken once:
 * every C API call fn makes takes it again recursively, which costs a fraction of taking
 * it afresh (used for the realm's installs, hundreds of calls). fn must not throw, run
 * the loop or wait for microtasks: they run when the outermost call returns. */
void isl_realm_batch(isl_realm_t *r, void (*fn)(void *data), void *data);
/* Registers fn to run at isl_realm_teardown (for APIs that own handles or roots). */
void isl_realm_add_teardown(isl_realm_t *r, void (*fn)(isl_realm_t *r));
isl_realm_t *isl_realm_of(JSContextRef ctx);

/* Lazy helpers (see isl_lazy_def_t). Install runs def's capture now. */
void isl_lazy_install(isl_realm_t *r, isl_lazy_def_t *def);
/* The helper, compiled and set up on the first call in this realm. NULL with *exc set if
 * that threw (e.g. the stack was nearly exhausted); a later call tries again. */
JSObjectRef isl_lazy_get(JSContextRef ctx, isl_lazy_def_t *def, JSValueRef *exc);

/* Limits. Sets the realm's limits and arms JSC's watchdog when any is set. */
void isl_realm_set_limits(isl_realm_t *r, const isl_limits_t *l);
/* Brackets a call into JS from the loop, made on behalf of b (NULL: unowned). Runs nest;
 * only the outermost is timed. isl_run_end reports a stop (budget's stopped(), then
 * realm->on_limit) and clears what JSC leaves behind after a termination. */
void isl_run_begin(isl_realm_t *r, isl_budget_t *b, isl_run_t *run);
void isl_run_end(isl_realm_t *r, isl_run_t *run);
/* Brackets the evaluation of a worker's modules, which runs unbracketed JS (and may wait
 * on the loop for top-level await, whose callbacks are runs of their own): that JS is
 * timed from here and stopped once it has taken the CPU limit, a chain of microtasks
 * included; the stop is left in realm->stop. */
void isl_realm_startup_begin(isl_realm_t *r, isl_cpu_trigger_t *saved);
void isl_realm_startup_end(isl_realm_t *r, const isl_cpu_trigger_t *saved);
/* Whether the JS of r was stopped (realm->stop). C code that makes several JS calls in a
 * row checks after each and makes no more once stopped: after a stop inside a microtask
 * JSC keeps the termination pending, and a C API call that expects no exception aborts on
 * it. Outside a bracketed run (the startup above) this takes the termination; inside one
 * it is left to unwind the JS that called in. */
bool isl_realm_stopped(isl_realm_t *r);
/* Takes a reference on b for work scheduled on its behalf; both accept NULL. */
void isl_budget_ref(isl_budget_t *b);
void isl_budget_unref(isl_budget_t *b);
/* Whether work scheduled for b (a timer) may still run: not for a request that is over
 * or was stopped. NULL (unowned) may always run. */
static inline bool isl_budget_live(const isl_budget_t *b) {
  return !b || (!b->closed && !b->exceeded);
}
/* Counts one subrequest (fetch(), a service binding call) against the current budget.
 * false with a TypeError in *err (not thrown) when the request may make no more, or is
 * over. */
bool isl_subrequest_begin(JSContextRef ctx, JSValueRef *err);
/* Measures the heap (JSGetMemoryUsageStatistics; O(objects), so not per request): its
 * capacity, and when that is over the limit the live size after a full collection.
 * Returns true when the heap is over realm->limits.memory_bytes. */
bool isl_realm_heap_over(isl_realm_t *r);
/* Calls fn(data) now, or, when a run is in progress on this thread (in any realm), as
 * soon as the outermost one has ended, in the order they were deferred: a worker that
 * answers from inside its own run (its handler's promise settled in a microtask) has the
 * caller's JS run after it, not nested inside it, where its time would be charged to both
 * and a stop of one would unwind the other. */
void isl_after_runs(void (*fn)(void *data), void *data);
/* Whether a run is in progress on this thread, in any realm (JS is on the stack). */
bool isl_runs_in_progress(void);

/* Classes. */
JSObjectRef isl_class_install(isl_realm_t *r, isl_class_def_t *def);
/* A new instance with the realm's prototype for def. priv is owned by the wrapper and
 * released with def->finalize. */
JSObjectRef isl_wrap(JSContextRef ctx, isl_class_def_t *def, void *priv);
/* As isl_wrap, with new_target.prototype when new_target is a subclass constructor. */
JSObjectRef isl_wrap_new(JSContextRef ctx, isl_class_def_t *def, void *priv,
                         JSObjectRef new_target);
/* The native state if v is an instance of def (or a subclass def); otherwise NULL and
 * *exc gets a TypeError "Illegal invocation". */
void *isl_unwrap(JSContextRef ctx, JSValueRef v, isl_class_def_t *def, JSValueRef *exc);
/* As isl_unwrap, without throwing. */
void *isl_priv(JSContextRef ctx, JSValueRef v, isl_class_def_t *def);
JSObjectRef isl_proto(JSContextRef ctx, isl_class_def_t *def);
JSObjectRef isl_ctor(JSContextRef ctx, isl_class_def_t *def);

/* Private slots: JS values kept on a wrapper, invisible to JS. */
void isl_slot_set(JSContextRef ctx, JSObjectRef o, const char *name, JSValueRef v);
JSValueRef isl_slot_get(JSContextRef ctx, JSObjectRef o, const char *name); /* or undefined */
void isl_slot_delete(JSContextRef ctx, JSObjectRef o, const char *name);

/* An empty array for islet's own bookkeeping (e.g. values a native object keeps alive):
 * its prototype is null, so setters user code puts on Array.prototype or
 * Object.prototype never see its writes. */
JSObjectRef isl_array_new_internal(JSContextRef ctx);

/* Functions and properties. */
JSObjectRef isl_func_new(JSContextRef ctx, const char *name, isl_fn_t fn, int length);
/* A function whose callback receives data (e.g. a resolver bound to a request). */
typedef JSValueRef (*isl_data_fn_t)(JSContextRef ctx, void *data, JSObjectRef this_obj,
                                    size_t argc, const JSValueRef argv[], JSValueRef *exc);
JSObjectRef isl_func_with_data(JSContextRef ctx, isl_data_fn_t fn, void *data,
                               void (*free_data)(void *data));
void isl_define_method(JSContextRef ctx, JSObjectRef o, const char *name, isl_fn_t fn,
                       int length);
/* Defines a data property: writable/enumerable/configurable per flags. */
enum { ISL_W = 1, ISL_E = 2, ISL_C = 4 };
void isl_define_value(JSContextRef ctx, JSObjectRef o, const char *name, JSValueRef v,
                      int flags);
void isl_define_accessor(JSContextRef ctx, JSObjectRef o, const char *name, isl_fn_t get,
                         isl_fn_t set);
JSValueRef isl_get(JSContextRef ctx, JSObjectRef o, const char *name, JSValueRef *exc);
/* As isl_get for a name that is a string literal (its address never changes): the JS
 * string is made once per thread and kept, for property reads on the request path
 * (RequestInit and ResponseInit members). Never pass a name built at run time. */
JSValueRef isl_get_lit(JSContextRef ctx, JSObjectRef o, const char *literal, JSValueRef *exc);
void isl_set(JSContextRef ctx, JSObjectRef o, const char *name, JSValueRef v,
             JSValueRef *exc);
JSValueRef isl_call(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                    const JSValueRef argv[], JSValueRef *exc);
/* Calls the method `name` of o, or returns NULL with a TypeError if it is not callable. */
JSValueRef isl_call_method(JSContextRef ctx, JSObjectRef o, const char *name, size_t argc,
                           const JSValueRef argv[], JSValueRef *exc);
/* Global constructor or value by name (e.g. "Promise", "Symbol"). */
JSValueRef isl_global(JSContextRef ctx, const char *name);

/* Throwing. Each returns NULL so a callback can `return isl_throw_type(...)`. */
JSValueRef isl_throw(JSContextRef ctx, JSValueRef *exc, const char *ctor_name,
                     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
#define isl_throw_type(ctx, exc, ...) isl_throw((ctx), (exc), "TypeError", __VA_ARGS__)
#define isl_throw_range(ctx, exc, ...) isl_throw((ctx), (exc), "RangeError", __VA_ARGS__)
#define isl_throw_syntax(ctx, exc, ...) isl_throw((ctx), (exc), "SyntaxError", __VA_ARGS__)
/* A DOMException with the given name (falls back to an Error with .name set when
 * DOMException is not installed). */
JSValueRef isl_throw_dom(JSContextRef ctx, JSValueRef *exc, const char *name,
                         const char *fmt, ...) __attribute__((format(printf, 4, 5)));
JSObjectRef isl_error_new(JSContextRef ctx, const char *ctor_name, const char *msg);
/* A DOMException with the given name and message (not thrown), e.g. an abort reason. */
JSObjectRef isl_dom_error_new(JSContextRef ctx, const char *name, const char *msg);
/* "Name: message\n    at …" of an exception value, with its stack when it has one.
 * Malloc'ed. */
char *isl_exception_describe(JSContextRef ctx, JSValueRef exc);

/* Logs an uncaught exception (with its stack) that nobody else will report, e.g. from a
 * timer callback: "Uncaught Error: … at file:line:col". where may be NULL. */
void isl_report_exception(JSContextRef ctx, JSValueRef exc, const char *where);

/* Strings. */
JSValueRef isl_str(JSContextRef ctx, const char *utf8);
JSValueRef isl_str_n(JSContextRef ctx, const char *utf8, size_t n); /* invalid → U+FFFD */
JSValueRef isl_str_latin1(JSContextRef ctx, const char *p, size_t n);
JSStringRef isl_jsstr_n(const char *utf8, size_t n);                /* caller releases */
/* ToString(v) then USVString → UTF-8, appended to out. false if ToString threw. */
bool isl_to_utf8(JSContextRef ctx, JSValueRef v, isl_buf_t *out, JSValueRef *exc);
/* As isl_to_utf8 into a fresh malloc'ed string (len optional). NULL if it threw. */
char *isl_to_cstr(JSContextRef ctx, JSValueRef v, size_t *len, JSValueRef *exc);
/* ToString(v) as a ByteString: TypeError if a code unit is above 0xFF. */
bool isl_to_bytestring(JSContextRef ctx, JSValueRef v, isl_buf_t *out, JSValueRef *exc);
/* JSStringRef → UTF-8 (USV), appended. */
void isl_jsstr_to_utf8(JSStringRef s, isl_buf_t *out);

/* Web IDL sequence<T> conversion: v must be an object with an @@iterator method
 * (TypeError otherwise); runs the iterator protocol calling cb per value, and closes the
 * iterator if cb fails. false with *exc set on any failure. */
typedef bool (*isl_iter_cb)(JSContextRef ctx, void *data, JSValueRef v, JSValueRef *exc);
bool isl_iterate(JSContextRef ctx, JSValueRef v, isl_iter_cb cb, void *data, JSValueRef *exc);
/* For unions that choose by the presence of @@iterator (e.g. sequence or record):
 * GetMethod(o, @@iterator), *method NULL when it is undefined or null; false if getting
 * it threw or it is not callable. */
bool isl_iter_method(JSContextRef ctx, JSObjectRef o, JSObjectRef *method, JSValueRef *exc);
/* The iterator protocol over o with a method isl_iter_method found, as isl_iterate. */
bool isl_iterate_with(JSContextRef ctx, JSObjectRef o, JSObjectRef method, isl_iter_cb cb,
                      void *data, JSValueRef *exc);

/* Bytes. BufferSource: an ArrayBuffer or any ArrayBufferView. */
bool isl_buffer_source(JSContextRef ctx, JSValueRef v, uint8_t **p, size_t *n);
JSObjectRef isl_uint8array_new(JSContextRef ctx, const void *p, size_t n); /* copies */
JSObjectRef isl_arraybuffer_new(JSContextRef ctx, const void *p, size_t n); /* copies */

/* Promises. */
JSObjectRef isl_promise_new(JSContextRef ctx, JSObjectRef *resolve, JSObjectRef *reject);
JSObjectRef isl_promise_resolved(JSContextRef ctx, JSValueRef v);
JSObjectRef isl_promise_rejected(JSContextRef ctx, JSValueRef v);
bool isl_is_promise(JSContextRef ctx, JSValueRef v);
/* Calls cb(ctx, data, ok, value) once v (a promise, thenable or plain value) settles.
 * If the promise is garbage-collected without settling (or the realm is destroyed first),
 * cb is called once with ctx == NULL and value == NULL from a finalizer: it may only
 * release data, never call into JS. */
typedef void (*isl_settle_cb)(JSContextRef ctx, void *data, bool ok, JSValueRef value);
void isl_promise_then(JSContextRef ctx, JSValueRef v, isl_settle_cb cb, void *data);
/* Calls fn with at most 3 arguments and reports its outcome to cb: a thrown exception or
 * a rejection is ok=false. The reaction is attached inside the same call, before
 * microtasks run, so a handler returning a rejected promise is never reported as an
 * unhandled rejection. This is the per-request path, so it allocates no C functions: the
 * reaction is a token in a per-realm table. A promise that never settles keeps its entry
 * until the realm is torn down, when cb is called with ctx == NULL. */
void isl_call_then(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                   const JSValueRef argv[], isl_settle_cb cb, void *data);

/* limits.c's per-realm state (called by realm.c's teardown). */
void isl_limits_realm_dispose(isl_realm_t *r);
/* watchdog_clock.c, for limits.c: arms the CPU trigger for an outermost run beginning on
 * this thread (the enclosing run's is saved), restores it when the run ends, and tells it
 * that the watchdog's callback is running (so no clock read is shifted after it). */
void isl_cpu_trigger_begin(isl_cpu_trigger_t *saved, bool armed, uint64_t deadline_ns);
void isl_cpu_trigger_end(const isl_cpu_trigger_t *saved);
void isl_cpu_trigger_checked(void);

/* promise.c's per-realm state (called by realm.c). */
void isl_promise_realm_init(isl_realm_t *r);
void isl_promise_realm_dispose(isl_realm_t *r);

/* Roots: JSValueProtect/Unprotect with the realm's count kept for leak checks. */
void isl_protect(JSContextRef ctx, JSValueRef v);
void isl_unprotect(JSContextRef ctx, JSValueRef v);

/* Runs source as a classic script. Returns NULL and sets *exc on error. */
JSValueRef isl_eval(JSContextRef ctx, const char *src, size_t len, const char *url, int line,
                    JSValueRef *exc);
/* As isl_eval (from line 1), for islet's own source text that lives as long as the
 * process (a static string or an embedded file): it is made UTF-16 once per process and
 * every realm's engine reads that copy instead of keeping one of its own. */
JSValueRef isl_eval_static(JSContextRef ctx, const char *src, size_t len, const char *url,
                           JSValueRef *exc);
/* Exported by JavaScriptCore but absent from the public headers: a string over chars,
 * which must outlive it (and every script made from it). */
JSStringRef JSStringCreateWithCharactersNoCopy(const JSChar *chars, size_t numChars);

/* Helpers for argument checks with Web IDL messages:
 * "Failed to execute 'append' on 'Headers': 2 arguments required, but only 1 present." */
bool isl_require_args(JSContextRef ctx, size_t argc, size_t need, const char *iface,
                      const char *op, JSValueRef *exc);
#define ISL_ARG(i) ((i) < argc ? argv[(i)] : JSValueMakeUndefined(ctx))

#endif
