/* The Event interface (DOM Standard §2.2, https://dom.spec.whatwg.org/#interface-event).
 *
 * The flags of the spec live in C (isl_event_t); target and currentTarget are JS values
 * in slots of the wrapper. isTrusted is [LegacyUnforgeable], so it is an own,
 * non-configurable accessor of every instance, with one getter function per realm; the
 * other attributes are accessors on the prototype. timeStamp counts from a time origin
 * taken when the realm's events are installed (right after `performance`'s). */
#include <stdlib.h>
#include <string.h>

#include "event.h"

typedef struct {
  uint64_t origin_ns;
  JSObjectRef is_trusted_desc; /* {get, enumerable, configurable: false}; kept by a slot */
  isl_evtarget_t global_target; /* the global scope's listeners */
} events_state_t;

static events_state_t *state_of(JSContextRef ctx) {
  return isl_realm_of(ctx)->api_state[ISL_STATE_EVENTS];
}

isl_event_t *isl_event_of(JSContextRef ctx, JSValueRef v) {
  return isl_priv(ctx, v, &isl_event_class);
}

void isl_event_init_state(JSContextRef ctx, isl_event_t *ev, JSStringRef type) {
  ev->type = type;
  ev->initialized = true;
  ev->time_stamp = (double)(isl_now_ns() - state_of(ctx)->origin_ns) / 1e6;
}

isl_event_t *isl_event_alloc(JSContextRef ctx, JSStringRef type) {
  isl_event_t *ev = isl_calloc(1, sizeof(*ev));
  isl_event_init_state(ctx, ev, type);
  return ev;
}

isl_evtarget_t *isl_evtarget_global(JSContextRef ctx) { return &state_of(ctx)->global_target; }

void isl_event_free(void *priv) {
  isl_event_t *ev = priv;
  JSStringRelease(ev->type);
  free(ev);
}

void isl_event_setup_instance(JSContextRef ctx, JSObjectRef o) {
  isl_realm_t *r = isl_realm_of(ctx);
  JSValueRef dp = isl_get(ctx, r->helpers, "defineProperty", NULL);
  JSValueRef args[3] = {o, isl_str(ctx, "isTrusted"), state_of(ctx)->is_trusted_desc};
  JSValueRef exc = NULL;
  JSObjectCallAsFunction(ctx, (JSObjectRef)dp, NULL, 3, args, &exc);
  ISL_CHECK(exc == NULL);
}

JSObjectRef isl_event_new(JSContextRef ctx, const char *type, bool trusted) {
  isl_event_t *ev = isl_event_alloc(ctx, JSStringCreateWithUTF8CString(type));
  ev->trusted = trusted;
  JSObjectRef o = isl_wrap(ctx, &isl_event_class, ev);
  isl_event_setup_instance(ctx, o);
  return o;
}

void isl_event_initialize(JSContextRef ctx, JSObjectRef o, isl_event_t *ev, JSStringRef type,
                          bool bubbles, bool cancelable) {
  ev->initialized = true;
  ev->stop_propagation = ev->stop_immediate = ev->canceled = false;
  ev->trusted = false;
  isl_slot_set(ctx, o, ISL_EVENT_TARGET_SLOT, JSValueMakeNull(ctx));
  JSStringRelease(ev->type);
  ev->type = type;
  ev->bubbles = bubbles;
  ev->cancelable = cancelable;
}

/* A boolean dictionary member: absent (undefined) keeps the default. */
static bool bool_member(JSContextRef ctx, JSObjectRef dict, const char *key, bool *out,
                        JSValueRef *exc) {
  JSValueRef v = isl_get(ctx, dict, key, exc);
  if (*exc) return false;
  if (!JSValueIsUndefined(ctx, v)) *out = JSValueToBoolean(ctx, v);
  return true;
}

bool isl_event_init_dict(JSContextRef ctx, isl_event_t *ev, JSValueRef dict, const char *iface,
                         JSValueRef *exc) {
  if (JSValueIsUndefined(ctx, dict) || JSValueIsNull(ctx, dict)) return true;
  if (!JSValueIsObject(ctx, dict)) {
    isl_throw_type(ctx, exc,
                   "Failed to construct '%s': The provided value is not of type '%sInit'.",
                   iface, iface);
    return false;
  }
  /* Dictionary members are read in lexicographical order. */
  JSObjectRef d = (JSObjectRef)dict;
  return bool_member(ctx, d, "bubbles", &ev->bubbles, exc) &&
         bool_member(ctx, d, "cancelable", &ev->cancelable, exc) &&
         bool_member(ctx, d, "composed", &ev->composed, exc);
}

