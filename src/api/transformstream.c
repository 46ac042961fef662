/* TransformStream and TransformStreamDefaultController (Streams Standard §6,
 * https://streams.spec.whatwg.org/#ts), including the transformer's cancel() and the
 * controller's [[finishPromise]] that makes close, abort and cancel of the two sides
 * settle together.
 *
 * A TransformStream owns a writable side (its sink is this file: write, close and abort
 * algorithms) and a readable side (its source is this file: pull and cancel algorithms).
 * Back-pressure between them: [[backpressure]] is true while the readable side's queue is
 * full; a write then waits for [[backpressureChangePromise]], which the next pull of the
 * readable side resolves. */
#include <stdlib.h>

#include "streams_api.h"
#include "streams_internal.h"

enum { TS_J_READABLE, TS_J_WRITABLE, TS_J_CONTROLLER, TS_J_BP_CHANGE, TS_J_BP_RESOLVE };
typedef struct st_tdc st_tdc_t;
typedef struct {
  st_obj_t o;
  st_rs_t *readable;
  st_ws_t *writable;
  st_tdc_t *controller;
  bool backpressure;
} ts_t;

enum {
  TC_J_STREAM,
  TC_J_TRANSFORMER,
  TC_J_TRANSFORM,
  TC_J_FLUSH,
  TC_J_CANCEL,
  TC_J_FINISH,
  TC_J_FINISH_RESOLVE,
  TC_J_FINISH_REJECT
};
struct st_tdc {
  st_obj_t o;
  ts_t *stream;
  bool js; /* the algorithms are a transformer's or C's (false: cleared) */
  /* C algorithms (isl_transform_stream_new_c), or NULL for a transformer's. cdata is
   * released once: when the algorithms are cleared, or by the finalizer. A C call in
   * progress (calling > 0) may run user code (a reader's promise resolved with a chunk
   * looks up `then`), which may cancel the stream and clear the algorithms; the release
   * then waits until the call has returned, so the callback never sees freed state. */
  const isl_transform_ops_t *cops;
  void *cdata;
  int calling;
  bool release_pending;
};

static void ts_finalize(void *p) { free(p); }

static void tdc_release_c(st_tdc_t *c) {
  const isl_transform_ops_t *ops = c->cops;
  void *data = c->cdata;
  c->cops = NULL;
  c->cdata = NULL;
  c->release_pending = false;
  if (ops && ops->release) ops->release(data);
}

static void tdc_finalize(void *p) {
  tdc_release_c(p);
  free(p);
}

static isl_class_def_t ts_class, tdc_class;

static ts_t *ts_of(JSContextRef ctx, JSValueRef v) {
  ts_t *t = isl_priv(ctx, v, &ts_class);
  ISL_CHECK(t);
  return t;
}

static JSValueRef undef(JSContextRef ctx) { return st_undef(ctx); }

/* ---- Stream-level operations ------------------------------------------------------------ */

/* TransformStreamSetBackpressure. */
static void ts_set_backpressure(JSContextRef ctx, ts_t *t, bool bp) {
  JSValueRef res = ST_JS(t, TS_J_BP_RESOLVE);
  if (res) st_settle(ctx, (JSObjectRef)res, NULL);
  st_deferred_t d = st_deferred(ctx);
  ST_SET(ctx, t, TS_J_BP_CHANGE, d.promise);
  ST_SET(ctx, t, TS_J_BP_RESOLVE, d.resolve);
  t->backpressure = bp;
}

/* TransformStreamDefaultControllerClearAlgorithms. */
static void tdc_clear_algorithms(JSContextRef ctx, st_tdc_t *c) {
  c->js = false;
  if (c->cops) {
    if (c->calling) c->release_pending = true;
    else tdc_release_c(c);
  }
  ST_SET(ctx, c, TC_J_TRANSFORMER, NULL);
  ST_SET(ctx, c, TC_J_TRANSFORM, NULL);
  ST_SET(ctx, c, TC_J_FLUSH, NULL);
  ST_SET(ctx, c, TC_J_CANCEL, NULL);
}

