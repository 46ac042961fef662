/* WritableStream, WritableStreamDefaultWriter and WritableStreamDefaultController
 * (Streams Standard §5, https://streams.spec.whatwg.org/#ws). The abstract operations keep
 * the spec's names in comments and its step order: the states writable → erroring →
 * errored (or closed), the in-flight write and close requests, the pending abort request,
 * and the writer's ready promise as the back-pressure signal.
 *
 * The sink is either an underlying sink object (its start/write/close/abort methods) or the
 * writable side of a TransformStream (transformstream.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "abort_api.h"
#include "streams_internal.h"

/* A queue entry: a chunk with its size, or the close sentinel. */
typedef struct {
  double size;
  bool close;
} wq_entry_t;

static JSValueRef undef(JSContextRef ctx) { return st_undef(ctx); }

static void ws_finalize(void *p) {
  st_ws_t *s = p;
  st_ring_dispose(&s->write_requests);
  free(s);
}

static void writer_finalize(void *p) { free(p); }

static void wdc_finalize(void *p) {
  st_wdc_t *c = p;
  st_ring_dispose(&c->queue);
  free(c);
}

st_ws_t *st_ws_of(JSContextRef ctx, JSValueRef v) { return isl_priv(ctx, v, &st_ws_class); }

bool st_ws_locked(st_ws_t *s) { return s->writer != NULL; }

/* WritableStreamCloseQueuedOrInFlight. */
bool st_ws_close_queued_or_in_flight(st_ws_t *s) { return s->close_req != WS_CLOSE_NONE; }

/* WritableStreamHasOperationMarkedInFlight. */
static bool ws_has_operation_in_flight(st_ws_t *s) {
  return s->write_in_flight || s->close_req == WS_CLOSE_IN_FLIGHT;
}

/* Calls and drops a pair of resolving functions kept in slots res/rej. */
static void settle_pair(JSContextRef ctx, st_obj_t *o, int res, int rej, bool ok, JSValueRef v) {
  JSValueRef fn = o->js[ok ? res : rej];
  st_set(ctx, o, res, NULL);
  st_set(ctx, o, rej, NULL);
  if (fn) st_settle(ctx, (JSObjectRef)fn, v);
}

static void wdc_reset_queue(JSContextRef ctx, st_wdc_t *c) {
  st_ring_clear(ctx, &c->o, &c->queue);
  c->total = 0;
}

/* ---- Writer promises ------------------------------------------------------------------ */

/* The writer's ready or closed promise: a new pending one, or one already settled. */
static void writer_set_pending(JSContextRef ctx, st_writer_t *w, int p, int res, int rej) {
  st_deferred_t d = st_deferred(ctx);
  ST_SET(ctx, w, p, d.promise);
  ST_SET(ctx, w, res, d.resolve);
  ST_SET(ctx, w, rej, d.reject);
}

static void writer_set_resolved(JSContextRef ctx, st_writer_t *w, int p, int res, int rej) {
  ST_SET(ctx, w, p, st_resolved(ctx, NULL));
  ST_SET(ctx, w, res, NULL);
  ST_SET(ctx, w, rej, NULL);
}

static void writer_set_rejected(JSContextRef ctx, st_writer_t *w, int p, int res, int rej,
                                JSValueRef e) {
  JSObjectRef promise = st_rejected(ctx, e);
  st_mark_handled(ctx, promise);
  ST_SET(ctx, w, p, promise);
  ST_SET(ctx, w, res, NULL);
  ST_SET(ctx, w, rej, NULL);
}

/* WritableStreamDefaultWriterEnsureReadyPromiseRejected / ...ClosedPromiseRejected: the
 * resolving functions are kept exactly while the promise is pending. */
static void writer_ensure_rejected(JSContextRef ctx, st_writer_t *w, int p, int res, int rej,
                                   JSValueRef e) {
  if (ST_JS(w, rej)) {
    settle_pair(ctx, &w->o, res, rej, false, e);
    st_mark_handled(ctx, ST_GET(ctx, w, p));
  } else {
    writer_set_rejected(ctx, w, p, res, rej, e);
  }
}

static void writer_ensure_ready_rejected(JSContextRef ctx, st_writer_t *w, JSValueRef e) {
  writer_ensure_rejected(ctx, w, WR_J_READY, WR_J_READY_RESOLVE, WR_J_READY_REJECT, e);
}

static void writer_ensure_closed_rejected(JSContextRef ctx, st_writer_t *w, JSValueRef e) {
  writer_ensure_rejected(ctx, w, WR_J_CLOSED, WR_J_CLOSED_RESOLVE, WR_J_CLOSED_REJECT, e);
}

static void writer_resolve_ready(JSContextRef ctx, st_writer_t *w) {
  settle_pair(ctx, &w->o, WR_J_READY_RESOLVE, WR_J_READY_REJECT, true, NULL);
}

/* ---- Stream state changes ------------------------------------------------------------- */

static JSObjectRef wdc_abort_steps(JSContextRef ctx, st_wdc_t *c, JSValueRef reason);
static void wdc_advance_queue_if_needed(JSContextRef ctx, st_wdc_t *c);
static void wdc_clear_algorithms(JSContextRef ctx, st_wdc_t *c);
static bool wdc_backpressure(st_wdc_t *c) { return c->hwm - c->total <= 0; }