/* new Event(type, eventInitDict = {}) */
static JSObjectRef js_event_construct(JSContextRef ctx, JSObjectRef new_target, size_t argc,
                                      const JSValueRef argv[], JSValueRef *exc) {
  if (!isl_require_args(ctx, argc, 1, "Event", "constructor", exc)) return NULL;
  JSStringRef type = JSValueToStringCopy(ctx, argv[0], exc);
  if (!type) return NULL;
  isl_event_t *ev = isl_event_alloc(ctx, type);
  if (!isl_event_init_dict(ctx, ev, ISL_ARG(1), "Event", exc)) {
    isl_event_free(ev);
    return NULL;
  }
  JSObjectRef o = isl_wrap_new(ctx, &isl_event_class, ev, new_target);
  isl_event_setup_instance(ctx, o);
  return o;
}

#define EVENT_THIS()                                                 \
  (void)fn, (void)argc, (void)argv;                                  \
  isl_event_t *ev = isl_unwrap(ctx, this_obj, &isl_event_class, exc); \
  if (!ev) return NULL

#define EVENT_GETTER(cname, expr)                                                        \
  static JSValueRef cname(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,        \
                          size_t argc, const JSValueRef argv[], JSValueRef *exc) {       \
    EVENT_THIS();                                                                        \
    return (expr);                                                                       \
  }

/* A slot that holds an EventTarget or nothing: null when never set. */
static JSValueRef nullable_slot(JSContextRef ctx, JSObjectRef o, const char *name) {
  JSValueRef v = isl_slot_get(ctx, o, name);
  return JSValueIsUndefined(ctx, v) ? JSValueMakeNull(ctx) : v;
}

EVENT_GETTER(js_event_type, JSValueMakeString(ctx, ev->type))
EVENT_GETTER(js_event_target, nullable_slot(ctx, this_obj, ISL_EVENT_TARGET_SLOT))
EVENT_GETTER(js_event_current_target, nullable_slot(ctx, this_obj, ISL_EVENT_CURRENT_TARGET_SLOT))
EVENT_GETTER(js_event_phase, JSValueMakeNumber(ctx, ev->phase))
EVENT_GETTER(js_event_cancel_bubble, JSValueMakeBoolean(ctx, ev->stop_propagation))
EVENT_GETTER(js_event_bubbles, JSValueMakeBoolean(ctx, ev->bubbles))
EVENT_GETTER(js_event_cancelable, JSValueMakeBoolean(ctx, ev->cancelable))
EVENT_GETTER(js_event_return_value, JSValueMakeBoolean(ctx, !ev->canceled))
EVENT_GETTER(js_event_default_prevented, JSValueMakeBoolean(ctx, ev->canceled))
EVENT_GETTER(js_event_composed, JSValueMakeBoolean(ctx, ev->composed))
EVENT_GETTER(js_event_is_trusted, JSValueMakeBoolean(ctx, ev->trusted))
EVENT_GETTER(js_event_time_stamp, JSValueMakeNumber(ctx, ev->time_stamp))

/* "Set the canceled flag": only for a cancelable event outside a passive listener. */
static void set_canceled(isl_event_t *ev) {
  if (ev->cancelable && !ev->in_passive) ev->canceled = true;
}

static JSValueRef js_event_set_cancel_bubble(JSContextRef ctx, JSObjectRef fn,
                                             JSObjectRef this_obj, size_t argc,
                                             const JSValueRef argv[], JSValueRef *exc) {
  EVENT_THIS();
  /* Setting it to true sets the stop propagation flag; false does nothing. */
  if (JSValueToBoolean(ctx, ISL_ARG(0))) ev->stop_propagation = true;
  return JSValueMakeUndefined(ctx);
}

static JSValueRef js_event_set_return_value(JSContextRef ctx, JSObjectRef fn,
                                            JSObjectRef this_obj, size_t argc,
                                            const JSValueRef argv[], JSValueRef *exc) {
  EVENT_THIS();
  /* Setting it to false sets the canceled flag; true does nothing. */
  if (!JSValueToBoolean(ctx, ISL_ARG(0))) set_canceled(ev);
  return JSValueMakeUndefined(ctx);
}

/* composedPath(): with no tree, the path is the current target while the event is being
 * dispatched, and empty otherwise. */
static JSValueRef js_event_composed_path(JSContextRef ctx, JSObjectRef fn,
                                         JSObjectRef this_obj, size_t argc,
                                         const JSValueRef argv[], JSValueRef *exc) {
  EVENT_THIS();
  if (!ev->dispatching) return JSObjectMakeArray(ctx, 0, NULL, NULL);
  JSValueRef cur = isl_slot_get(ctx, this_obj, ISL_EVENT_CURRENT_TARGET_SLOT);
  if (JSValueIsUndefined(ctx, cur) || JSValueIsNull(ctx, cur))
    return JSObjectMakeArray(ctx, 0, NULL, NULL);
  return JSObjectMakeArray(ctx, 1, &cur, NULL);
}

static JSValueRef js_event_stop_propagation(JSContextRef ctx, JSObjectRef fn,
                                            JSObjectRef this_obj, size_t argc,
                                            const JSValueRef argv[], JSValueRef *exc) {
  EVENT_THIS();
  ev->stop_propagation = true;
  return JSValueMakeUndefined(ctx);
}

