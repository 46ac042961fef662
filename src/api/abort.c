/* AbortController and AbortSignal (DOM Standard §3.1-3.2,
 * https://dom.spec.whatwg.org/#aborting-ongoing-activities), with the C API of
 * abort_api.h.
 *
 * An AbortSignal's native state starts with its EventTarget state. Its abort reason is a
 * JS value in a slot; its abort algorithms are C callbacks (abort_api.h).
 *
 * Dependent signals (AbortSignal.any) and garbage collection. The spec's source and
 * dependent signal sets are weak; C pointers both ways stand for them, and whichever
 * signal is finalized first unlinks itself from the other. The spec also says a dependent
 * signal must stay alive while it has sources and abort listeners or algorithms (its
 * "interest"), or a listener on `AbortSignal.any([controller.signal])` would silently be
 * lost. So while a dependent signal has interest, each of its sources holds it in a slot
 * (strongly), and the dependent holds its sources in a slot too, so a source is always
 * alive when its dependent is, and is safe to edit when the dependent is edited. Those
 * slots change only where the dependent is known to be alive (a call on it, or its own
 * abort); a removal that happens where it may not be (an abort algorithm of another
 * signal, a finalizer) leaves the slots as they are until the next safe change.
 *
 * A dependent signal aborted by a source while it has no interest (so possibly
 * unreachable already) is only marked in C, and takes its reason from that source when
 * read (reason_from).
 *
 * AbortSignal.timeout: one uv timer per signal. As in workerd the timer does not keep the
 * loop alive on its own (uv_unref): a worker that only waits for a timeout signal is done.
 * While pending, the timer holds the signal (a root), so its listeners run; the realm's
 * teardown closes pending timers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abort_api.h"
#include "event.h"

/* One edge between a dependent signal and a source, seen from one end: the signal at the
 * other end, and where this edge sits in that signal's opposite list. The back index makes
 * unlinking O(1), so a long-lived source with many short-lived dependents stays cheap. */
typedef struct {
  isl_abort_signal_t *sig;
  size_t pos;
} link_t;

typedef struct {
  link_t *v;
  size_t n, cap;
} links_t;

typedef struct timeout timeout_t;

struct isl_abort_algo {
  isl_abort_algo_t *next;
  isl_abort_signal_t *signal; /* NULL once taken off the list to run */
  isl_abort_fn fn;
  void *data;
  void (*release)(void *data);
  bool cancelled; /* removed while waiting to run */
};

struct isl_abort_signal {
  isl_evtarget_t et; /* first: an AbortSignal is an EventTarget */
  JSObjectRef self;  /* the wrapper; valid while the signal lives */
  uint32_t id;       /* names its keep-alive slot on its sources */
  bool aborted, dependent, kept;
  isl_abort_signal_t *reason_from; /* the source whose reason this one took */
  isl_abort_algo_t *algos;
  size_t nalgos;
  size_t abort_listeners; /* listeners (and the onabort handler) for "abort" */
  links_t sources, dependents; /* weak: see the top of the file */
  timeout_t *timer; /* AbortSignal.timeout's pending timer */
};

struct timeout {
  uv_timer_t handle;
  timeout_t *prev, *next;
  isl_realm_t *realm;
  isl_abort_signal_t *signal; /* its wrapper is protected while the timer is pending */
  isl_budget_t *budget;       /* the request that made it (a reference), or NULL */
};

typedef struct {
  timeout_t *timers;
  uint32_t next_id;
} abort_state_t;

static isl_class_def_t signal_class, controller_class;

static abort_state_t *state_of(JSContextRef ctx) {
  return isl_realm_of(ctx)->api_state[ISL_STATE_ABORT];
}

/* ---- Weak sets ----------------------------------------------------------------------- */

static void links_push(links_t *l, isl_abort_signal_t *sig, size_t pos) {
  if (l->n == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 2;
    l->v = isl_realloc(l->v, l->cap * sizeof(*l->v));
  }
  l->v[l->n++] = (link_t){sig, pos};
}

/* Removes entry k of l, which is its owner's dependents list (or its sources list), and
 * fixes the back index of the entry moved into the hole. */