/* WritableStreamUpdateBackpressure. */
static void ws_update_backpressure(JSContextRef ctx, st_ws_t *s, bool bp) {
  st_writer_t *w = s->writer;
  if (w && bp != s->backpressure) {
    if (bp)
      writer_set_pending(ctx, w, WR_J_READY, WR_J_READY_RESOLVE, WR_J_READY_REJECT);
    else
      writer_resolve_ready(ctx, w);
  }
  s->backpressure = bp;
}

/* WritableStreamRejectCloseAndClosedPromiseIfNeeded. */
static void ws_reject_close_and_closed(JSContextRef ctx, st_ws_t *s) {
  JSValueRef e = ST_GET(ctx, s, WS_J_ERROR);
  if (s->close_req == WS_CLOSE_QUEUED) {
    settle_pair(ctx, &s->o, WS_J_CLOSE_RESOLVE, WS_J_CLOSE_REJECT, false, e);
    s->close_req = WS_CLOSE_NONE;
  }
  st_writer_t *w = s->writer;
  if (w) {
    settle_pair(ctx, &w->o, WR_J_CLOSED_RESOLVE, WR_J_CLOSED_REJECT, false, e);
    st_mark_handled(ctx, ST_GET(ctx, w, WR_J_CLOSED));
  }
}

/* WritableStreamFinishErroring. */
static void ws_finish_erroring(JSContextRef ctx, st_ws_t *s) {
  s->state = WS_ERRORED;
  wdc_reset_queue(ctx, s->controller); /* [[ErrorSteps]] */
  JSValueRef e = ST_GET(ctx, s, WS_J_ERROR);
  st_ring_t old;
  st_ring_take(ctx, &s->o, &s->write_requests, &old);
  for (uint32_t i = 0; i < old.len; i++)
    st_settle(ctx, (JSObjectRef)st_ring_val(ctx, &old, i, 1), e);
  st_ring_dispose(&old);
  if (!s->abort_pending) {
    ws_reject_close_and_closed(ctx, s);
    return;
  }
  s->abort_pending = false;
  if (s->abort_was_erroring) {
    settle_pair(ctx, &s->o, WS_J_ABORT_RESOLVE, WS_J_ABORT_REJECT, false, e);
    ws_reject_close_and_closed(ctx, s);
    return;
  }
  /* The abort request's resolving functions stay in their slots for the reactions: the
   * stream is errored now, so no new abort request can replace them. */
  JSObjectRef p = wdc_abort_steps(ctx, s->controller, ST_GET(ctx, s, WS_J_ABORT_REASON));
  st_react(ctx, p, s->o.self, ST_RX_ws_abort_ok, ST_RX_ws_abort_fail);
}

JSValueRef st_rx_ws_abort_ok(JSContextRef ctx, JSValueRef target, JSValueRef v, JSValueRef *exc) {
  (void)v, (void)exc;
  st_ws_t *s = st_ws_of(ctx, target);
  settle_pair(ctx, &s->o, WS_J_ABORT_RESOLVE, WS_J_ABORT_REJECT, true, NULL);
  ws_reject_close_and_closed(ctx, s);
  return NULL;
}

JSValueRef st_rx_ws_abort_fail(JSContextRef ctx, JSValueRef target, JSValueRef r, JSValueRef *exc) {
  (void)exc;
  st_ws_t *s = st_ws_of(ctx, target);
  settle_pair(ctx, &s->o, WS_J_ABORT_RESOLVE, WS_J_ABORT_REJECT, false, r);
  ws_reject_close_and_closed(ctx, s);
  return NULL;
}

/* WritableStreamStartErroring. */
static void ws_start_erroring(JSContextRef ctx, st_ws_t *s, JSValueRef reason) {
  st_wdc_t *c = s->controller;
  s->state = WS_ERRORING;
  ST_SET(ctx, s, WS_J_ERROR, reason);
  if (s->writer) writer_ensure_ready_rejected(ctx, s->writer, reason);
  if (!ws_has_operation_in_flight(s) && c->started) ws_finish_erroring(ctx, s);
}

/* WritableStreamDealWithRejection. */
static void ws_deal_with_rejection(JSContextRef ctx, st_ws_t *s, JSValueRef error) {
  if (s->state == WS_WRITABLE) {
    ws_start_erroring(ctx, s, error);
    return;
  }
  ws_finish_erroring(ctx, s);
}

/* WritableStreamFinishInFlightWrite / ...WithError. */
static void ws_finish_in_flight_write(JSContextRef ctx, st_ws_t *s, bool ok, JSValueRef error) {
  settle_pair(ctx, &s->o, WS_J_WRITE_RESOLVE, WS_J_WRITE_REJECT, ok, error);
  s->write_in_flight = false;
  if (!ok) ws_deal_with_rejection(ctx, s, error);
}

/* WritableStreamFinishInFlightClose. */
static void ws_finish_in_flight_close(JSContextRef ctx, st_ws_t *s) {
  settle_pair(ctx, &s->o, WS_J_CLOSE_RESOLVE, WS_J_CLOSE_REJECT, true, NULL);
  s->close_req = WS_CLOSE_NONE;
  if (s->state == WS_ERRORING) {
    ST_SET(ctx, s, WS_J_ERROR, NULL);
    if (s->abort_pending) {
      settle_pair(ctx, &s->o, WS_J_ABORT_RESOLVE, WS_J_ABORT_REJECT, true, NULL);
      s->abort_pending = false;
    }
  }
  s->state = WS_CLOSED;
  if (s->writer)
    settle_pair(ctx, &s->writer->o, WR_J_CLOSED_RESOLVE, WR_J_CLOSED_REJECT, true, NULL);
}

