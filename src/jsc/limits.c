/* Limits on what JavaScript may spend: CPU time and subrequests per request, heap size per
 * isolate (see "Limits" in jsc.h for the model of budgets and runs, and the README for the
 * rules users see).
 *
 * CPU. JSC's execution time limit (JSContextGroupSetExecutionTimeLimit) is armed with a
 * short slice, not with the whole budget: JSC measures the CPU time of one VM entry, and
 * every microtask is an entry of its own, so a budget-long limit would never fire for a
 * request that spends it in many short pieces. After each slice of CPU in one entry the
 * callback (on_watchdog) adds up what the run's budget has spent: its earlier runs plus
 * the time since the outermost run began, on the monotonic clock (no system call; the
 * thread's CPU clock costs one). Over the limit, the callback stops the run: JSC throws an
 * uncatchable termination, which unwinds the entry; if it was a microtask, JSC drops the
 * rest of the VM's microtask queue (continuations of other requests included), and the
 * promise of every async function it unwound stays pending for ever, so the worker layer
 * recreates the isolate after a stop (on_limit in src/worker/worker.c). A run that ends
 * by itself is checked at its end as well. JSC only sees the watchdog's request at a
 * polling point when realm.c turns polling traps on: its default, signalling the thread,
 * misses now and then.
 *
 * Cost: with a limit armed JSC reads the thread's CPU clock at every VM entry; on the JS
 * thread watchdog_clock.c answers that read from the monotonic clock (vDSO) instead of a
 * system call (~0.5 µs per entry; a chain of service-binding calls makes dozens of
 * entries per request: main-thread CPU per chained request 63–81 µs before, 51–58 µs
 * after, 52 µs with no limits). Every slice in which JS ran ends in a trap after which
 * JSC compiles the code on the stack again: a busy worker's JIT thread works all along
 * (chained calls: ~5 µs of JIT-thread CPU per request with 100 ms slices, ~4 µs with
 * 250 ms, ~1.5 µs with 1 s, ~0.7 µs with no limits); a shorter slice would catch more but
 * cost more. The slice stays 100 ms: memory checks during a long run happen at slices, and
 * a longer one lets an allocating loop overshoot the heap limit further.
 *
 * Microtasks. JSC counts each VM entry on its own, and every microtask is one: a run made
 * of an endless chain of short microtasks (`for (;;) await null`, a then() that queues
 * itself, queueMicrotask recursion) never has one entry long enough for the callback to
 * run. watchdog_clock.c closes that gap: isl_run_begin tells it, per thread, when the run
 * in progress will have spent what its budget has left, and past that it changes what
 * the watchdog reads from its clocks so that its next check, at most a slice later, calls
 * back whatever the entries' length; the callback then stops the run as any other. The
 * CPU is the run's: whichever request's microtasks the drain runs (another request's
 * continuation only lands in this run through a promise the two share), they are charged
 * to the budget of the run that queued the chain.
 *
 * Memory. JSC has no heap limit, and the only measure of one isolate's heap in its API,
 * JSGetMemoryUsageStatistics, walks every object (about 30 ms for a million objects), so
 * it is never taken per request. Two triggers decide when to measure: the process's
 * resident size (one pread of /proc/self/statm) grown by MEM_RSS_STEP since the last
 * measurement, or enough time passed; checked at every watchdog slice during a long run
 * (which stops a run that allocates in a loop) and, between runs, at most once per
 * MEM_CHECK_EVERY_NS of a realm's activity, from a task. A measurement reads the heap's
 * capacity; only when that is over the limit does it collect and read the live size. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "../loop/task.h"
#include "jsc.h"

#define SLICE_NS ISL_WATCHDOG_SLICE_NS /* the watchdog's period: 100 ms of CPU in one entry */
#define MEM_RSS_STEP (16ull << 20)     /* process growth that triggers a measurement */
#define MEM_CHECK_EVERY_NS 1000000000ull   /* between runs: at most once a second */
#define MEM_FULL_EVERY_NS 10000000000ull   /* …and a measurement at least every 10 s */
#define MEM_FULL_IN_RUN_NS 1000000000ull   /* during one long run: every second */

