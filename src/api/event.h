/* Events (DOM Standard §2, https://dom.spec.whatwg.org/#events): the native state of
 * Event and EventTarget objects, shared by event.c, customevent.c, eventtarget.c and
 * abort.c, and the C calls other APIs use to create, fire and listen to events.
 *
 * There is no node tree in a worker: an event's path is its target alone, so an event is
 * dispatched to the target's capture listeners, then to its other listeners, both in the
 * AT_TARGET phase. */
#ifndef ISL_API_EVENT_H
#define ISL_API_EVENT_H

#include "api.h"

/* The realm->api_state slot holding event.c's per-realm state. */

enum { ISL_PHASE_NONE = 0, ISL_PHASE_CAPTURING = 1, ISL_PHASE_AT_TARGET = 2,
       ISL_PHASE_BUBBLING = 3 };

/* An Event's native state (also CustomEvent's: its detail lives in a slot). The event's
 * target and currentTarget are JS values kept in slots of its wrapper. */
typedef struct {
  JSStringRef type; /* retained */
  double time_stamp;
  uint8_t phase;
  bool bubbles, cancelable, composed;
  bool initialized, dispatching, trusted;
  bool stop_propagation, stop_immediate, canceled, in_passive;
} isl_event_t;

extern isl_class_def_t isl_event_class;

/* The slots of an Event wrapper holding its target and currentTarget. */
#define ISL_EVENT_TARGET_SLOT "event.target"
#define ISL_EVENT_CURRENT_TARGET_SLOT "event.currentTarget"

/* The event behind v, or NULL if v is not an Event. */
isl_event_t *isl_event_of(JSContextRef ctx, JSValueRef v);
/* Initializes a new event's state: type (taken), flags, timeStamp; initialized set. */
isl_event_t *isl_event_alloc(JSContextRef ctx, JSStringRef type);
/* The same for an event embedded in a larger native state (an Event subclass defined
 * elsewhere, e.g. FetchEvent); ev must be zeroed. */
void isl_event_init_state(JSContextRef ctx, isl_event_t *ev, JSStringRef type);
void isl_event_free(void *priv);
/* Creates an event as if by the DOM's "create an event" with Event as the interface,
 * with the given type; trusted events are the ones the platform fires. */
JSObjectRef isl_event_new(JSContextRef ctx, const char *type, bool trusted);
/* Makes o an Event in full: defines its own, unforgeable `isTrusted`. Every constructor
 * of Event or of an interface inheriting from it calls this on a new instance. */
void isl_event_setup_instance(JSContextRef ctx, JSObjectRef o);
/* The DOM's "initialize" of an event (initEvent, initCustomEvent): flags reset, target
 * null, the new type (taken), bubbles and cancelable. */
void isl_event_initialize(JSContextRef ctx, JSObjectRef o, isl_event_t *ev, JSStringRef type,
                          bool bubbles, bool cancelable);
/* Reads the EventInit members (bubbles, cancelable, composed) of dict into ev. dict may
 * be undefined or null (defaults); anything else that is not an object throws. */
bool isl_event_init_dict(JSContextRef ctx, isl_event_t *ev, JSValueRef dict, const char *iface,
                         JSValueRef *exc);

/* ---- EventTarget ---------------------------------------------------------------------- */

typedef struct isl_listener isl_listener_t;
typedef struct isl_evtarget isl_evtarget_t;

/* What a subclass (AbortSignal) learns about its listeners. listeners_changed is called
 * with +1 or -1 when a listener of type is added or removed; ctx is NULL when the
 * removal happens where JS must not be touched (a finalizer, or an abort algorithm of
 * another signal, when this target may already be unreachable). */
typedef struct {
  void (*listeners_changed)(JSContextRef ctx, isl_evtarget_t *t, JSStringRef type, int delta);
} isl_evtarget_ops_t;

/* An EventTarget's native state: its event listener list. The callbacks are kept alive by
 * a JS array in a slot of the target's wrapper (the "holder"); removed ones stay there
 * until the array is compacted at a later add, which needs the wrapper in hand. */
struct isl_evtarget {
  isl_listener_t **v;
  size_t n, cap;
  size_t holder_len;  /* length of the holder array */
  size_t holder_dead; /* holder entries whose listener was removed */
  const isl_evtarget_ops_t *ops;
};

extern isl_class_def_t isl_evtarget_class;

void isl_evtarget_init(isl_evtarget_t *t, const isl_evtarget_ops_t *ops);
/* Releases the list. Never touches JS (safe in a finalizer). */
void isl_evtarget_dispose(isl_evtarget_t *t);
/* The EventTarget state of v (an EventTarget or an instance of a subclass, or the global
 * object: a worker's global scope is an EventTarget), or NULL. */
isl_evtarget_t *isl_evtarget_of(JSContextRef ctx, JSValueRef v);
/* The global scope's EventTarget state (kept with the realm's events state). */
isl_evtarget_t *isl_evtarget_global(JSContextRef ctx);

/* The DOM's "dispatch" of event (an Event object whose dispatch flag is not set) to
 * target. Listener exceptions are reported, never thrown. Returns false if the event
 * was canceled. */
bool isl_evtarget_dispatch(JSContextRef ctx, JSObjectRef target, JSObjectRef event);
/* "Fire an event": a new trusted Event of type, dispatched to target. */
bool isl_evtarget_fire(JSContextRef ctx, JSObjectRef target, const char *type);

/* Event handler IDL attributes (HTML §8.1.8.1), e.g. AbortSignal's onabort: the getter
 * and setter steps for the handler of type ("abort") on target. */
JSValueRef isl_evtarget_handler_get(JSContextRef ctx, JSObjectRef target, const char *type);
void isl_evtarget_handler_set(JSContextRef ctx, JSObjectRef target, const char *type,
                              JSValueRef value);

#endif