/* WritableStreamFinishInFlightCloseWithError. */
static void ws_finish_in_flight_close_with_error(JSContextRef ctx, st_ws_t *s, JSValueRef error) {
  settle_pair(ctx, &s->o, WS_J_CLOSE_RESOLVE, WS_J_CLOSE_REJECT, false, error);
  s->close_req = WS_CLOSE_NONE;
  if (s->abort_pending) {
    settle_pair(ctx, &s->o, WS_J_ABORT_RESOLVE, WS_J_ABORT_REJECT, false, error);
    s->abort_pending = false;
  }
  ws_deal_with_rejection(ctx, s, error);
}

/* WritableStreamAbort. */
JSObjectRef st_ws_abort(JSContextRef ctx, st_ws_t *s, JSValueRef reason) {
  if (s->state == WS_CLOSED || s->state == WS_ERRORED) return st_resolved(ctx, NULL);
  /* Signal abort on the controller's signal (an undefined reason becomes an AbortError
   * there). This runs author code, so the state is checked again. */
  isl_abort_signal_abort(ctx, s->controller->signal, st_is_undef(ctx, reason) ? NULL : reason);
  if (s->state == WS_CLOSED || s->state == WS_ERRORED) return st_resolved(ctx, NULL);
  if (s->abort_pending) return (JSObjectRef)ST_JS(s, WS_J_ABORT_PROMISE);
  bool was_erroring = false;
  if (s->state == WS_ERRORING) {
    was_erroring = true;
    reason = undef(ctx);
  }
  st_deferred_t d = st_deferred(ctx);
  ST_SET(ctx, s, WS_J_ABORT_PROMISE, d.promise);
  ST_SET(ctx, s, WS_J_ABORT_RESOLVE, d.resolve);
  ST_SET(ctx, s, WS_J_ABORT_REJECT, d.reject);
  ST_SET(ctx, s, WS_J_ABORT_REASON, reason);
  s->abort_pending = true;
  s->abort_was_erroring = was_erroring;
  if (!was_erroring) ws_start_erroring(ctx, s, reason);
  return d.promise;
}

static void wdc_close(JSContextRef ctx, st_wdc_t *c);

/* WritableStreamClose. */
static JSObjectRef ws_close(JSContextRef ctx, st_ws_t *s) {
  if (s->state == WS_CLOSED || s->state == WS_ERRORED)
    return st_rejected_type(ctx, "The WritableStream is closed or errored");
  st_deferred_t d = st_deferred(ctx);
  s->close_req = WS_CLOSE_QUEUED;
  ST_SET(ctx, s, WS_J_CLOSE_RESOLVE, d.resolve);
  ST_SET(ctx, s, WS_J_CLOSE_REJECT, d.reject);
  if (s->writer && s->backpressure && s->state == WS_WRITABLE) writer_resolve_ready(ctx, s->writer);
  wdc_close(ctx, s->controller);
  return d.promise;
}

/* ---- Writers ------------------------------------------------------------------------- */

/* SetUpWritableStreamDefaultWriter. */
static st_writer_t *writer_setup(JSContextRef ctx, st_ws_t *s, JSObjectRef new_target,
                                 JSValueRef *exc) {
  if (st_ws_locked(s)) {
    isl_throw_type(ctx, exc, "The WritableStream is locked to a writer");
    return NULL;
  }
  st_writer_t *w = isl_calloc(1, sizeof(*w));
  st_obj_init(ctx, &w->o, isl_wrap_new(ctx, &st_writer_class, w, new_target));
  w->stream = s;
  ST_SET(ctx, w, WR_J_STREAM, s->o.self);
  s->writer = w;
  ST_SET(ctx, s, WS_J_WRITER, w->o.self);
  JSValueRef e = ST_GET(ctx, s, WS_J_ERROR);
  switch (s->state) {
    case WS_WRITABLE:
      if (!st_ws_close_queued_or_in_flight(s) && s->backpressure)
        writer_set_pending(ctx, w, WR_J_READY, WR_J_READY_RESOLVE, WR_J_READY_REJECT);
      else
        writer_set_resolved(ctx, w, WR_J_READY, WR_J_READY_RESOLVE, WR_J_READY_REJECT);
      writer_set_pending(ctx, w, WR_J_CLOSED, WR_J_CLOSED_RESOLVE, WR_J_CLOSED_REJECT);
      break;
    case WS_ERRORING:
      writer_set_rejected(ctx, w, WR_J_READY, WR_J_READY_RESOLVE, WR_J_READY_REJECT, e);
      writer_set_pending(ctx, w, WR_J_CLOSED, WR_J_CLOSED_RESOLVE, WR_J_CLOSED_REJECT);
      break;
    case WS_CLOSED:
      writer_set_resolved(ctx, w, WR_J_READY, WR_J_READY_RESOLVE, WR_J_READY_REJECT);
      writer_set_resolved(ctx, w, WR_J_CLOSED, WR_J_CLOSED_RESOLVE, WR_J_CLOSED_REJECT);
      break;
    default:
      writer_set_rejected(ctx, w, WR_J_READY, WR_J_READY_RESOLVE, WR_J_READY_REJECT, e);
      writer_set_rejected(ctx, w, WR_J_CLOSED, WR_J_CLOSED_RESOLVE, WR_J_CLOSED_REJECT, e);
      break;
  }
  return w;
}

