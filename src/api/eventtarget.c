/* The EventTarget interface and event dispatch (DOM Standard §2.7-2.9,
 * https://dom.spec.whatwg.org/#interface-eventtarget), and event handler attributes
 * (HTML §8.1.8.1) for the interfaces that have them (AbortSignal's onabort).
 *
 * A target's event listener list is a C array of refcounted listeners; a dispatch works
 * on a copy holding a reference to each, so listeners removed meanwhile are skipped
 * (their `removed` flag) and listeners added meanwhile are not in the copy. Callbacks are
 * JS values: they are kept alive by a JS array in a slot of the target (the holder), not
 * by roots, so a target and its listeners are collected together.
 *
 * A listener added with a `signal` is removed by an abort algorithm on that signal. That
 * algorithm may run when the target is already unreachable (the signal outlives it), so
 * it only edits C state; the target's finalizer and the signal's detach each other.
 *
 * There is no tree, so the event path is the target alone and both dispatch passes run
 * at the target (AT_TARGET): capture listeners first, then the others.
 *
 * The worker's global scope is not an EventTarget yet: src/worker/context.c defines its
 * own addEventListener on the global for "fetch" listeners. */
#include <stdlib.h>
#include <string.h>

#include "abort_api.h"
#include "event.h"

struct isl_listener {
  int refs;              /* the target's list, dispatch copies, the signal's algorithm */
  isl_evtarget_t *target; /* NULL once removed */
  JSStringRef type;      /* retained */
  JSValueRef callback;   /* kept alive by the target's holder; NULL: an event handler */
  bool capture, passive, once, removed;
  isl_abort_algo_t *algo; /* removes the listener when its signal aborts, or NULL */
};

#define HOLDER_SLOT "eventtarget.listeners"

static void listener_unref(isl_listener_t *l) {
  if (--l->refs > 0) return;
  JSStringRelease(l->type);
  free(l);
}

void isl_evtarget_init(isl_evtarget_t *t, const isl_evtarget_ops_t *ops) {
  memset(t, 0, sizeof(*t));
  t->ops = ops;
}

isl_evtarget_t *isl_evtarget_of(JSContextRef ctx, JSValueRef v) {
  if (v && JSValueIsObject(ctx, v) && (JSObjectRef)v == isl_realm_of(ctx)->global)
    return isl_evtarget_global(ctx);
  return isl_priv(ctx, v, &isl_evtarget_class);
}

/* The target an operation runs on. The global scope is an EventTarget ([Global] in Web
 * IDL): a bare `addEventListener(...)`, whose this is undefined in strict code, means it. */
static isl_evtarget_t *this_target(JSContextRef ctx, JSObjectRef *this_obj, JSValueRef *exc) {
  if (!*this_obj || JSValueIsUndefined(ctx, *this_obj) || JSValueIsNull(ctx, *this_obj))
    *this_obj = isl_realm_of(ctx)->global;
  isl_evtarget_t *t = isl_evtarget_of(ctx, *this_obj);
  if (!t) isl_throw_type(ctx, exc, "Illegal invocation");
  return t;
}

/* "Remove an event listener". ctx NULL: JS must not be touched (see event.h). */
static void remove_listener(JSContextRef ctx, isl_evtarget_t *t, isl_listener_t *l) {
  if (l->removed) return;
  /* 2. Set listener's removed to true and remove listener from the list. */
  l->removed = true;
  l->target = NULL;
  for (size_t i = 0; i < t->n; i++)
    if (t->v[i] == l) {
      memmove(t->v + i, t->v + i + 1, (t->n - i - 1) * sizeof(*t->v));
      t->n--;
      break;
    }
  if (l->callback) t->holder_dead++;
  /* The signal's algorithm would only find the listener gone. The signal may already be
   * unreachable, so its side is edited without JS. */
  if (l->algo) isl_abort_algo_remove(NULL, l->algo);
  if (t->ops && t->ops->listeners_changed) t->ops->listeners_changed(ctx, t, l->type, -1);
  listener_unref(l);
}