/* TransformStreamUnblockWrite. */
static void ts_unblock_write(JSContextRef ctx, ts_t *t) {
  if (t->backpressure) ts_set_backpressure(ctx, t, false);
}

/* TransformStreamErrorWritableAndUnblockWrite. */
static void ts_error_writable_and_unblock_write(JSContextRef ctx, ts_t *t, JSValueRef e) {
  tdc_clear_algorithms(ctx, t->controller);
  st_wdc_error_if_needed(ctx, t->writable->controller, e);
  ts_unblock_write(ctx, t);
}

/* TransformStreamError. */
static void ts_error(JSContextRef ctx, ts_t *t, JSValueRef e) {
  st_rdc_error(ctx, t->readable->dc, e);
  ts_error_writable_and_unblock_write(ctx, t, e);
}

/* ---- Controller operations ------------------------------------------------------------- */

/* TransformStreamDefaultControllerEnqueue. */
static bool tdc_enqueue(JSContextRef ctx, st_tdc_t *c, JSValueRef chunk, JSValueRef *exc) {
  ts_t *t = c->stream;
  st_rdc_t *rc = t->readable->dc;
  if (!st_rdc_can_close_or_enqueue(rc)) {
    isl_throw_type(ctx, exc, "The readable side of the TransformStream is closed or errored");
    return false;
  }
  JSValueRef e = NULL;
  if (!st_rdc_enqueue(ctx, rc, chunk, &e)) {
    ts_error_writable_and_unblock_write(ctx, t, e);
    *exc = ST_GET(ctx, t->readable, RS_J_ERROR);
    return false;
  }
  bool bp = st_rdc_has_backpressure(rc);
  if (bp != t->backpressure) ts_set_backpressure(ctx, t, true);
  return true;
}

/* TransformStreamDefaultControllerTerminate. */
static void tdc_terminate(JSContextRef ctx, st_tdc_t *c) {
  ts_t *t = c->stream;
  st_rdc_close(ctx, t->readable->dc);
  ts_error_writable_and_unblock_write(ctx, t,
                                      st_type_error(ctx, "The TransformStream was terminated"));
}

/* Runs a C algorithm (the transform of chunk, or the flush) as a promise: rejected with
 * what it threw, else resolved with undefined (the "set up" algorithm wrappers). */
static JSObjectRef tdc_call_c(JSContextRef ctx, st_tdc_t *c, bool flush, JSValueRef chunk) {
  const isl_transform_ops_t *ops = c->cops;
  if (flush && !ops->flush) return st_resolved(ctx, NULL);
  if (!chunk) chunk = st_undef(ctx);
  JSValueRef e = NULL;
  c->calling++;
  bool ok = flush ? ops->flush(ctx, c->cdata, c->o.self, &e)
                  : ops->transform(ctx, c->cdata, chunk, c->o.self, &e);
  if (--c->calling == 0 && c->release_pending) tdc_release_c(c);
  return ok ? st_resolved(ctx, NULL) : st_rejected(ctx, e);
}

static JSObjectRef tdc_transform_algorithm(JSContextRef ctx, st_tdc_t *c, JSValueRef chunk) {
  if (c->js && c->cops) return tdc_call_c(ctx, c, false, chunk);
  JSValueRef fn = ST_JS(c, TC_J_TRANSFORM);
  if (c->js && fn) {
    JSValueRef args[2] = {chunk, c->o.self};
    return st_invoke_promise(ctx, fn, ST_GET(ctx, c, TC_J_TRANSFORMER), 2, args);
  }
  /* The identity transform. */
  JSValueRef e = NULL;
  if (!tdc_enqueue(ctx, c, chunk, &e)) return st_rejected(ctx, e);
  return st_resolved(ctx, NULL);
}

/* The flush algorithm (arg: the controller) and the cancel algorithm (arg: the reason):
 * the transformer's method, or a promise resolved with undefined. */