st_writer_t *st_writer_acquire(JSContextRef ctx, st_ws_t *s, JSValueRef *exc) {
  return writer_setup(ctx, s, NULL, exc);
}

/* WritableStreamDefaultWriterGetDesiredSize. */
bool st_writer_desired_size(st_writer_t *w, double *out) {
  st_ws_t *s = w->stream;
  if (s->state == WS_ERRORED || s->state == WS_ERRORING) return false;
  *out = s->state == WS_CLOSED ? 0 : s->controller->hwm - s->controller->total;
  return true;
}

/* WritableStreamDefaultWriterRelease. */
void st_writer_release(JSContextRef ctx, st_writer_t *w) {
  st_ws_t *s = w->stream;
  ISL_CHECK(s && s->writer == w);
  JSObjectRef e = st_type_error(ctx, "The writer's lock was released");
  writer_ensure_ready_rejected(ctx, w, e);
  writer_ensure_closed_rejected(ctx, w, e);
  s->writer = NULL;
  ST_SET(ctx, s, WS_J_WRITER, NULL);
  w->stream = NULL;
  ST_SET(ctx, w, WR_J_STREAM, NULL);
}

static bool wdc_chunk_size(JSContextRef ctx, st_wdc_t *c, JSValueRef chunk, double *size);
static void wdc_write(JSContextRef ctx, st_wdc_t *c, JSValueRef chunk, double size);

/* WritableStreamDefaultWriterWrite. */
JSObjectRef st_writer_write(JSContextRef ctx, st_writer_t *w, JSValueRef chunk) {
  st_ws_t *s = w->stream;
  st_wdc_t *c = s->controller;
  double size;
  wdc_chunk_size(ctx, c, chunk, &size);
  /* The size function may have released the writer. */
  if (s != w->stream) return st_rejected_type(ctx, "The writer's lock was released");
  if (s->state == WS_ERRORED) return st_rejected(ctx, ST_GET(ctx, s, WS_J_ERROR));
  if (st_ws_close_queued_or_in_flight(s) || s->state == WS_CLOSED)
    return st_rejected_type(ctx, "The WritableStream is closing or closed");
  if (s->state == WS_ERRORING) return st_rejected(ctx, ST_GET(ctx, s, WS_J_ERROR));
  /* WritableStreamAddWriteRequest. */
  st_deferred_t d = st_deferred(ctx);
  JSValueRef vals[2] = {d.resolve, d.reject};
  st_ring_push(ctx, &s->o, &s->write_requests, vals);
  wdc_write(ctx, c, chunk, size);
  return d.promise;
}

/* WritableStreamDefaultWriterCloseWithErrorPropagation. */
JSObjectRef st_writer_close_with_error_propagation(JSContextRef ctx, st_writer_t *w) {
  st_ws_t *s = w->stream;
  if (st_ws_close_queued_or_in_flight(s) || s->state == WS_CLOSED) return st_resolved(ctx, NULL);
  if (s->state == WS_ERRORED) return st_rejected(ctx, ST_GET(ctx, s, WS_J_ERROR));
  return ws_close(ctx, s);
}

/* ---- Default controller ------------------------------------------------------------------ */

/* WritableStreamDefaultControllerClearAlgorithms. */
static void wdc_clear_algorithms(JSContextRef ctx, st_wdc_t *c) {
  c->alg = ST_WALG_NONE;
  ST_SET(ctx, c, WC_J_SINK, NULL);
  ST_SET(ctx, c, WC_J_WRITE, NULL);
  ST_SET(ctx, c, WC_J_CLOSE, NULL);
  ST_SET(ctx, c, WC_J_ABORT, NULL);
  ST_SET(ctx, c, WC_J_SIZE, NULL);
}

static JSObjectRef wdc_write_algorithm(JSContextRef ctx, st_wdc_t *c, JSValueRef chunk) {
  switch (c->alg) {
    case ST_WALG_JS: {
      JSValueRef fn = ST_JS(c, WC_J_WRITE);
      if (!fn) return st_resolved(ctx, NULL);
      JSValueRef args[2] = {chunk, c->o.self};
      return st_invoke_promise(ctx, fn, ST_GET(ctx, c, WC_J_SINK), 2, args);
    }
    case ST_WALG_TRANSFORM:
      return st_ts_sink_write(ctx, ST_GET(ctx, c, WC_J_SINK), chunk);
    default:
      return st_resolved(ctx, NULL);
  }
}

static JSObjectRef wdc_close_algorithm(JSContextRef ctx, st_wdc_t *c) {
  switch (c->alg) {
    case ST_WALG_JS: {
      JSValueRef fn = ST_JS(c, WC_J_CLOSE);
      if (!fn) return st_resolved(ctx, NULL);
      return st_invoke_promise(ctx, fn, ST_GET(ctx, c, WC_J_SINK), 0, NULL);
    }
    case ST_WALG_TRANSFORM:
      return st_ts_sink_close(ctx, ST_GET(ctx, c, WC_J_SINK));
    default:
      return st_resolved(ctx, NULL);
  }
}