void isl_evtarget_dispose(isl_evtarget_t *t) {
  for (size_t i = 0; i < t->n; i++) {
    isl_listener_t *l = t->v[i];
    l->removed = true;
    l->target = NULL;
    if (l->algo) isl_abort_algo_remove(NULL, l->algo);
    listener_unref(l);
  }
  free(t->v);
  t->v = NULL;
  t->n = t->cap = 0;
}

/* The holder array: an entry per callback ever added since the last compaction. It is
 * rebuilt from the live listeners when removed entries dominate. */
static void holder_add(JSContextRef ctx, JSObjectRef target, isl_evtarget_t *t,
                       JSValueRef callback) {
  JSValueRef h = isl_slot_get(ctx, target, HOLDER_SLOT);
  if (t->holder_dead > 16 && t->holder_dead * 2 > t->holder_len) {
    JSObjectRef fresh = isl_array_new_internal(ctx);
    size_t k = 0;
    for (size_t i = 0; i < t->n; i++)
      if (t->v[i]->callback) JSObjectSetPropertyAtIndex(ctx, fresh, (unsigned)k++, t->v[i]->callback, NULL);
    isl_slot_set(ctx, target, HOLDER_SLOT, fresh);
    t->holder_len = k;
    t->holder_dead = 0;
    h = fresh;
  } else if (!JSValueIsObject(ctx, h)) {
    h = isl_array_new_internal(ctx);
    isl_slot_set(ctx, target, HOLDER_SLOT, h);
    t->holder_len = t->holder_dead = 0;
  }
  JSObjectSetPropertyAtIndex(ctx, (JSObjectRef)h, (unsigned)t->holder_len++, callback, NULL);
}

static isl_listener_t *append_listener(JSContextRef ctx, isl_evtarget_t *t, JSStringRef type,
                                       JSValueRef callback) {
  isl_listener_t *l = isl_calloc(1, sizeof(*l));
  l->refs = 1;
  l->target = t;
  l->type = JSStringRetain(type);
  l->callback = callback;
  if (t->n == t->cap) {
    t->cap = t->cap ? t->cap * 2 : 4;
    t->v = isl_realloc(t->v, t->cap * sizeof(*t->v));
  }
  t->v[t->n++] = l;
  if (t->ops && t->ops->listeners_changed) t->ops->listeners_changed(ctx, t, type, +1);
  return l;
}

static isl_listener_t *find_listener(isl_evtarget_t *t, JSContextRef ctx, JSStringRef type,
                                     JSValueRef callback, bool capture) {
  for (size_t i = 0; i < t->n; i++) {
    isl_listener_t *l = t->v[i];
    if (l->callback && l->capture == capture && JSStringIsEqual(l->type, type) &&
        JSValueIsStrictEqual(ctx, l->callback, callback))
      return l;
  }
  return NULL;
}

/* The listener's signal aborted: remove it. The target may be unreachable by now. */
static void listener_on_abort(JSContextRef ctx, void *data, JSValueRef reason) {
  (void)ctx, (void)reason;
  isl_listener_t *l = data;
  if (l->target) remove_listener(NULL, l->target, l);
}

static void listener_algo_release(void *data) {
  isl_listener_t *l = data;
  l->algo = NULL;
  listener_unref(l);
}

/* ---- Options -------------------------------------------------------------------------- */

typedef struct {
  bool capture, once, passive;
  isl_abort_signal_t *signal;
} listener_opts_t;

static bool bool_member(JSContextRef ctx, JSObjectRef dict, const char *key, bool *out,
                        JSValueRef *exc) {
  JSValueRef v = isl_get(ctx, dict, key, exc);
  if (*exc) return false;
  if (!JSValueIsUndefined(ctx, v)) *out = JSValueToBoolean(ctx, v);
  return true;
}