static JSValueRef js_event_stop_immediate(JSContextRef ctx, JSObjectRef fn,
                                          JSObjectRef this_obj, size_t argc,
                                          const JSValueRef argv[], JSValueRef *exc) {
  EVENT_THIS();
  ev->stop_propagation = true;
  ev->stop_immediate = true;
  return JSValueMakeUndefined(ctx);
}

static JSValueRef js_event_prevent_default(JSContextRef ctx, JSObjectRef fn,
                                           JSObjectRef this_obj, size_t argc,
                                           const JSValueRef argv[], JSValueRef *exc) {
  EVENT_THIS();
  set_canceled(ev);
  return JSValueMakeUndefined(ctx);
}

/* initEvent(type, bubbles = false, cancelable = false) */
static JSValueRef js_event_init_event(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                      size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  EVENT_THIS();
  if (!isl_require_args(ctx, argc, 1, "Event", "initEvent", exc)) return NULL;
  JSStringRef type = JSValueToStringCopy(ctx, argv[0], exc);
  if (!type) return NULL;
  /* 1. If this's dispatch flag is set, then return. */
  if (ev->dispatching) {
    JSStringRelease(type);
    return JSValueMakeUndefined(ctx);
  }
  /* 2. Initialize this with type, bubbles, and cancelable. */
  isl_event_initialize(ctx, this_obj, ev, type, JSValueToBoolean(ctx, ISL_ARG(1)),
                       JSValueToBoolean(ctx, ISL_ARG(2)));
  return JSValueMakeUndefined(ctx);
}

static const isl_accessor_t event_accessors[] = {
    {"type", js_event_type, NULL},
    {"target", js_event_target, NULL},
    {"srcElement", js_event_target, NULL},
    {"currentTarget", js_event_current_target, NULL},
    {"eventPhase", js_event_phase, NULL},
    {"cancelBubble", js_event_cancel_bubble, js_event_set_cancel_bubble},
    {"bubbles", js_event_bubbles, NULL},
    {"cancelable", js_event_cancelable, NULL},
    {"returnValue", js_event_return_value, js_event_set_return_value},
    {"defaultPrevented", js_event_default_prevented, NULL},
    {"composed", js_event_composed, NULL},
    {"timeStamp", js_event_time_stamp, NULL},
    {0},
};

static const isl_method_t event_methods[] = {
    {"composedPath", js_event_composed_path, 0},
    {"stopPropagation", js_event_stop_propagation, 0},
    {"stopImmediatePropagation", js_event_stop_immediate, 0},
    {"preventDefault", js_event_prevent_default, 0},
    {"initEvent", js_event_init_event, 1},
    {0},
};

isl_class_def_t isl_event_class = {
    .name = "Event",
    .construct = js_event_construct,
    .length = 1,
    .methods = event_methods,
    .accessors = event_accessors,
    .finalize = isl_event_free,
};

static void events_teardown(isl_realm_t *r) {
  events_state_t *st = r->api_state[ISL_STATE_EVENTS];
  isl_evtarget_dispose(&st->global_target);
  free(st);
  r->api_state[ISL_STATE_EVENTS] = NULL;
}

static const char *const phase_names[] = {"NONE", "CAPTURING_PHASE", "AT_TARGET",
                                          "BUBBLING_PHASE"};

void isl_api_event_install(isl_realm_t *r) {
  JSContextRef ctx = r->ctx;
  ISL_CHECK(r->api_state[ISL_STATE_EVENTS] == NULL);
  events_state_t *st = isl_calloc(1, sizeof(*st));
  st->origin_ns = isl_now_ns();
  isl_evtarget_init(&st->global_target, NULL);
  r->api_state[ISL_STATE_EVENTS] = st;
  isl_realm_add_teardown(r, events_teardown);

  JSObjectRef ctor = isl_class_install(r, &isl_event_class);
  JSObjectRef proto = isl_proto(ctx, &isl_event_class);
  for (int i = 0; i < 4; i++) {
    isl_define_value(ctx, ctor, phase_names[i], JSValueMakeNumber(ctx, i), ISL_E);
    isl_define_value(ctx, proto, phase_names[i], JSValueMakeNumber(ctx, i), ISL_E);
  }

  /* The one isTrusted getter of this realm, in a descriptor reused for every instance.
   * It has no prototype, so properties user code adds to Object.prototype (a `value`,
   * a `set`) cannot change what it describes. */
  JSObjectRef desc = JSObjectMake(ctx, NULL, NULL);
  JSObjectSetPrototype(ctx, desc, JSValueMakeNull(ctx));
  isl_set(ctx, desc, "get", isl_func_new(ctx, "get isTrusted", js_event_is_trusted, 0), NULL);
  isl_set(ctx, desc, "enumerable", JSValueMakeBoolean(ctx, true), NULL);
  isl_set(ctx, desc, "configurable", JSValueMakeBoolean(ctx, false), NULL);
  st->is_trusted_desc = desc;
  isl_slot_set(ctx, r->global, "event.isTrustedDescriptor", desc); /* keeps it alive */
}