static void links_remove(links_t *l, size_t k, bool is_dependents) {
  size_t last = --l->n;
  if (k == last) return;
  l->v[k] = l->v[last];
  link_t *moved = &l->v[k];
  links_t *opposite = is_dependents ? &moved->sig->sources : &moved->sig->dependents;
  opposite->v[moved->pos].pos = k;
}

/* Appends source to result's source signals and result to source's dependent signals
 * (both are sets). */
static void link_source(isl_abort_signal_t *result, isl_abort_signal_t *source) {
  for (size_t i = 0; i < result->sources.n; i++)
    if (result->sources.v[i].sig == source) return;
  links_push(&result->sources, source, source->dependents.n);
  links_push(&source->dependents, result, result->sources.n - 1);
}

/* Takes s out of the lists of every signal it is linked to (s is being freed). */
static void unlink_all(isl_abort_signal_t *s) {
  for (size_t i = 0; i < s->sources.n; i++)
    links_remove(&s->sources.v[i].sig->dependents, s->sources.v[i].pos, true);
  for (size_t i = 0; i < s->dependents.n; i++) {
    isl_abort_signal_t *d = s->dependents.v[i].sig;
    links_remove(&d->sources, s->dependents.v[i].pos, false);
    if (d->reason_from == s) d->reason_from = NULL;
  }
  free(s->sources.v);
  free(s->dependents.v);
}

/* ---- Keeping dependent signals alive ------------------------------------------------- */

static void keep_slot_name(const isl_abort_signal_t *d, char *buf, size_t n) {
  snprintf(buf, n, "abort.dependent.%u", (unsigned)d->id);
}

/* Adds or drops the slots by which d's sources hold d. d must be alive. */
static void set_kept(JSContextRef ctx, isl_abort_signal_t *d, bool keep) {
  if (d->kept == keep) return;
  char name[40];
  keep_slot_name(d, name, sizeof(name));
  for (size_t i = 0; i < d->sources.n; i++) {
    if (keep) isl_slot_set(ctx, d->sources.v[i].sig->self, name, d->self);
    else isl_slot_delete(ctx, d->sources.v[i].sig->self, name);
  }
  d->kept = keep;
}

/* Called when d's interest may have changed, where d is known to be alive (ctx != NULL).
 * An aborted signal's slots are dropped by the abort itself. */
static void update_kept(JSContextRef ctx, isl_abort_signal_t *d) {
  if (!ctx || !d->dependent || d->aborted) return;
  set_kept(ctx, d, d->sources.n > 0 && d->abort_listeners + d->nalgos > 0);
}

static void signal_listeners_changed(JSContextRef ctx, isl_evtarget_t *t, JSStringRef type,
                                     int delta) {
  isl_abort_signal_t *s = (isl_abort_signal_t *)t;
  if (!JSStringIsEqualToUTF8CString(type, "abort")) return;
  s->abort_listeners += (size_t)delta; /* wraps correctly for -1 */
  update_kept(ctx, s);
}

static const isl_evtarget_ops_t signal_ops = {signal_listeners_changed};

/* ---- Signals ------------------------------------------------------------------------- */

static void signal_free(void *priv) {
  isl_abort_signal_t *s = priv;
  isl_evtarget_dispose(&s->et);
  for (isl_abort_algo_t *a = s->algos, *next; a; a = next) {
    next = a->next;
    if (a->release) a->release(a->data);
    free(a);
  }
  unlink_all(s);
  free(s);
}

static isl_abort_signal_t *signal_create(JSContextRef ctx) {
  isl_abort_signal_t *s = isl_calloc(1, sizeof(*s));
  isl_evtarget_init(&s->et, &signal_ops);
  s->id = ++state_of(ctx)->next_id;
  s->self = isl_wrap(ctx, &signal_class, s);
  return s;
}

isl_abort_signal_t *isl_abort_signal_of(JSContextRef ctx, JSValueRef v) {
  return isl_priv(ctx, v, &signal_class);
}

JSObjectRef isl_abort_signal_object(isl_abort_signal_t *s) { return s->self; }

JSObjectRef isl_abort_signal_new(JSContextRef ctx) { return signal_create(ctx)->self; }

bool isl_abort_signal_aborted(isl_abort_signal_t *s) { return s->aborted; }