/* "Flatten" / "flatten more": options is a boolean (capture) or an EventListenerOptions
 * (remove) / AddEventListenerOptions (add) dictionary, whose members are read in
 * order: capture, then once, passive, signal. */
static bool flatten_options(JSContextRef ctx, JSValueRef options, bool add,
                            listener_opts_t *o, JSValueRef *exc) {
  memset(o, 0, sizeof(*o));
  if (JSValueIsUndefined(ctx, options) || JSValueIsNull(ctx, options)) return true;
  if (!JSValueIsObject(ctx, options)) {
    o->capture = JSValueToBoolean(ctx, options);
    return true;
  }
  JSObjectRef d = (JSObjectRef)options;
  if (!bool_member(ctx, d, "capture", &o->capture, exc)) return false;
  if (!add) return true;
  if (!bool_member(ctx, d, "once", &o->once, exc) ||
      !bool_member(ctx, d, "passive", &o->passive, exc))
    return false;
  JSValueRef sig = isl_get(ctx, d, "signal", exc);
  if (*exc) return false;
  if (!JSValueIsUndefined(ctx, sig)) {
    o->signal = isl_abort_signal_of(ctx, sig);
    if (!o->signal) {
      isl_throw_type(ctx, exc, "Failed to execute 'addEventListener' on 'EventTarget': "
                               "member signal is not of type 'AbortSignal'.");
      return false;
    }
  }
  return true;
}

/* An EventListener argument: null/undefined, or an object (a function or an object with
 * handleEvent, looked up when called). */
static bool listener_arg(JSContextRef ctx, JSValueRef v, const char *op, JSValueRef *out,
                         JSValueRef *exc) {
  if (JSValueIsUndefined(ctx, v) || JSValueIsNull(ctx, v)) {
    *out = NULL;
    return true;
  }
  if (!JSValueIsObject(ctx, v)) {
    isl_throw_type(ctx, exc, "Failed to execute '%s' on 'EventTarget': parameter 2 is not of "
                             "type 'EventListener'.", op);
    return false;
  }
  *out = v;
  return true;
}

/* ---- The interface -------------------------------------------------------------------- */

static void evtarget_free(void *priv) {
  isl_evtarget_dispose(priv);
  free(priv);
}

/* new EventTarget() */
static JSObjectRef js_evtarget_construct(JSContextRef ctx, JSObjectRef new_target, size_t argc,
                                         const JSValueRef argv[], JSValueRef *exc) {
  (void)argc, (void)argv, (void)exc;
  isl_evtarget_t *t = isl_malloc(sizeof(*t));
  isl_evtarget_init(t, NULL);
  return isl_wrap_new(ctx, &isl_evtarget_class, t, new_target);
}

/* addEventListener(type, callback, options) */
static JSValueRef js_add_event_listener(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                        size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  isl_evtarget_t *t = this_target(ctx, &this_obj, exc);
  if (!t) return NULL;
  if (!isl_require_args(ctx, argc, 2, "EventTarget", "addEventListener", exc)) return NULL;
  JSStringRef type = JSValueToStringCopy(ctx, argv[0], exc);
  if (!type) return NULL;
  JSValueRef callback;
  listener_opts_t o;
  if (!listener_arg(ctx, argv[1], "addEventListener", &callback, exc) ||
      !flatten_options(ctx, ISL_ARG(2), true, &o, exc)) {
    JSStringRelease(type);
    return NULL;
  }
  /* 2. If listener's signal is not null and is aborted, then return.
   * 3. If listener's callback is null, then return.
   * 5. If the list does not contain an equal listener (type, callback, capture), append. */
  if ((o.signal && isl_abort_signal_aborted(o.signal)) || !callback ||
      find_listener(t, ctx, type, callback, o.capture)) {
    JSStringRelease(type);
    return JSValueMakeUndefined(ctx);
  }
  holder_add(ctx, this_obj, t, callback);
  isl_listener_t *l = append_listener(ctx, t, type, callback);
  JSStringRelease(type);
  l->capture = o.capture;
  l->once = o.once;
  /* 4. passive defaults to false: there is no window or node here. */
  l->passive = o.passive;
  /* 6. If listener's signal is not null, add abort steps that remove the listener. */
  if (o.signal) {
    l->refs++;
    l->algo = isl_abort_signal_add(ctx, o.signal, listener_on_abort, l, listener_algo_release);
    if (!l->algo) l->refs--;
  }
  return JSValueMakeUndefined(ctx);
}

