/* The clocks JSC's watchdog reads, wrapped so that it can stop a run made of many short VM
 * entries (a chain of microtasks) once the run has spent its CPU budget. limits.c keeps
 * the budgets; this file only decides, per VM entry, whether the watchdog must fire.
 *
 * Why. JSC's execution time limit counts one VM entry at a time, and every microtask is
 * an entry of its own. Its Watchdog (javascriptcoregtk 2.50, runtime/Watchdog.cpp) does,
 * at every entry, in startTimer: cpu_deadline = <thread CPU clock> + limit, then reads
 * the monotonic clock and, when the wall-clock deadline has passed (or lies further than
 * `limit` away), moves it to now + limit and starts a timer. When a timer fires, the next
 * polling point calls shouldTerminate, which calls islet's callback (on_watchdog) only if
 * the wall-clock deadline has passed *and* the entry's own CPU deadline has. So in
 * `for (;;) await null` the callback is never called: each entry is far shorter than the
 * limit, and when the timer fires between two entries the next one moves the deadline on
 * before it is checked. Nothing in the C API reaches the watchdog from outside JS either:
 * JSContextGroupSetExecutionTimeLimit takes the VM's lock, which the thread draining the
 * microtasks holds throughout (measured: a second thread calling it waits forever).
 *
 * How. What JSC does call at every entry are its two clocks: the thread's CPU clock
 * (WTF::CPUTime, clock_gettime(CLOCK_THREAD_CPUTIME_ID), read by nothing else in JSC) and
 * the monotonic one (WTF::MonotonicTime::now(), g_get_monotonic_time() on GLib ports).
 * islet defines both functions; an executable's definitions come before the libraries' in
 * symbol lookup, so JSC (and everything else) calls these, which call the real ones
 * (dlsym RTLD_NEXT). limits.c tells this file when the run in progress on the thread will
 * have spent its budget (isl_cpu_trigger_begin, on its monotonic clock); until then, and
 * on every other thread, reads come back unchanged. Past it, on the run's thread:
 *  - every CPU-clock read is moved a slice (SHIFT_NS) further forward, so any check finds
 *    the entry's CPU deadline passed. The offset stays after the run (the clock never
 *    goes back), which the watchdog does not notice: it only compares its own readings;
 *  - the one monotonic read that follows a CPU-clock read (startTimer's: the two are read
 *    back to back there, and only there) is a slice early, so the entry leaves a passed
 *    deadline in place, or puts a future one at now, instead of moving it a slice on.
 * The next timer, at most a slice later, then reaches on_watchdog, which stops the run by
 * limits.c's own accounting. On a thread that has run budgeted JS, the CPU-clock read
 * itself is answered from the monotonic clock (vDSO) rather than with a system call:
 * limits.c counts a run's time on the monotonic clock, so the watchdog's per-entry
 * deadline agrees with it, and a VM entry costs two vDSO reads instead of a system call.
 * Nothing else in the process reads a thread's CPU clock.
 *
 * If a later JSC reads its clocks differently, tests/cli/limits_microtask_test.py hangs
 * on its loops and fails; nothing else depends on this. */
#include <dlfcn.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "jsc.h"

/* The forward step of the CPU clock, and how early the shifted monotonic read is: at least
 * the longest time limit limits.c arms. */
#define SHIFT_NS ((int64_t)ISL_WATCHDOG_SLICE_NS)

typedef int (*clock_gettime_fn)(clockid_t id, struct timespec *ts);
typedef int64_t (*monotonic_fn)(void);

static _Atomic(clock_gettime_fn) next_clock_gettime;
static _Atomic(monotonic_fn) next_monotonic;

/* The run in progress on this thread, and what has been done to its clocks. */
static _Thread_local isl_cpu_trigger_t trigger;
static _Thread_local int64_t cpu_offset_ns;
static _Thread_local bool shift_next_monotonic;
/* This thread has run budgeted JS (isl_cpu_trigger_begin): its CPU-clock reads are
 * monotonic reads (cpu_clock_gettime). */