static JSObjectRef tdc_call(JSContextRef ctx, st_tdc_t *c, int slot, JSValueRef arg) {
  if (c->js && c->cops)
    return slot == TC_J_FLUSH ? tdc_call_c(ctx, c, true, NULL) : st_resolved(ctx, NULL);
  JSValueRef fn = ST_JS(c, slot);
  if (!c->js || !fn) return st_resolved(ctx, NULL);
  return st_invoke_promise(ctx, fn, ST_GET(ctx, c, TC_J_TRANSFORMER), 1, &arg);
}

/* TransformStreamDefaultControllerPerformTransform. */
static JSObjectRef tdc_perform_transform(JSContextRef ctx, st_tdc_t *c, JSValueRef chunk) {
  JSValueRef fn = ST_JS(c, TC_J_TRANSFORM);
  if (c->js && fn) {
    JSValueRef args[2] = {chunk, c->o.self};
    return st_invoke_react(ctx, fn, ST_GET(ctx, c, TC_J_TRANSFORMER), 2, args, c->stream->o.self,
                           ST_RX_NONE, ST_RX_ts_transform_fail);
  }
  JSObjectRef p = tdc_transform_algorithm(ctx, c, chunk);
  return st_react(ctx, p, c->stream->o.self, ST_RX_NONE, ST_RX_ts_transform_fail);
}

JSValueRef st_rx_ts_transform_fail(JSContextRef ctx, JSValueRef target, JSValueRef r,
                                   JSValueRef *exc) {
  ts_error(ctx, ts_of(ctx, target), r);
  *exc = r;
  return NULL;
}

/* ---- The sink: the writable side's algorithms ------------------------------------------ */

/* TransformStreamDefaultSinkWriteAlgorithm. */
JSObjectRef st_ts_sink_write(JSContextRef ctx, JSValueRef host, JSValueRef chunk) {
  ts_t *t = ts_of(ctx, host);
  if (t->backpressure) {
    return st_react(ctx, ST_GET(ctx, t, TS_J_BP_CHANGE), st_pair(ctx, host, chunk),
                    ST_RX_ts_write_after_bp, ST_RX_NONE);
  }
  return tdc_perform_transform(ctx, t->controller, chunk);
}

/* The target is [stream, chunk]. */
JSValueRef st_rx_ts_write_after_bp(JSContextRef ctx, JSValueRef target, JSValueRef v,
                                   JSValueRef *exc) {
  (void)v;
  ts_t *t = ts_of(ctx, st_index(ctx, target, 0));
  st_ws_t *w = t->writable;
  if (w->state == WS_ERRORING) {
    *exc = ST_GET(ctx, w, WS_J_ERROR);
    return NULL;
  }
  return tdc_perform_transform(ctx, t->controller, st_index(ctx, target, 1));
}

/* Creates the controller's [[finishPromise]]; NULL if it already exists. */
static bool tdc_start_finish(JSContextRef ctx, st_tdc_t *c) {
  if (ST_JS(c, TC_J_FINISH)) return false;
  st_deferred_t d = st_deferred(ctx);
  ST_SET(ctx, c, TC_J_FINISH, d.promise);
  ST_SET(ctx, c, TC_J_FINISH_RESOLVE, d.resolve);
  ST_SET(ctx, c, TC_J_FINISH_REJECT, d.reject);
  return true;
}

static void tdc_settle_finish(JSContextRef ctx, st_tdc_t *c, bool ok, JSValueRef v) {
  JSValueRef fn = ST_JS(c, ok ? TC_J_FINISH_RESOLVE : TC_J_FINISH_REJECT);
  ST_SET(ctx, c, TC_J_FINISH_RESOLVE, NULL);
  ST_SET(ctx, c, TC_J_FINISH_REJECT, NULL);
  if (fn) st_settle(ctx, (JSObjectRef)fn, v);
}