/* removeEventListener(type, callback, options) */
static JSValueRef js_remove_event_listener(JSContextRef ctx, JSObjectRef fn,
                                           JSObjectRef this_obj, size_t argc,
                                           const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  isl_evtarget_t *t = this_target(ctx, &this_obj, exc);
  if (!t) return NULL;
  if (!isl_require_args(ctx, argc, 2, "EventTarget", "removeEventListener", exc)) return NULL;
  JSStringRef type = JSValueToStringCopy(ctx, argv[0], exc);
  if (!type) return NULL;
  JSValueRef callback;
  listener_opts_t o;
  if (!listener_arg(ctx, argv[1], "removeEventListener", &callback, exc) ||
      !flatten_options(ctx, ISL_ARG(2), false, &o, exc)) {
    JSStringRelease(type);
    return NULL;
  }
  isl_listener_t *l = callback ? find_listener(t, ctx, type, callback, o.capture) : NULL;
  JSStringRelease(type);
  if (l) remove_listener(ctx, t, l);
  return JSValueMakeUndefined(ctx);
}

/* dispatchEvent(event) */
static JSValueRef js_dispatch_event(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                    size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  if (!this_target(ctx, &this_obj, exc)) return NULL;
  if (!isl_require_args(ctx, argc, 1, "EventTarget", "dispatchEvent", exc)) return NULL;
  isl_event_t *ev = isl_event_of(ctx, argv[0]);
  if (!ev)
    return isl_throw_type(ctx, exc, "Failed to execute 'dispatchEvent' on 'EventTarget': "
                                    "parameter 1 is not of type 'Event'.");
  /* 1. If event's dispatch flag is set, or if its initialized flag is not set, then throw
   * an "InvalidStateError" DOMException. */
  if (ev->dispatching)
    return isl_throw_dom(ctx, exc, "InvalidStateError",
                         "Failed to execute 'dispatchEvent' on 'EventTarget': The event is "
                         "already being dispatched.");
  if (!ev->initialized)
    return isl_throw_dom(ctx, exc, "InvalidStateError",
                         "Failed to execute 'dispatchEvent' on 'EventTarget': The event "
                         "provided is uninitialized.");
  /* 2. Initialize event's isTrusted attribute to false. */
  ev->trusted = false;
  /* 3. Return the result of dispatching event to this. */
  return JSValueMakeBoolean(ctx, isl_evtarget_dispatch(ctx, this_obj, (JSObjectRef)argv[0]));
}

static const isl_method_t evtarget_methods[] = {
    {"addEventListener", js_add_event_listener, 2},
    {"removeEventListener", js_remove_event_listener, 2},
    {"dispatchEvent", js_dispatch_event, 1},
    {0},
};

isl_class_def_t isl_evtarget_class = {
    .name = "EventTarget",
    .construct = js_evtarget_construct,
    .methods = evtarget_methods,
    .finalize = evtarget_free,
};

/* ---- Dispatch ------------------------------------------------------------------------- */

static void report(JSContextRef ctx, JSValueRef exc, JSStringRef type) {
  isl_buf_t where = {0};
  isl_buf_putc(&where, '\'');
  isl_jsstr_to_utf8(type, &where);
  isl_buf_puts(&where, "' event listener");
  isl_report_exception(ctx, exc, where.p);
  isl_buf_free(&where);
}