static JSObjectRef wdc_abort_algorithm(JSContextRef ctx, st_wdc_t *c, JSValueRef reason) {
  switch (c->alg) {
    case ST_WALG_JS: {
      JSValueRef fn = ST_JS(c, WC_J_ABORT);
      if (!fn) return st_resolved(ctx, NULL);
      return st_invoke_promise(ctx, fn, ST_GET(ctx, c, WC_J_SINK), 1, &reason);
    }
    case ST_WALG_TRANSFORM:
      return st_ts_sink_abort(ctx, ST_GET(ctx, c, WC_J_SINK), reason);
    default:
      return st_resolved(ctx, NULL);
  }
}

/* [[AbortSteps]]. */
static JSObjectRef wdc_abort_steps(JSContextRef ctx, st_wdc_t *c, JSValueRef reason) {
  JSObjectRef result = wdc_abort_algorithm(ctx, c, reason);
  wdc_clear_algorithms(ctx, c);
  return result;
}

/* WritableStreamDefaultControllerError. */
static void wdc_error(JSContextRef ctx, st_wdc_t *c, JSValueRef e) {
  wdc_clear_algorithms(ctx, c);
  ws_start_erroring(ctx, c->stream, e);
}

void st_wdc_error_if_needed(JSContextRef ctx, st_wdc_t *c, JSValueRef e) {
  if (c->stream->state == WS_WRITABLE) wdc_error(ctx, c, e);
}

/* WritableStreamDefaultControllerGetChunkSize: a throwing size function errors the stream
 * and counts the chunk as 1. */
static bool wdc_chunk_size(JSContextRef ctx, st_wdc_t *c, JSValueRef chunk, double *size) {
  JSValueRef e = NULL;
  if (!st_chunk_size(ctx, ST_JS(c, WC_J_SIZE), chunk, size, &e)) {
    st_wdc_error_if_needed(ctx, c, e);
    *size = 1;
    return false;
  }
  return true;
}

/* WritableStreamDefaultControllerProcessClose. */
static void wdc_process_close(JSContextRef ctx, st_wdc_t *c) {
  st_ws_t *s = c->stream;
  s->close_req = WS_CLOSE_IN_FLIGHT; /* WritableStreamMarkCloseRequestInFlight */
  st_ring_shift(ctx, &c->queue);     /* the close sentinel, of size 0 */
  JSObjectRef p = wdc_close_algorithm(ctx, c);
  wdc_clear_algorithms(ctx, c);
  st_react(ctx, p, c->o.self, ST_RX_wdc_close_ok, ST_RX_wdc_close_fail);
}

JSValueRef st_rx_wdc_close_ok(JSContextRef ctx, JSValueRef target, JSValueRef v, JSValueRef *exc) {
  (void)v, (void)exc;
  st_wdc_t *c = isl_priv(ctx, target, &st_wdc_class);
  ws_finish_in_flight_close(ctx, c->stream);
  return NULL;
}

JSValueRef st_rx_wdc_close_fail(JSContextRef ctx, JSValueRef target, JSValueRef r,
                                JSValueRef *exc) {
  (void)exc;
  st_wdc_t *c = isl_priv(ctx, target, &st_wdc_class);
  ws_finish_in_flight_close_with_error(ctx, c->stream, r);
  return NULL;
}

/* WritableStreamDefaultControllerProcessWrite. */
static void wdc_process_write(JSContextRef ctx, st_wdc_t *c, JSValueRef chunk) {
  st_ws_t *s = c->stream;
  /* WritableStreamMarkFirstWriteRequestInFlight. */
  ST_SET(ctx, s, WS_J_WRITE_RESOLVE, st_ring_val(ctx, &s->write_requests, 0, 0));
  ST_SET(ctx, s, WS_J_WRITE_REJECT, st_ring_val(ctx, &s->write_requests, 0, 1));
  st_ring_shift(ctx, &s->write_requests);
  s->write_in_flight = true;
  JSValueRef write = ST_JS(c, WC_J_WRITE);
  if (c->alg == ST_WALG_JS && write) {
    JSValueRef args[2] = {chunk, c->o.self};
    st_invoke_react(ctx, write, ST_GET(ctx, c, WC_J_SINK), 2, args, c->o.self, ST_RX_wdc_write_ok,
                    ST_RX_wdc_write_fail);
    return;
  }
  JSObjectRef p = wdc_write_algorithm(ctx, c, chunk);
  st_react(ctx, p, c->o.self, ST_RX_wdc_write_ok, ST_RX_wdc_write_fail);
}

/* DequeueValue. */
static void wdc_dequeue(JSContextRef ctx, st_wdc_t *c) {
  c->total -= ((wq_entry_t *)st_ring_cdata(&c->queue, 0))->size;
  if (c->total < 0) c->total = 0;
  st_ring_shift(ctx, &c->queue);
}