/* TransformStreamDefaultSinkAbortAlgorithm. */
JSObjectRef st_ts_sink_abort(JSContextRef ctx, JSValueRef host, JSValueRef reason) {
  ts_t *t = ts_of(ctx, host);
  st_tdc_t *c = t->controller;
  if (!tdc_start_finish(ctx, c)) return (JSObjectRef)ST_JS(c, TC_J_FINISH);
  JSObjectRef p = tdc_call(ctx, c, TC_J_CANCEL, reason);
  tdc_clear_algorithms(ctx, c);
  st_react(ctx, p, st_pair(ctx, host, reason), ST_RX_ts_abort_ok, ST_RX_ts_abort_fail);
  return (JSObjectRef)ST_JS(c, TC_J_FINISH);
}

JSValueRef st_rx_ts_abort_ok(JSContextRef ctx, JSValueRef target, JSValueRef v, JSValueRef *exc) {
  (void)v, (void)exc;
  ts_t *t = ts_of(ctx, st_index(ctx, target, 0));
  st_rs_t *r = t->readable;
  if (r->state == RS_ERRORED) {
    tdc_settle_finish(ctx, t->controller, false, ST_GET(ctx, r, RS_J_ERROR));
  } else {
    st_rdc_error(ctx, r->dc, st_index(ctx, target, 1));
    tdc_settle_finish(ctx, t->controller, true, NULL);
  }
  return NULL;
}

JSValueRef st_rx_ts_abort_fail(JSContextRef ctx, JSValueRef target, JSValueRef e, JSValueRef *exc) {
  (void)exc;
  ts_t *t = ts_of(ctx, st_index(ctx, target, 0));
  st_rdc_error(ctx, t->readable->dc, e);
  tdc_settle_finish(ctx, t->controller, false, e);
  return NULL;
}

/* TransformStreamDefaultSinkCloseAlgorithm. */
JSObjectRef st_ts_sink_close(JSContextRef ctx, JSValueRef host) {
  ts_t *t = ts_of(ctx, host);
  st_tdc_t *c = t->controller;
  if (!tdc_start_finish(ctx, c)) return (JSObjectRef)ST_JS(c, TC_J_FINISH);
  JSObjectRef p = tdc_call(ctx, c, TC_J_FLUSH, c->o.self);
  tdc_clear_algorithms(ctx, c);
  st_react(ctx, p, host, ST_RX_ts_close_ok, ST_RX_ts_close_fail);
  return (JSObjectRef)ST_JS(c, TC_J_FINISH);
}

JSValueRef st_rx_ts_close_ok(JSContextRef ctx, JSValueRef target, JSValueRef v, JSValueRef *exc) {
  (void)v, (void)exc;
  ts_t *t = ts_of(ctx, target);
  st_rs_t *r = t->readable;
  if (r->state == RS_ERRORED) {
    tdc_settle_finish(ctx, t->controller, false, ST_GET(ctx, r, RS_J_ERROR));
  } else {
    st_rdc_close(ctx, r->dc);
    tdc_settle_finish(ctx, t->controller, true, NULL);
  }
  return NULL;
}

JSValueRef st_rx_ts_close_fail(JSContextRef ctx, JSValueRef target, JSValueRef e, JSValueRef *exc) {
  (void)exc;
  ts_t *t = ts_of(ctx, target);
  st_rdc_error(ctx, t->readable->dc, e);
  tdc_settle_finish(ctx, t->controller, false, e);
  return NULL;
}

/* ---- The source: the readable side's algorithms ------------------------------------------ */

/* TransformStreamDefaultSourcePullAlgorithm. */
JSObjectRef st_ts_source_pull(JSContextRef ctx, JSValueRef host) {
  ts_t *t = ts_of(ctx, host);
  ts_set_backpressure(ctx, t, false);
  return (JSObjectRef)ST_JS(t, TS_J_BP_CHANGE);
}