static JSValueRef handler_value(JSContextRef ctx, JSObjectRef target, JSStringRef type) {
  isl_buf_t key = {0};
  isl_buf_puts(&key, "eventtarget.on");
  isl_jsstr_to_utf8(type, &key);
  JSValueRef v = isl_slot_get(ctx, target, key.p);
  isl_buf_free(&key);
  return v;
}

/* The event handler processing algorithm (HTML): call the handler's current value, and a
 * return value of false cancels the event. */
static void call_handler(JSContextRef ctx, JSObjectRef target, JSObjectRef event,
                         isl_event_t *ev) {
  JSValueRef h = handler_value(ctx, target, ev->type);
  /* [LegacyTreatNonObjectAsNull]: a non-callable object does nothing when invoked. */
  if (!JSValueIsObject(ctx, h) || !JSObjectIsFunction(ctx, (JSObjectRef)h)) return;
  JSValueRef exc = NULL;
  JSValueRef arg = event;
  JSValueRef ret = isl_call(ctx, (JSObjectRef)h, target, 1, &arg, &exc);
  if (exc) {
    report(ctx, exc, ev->type);
    return;
  }
  if (JSValueIsBoolean(ctx, ret) && !JSValueToBoolean(ctx, ret) && ev->cancelable &&
      !ev->in_passive)
    ev->canceled = true;
}

/* "Call a user object's operation" handleEvent on a listener's callback: a function is
 * called with the current target as this; another object's handleEvent is looked up now
 * and called with the object as this. */
static void call_listener(JSContextRef ctx, isl_listener_t *l, JSObjectRef target,
                          JSObjectRef event) {
  JSObjectRef cb = (JSObjectRef)l->callback;
  JSValueRef exc = NULL;
  JSValueRef arg = event;
  if (JSObjectIsFunction(ctx, cb)) {
    isl_call(ctx, cb, target, 1, &arg, &exc);
  } else {
    JSValueRef h = isl_get(ctx, cb, "handleEvent", &exc);
    if (!exc && (!JSValueIsObject(ctx, h) || !JSObjectIsFunction(ctx, (JSObjectRef)h)))
      isl_throw_type(ctx, &exc, "The listener's handleEvent is not a function");
    if (!exc) isl_call(ctx, (JSObjectRef)h, cb, 1, &arg, &exc);
  }
  if (exc) report(ctx, exc, l->type);
}

/* "Inner invoke" over a copy of the list. Returns whether a listener of the type was
 * found. */
static bool inner_invoke(JSContextRef ctx, JSObjectRef target, JSObjectRef event,
                         isl_event_t *ev, isl_listener_t **listeners, size_t n, bool capturing) {
  bool found = false;
  for (size_t i = 0; i < n; i++) {
    isl_listener_t *l = listeners[i];
    if (l->removed || !JSStringIsEqual(l->type, ev->type)) continue;
    found = true;
    if (capturing != l->capture) continue;
    /* If listener's once is true, remove it from the current target's list. */
    if (l->once && l->target) remove_listener(ctx, l->target, l);
    if (l->passive) ev->in_passive = true;
    if (l->callback) call_listener(ctx, l, target, event);
    else call_handler(ctx, target, event, ev);
    ev->in_passive = false;
    if (ev->stop_immediate) break;
  }
  return found;
}