JSValueRef isl_abort_signal_reason(JSContextRef ctx, isl_abort_signal_t *s) {
  if (!s->aborted) return JSValueMakeUndefined(ctx);
  if (s->reason_from) {
    /* Taken now from the source (alive: s holds it), and kept. */
    isl_slot_set(ctx, s->self, "abort.reason", isl_slot_get(ctx, s->reason_from->self, "abort.reason"));
    s->reason_from = NULL;
  }
  return isl_slot_get(ctx, s->self, "abort.reason");
}

isl_abort_algo_t *isl_abort_signal_add(JSContextRef ctx, isl_abort_signal_t *s, isl_abort_fn fn,
                                       void *data, void (*release)(void *data)) {
  /* 1. If signal is aborted, then return. */
  if (s->aborted) return NULL;
  isl_abort_algo_t *a = isl_calloc(1, sizeof(*a));
  a->signal = s;
  a->fn = fn;
  a->data = data;
  a->release = release;
  /* Appended, so algorithms run in the order they were added. */
  isl_abort_algo_t **p = &s->algos;
  while (*p) p = &(*p)->next;
  *p = a;
  s->nalgos++;
  update_kept(ctx, s);
  return a;
}

void isl_abort_algo_remove(JSContextRef ctx, isl_abort_algo_t *a) {
  isl_abort_signal_t *s = a->signal;
  if (!s) {
    /* Taken off its list to run: the runner skips and releases it. */
    a->cancelled = true;
    return;
  }
  for (isl_abort_algo_t **p = &s->algos; *p; p = &(*p)->next)
    if (*p == a) {
      *p = a->next;
      break;
    }
  s->nalgos--;
  if (a->release) a->release(a->data);
  free(a);
  update_kept(ctx, s);
}

/* "Run the abort steps": the algorithms in order, then the abort event. */
static void run_abort_steps(JSContextRef ctx, isl_abort_signal_t *s) {
  JSValueRef reason = isl_abort_signal_reason(ctx, s);
  isl_abort_algo_t *list = s->algos;
  s->algos = NULL;
  s->nalgos = 0;
  for (isl_abort_algo_t *a = list; a; a = a->next) a->signal = NULL;
  while (list) {
    isl_abort_algo_t *a = list;
    if (!a->cancelled) a->fn(ctx, a->data, reason);
    list = a->next;
    if (a->release) a->release(a->data);
    free(a);
  }
  isl_evtarget_fire(ctx, s->self, "abort");
}

/* "Signal abort". s must be alive. */
void isl_abort_signal_abort(JSContextRef ctx, isl_abort_signal_t *s, JSValueRef reason) {
  /* 1. If signal is aborted, then return. */
  if (s->aborted) return;
  /* 2. Set signal's abort reason to reason if it is given; otherwise to a new
   * "AbortError" DOMException. */
  if (!reason) reason = isl_dom_error_new(ctx, "AbortError", "The operation was aborted");
  s->aborted = true;
  isl_slot_set(ctx, s->self, "abort.reason", reason);
  /* 3-4. The dependent signals not yet aborted take the same reason. Those that are kept
   * alive are collected in a JS array (the C stack and heap are not roots) and run their
   * abort steps below; the others may be unreachable and are only marked. */
  JSObjectRef to_abort = isl_array_new_internal(ctx);
  unsigned n = 0;
  for (size_t i = 0; i < s->dependents.n; i++) {
    isl_abort_signal_t *d = s->dependents.v[i].sig;
    if (d->aborted) continue;
    d->aborted = true;
    if (d->kept) {
      isl_slot_set(ctx, d->self, "abort.reason", reason);
      JSObjectSetPropertyAtIndex(ctx, to_abort, n++, d->self, NULL);
    } else {
      d->reason_from = s;
    }
  }
  /* 5. Run the abort steps for signal. */
  run_abort_steps(ctx, s);
  /* 6. For each dependentSignal of dependentSignalsToAbort, run the abort steps. */
  for (unsigned i = 0; i < n; i++) {
    JSValueRef d = JSObjectGetPropertyAtIndex(ctx, to_abort, i, NULL);
    run_abort_steps(ctx, isl_abort_signal_of(ctx, d));
  }
  /* Aborted signals need no keeping alive any more. */
  for (unsigned i = 0; i < n; i++) {
    JSValueRef d = JSObjectGetPropertyAtIndex(ctx, to_abort, i, NULL);
    set_kept(ctx, isl_abort_signal_of(ctx, d), false);
  }
}