/* TransformStreamDefaultSourceCancelAlgorithm. */
JSObjectRef st_ts_source_cancel(JSContextRef ctx, JSValueRef host, JSValueRef reason) {
  ts_t *t = ts_of(ctx, host);
  st_tdc_t *c = t->controller;
  if (!tdc_start_finish(ctx, c)) return (JSObjectRef)ST_JS(c, TC_J_FINISH);
  JSObjectRef p = tdc_call(ctx, c, TC_J_CANCEL, reason);
  tdc_clear_algorithms(ctx, c);
  st_react(ctx, p, st_pair(ctx, host, reason), ST_RX_ts_cancel_ok, ST_RX_ts_cancel_fail);
  return (JSObjectRef)ST_JS(c, TC_J_FINISH);
}

JSValueRef st_rx_ts_cancel_ok(JSContextRef ctx, JSValueRef target, JSValueRef v, JSValueRef *exc) {
  (void)v, (void)exc;
  ts_t *t = ts_of(ctx, st_index(ctx, target, 0));
  st_ws_t *w = t->writable;
  if (w->state == WS_ERRORED) {
    tdc_settle_finish(ctx, t->controller, false, ST_GET(ctx, w, WS_J_ERROR));
  } else {
    st_wdc_error_if_needed(ctx, w->controller, st_index(ctx, target, 1));
    ts_unblock_write(ctx, t);
    tdc_settle_finish(ctx, t->controller, true, NULL);
  }
  return NULL;
}

JSValueRef st_rx_ts_cancel_fail(JSContextRef ctx, JSValueRef target, JSValueRef e,
                                JSValueRef *exc) {
  (void)exc;
  ts_t *t = ts_of(ctx, st_index(ctx, target, 0));
  st_wdc_error_if_needed(ctx, t->writable->controller, e);
  ts_unblock_write(ctx, t);
  tdc_settle_finish(ctx, t->controller, false, e);
  return NULL;
}

/* ---- The TransformStream class -------------------------------------------------------------- */

/* InitializeTransformStream and the controller's set-up, shared by the constructor and
 * isl_transform_stream_new_c: a new instance of def whose two sides start when
 * start_promise settles. Returns the controller, its algorithms still to be set. */
static st_tdc_t *ts_create(JSContextRef ctx, isl_class_def_t *def, JSObjectRef new_target,
                           double whwm, JSValueRef wsize, double rhwm, JSValueRef rsize,
                           JSObjectRef start_promise) {
  ts_t *t = isl_calloc(1, sizeof(*t));
  JSObjectRef self = isl_wrap_new(ctx, def, t, new_target);
  st_obj_init(ctx, &t->o, self);
  t->writable = st_ws_create(ctx, ST_WALG_TRANSFORM, self, whwm, wsize, start_promise);
  ST_SET(ctx, t, TS_J_WRITABLE, t->writable->o.self);
  t->readable = st_rs_create(ctx, ST_ALG_TRANSFORM, self, 0, rhwm, rsize, start_promise);
  ST_SET(ctx, t, TS_J_READABLE, t->readable->o.self);
  ts_set_backpressure(ctx, t, true);
  st_tdc_t *c = isl_calloc(1, sizeof(*c));
  st_obj_init(ctx, &c->o, isl_wrap(ctx, &tdc_class, c));
  c->stream = t;
  ST_SET(ctx, c, TC_J_STREAM, self);
  t->controller = c;
  ST_SET(ctx, t, TS_J_CONTROLLER, c->o.self);
  c->js = true;
  return c;
}

/* The constructor's steps, making an instance of def (TransformStream, or a subclass
 * made in C: its instances carry its own class, so they report its name). */