JSValueRef st_rx_wdc_write_ok(JSContextRef ctx, JSValueRef target, JSValueRef v, JSValueRef *exc) {
  (void)v, (void)exc;
  st_wdc_t *c = isl_priv(ctx, target, &st_wdc_class);
  st_ws_t *s = c->stream;
  ws_finish_in_flight_write(ctx, s, true, NULL);
  wdc_dequeue(ctx, c);
  if (!st_ws_close_queued_or_in_flight(s) && s->state == WS_WRITABLE)
    ws_update_backpressure(ctx, s, wdc_backpressure(c));
  wdc_advance_queue_if_needed(ctx, c);
  return NULL;
}

JSValueRef st_rx_wdc_write_fail(JSContextRef ctx, JSValueRef target, JSValueRef r,
                                JSValueRef *exc) {
  (void)exc;
  st_wdc_t *c = isl_priv(ctx, target, &st_wdc_class);
  if (c->stream->state == WS_WRITABLE) wdc_clear_algorithms(ctx, c);
  ws_finish_in_flight_write(ctx, c->stream, false, r);
  return NULL;
}

/* WritableStreamDefaultControllerAdvanceQueueIfNeeded. */
static void wdc_advance_queue_if_needed(JSContextRef ctx, st_wdc_t *c) {
  st_ws_t *s = c->stream;
  if (!c->started || s->write_in_flight) return;
  if (s->state == WS_ERRORING) {
    ws_finish_erroring(ctx, s);
    return;
  }
  if (c->queue.len == 0) return;
  if (((wq_entry_t *)st_ring_cdata(&c->queue, 0))->close)
    wdc_process_close(ctx, c);
  else
    wdc_process_write(ctx, c, st_ring_val(ctx, &c->queue, 0, 0));
}

/* WritableStreamDefaultControllerClose: the close sentinel goes in the queue. */
static void wdc_close(JSContextRef ctx, st_wdc_t *c) {
  JSValueRef u = undef(ctx);
  wq_entry_t *e = st_ring_push(ctx, &c->o, &c->queue, &u);
  e->close = true;
  wdc_advance_queue_if_needed(ctx, c);
}

/* WritableStreamDefaultControllerWrite. */
static void wdc_write(JSContextRef ctx, st_wdc_t *c, JSValueRef chunk, double size) {
  /* EnqueueValueWithSize. */
  if (isnan(size) || size < 0 || isinf(size)) {
    JSObjectRef e = isl_error_new(ctx, "RangeError",
                                  "The size of a chunk must be a finite, non-negative number");
    st_wdc_error_if_needed(ctx, c, e);
    return;
  }
  wq_entry_t *e = st_ring_push(ctx, &c->o, &c->queue, &chunk);
  e->size = size;
  c->total += size;
  st_ws_t *s = c->stream;
  if (!st_ws_close_queued_or_in_flight(s) && s->state == WS_WRITABLE)
    ws_update_backpressure(ctx, s, wdc_backpressure(c));
  wdc_advance_queue_if_needed(ctx, c);
}

JSValueRef st_rx_wdc_start_ok(JSContextRef ctx, JSValueRef target, JSValueRef v, JSValueRef *exc) {
  (void)v, (void)exc;
  st_wdc_t *c = isl_priv(ctx, target, &st_wdc_class);
  c->started = true;
  wdc_advance_queue_if_needed(ctx, c);
  return NULL;
}

JSValueRef st_rx_wdc_start_fail(JSContextRef ctx, JSValueRef target, JSValueRef r,
                                JSValueRef *exc) {
  (void)exc;
  st_wdc_t *c = isl_priv(ctx, target, &st_wdc_class);
  c->started = true;
  ws_deal_with_rejection(ctx, c->stream, r);
  return NULL;
}

static st_ws_t *ws_new(JSContextRef ctx, JSObjectRef new_target) {
  st_ws_t *s = isl_calloc(1, sizeof(*s));
  st_ring_init(&s->write_requests, 2, 0, WS_J_WRITE_REQUESTS);
  st_obj_init(ctx, &s->o, isl_wrap_new(ctx, &st_ws_class, s, new_target));
  s->state = WS_WRITABLE;
  return s;
}

static st_wdc_t *wdc_new(JSContextRef ctx) {
  st_wdc_t *c = isl_calloc(1, sizeof(*c));
  st_ring_init(&c->queue, 1, sizeof(wq_entry_t), WC_J_QUEUE);
  st_obj_init(ctx, &c->o, isl_wrap(ctx, &st_wdc_class, c));
  return c;
}

/* SetUpWritableStreamDefaultController. The start algorithm calls start (if not NULL) with
 * this = sink, or else returns start_result (NULL: undefined). */
static bool wdc_setup(JSContextRef ctx, st_ws_t *s, st_wdc_t *c, JSValueRef start, JSValueRef sink,
                      JSValueRef start_result, double hwm, JSValueRef size, JSValueRef *exc) {
  c->stream = s;
  ST_SET(ctx, c, WC_J_STREAM, s->o.self);
  s->controller = c;
  ST_SET(ctx, s, WS_J_CONTROLLER, c->o.self);
  JSObjectRef signal = isl_abort_signal_new(ctx);
  ST_SET(ctx, c, WC_J_SIGNAL, signal);
  c->signal = isl_abort_signal_of(ctx, signal);
  c->hwm = hwm;
  ST_SET(ctx, c, WC_J_SIZE, size);
  ws_update_backpressure(ctx, s, wdc_backpressure(c));
  JSValueRef result = start_result ? start_result : undef(ctx);
  if (start) {
    JSValueRef arg = c->o.self;
    JSValueRef e = NULL;
    result =
        JSObjectCallAsFunction(ctx, (JSObjectRef)start,
                               JSValueIsObject(ctx, sink) ? (JSObjectRef)sink : NULL, 1, &arg, &e);
    if (e) {
      *exc = e;
      return false;
    }
  }
  JSObjectRef p = st_resolved(ctx, result);
  st_react(ctx, p, c->o.self, ST_RX_wdc_start_ok, ST_RX_wdc_start_fail);
  return true;
}