/* ---- AbortSignal --------------------------------------------------------------------- */

#define SIGNAL_THIS()                                                     \
  isl_abort_signal_t *s = isl_unwrap(ctx, this_obj, &signal_class, exc); \
  if (!s) return NULL

static JSValueRef js_signal_aborted(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                    size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  SIGNAL_THIS();
  return JSValueMakeBoolean(ctx, s->aborted);
}

static JSValueRef js_signal_reason(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  SIGNAL_THIS();
  return isl_abort_signal_reason(ctx, s);
}

static JSValueRef js_signal_throw_if_aborted(JSContextRef ctx, JSObjectRef fn,
                                             JSObjectRef this_obj, size_t argc,
                                             const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  SIGNAL_THIS();
  /* If this is aborted, then throw this's abort reason. */
  if (!s->aborted) return JSValueMakeUndefined(ctx);
  *exc = isl_abort_signal_reason(ctx, s);
  return NULL;
}

static JSValueRef js_signal_onabort(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                    size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  SIGNAL_THIS();
  (void)s;
  return isl_evtarget_handler_get(ctx, this_obj, "abort");
}

static JSValueRef js_signal_set_onabort(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                        size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  SIGNAL_THIS();
  (void)s;
  isl_evtarget_handler_set(ctx, this_obj, "abort", ISL_ARG(0));
  return JSValueMakeUndefined(ctx);
}

/* An `optional any reason` argument: missing or undefined means "not given". */
static JSValueRef reason_arg(JSContextRef ctx, size_t argc, const JSValueRef argv[]) {
  return argc > 0 && !JSValueIsUndefined(ctx, argv[0]) ? argv[0] : NULL;
}

/* AbortSignal.abort(reason) */
static JSValueRef js_signal_abort(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)this_obj, (void)exc;
  isl_abort_signal_t *s = signal_create(ctx);
  JSValueRef reason = reason_arg(ctx, argc, argv);
  if (!reason) reason = isl_dom_error_new(ctx, "AbortError", "The operation was aborted");
  s->aborted = true;
  isl_slot_set(ctx, s->self, "abort.reason", reason);
  return s->self;
}

static void timeout_on_close(uv_handle_t *h) { free(h->data); }

static void timeout_clear(isl_realm_t *r, timeout_t *t) {
  abort_state_t *st = r->api_state[ISL_STATE_ABORT];
  if (t->prev) t->prev->next = t->next;
  else st->timers = t->next;
  if (t->next) t->next->prev = t->prev;
  t->signal->timer = NULL;
  isl_budget_unref(t->budget);
  t->budget = NULL;
  uv_timer_stop(&t->handle);
  uv_close((uv_handle_t *)&t->handle, timeout_on_close);
}

static void timeout_fire(uv_timer_t *h) {
  timeout_t *t = h->data;
  isl_realm_t *r = t->realm;
  JSContextRef ctx = r->ctx;
  isl_abort_signal_t *s = t->signal;
  JSObjectRef self = s->self;
  /* The listeners run on behalf of the request that made the signal, like a timer's
   * callback; a request that is over gets no more events (see timers.c). */
  isl_budget_t *b = t->budget;
  t->budget = NULL;
  timeout_clear(r, t);
  if (isl_budget_live(b)) {
    isl_run_t run;
    isl_run_begin(r, b, &run);
    /* Signal abort with a new "TimeoutError" DOMException. */
    isl_abort_signal_abort(ctx, s, isl_dom_error_new(ctx, "TimeoutError",
                                                     "The operation was aborted due to timeout"));
    isl_run_end(r, &run);
  }
  isl_budget_unref(b);
  isl_unprotect(ctx, self);
}

