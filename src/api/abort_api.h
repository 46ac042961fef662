/* AbortSignal for C code (DOM Standard §3.2, https://dom.spec.whatwg.org/#abortsignal):
 * what fetch(), streams and other APIs that accept a `signal` need.
 *
 * A signal's state lives as long as its JS wrapper. Code that keeps an isl_abort_signal_t
 * pointer must keep the wrapper alive (e.g. in a slot of its own wrapper), and must pass
 * ctx only while it knows the signal is alive. */
#ifndef ISL_API_ABORT_API_H
#define ISL_API_ABORT_API_H

#include "api.h"

/* The realm->api_state slot holding abort.c's state (pending timeout timers). */

typedef struct isl_abort_signal isl_abort_signal_t;
typedef struct isl_abort_algo isl_abort_algo_t;

/* An abort algorithm: runs once when the signal aborts, before its abort event is fired,
 * with the abort reason. It may call into JS. */
typedef void (*isl_abort_fn)(JSContextRef ctx, void *data, JSValueRef reason);

/* The signal behind v, or NULL if v is not an AbortSignal. */
isl_abort_signal_t *isl_abort_signal_of(JSContextRef ctx, JSValueRef v);
/* The signal's JS object. */
JSObjectRef isl_abort_signal_object(isl_abort_signal_t *s);
/* A new AbortSignal, not aborted (as `new AbortController().signal` without the
 * controller: the C code that made it aborts it with isl_abort_signal_abort). */
JSObjectRef isl_abort_signal_new(JSContextRef ctx);

bool isl_abort_signal_aborted(isl_abort_signal_t *s);
/* A new signal that follows s ("create a dependent abort signal" from [s], as
 * AbortSignal.any([s])): what a Request made with a signal exposes. */
JSObjectRef isl_abort_signal_follow(JSContextRef ctx, isl_abort_signal_t *s);
/* The abort reason, or undefined while the signal is not aborted. */
JSValueRef isl_abort_signal_reason(JSContextRef ctx, isl_abort_signal_t *s);
/* "Signal abort": reason NULL means a new "AbortError" DOMException. Runs the abort
 * algorithms and fires "abort" at the signal and its dependent signals. Does nothing if it
 * is already aborted. Listener exceptions are reported, not thrown. */
void isl_abort_signal_abort(JSContextRef ctx, isl_abort_signal_t *s, JSValueRef reason);

/* "Add" an abort algorithm to s. Returns NULL, adding nothing (and not calling release),
 * if s is already aborted. Otherwise release(data) (may be NULL) is called exactly once,
 * when the algorithm is dropped: after it ran, when it is removed, or when the signal is
 * collected (never calling into JS then). The handle is valid until release is called. */
isl_abort_algo_t *isl_abort_signal_add(JSContextRef ctx, isl_abort_signal_t *s, isl_abort_fn fn,
                                       void *data, void (*release)(void *data));
/* "Remove" an abort algorithm (calls its release). ctx NULL: where JS must not be touched
 * or the signal may already be unreachable (a finalizer). */
void isl_abort_algo_remove(JSContextRef ctx, isl_abort_algo_t *a);

#endif