static _Thread_local bool js_thread;

/* Used only when the C library's clock_gettime cannot be found (never on glibc). */
static int raw_clock_gettime(clockid_t id, struct timespec *ts) {
  return (int)syscall(SYS_clock_gettime, id, ts);
}

static __attribute__((noinline, cold)) clock_gettime_fn find_clock_gettime(void) {
  clock_gettime_fn f;
  *(void **)&f = dlsym(RTLD_NEXT, "clock_gettime");
  if (!f) f = raw_clock_gettime;
  atomic_store_explicit(&next_clock_gettime, f, memory_order_relaxed);
  return f;
}

static inline clock_gettime_fn real_clock_gettime(void) {
  clock_gettime_fn f = atomic_load_explicit(&next_clock_gettime, memory_order_relaxed);
  return f ? f : find_clock_gettime();
}

/* GLib's own definition, for a process where GLib's is not found. */
static int64_t raw_monotonic(void) {
  struct timespec ts;
  real_clock_gettime()(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static __attribute__((noinline, cold)) monotonic_fn find_monotonic(void) {
  monotonic_fn f;
  *(void **)&f = dlsym(RTLD_NEXT, "g_get_monotonic_time");
  if (!f) f = raw_monotonic;
  atomic_store_explicit(&next_monotonic, f, memory_order_relaxed);
  return f;
}

static inline monotonic_fn real_monotonic(void) {
  monotonic_fn f = atomic_load_explicit(&next_monotonic, memory_order_relaxed);
  return f ? f : find_monotonic();
}

static int64_t monotonic_ns(void) {
  struct timespec ts;
  real_clock_gettime()(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A read of this thread's CPU clock: JSC's watchdog at a VM entry or a check. Kept out
 * of clock_gettime so that every other read passes straight through. */
static __attribute__((noinline)) int cpu_clock_gettime(clock_gettime_fn real, clockid_t id,
                                                       struct timespec *ts) {
  /* On a thread that runs budgeted JS the watchdog gets the monotonic clock (vDSO, ~20 ns)
   * instead of the thread's CPU clock (a system call, ~0.5 µs, made at every VM entry:
   * every microtask and every call from C). limits.c counts the run's time on the
   * monotonic clock anyway, so the watchdog's per-entry deadline now agrees with it. */
  int rc = real(js_thread ? CLOCK_MONOTONIC : id, ts);
  if (rc != 0) return rc;
  if (trigger.armed && monotonic_ns() >= trigger.deadline_ns) {
    cpu_offset_ns += SHIFT_NS;
    shift_next_monotonic = true;
  }
  if (cpu_offset_ns) {
    int64_t cpu = (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec + cpu_offset_ns;
    ts->tv_sec = cpu / 1000000000;
    ts->tv_nsec = cpu % 1000000000;
  }
  return 0;
}

int clock_gettime(clockid_t id, struct timespec *ts) {
  clock_gettime_fn real = real_clock_gettime();
  if (id == CLOCK_THREAD_CPUTIME_ID) return cpu_clock_gettime(real, id, ts);
  return real(id, ts);
}

/* GLib's declaration is gint64 g_get_monotonic_time(void); gint64 is int64_t. */
int64_t g_get_monotonic_time(void);
int64_t g_get_monotonic_time(void) {
  int64_t us = real_monotonic()();
  if (shift_next_monotonic) {
    shift_next_monotonic = false;
    us -= SHIFT_NS / 1000;
  }
  return us;
}

void isl_cpu_trigger_begin(isl_cpu_trigger_t *saved, bool armed, uint64_t deadline_ns) {
  js_thread = true;
  *saved = trigger;
  trigger = (isl_cpu_trigger_t){.armed = armed, .deadline_ns = (int64_t)deadline_ns};
}

void isl_cpu_trigger_end(const isl_cpu_trigger_t *saved) {
  trigger = *saved;
  shift_next_monotonic = false;
}

void isl_cpu_trigger_checked(void) { shift_next_monotonic = false; }