st_ws_t *st_ws_create(JSContextRef ctx, int alg, JSValueRef host, double hwm, JSValueRef size,
                      JSValueRef start_result) {
  st_ws_t *s = ws_new(ctx, NULL);
  st_wdc_t *c = wdc_new(ctx);
  c->alg = (uint8_t)alg;
  ST_SET(ctx, c, WC_J_SINK, host);
  JSValueRef exc = NULL;
  ISL_CHECK(wdc_setup(ctx, s, c, NULL, NULL, start_result, hwm, size, &exc));
  return s;
}

/* ---- The WritableStream class --------------------------------------------------------- */

static JSObjectRef js_ws_construct(JSContextRef ctx, JSObjectRef new_target, size_t argc,
                                   const JSValueRef argv[], JSValueRef *exc) {
  JSValueRef sink = ISL_ARG(0);
  if (!JSValueIsUndefined(ctx, sink) && !JSValueIsObject(ctx, sink)) {
    isl_throw_type(ctx, exc,
                   "Failed to construct 'WritableStream': the underlying sink must be an object");
    return NULL;
  }
  st_strategy_t strategy;
  if (!st_strategy_convert(ctx, ISL_ARG(1), &strategy, exc)) return NULL;
  /* The UnderlyingSink dictionary: abort, close, start, type, write. */
  const char *what = "The underlying sink";
  JSValueRef abort, close, start, write;
  if (!st_dict_callback(ctx, sink, "abort", what, &abort, exc)) return NULL;
  if (!st_dict_callback(ctx, sink, "close", what, &close, exc)) return NULL;
  if (!st_dict_callback(ctx, sink, "start", what, &start, exc)) return NULL;
  JSValueRef type = st_dict_get(ctx, sink, "type", exc);
  if (!type) return NULL;
  if (!st_dict_callback(ctx, sink, "write", what, &write, exc)) return NULL;
  if (!JSValueIsUndefined(ctx, type)) {
    isl_throw_range(ctx, exc, "The underlying sink's type is reserved and must be undefined");
    return NULL;
  }
  double hwm;
  if (!st_extract_hwm(ctx, &strategy, 1, &hwm, exc)) return NULL;
  st_ws_t *s = ws_new(ctx, new_target);
  st_wdc_t *c = wdc_new(ctx);
  c->alg = ST_WALG_JS;
  ST_SET(ctx, c, WC_J_SINK, sink);
  ST_SET(ctx, c, WC_J_WRITE, write);
  ST_SET(ctx, c, WC_J_CLOSE, close);
  ST_SET(ctx, c, WC_J_ABORT, abort);
  if (!wdc_setup(ctx, s, c, start, sink, NULL, hwm, strategy.size, exc)) return NULL;
  return s->o.self;
}

static JSValueRef js_ws_locked(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                               const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  st_ws_t *s = isl_unwrap(ctx, this_obj, &st_ws_class, exc);
  return s ? st_bool(ctx, st_ws_locked(s)) : NULL;
}

static JSValueRef js_ws_abort(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                              const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)exc;
  st_ws_t *s = st_ws_of(ctx, this_obj);
  if (!s) return st_rejected_type(ctx, "Illegal invocation");
  if (st_ws_locked(s)) return st_rejected_type(ctx, "Cannot abort a locked WritableStream");
  return st_ws_abort(ctx, s, ISL_ARG(0));
}

static JSValueRef js_ws_close(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                              const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv, (void)exc;
  st_ws_t *s = st_ws_of(ctx, this_obj);
  if (!s) return st_rejected_type(ctx, "Illegal invocation");
  if (st_ws_locked(s)) return st_rejected_type(ctx, "Cannot close a locked WritableStream");
  if (st_ws_close_queued_or_in_flight(s))
    return st_rejected_type(ctx, "The WritableStream is already closing");
  return ws_close(ctx, s);
}

static JSValueRef js_ws_get_writer(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  st_ws_t *s = isl_unwrap(ctx, this_obj, &st_ws_class, exc);
  if (!s) return NULL;
  st_writer_t *w = st_writer_acquire(ctx, s, exc);
  return w ? w->o.self : NULL;
}

static const isl_method_t ws_methods[] = {
    {"abort", js_ws_abort, 0},
    {"close", js_ws_close, 0},
    {"getWriter", js_ws_get_writer, 0},
    {0},
};

static const isl_accessor_t ws_accessors[] = {
    {"locked", js_ws_locked, NULL},
    {0},
};

isl_class_def_t st_ws_class = {
    .name = "WritableStream",
    .construct = js_ws_construct,
    .length = 0,
    .methods = ws_methods,
    .accessors = ws_accessors,
    .finalize = ws_finalize,
};