/* "Invoke" for the one struct of the path. */
static void invoke(JSContextRef ctx, isl_evtarget_t *t, JSObjectRef target, JSObjectRef event,
                   isl_event_t *ev, bool capturing) {
  isl_slot_set(ctx, event, ISL_EVENT_TARGET_SLOT, target);
  if (ev->stop_propagation) return;
  isl_slot_set(ctx, event, ISL_EVENT_CURRENT_TARGET_SLOT, target);
  /* A clone of the list: listeners added from here on are not run for this event. */
  size_t n = t->n;
  isl_listener_t *stack_copy[16];
  isl_listener_t **copy = n <= 16 ? stack_copy : isl_malloc(n * sizeof(*copy));
  for (size_t i = 0; i < n; i++) {
    copy[i] = t->v[i];
    copy[i]->refs++;
  }
  inner_invoke(ctx, target, event, ev, copy, n, capturing);
  for (size_t i = 0; i < n; i++) listener_unref(copy[i]);
  if (copy != stack_copy) free(copy);
}

bool isl_evtarget_dispatch(JSContextRef ctx, JSObjectRef target, JSObjectRef event) {
  isl_evtarget_t *t = isl_evtarget_of(ctx, target);
  isl_event_t *ev = isl_event_of(ctx, event);
  ISL_CHECK(t && ev && !ev->dispatching);
  /* 1. Set event's dispatch flag. */
  ev->dispatching = true;
  /* The path is the target alone, whose shadow-adjusted target is itself: both passes
   * run at the target. */
  ev->phase = ISL_PHASE_AT_TARGET;
  invoke(ctx, t, target, event, ev, true);
  ev->phase = ISL_PHASE_AT_TARGET;
  invoke(ctx, t, target, event, ev, false);
  /* 6-9. Clean up: phase NONE, currentTarget null, path empty, flags unset. */
  ev->phase = ISL_PHASE_NONE;
  isl_slot_set(ctx, event, ISL_EVENT_CURRENT_TARGET_SLOT, JSValueMakeNull(ctx));
  ev->dispatching = false;
  ev->stop_propagation = false;
  ev->stop_immediate = false;
  /* 12. Return false if event's canceled flag is set; otherwise true. */
  return !ev->canceled;
}

bool isl_evtarget_fire(JSContextRef ctx, JSObjectRef target, const char *type) {
  return isl_evtarget_dispatch(ctx, target, isl_event_new(ctx, type, true));
}

/* ---- Event handler attributes ---------------------------------------------------------- */

static isl_listener_t *find_handler_listener(isl_evtarget_t *t, JSStringRef type) {
  for (size_t i = 0; i < t->n; i++)
    if (!t->v[i]->callback && JSStringIsEqual(t->v[i]->type, type)) return t->v[i];
  return NULL;
}

JSValueRef isl_evtarget_handler_get(JSContextRef ctx, JSObjectRef target, const char *type) {
  JSStringRef ty = JSStringCreateWithUTF8CString(type);
  JSValueRef v = handler_value(ctx, target, ty);
  JSStringRelease(ty);
  return JSValueIsUndefined(ctx, v) ? JSValueMakeNull(ctx) : v;
}

void isl_evtarget_handler_set(JSContextRef ctx, JSObjectRef target, const char *type,
                              JSValueRef value) {
  isl_evtarget_t *t = isl_evtarget_of(ctx, target);
  ISL_CHECK(t);
  JSStringRef ty = JSStringCreateWithUTF8CString(type);
  isl_buf_t key = {0};
  isl_buf_printf(&key, "eventtarget.on%s", type);
  isl_listener_t *l = find_handler_listener(t, ty);
  if (!JSValueIsObject(ctx, value)) {
    /* [LegacyTreatNonObjectAsNull]: anything but an object is null, which deactivates the
     * handler: its listener leaves the list. */
    isl_slot_set(ctx, target, key.p, JSValueMakeNull(ctx));
    if (l) remove_listener(ctx, t, l);
  } else {
    /* Activate: the listener is added once, where the first non-null value was set. */
    isl_slot_set(ctx, target, key.p, value);
    if (!l) append_listener(ctx, t, ty, NULL);
  }
  isl_buf_free(&key);
  JSStringRelease(ty);
}

void isl_api_eventtarget_install(isl_realm_t *r) { isl_class_install(r, &isl_evtarget_class); }
