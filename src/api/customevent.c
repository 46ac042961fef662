/* The CustomEvent interface (DOM Standard §2.4,
 * https://dom.spec.whatwg.org/#interface-customevent): an Event with a `detail`, which
 * lives in a slot of the wrapper. Its native state is the Event's. */
#include "event.h"

static isl_class_def_t customevent_class;

#define DETAIL_SLOT "customevent.detail"

/* new CustomEvent(type, eventInitDict = {}) */
static JSObjectRef js_customevent_construct(JSContextRef ctx, JSObjectRef new_target,
                                            size_t argc, const JSValueRef argv[],
                                            JSValueRef *exc) {
  if (!isl_require_args(ctx, argc, 1, "CustomEvent", "constructor", exc)) return NULL;
  JSStringRef type = JSValueToStringCopy(ctx, argv[0], exc);
  if (!type) return NULL;
  isl_event_t *ev = isl_event_alloc(ctx, type);
  JSValueRef dict = ISL_ARG(1);
  /* CustomEventInit: EventInit's members first, then its own (detail, default null). */
  JSValueRef detail = JSValueMakeNull(ctx);
  if (!isl_event_init_dict(ctx, ev, dict, "CustomEvent", exc)) goto fail;
  if (JSValueIsObject(ctx, dict)) {
    JSValueRef d = isl_get(ctx, (JSObjectRef)dict, "detail", exc);
    if (*exc) goto fail;
    if (!JSValueIsUndefined(ctx, d)) detail = d;
  }
  JSObjectRef o = isl_wrap_new(ctx, &customevent_class, ev, new_target);
  isl_event_setup_instance(ctx, o);
  isl_slot_set(ctx, o, DETAIL_SLOT, detail);
  return o;
fail:
  isl_event_free(ev);
  return NULL;
}

static JSValueRef js_customevent_detail(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                        size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  if (!isl_unwrap(ctx, this_obj, &customevent_class, exc)) return NULL;
  return isl_slot_get(ctx, this_obj, DETAIL_SLOT);
}

/* initCustomEvent(type, bubbles = false, cancelable = false, detail = null) */
static JSValueRef js_customevent_init(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                      size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  isl_event_t *ev = isl_unwrap(ctx, this_obj, &customevent_class, exc);
  if (!ev) return NULL;
  if (!isl_require_args(ctx, argc, 1, "CustomEvent", "initCustomEvent", exc)) return NULL;
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
  /* 3. Set this's detail attribute to detail. */
  JSValueRef detail = argc > 3 && !JSValueIsUndefined(ctx, argv[3]) ? argv[3] : JSValueMakeNull(ctx);
  isl_slot_set(ctx, this_obj, DETAIL_SLOT, detail);
  return JSValueMakeUndefined(ctx);
}

static const isl_accessor_t customevent_accessors[] = {
    {"detail", js_customevent_detail, NULL},
    {0},
};

static const isl_method_t customevent_methods[] = {
    {"initCustomEvent", js_customevent_init, 1},
    {0},
};

static isl_class_def_t customevent_class = {
    .name = "CustomEvent",
    .parent = &isl_event_class,
    .construct = js_customevent_construct,
    .length = 1,
    .methods = customevent_methods,
    .accessors = customevent_accessors,
    .finalize = isl_event_free,
};

void isl_api_customevent_install(isl_realm_t *r) { isl_class_install(r, &customevent_class); }