static JSObjectRef ts_construct(JSContextRef ctx, isl_class_def_t *def, JSObjectRef new_target,
                                size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  JSValueRef transformer = ISL_ARG(0);
  if (!JSValueIsUndefined(ctx, transformer) && !JSValueIsObject(ctx, transformer)) {
    isl_throw_type(ctx, exc,
                   "Failed to construct 'TransformStream': the transformer must be an object");
    return NULL;
  }
  st_strategy_t ws_strategy, rs_strategy;
  if (!st_strategy_convert(ctx, ISL_ARG(1), &ws_strategy, exc)) return NULL;
  if (!st_strategy_convert(ctx, ISL_ARG(2), &rs_strategy, exc)) return NULL;
  /* The Transformer dictionary: cancel, flush, readableType, start, transform, writableType. */
  const char *what = "The transformer";
  JSValueRef cancel, flush, start, transform;
  if (!st_dict_callback(ctx, transformer, "cancel", what, &cancel, exc)) return NULL;
  if (!st_dict_callback(ctx, transformer, "flush", what, &flush, exc)) return NULL;
  JSValueRef rtype = st_dict_get(ctx, transformer, "readableType", exc);
  if (!rtype) return NULL;
  if (!st_dict_callback(ctx, transformer, "start", what, &start, exc)) return NULL;
  if (!st_dict_callback(ctx, transformer, "transform", what, &transform, exc)) return NULL;
  JSValueRef wtype = st_dict_get(ctx, transformer, "writableType", exc);
  if (!wtype) return NULL;
  if (!JSValueIsUndefined(ctx, rtype))
    return (JSObjectRef)isl_throw_range(
        ctx, exc, "The transformer's readableType is reserved and must be undefined");
  if (!JSValueIsUndefined(ctx, wtype))
    return (JSObjectRef)isl_throw_range(
        ctx, exc, "The transformer's writableType is reserved and must be undefined");
  double rhwm, whwm;
  if (!st_extract_hwm(ctx, &rs_strategy, 0, &rhwm, exc)) return NULL;
  if (!st_extract_hwm(ctx, &ws_strategy, 1, &whwm, exc)) return NULL;

  st_deferred_t start_promise = st_deferred(ctx);
  st_tdc_t *c = ts_create(ctx, def, new_target, whwm, ws_strategy.size, rhwm, rs_strategy.size,
                          start_promise.promise);
  ST_SET(ctx, c, TC_J_TRANSFORMER, transformer);
  ST_SET(ctx, c, TC_J_TRANSFORM, transform);
  ST_SET(ctx, c, TC_J_FLUSH, flush);
  ST_SET(ctx, c, TC_J_CANCEL, cancel);
  JSValueRef result = undef(ctx);
  if (start) {
    JSValueRef arg = c->o.self;
    result =
        JSObjectCallAsFunction(ctx, (JSObjectRef)start, (JSObjectRef)transformer, 1, &arg, exc);
    if (*exc) return NULL;
  }
  st_settle(ctx, start_promise.resolve, result);
  return c->stream->o.self;
}

static JSObjectRef js_ts_construct(JSContextRef ctx, JSObjectRef new_target, size_t argc,
                                   const JSValueRef argv[], JSValueRef *exc) {
  return ts_construct(ctx, &ts_class, new_target, argc, argv, exc);
}

static JSValueRef js_ts_readable(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                 size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  ts_t *t = isl_unwrap(ctx, this_obj, &ts_class, exc);
  return t ? ST_GET(ctx, t, TS_J_READABLE) : NULL;
}

static JSValueRef js_ts_writable(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                 size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  ts_t *t = isl_unwrap(ctx, this_obj, &ts_class, exc);
  return t ? ST_GET(ctx, t, TS_J_WRITABLE) : NULL;
}

static const isl_accessor_t ts_accessors[] = {
    {"readable", js_ts_readable, NULL},
    {"writable", js_ts_writable, NULL},
    {0},
};

static isl_class_def_t ts_class = {
    .name = "TransformStream",
    .construct = js_ts_construct,
    .length = 0,
    .accessors = ts_accessors,
    .finalize = ts_finalize,
};

/* ---- The TransformStreamDefaultController class --------------------------------------------- */

#define THIS_TDC(ctx, this_obj, exc) st_tdc_t *c = isl_unwrap((ctx), (this_obj), &tdc_class, (exc))

static JSValueRef js_tdc_desired_size(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                      size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  THIS_TDC(ctx, this_obj, exc);
  if (!c) return NULL;
  double d;
  return st_rdc_desired_size(c->stream->readable->dc, &d) ? JSValueMakeNumber(ctx, d)
                                                          : st_null(ctx);
}