/* [EnforceRange] unsigned long long: a finite number in [0, 2^53 - 1], truncated. */
static bool enforce_range_u64(JSContextRef ctx, JSValueRef v, double *out, JSValueRef *exc) {
  double d = JSValueToNumber(ctx, v, exc);
  if (*exc) return false;
  if (!isfinite(d)) {
    isl_throw_type(ctx, exc, "Failed to execute 'timeout' on 'AbortSignal': Value is not a "
                             "finite number.");
    return false;
  }
  d = trunc(d);
  if (d < 0 || d > 9007199254740991.0) {
    isl_throw_type(ctx, exc, "Failed to execute 'timeout' on 'AbortSignal': Value is outside "
                             "the 'unsigned long long' value range.");
    return false;
  }
  *out = d;
  return true;
}

/* AbortSignal.timeout(milliseconds) */
static JSValueRef js_signal_timeout(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                    size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)this_obj;
  if (!isl_require_args(ctx, argc, 1, "AbortSignal", "timeout", exc)) return NULL;
  double ms;
  if (!enforce_range_u64(ctx, argv[0], &ms, exc)) return NULL;
  isl_realm_t *r = isl_realm_of(ctx);
  abort_state_t *st = state_of(ctx);
  isl_abort_signal_t *s = signal_create(ctx);
  timeout_t *t = isl_calloc(1, sizeof(*t));
  t->realm = r;
  t->signal = s;
  t->budget = r->current;
  isl_budget_ref(t->budget);
  s->timer = t;
  isl_protect(ctx, s->self);
  t->next = st->timers;
  if (st->timers) st->timers->prev = t;
  st->timers = t;
  uv_timer_init(r->loop, &t->handle);
  t->handle.data = t;
  uv_update_time(r->loop);
  uv_timer_start(&t->handle, timeout_fire, (uint64_t)ms, 0);
  uv_unref((uv_handle_t *)&t->handle);
  return s->self;
}

/* One element of AbortSignal.any's sequence<AbortSignal>, gathered in a JS array. */
static bool any_collect(JSContextRef ctx, void *data, JSValueRef v, JSValueRef *exc) {
  JSObjectRef list = data;
  if (!isl_abort_signal_of(ctx, v)) {
    isl_throw_type(ctx, exc, "Failed to execute 'any' on 'AbortSignal': Failed to convert "
                             "value to 'AbortSignal'.");
    return false;
  }
  unsigned n = (unsigned)JSValueToNumber(ctx, isl_get(ctx, list, "length", NULL), NULL);
  JSObjectSetPropertyAtIndex(ctx, list, n, v, NULL);
  return true;
}

/* "Create a dependent abort signal" from the signals in list (a JS array of AbortSignals). */
static JSObjectRef create_dependent(JSContextRef ctx, JSObjectRef list) {
  unsigned n = (unsigned)JSValueToNumber(ctx, isl_get(ctx, list, "length", NULL), NULL);
  /* 1. Let resultSignal be a new object. */
  isl_abort_signal_t *result = signal_create(ctx);
  /* 2. If any signal is aborted, resultSignal takes its reason and is returned. */
  for (unsigned i = 0; i < n; i++) {
    isl_abort_signal_t *s = isl_abort_signal_of(ctx, JSObjectGetPropertyAtIndex(ctx, list, i, NULL));
    if (s->aborted) {
      result->aborted = true;
      isl_slot_set(ctx, result->self, "abort.reason", isl_abort_signal_reason(ctx, s));
      return result->self;
    }
  }
  /* 3. Set resultSignal's dependent to true. */
  result->dependent = true;
  /* 4. Non-dependent signals become sources; a dependent one lends its own sources. */
  for (unsigned i = 0; i < n; i++) {
    isl_abort_signal_t *s = isl_abort_signal_of(ctx, JSObjectGetPropertyAtIndex(ctx, list, i, NULL));
    if (!s->dependent) {
      link_source(result, s);
    } else {
      for (size_t k = 0; k < s->sources.n; k++) link_source(result, s->sources.v[k].sig);
    }
  }
  /* The dependent holds its sources, so they are alive whenever it is. */
  JSObjectRef sources = isl_array_new_internal(ctx);
  for (size_t k = 0; k < result->sources.n; k++)
    JSObjectSetPropertyAtIndex(ctx, sources, (unsigned)k, result->sources.v[k].sig->self, NULL);
  isl_slot_set(ctx, result->self, "abort.sources", sources);
  return result->self;
}