/* ---- The WritableStreamDefaultWriter class --------------------------------------------- */

static JSObjectRef js_writer_construct(JSContextRef ctx, JSObjectRef new_target, size_t argc,
                                       const JSValueRef argv[], JSValueRef *exc) {
  if (!isl_require_args(ctx, argc, 1, "WritableStreamDefaultWriter", "constructor", exc))
    return NULL;
  st_ws_t *s = st_ws_of(ctx, argv[0]);
  if (!s) {
    isl_throw_type(
        ctx, exc,
        "Failed to construct 'WritableStreamDefaultWriter': parameter 1 is not a WritableStream");
    return NULL;
  }
  st_writer_t *w = writer_setup(ctx, s, new_target, exc);
  return w ? w->o.self : NULL;
}

static st_writer_t *this_writer(JSContextRef ctx, JSValueRef v) {
  return isl_priv(ctx, v, &st_writer_class);
}

static JSValueRef js_writer_closed(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv, (void)exc;
  st_writer_t *w = this_writer(ctx, this_obj);
  if (!w) return st_rejected_type(ctx, "Illegal invocation");
  return ST_GET(ctx, w, WR_J_CLOSED);
}

static JSValueRef js_writer_ready(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv, (void)exc;
  st_writer_t *w = this_writer(ctx, this_obj);
  if (!w) return st_rejected_type(ctx, "Illegal invocation");
  return ST_GET(ctx, w, WR_J_READY);
}

static JSValueRef js_writer_desired_size(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                         size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  st_writer_t *w = isl_unwrap(ctx, this_obj, &st_writer_class, exc);
  if (!w) return NULL;
  if (!w->stream) return isl_throw_type(ctx, exc, "The writer's lock was released");
  double d;
  return st_writer_desired_size(w, &d) ? JSValueMakeNumber(ctx, d) : st_null(ctx);
}

static JSValueRef js_writer_abort(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)exc;
  st_writer_t *w = this_writer(ctx, this_obj);
  if (!w) return st_rejected_type(ctx, "Illegal invocation");
  if (!w->stream) return st_rejected_type(ctx, "The writer's lock was released");
  return st_ws_abort(ctx, w->stream, ISL_ARG(0));
}

static JSValueRef js_writer_close(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv, (void)exc;
  st_writer_t *w = this_writer(ctx, this_obj);
  if (!w) return st_rejected_type(ctx, "Illegal invocation");
  st_ws_t *s = w->stream;
  if (!s) return st_rejected_type(ctx, "The writer's lock was released");
  if (st_ws_close_queued_or_in_flight(s))
    return st_rejected_type(ctx, "The WritableStream is already closing");
  return ws_close(ctx, s);
}

static JSValueRef js_writer_release_lock(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                         size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  st_writer_t *w = isl_unwrap(ctx, this_obj, &st_writer_class, exc);
  if (!w) return NULL;
  if (w->stream) st_writer_release(ctx, w);
  return undef(ctx);
}

static JSValueRef js_writer_write(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)exc;
  st_writer_t *w = this_writer(ctx, this_obj);
  if (!w) return st_rejected_type(ctx, "Illegal invocation");
  if (!w->stream) return st_rejected_type(ctx, "The writer's lock was released");
  return st_writer_write(ctx, w, ISL_ARG(0));
}

static const isl_method_t writer_methods[] = {
    {"abort", js_writer_abort, 0},
    {"close", js_writer_close, 0},
    {"releaseLock", js_writer_release_lock, 0},
    {"write", js_writer_write, 0},
    {0},
};

static const isl_accessor_t writer_accessors[] = {
    {"closed", js_writer_closed, NULL},
    {"desiredSize", js_writer_desired_size, NULL},
    {"ready", js_writer_ready, NULL},
    {0},
};

isl_class_def_t st_writer_class = {
    .name = "WritableStreamDefaultWriter",
    .construct = js_writer_construct,
    .length = 1,
    .methods = writer_methods,
    .accessors = writer_accessors,
    .finalize = writer_finalize,
};

/* ---- The WritableStreamDefaultController class ----------------------------------------- */

static JSValueRef js_wdc_signal(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                                const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  st_wdc_t *c = isl_unwrap(ctx, this_obj, &st_wdc_class, exc);
  return c ? ST_GET(ctx, c, WC_J_SIGNAL) : NULL;
}

static JSValueRef js_wdc_error(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                               const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  st_wdc_t *c = isl_unwrap(ctx, this_obj, &st_wdc_class, exc);
  if (!c) return NULL;
  if (c->stream->state == WS_WRITABLE) wdc_error(ctx, c, ISL_ARG(0));
  return undef(ctx);
}

static const isl_method_t wdc_methods[] = {
    {"error", js_wdc_error, 0},
    {0},
};

static const isl_accessor_t wdc_accessors[] = {
    {"signal", js_wdc_signal, NULL},
    {0},
};

isl_class_def_t st_wdc_class = {
    .name = "WritableStreamDefaultController",
    .methods = wdc_methods,
    .accessors = wdc_accessors,
    .finalize = wdc_finalize,
};

void isl_api_writablestream_install(isl_realm_t *r) {
  isl_class_install(r, &st_ws_class);
  isl_class_install(r, &st_writer_class);
  isl_class_install(r, &st_wdc_class);
}