/* Outermost runs in progress on this thread, over every realm, and what waits for them
 * to end (isl_after_runs). */
static _Thread_local int runs_active;

typedef struct deferred {
  void (*fn)(void *data);
  void *data;
  struct deferred *next;
} deferred_t;

static _Thread_local deferred_t *deferred_head, *deferred_tail;

bool isl_runs_in_progress(void) { return runs_active > 0; }

void isl_after_runs(void (*fn)(void *data), void *data) {
  if (runs_active == 0) {
    fn(data);
    return;
  }
  deferred_t *d = isl_malloc(sizeof(*d));
  d->fn = fn;
  d->data = data;
  d->next = NULL;
  if (deferred_tail) deferred_tail->next = d;
  else deferred_head = d;
  deferred_tail = d;
}

/* Runs what was deferred until nothing is left (each may start runs of its own). */
static void run_deferred(void) {
  while (deferred_head && runs_active == 0) {
    deferred_t *d = deferred_head;
    deferred_head = d->next;
    if (!deferred_head) deferred_tail = NULL;
    d->fn(d->data);
    free(d);
  }
}

static uint64_t slice_ns(const isl_realm_t *r) {
  uint64_t cpu = r->limits.cpu_ns;
  return cpu && cpu < SLICE_NS ? cpu : SLICE_NS;
}

static bool on_watchdog(JSContextRef ctx, void *data);

static void arm(isl_realm_t *r) {
  JSContextGroupSetExecutionTimeLimit(r->group, (double)slice_ns(r) / 1e9, on_watchdog, r);
}

/* The process's resident size in bytes, or 0 if /proc is not there. The file is opened
 * for each reading (at most about once a second): a descriptor kept open would count
 * against the connection budget and look like a leak to fd checks. */