JSObjectRef isl_abort_signal_follow(JSContextRef ctx, isl_abort_signal_t *s) {
  JSObjectRef list = isl_array_new_internal(ctx);
  JSObjectSetPropertyAtIndex(ctx, list, 0, s->self, NULL);
  return create_dependent(ctx, list);
}

/* AbortSignal.any(signals). */
static JSValueRef js_signal_any(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)this_obj;
  if (!isl_require_args(ctx, argc, 1, "AbortSignal", "any", exc)) return NULL;
  JSObjectRef list = isl_array_new_internal(ctx);
  if (!isl_iterate(ctx, argv[0], any_collect, list, exc)) return NULL;
  return create_dependent(ctx, list);
}

static const isl_accessor_t signal_accessors[] = {
    {"aborted", js_signal_aborted, NULL},
    {"reason", js_signal_reason, NULL},
    {"onabort", js_signal_onabort, js_signal_set_onabort},
    {0},
};

static const isl_method_t signal_methods[] = {
    {"throwIfAborted", js_signal_throw_if_aborted, 0},
    {0},
};

static const isl_method_t signal_statics[] = {
    {"abort", js_signal_abort, 0},
    {"timeout", js_signal_timeout, 1},
    {"any", js_signal_any, 1},
    {0},
};

static isl_class_def_t signal_class = {
    .name = "AbortSignal",
    .parent = &isl_evtarget_class,
    .methods = signal_methods,
    .accessors = signal_accessors,
    .statics = signal_statics,
    .finalize = signal_free,
};

/* ---- AbortController ----------------------------------------------------------------- */

static char controller_tag; /* stateless: the signal is in a slot */

/* new AbortController() */
static JSObjectRef js_controller_construct(JSContextRef ctx, JSObjectRef new_target,
                                           size_t argc, const JSValueRef argv[],
                                           JSValueRef *exc) {
  (void)argc, (void)argv, (void)exc;
  /* 1-2. Let signal be a new AbortSignal object; set this's signal to signal. */
  isl_abort_signal_t *s = signal_create(ctx);
  JSObjectRef o = isl_wrap_new(ctx, &controller_class, &controller_tag, new_target);
  isl_slot_set(ctx, o, "abort.signal", s->self);
  return o;
}

static JSValueRef js_controller_signal(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                       size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  if (!isl_unwrap(ctx, this_obj, &controller_class, exc)) return NULL;
  return isl_slot_get(ctx, this_obj, "abort.signal");
}

/* abort(reason): signal abort on this's signal. */
static JSValueRef js_controller_abort(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                      size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  if (!isl_unwrap(ctx, this_obj, &controller_class, exc)) return NULL;
  isl_abort_signal_t *s = isl_abort_signal_of(ctx, isl_slot_get(ctx, this_obj, "abort.signal"));
  isl_abort_signal_abort(ctx, s, reason_arg(ctx, argc, argv));
  return JSValueMakeUndefined(ctx);
}

static const isl_accessor_t controller_accessors[] = {
    {"signal", js_controller_signal, NULL},
    {0},
};

static const isl_method_t controller_methods[] = {
    {"abort", js_controller_abort, 0},
    {0},
};

static isl_class_def_t controller_class = {
    .name = "AbortController",
    .construct = js_controller_construct,
    .methods = controller_methods,
    .accessors = controller_accessors,
};

static void abort_teardown(isl_realm_t *r) {
  abort_state_t *st = r->api_state[ISL_STATE_ABORT];
  while (st->timers) {
    JSObjectRef self = st->timers->signal->self;
    timeout_clear(r, st->timers);
    isl_unprotect(r->ctx, self);
  }
  free(st);
  r->api_state[ISL_STATE_ABORT] = NULL;
}

void isl_api_abort_install(isl_realm_t *r) {
  ISL_CHECK(r->api_state[ISL_STATE_ABORT] == NULL);
  r->api_state[ISL_STATE_ABORT] = isl_calloc(1, sizeof(abort_state_t));
  isl_realm_add_teardown(r, abort_teardown);
  isl_class_install(r, &signal_class);
  isl_class_install(r, &controller_class);
}