static JSValueRef js_tdc_enqueue(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                 size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  THIS_TDC(ctx, this_obj, exc);
  if (!c) return NULL;
  return tdc_enqueue(ctx, c, ISL_ARG(0), exc) ? undef(ctx) : NULL;
}

static JSValueRef js_tdc_error(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                               const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  THIS_TDC(ctx, this_obj, exc);
  if (!c) return NULL;
  ts_error(ctx, c->stream, ISL_ARG(0));
  return undef(ctx);
}

static JSValueRef js_tdc_terminate(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  THIS_TDC(ctx, this_obj, exc);
  if (!c) return NULL;
  tdc_terminate(ctx, c);
  return undef(ctx);
}

static const isl_method_t tdc_methods[] = {
    {"enqueue", js_tdc_enqueue, 0},
    {"error", js_tdc_error, 0},
    {"terminate", js_tdc_terminate, 0},
    {0},
};

static const isl_accessor_t tdc_accessors[] = {
    {"desiredSize", js_tdc_desired_size, NULL},
    {0},
};

static isl_class_def_t tdc_class = {
    .name = "TransformStreamDefaultController",
    .methods = tdc_methods,
    .accessors = tdc_accessors,
    .finalize = tdc_finalize,
};

/* ---- For subclasses (streams_api.h) ------------------------------------------------------- */

isl_class_def_t *isl_transform_stream_class(void) { return &ts_class; }

JSObjectRef isl_transform_stream_new(JSContextRef ctx, isl_class_def_t *def,
                                     JSObjectRef new_target, JSValueRef transformer,
                                     JSValueRef *exc) {
  ISL_CHECK(def->finalize == ts_class.finalize);
  return ts_construct(ctx, def, new_target, 1, &transformer, exc);
}

JSObjectRef isl_transform_stream_new_c(JSContextRef ctx, const isl_transform_ops_t *ops,
                                       void *data) {
  /* "Set up" a TransformStream: writable high water mark 1, readable 0, sizes 1, a start
   * promise resolved with undefined. */
  st_tdc_t *c = ts_create(ctx, &ts_class, NULL, 1, NULL, 0, NULL, st_resolved(ctx, NULL));
  c->cops = ops;
  c->cdata = data;
  return c->stream->o.self;
}

/* The private slot holding a GenericTransformStream's [[transform]]. */
static const char GENERIC_SLOT[] = "transform";

void isl_generic_transform_init(JSContextRef ctx, JSObjectRef self, const isl_transform_ops_t *ops,
                                void *data) {
  isl_slot_set(ctx, self, GENERIC_SLOT, isl_transform_stream_new_c(ctx, ops, data));
}

JSObjectRef isl_generic_transform_readable(JSContextRef ctx, JSObjectRef self) {
  return isl_transform_stream_readable(ctx, (JSObjectRef)isl_slot_get(ctx, self, GENERIC_SLOT));
}

JSObjectRef isl_generic_transform_writable(JSContextRef ctx, JSObjectRef self) {
  return isl_transform_stream_writable(ctx, (JSObjectRef)isl_slot_get(ctx, self, GENERIC_SLOT));
}

JSObjectRef isl_transform_stream_readable(JSContextRef ctx, JSObjectRef ts) {
  ts_t *t = isl_priv(ctx, ts, &ts_class);
  return t ? t->readable->o.self : NULL;
}

JSObjectRef isl_transform_stream_writable(JSContextRef ctx, JSObjectRef ts) {
  ts_t *t = isl_priv(ctx, ts, &ts_class);
  return t ? t->writable->o.self : NULL;
}

bool isl_transform_controller_enqueue(JSContextRef ctx, JSValueRef controller, JSValueRef chunk,
                                      JSValueRef *exc) {
  st_tdc_t *c = isl_unwrap(ctx, controller, &tdc_class, exc);
  return c && tdc_enqueue(ctx, c, chunk, exc);
}

void isl_api_transformstream_install(isl_realm_t *r) {
  isl_class_install(r, &ts_class);
  isl_class_install(r, &tdc_class);
}