static uint64_t process_rss(void) {
  int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[128];
  ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = 0;
  char *p = buf;
  strtoull(p, &p, 10); /* total program size; the resident size follows */
  return strtoull(p, NULL, 10) * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* Whether the heap is worth measuring now: the process grew, or it has been a while. */
static bool memory_due(isl_realm_t *r, uint64_t now, uint64_t every_ns) {
  if (now >= r->mem_last_full_ns + every_ns) return true;
  uint64_t rss = process_rss();
  return rss >= r->mem_last_rss + MEM_RSS_STEP;
}

static double stat_of(JSContextRef ctx, JSObjectRef stats, const char *name) {
  JSValueRef v = isl_get(ctx, stats, name, NULL);
  return v ? JSValueToNumber(ctx, v, NULL) : 0;
}

bool isl_realm_heap_over(isl_realm_t *r) {
  JSContextRef ctx = r->ctx;
  uint64_t limit = r->limits.memory_bytes;
  r->mem_last_full_ns = isl_now_ns();
  /* Capacity: the blocks the heap holds, live or not, plus memory outside it that its
   * objects own (ArrayBuffer contents, large strings). */
  double cap = stat_of(ctx, JSGetMemoryUsageStatistics(ctx), "heapCapacity");
  r->heap_bytes = (uint64_t)cap;
  if (limit && cap > (double)limit) {
    /* Over, maybe only with garbage: after a full collection the size is the live size. */
    JSSynchronousGarbageCollectForDebugging(ctx);
    r->heap_bytes = (uint64_t)stat_of(ctx, JSGetMemoryUsageStatistics(ctx), "heapSize");
  }
  r->mem_last_rss = process_rss();
  return limit && r->heap_bytes > limit;
}

static bool stop(isl_realm_t *r, isl_stop_t why, uint64_t used) {
  r->stop = why;
  r->stop_used_ns = used;
  if (r->run_budget) r->run_budget->exceeded = true;
  return true;
}

/* Runs after every slice of CPU that one VM entry takes; true stops the run. */
static bool on_watchdog(JSContextRef ctx, void *data) {
  (void)ctx;
  isl_realm_t *r = data;
  isl_cpu_trigger_checked();
  if (r->stop) return true; /* what is left of a run that was stopped */
  uint64_t now = isl_now_ns();
  uint64_t used;
  if (r->run_depth > 0)
    used = (r->run_budget ? r->run_budget->cpu_ns : 0) + (now - r->run_start_ns);
  else if (r->startup_ns)
    /* The modules' evaluation (isl_realm_startup_begin): timed as a run. */
    used = now - r->startup_ns;
  else
    /* Other JS that islet's C code entered without a bracket: count the slices. */
    used = (uint64_t)++r->loose_slices * slice_ns(r);
  if (r->limits.memory_bytes && memory_due(r, now, MEM_FULL_IN_RUN_NS) &&
      isl_realm_heap_over(r))
    return stop(r, ISL_STOP_MEMORY, used);
  if (r->limits.cpu_ns && used >= r->limits.cpu_ns) return stop(r, ISL_STOP_CPU, used);
  /* JSC 2.50 does not restart its timer when the callback lets the run go on (it takes
   * the timer as already restarted); setting the limit again does. */
  arm(r);
  return false;
}

void isl_realm_set_limits(isl_realm_t *r, const isl_limits_t *l) {
  r->limits = *l;
  /* Between runs the heap is measured at most once a second, counted from here: a
   * worker's first measurement is not part of its startup (JSGetMemoryUsageStatistics
   * costs ~5M instructions even for a fresh isolate, a quarter of creating one). A run
   * that grows the heap is still measured at its slices. */
  r->mem_next_ns = isl_now_ns() + MEM_CHECK_EVERY_NS;
  if (l->cpu_ns || l->memory_bytes) arm(r);
  else JSContextGroupClearExecutionTimeLimit(r->group);
}

void isl_budget_ref(isl_budget_t *b) {
  if (b) b->ops->ref(b);
}

void isl_budget_unref(isl_budget_t *b) {
  if (b) b->ops->unref(b);
}

void isl_run_begin(isl_realm_t *r, isl_budget_t *b, isl_run_t *run) {
  run->prev = r->current;
  r->current = b;
  if (r->run_depth++ > 0) return; /* nested: the outermost run is charged */
  runs_active++;
  isl_budget_ref(b); /* its owner may let go of it during the run */
  r->run_budget = b;
  r->run_start_ns = isl_now_ns();
  r->loose_slices = 0;
  r->stop = ISL_STOP_NONE;
  uint64_t limit = r->limits.cpu_ns, spent = b ? b->cpu_ns : 0;
  isl_cpu_trigger_begin(&run->trigger, limit != 0,
                        r->run_start_ns + (spent < limit ? limit - spent : 0));
}

bool isl_realm_stopped(isl_realm_t *r) {
  if (r->stop == ISL_STOP_NONE) return false;
  if (r->run_depth == 0) {
    /* Inside a run the termination must go on unwinding the JS that called in (and
     * isl_run_end takes it); outside, nothing else will. */
    JSValueRef ignored = NULL;
    JSValueToNumber(r->ctx, JSValueMakeUndefined(r->ctx), &ignored);
  }
  return true;
}

void isl_realm_startup_begin(isl_realm_t *r, isl_cpu_trigger_t *saved) {
  r->startup_ns = isl_now_ns();
  isl_cpu_trigger_begin(saved, r->limits.cpu_ns != 0, r->startup_ns + r->limits.cpu_ns);
}

void isl_realm_startup_end(isl_realm_t *r, const isl_cpu_trigger_t *saved) {
  r->startup_ns = 0;
  isl_cpu_trigger_end(saved);
}

/* A memory check between runs: on the loop's next turn, outside any JS. */
typedef struct {
  isl_realm_t *r; /* NULL once the realm is torn down */
} mem_ticket_t;

static void memory_task(void *data) {
  mem_ticket_t *t = data;
  isl_realm_t *r = t->r;
  free(t);
  if (!r) return;
  r->mem_ticket = NULL;
  uint64_t now = isl_now_ns();
  r->mem_next_ns = now + MEM_CHECK_EVERY_NS;
  if (memory_due(r, now, MEM_FULL_EVERY_NS) && isl_realm_heap_over(r) && r->on_limit)
    r->on_limit(r, ISL_STOP_MEMORY, NULL);
}

void isl_limits_realm_dispose(isl_realm_t *r) {
  mem_ticket_t *t = r->mem_ticket;
  if (t) t->r = NULL; /* the task frees it */
  r->mem_ticket = NULL;
  JSContextGroupClearExecutionTimeLimit(r->group);
}

static void post_memory_check(isl_realm_t *r) {
  if (r->mem_ticket) return; /* one is on its way */
  mem_ticket_t *t = isl_malloc(sizeof(*t));
  t->r = r;
  r->mem_ticket = t;
  isl_task_post(r->loop, memory_task, t);
}

void isl_run_end(isl_realm_t *r, isl_run_t *run) {
  if (r->run_depth > 1) {
    r->run_depth--;
    r->current = run->prev;
    return;
  }
  isl_budget_t *b = r->run_budget;
  isl_stop_t why = r->stop;
  if (why) {
    /* After a termination inside a microtask JSC keeps the termination exception pending,
     * and the next API call would fail with it: take it here, still inside the run, so
     * whatever JSC runs on the way (microtasks left in the queue) is charged to b, and
     * stopped at its first slice. */
    JSValueRef ignored = NULL;
    JSValueToNumber(r->ctx, JSValueMakeUndefined(r->ctx), &ignored);
  }
  uint64_t now = isl_now_ns();
  if (b) b->cpu_ns += now - r->run_start_ns;
  if (!why && b && !b->exceeded && r->limits.cpu_ns && b->cpu_ns > r->limits.cpu_ns) {
    /* A run that ended by itself, but took the request past its budget (its microtasks
     * each stayed under a slice): the request is over, as if the watchdog had stopped
     * it. */
    why = ISL_STOP_CPU;
    b->exceeded = true;
  }
  r->run_depth = 0;
  r->run_budget = NULL;
  r->current = run->prev;
  r->stop = ISL_STOP_NONE;
  isl_cpu_trigger_end(&run->trigger);
  if (why) {
    /* Reported while the run still counts as in progress: what the reports set off (an
     * answer to another worker, the isolate's restart) waits until it has ended. */
    if (b && b->ops->stopped) b->ops->stopped(b, why);
    if (r->on_limit) r->on_limit(r, why, b);
  }
  runs_active--;
  if (r->limits.memory_bytes && now >= r->mem_next_ns) post_memory_check(r);
  isl_budget_unref(b);
  if (runs_active == 0) run_deferred();
}

bool isl_subrequest_begin(JSContextRef ctx, JSValueRef *err) {
  isl_realm_t *r = isl_realm_of(ctx);
  isl_budget_t *b = r->current;
  if (!b) return true;
  if (!isl_budget_live(b)) {
    *err = isl_error_new(ctx, "TypeError",
                         "Cannot make a subrequest: the request this code runs for has "
                         "already finished (use ctx.waitUntil() for work after the response)");
    return false;
  }
  uint32_t max = r->limits.subrequests;
  if (max && b->subrequests >= max) {
    isl_buf_t m = {0};
    isl_buf_printf(&m, "Too many subrequests: a request may make at most %u (fetch() and "
                       "service binding calls count)", max);
    *err = isl_error_new(ctx, "TypeError", m.p);
    isl_buf_free(&m);
    return false;
  }
  b->subrequests++;
  return true;
}
