/* ReadableStream.prototype.pipeTo and pipeThrough (Streams Standard §4.9.4,
 * ReadableStreamPipeTo).
 *
 * The spec leaves the reading and writing loop to the implementation within constraints:
 * never read while the writer's desired size is ≤ 0 or null, stop reading once shutting
 * down but still write what was already read, and propagate errors and closing in a fixed
 * order of precedence (source error, destination error, source close, destination
 * closed). Here the loop waits on the writer's ready promise, reads one chunk with an
 * internal read request, writes it, and waits again, so every step is one promise turn and
 * a long pipe never recurses. The state lives in an internal object; every promise
 * reaction holds it, and while an AbortSignal is attached the signal holds it too (a
 * private slot), so a pipe nobody else references keeps running until it settles. */
#include <stdio.h>
#include <stdlib.h>

#include "abort_api.h"
#include "streams_internal.h"

enum {
  PIPE_J_SOURCE,
  PIPE_J_DEST,
  PIPE_J_READER,
  PIPE_J_WRITER,
  PIPE_J_RESOLVE,
  PIPE_J_REJECT,
  PIPE_J_CURRENT_WRITE,
  PIPE_J_WAITED_WRITE,
  PIPE_J_SIGNAL,
  PIPE_J_ERROR,
  PIPE_J_ALL_RESOLVE,
  PIPE_J_ALL_REJECT
};

/* The action a shutdown performs once the writes already started have finished. */
enum { ACT_NONE, ACT_ABORT_DEST, ACT_CANCEL_SOURCE, ACT_CLOSE_DEST, ACT_SIGNAL };

typedef struct {
  st_obj_t o;
  st_rs_t *source;
  st_ws_t *dest;
  st_reader_t *reader;
  st_writer_t *writer;
  isl_abort_signal_t *signal;
  isl_abort_algo_t *algo;
  bool prevent_close, prevent_abort, prevent_cancel;
  bool shutting_down, finalized, has_error;
  bool reading, in_pump, again; /* the loop: a read pending; pipe_pump running; run again */
  int action;
  int all_remaining;
} pipe_t;

static void pipe_finalize(void *p) { free(p); }

static isl_class_def_t pipe_class = {
    .name = "ReadableStream pipe",
    .finalize = pipe_finalize,
    .not_global = true,
};

static pipe_t *pipe_of(JSContextRef ctx, JSValueRef v) {
  pipe_t *p = isl_priv(ctx, v, &pipe_class);
  ISL_CHECK(p);
  return p;
}

/* ---- Finalize and shutdown ------------------------------------------------------------- */

static void signal_slot_name(pipe_t *p, char *buf, size_t n) {
  snprintf(buf, n, "pipe:%p", (void *)p);
}

/* "Finalize": release the reader and the writer, drop the abort algorithm, settle. */
static void pipe_finalize_with(JSContextRef ctx, pipe_t *p, bool has_error, JSValueRef error) {
  if (p->finalized) return;
  p->finalized = true;
  st_writer_release(ctx, p->writer);
  st_reader_release(ctx, p->reader);
  if (p->signal) {
    if (p->algo) isl_abort_algo_remove(ctx, p->algo);
    p->algo = NULL;
    char name[40];
    signal_slot_name(p, name, sizeof(name));
    isl_slot_delete(ctx, (JSObjectRef)ST_JS(p, PIPE_J_SIGNAL), name);
  }
  JSValueRef fn = ST_JS(p, has_error ? PIPE_J_REJECT : PIPE_J_RESOLVE);
  ST_SET(ctx, p, PIPE_J_RESOLVE, NULL);
  ST_SET(ctx, p, PIPE_J_REJECT, NULL);
  st_settle(ctx, (JSObjectRef)fn, has_error ? error : NULL);
}

/* "Getting a promise to wait for all" of the signal's actions. */
static JSObjectRef pipe_signal_action(JSContextRef ctx, pipe_t *p) {
  JSValueRef error = ST_GET(ctx, p, PIPE_J_ERROR);
  JSObjectRef actions[2];
  int n = 0;
  if (!p->prevent_abort)
    actions[n++] =
        p->dest->state == WS_WRITABLE ? st_ws_abort(ctx, p->dest, error) : st_resolved(ctx, NULL);
  if (!p->prevent_cancel)
    actions[n++] = p->source->state == RS_READABLE ? st_rs_cancel(ctx, p->source, error)
                                                   : st_resolved(ctx, NULL);
  if (n == 0) return st_resolved(ctx, NULL);
  st_deferred_t all = st_deferred(ctx);
  ST_SET(ctx, p, PIPE_J_ALL_RESOLVE, all.resolve);
  ST_SET(ctx, p, PIPE_J_ALL_REJECT, all.reject);
  p->all_remaining = n;
  for (int i = 0; i < n; i++)
    st_react(ctx, actions[i], p->o.self, ST_RX_pipe_all_ok, ST_RX_pipe_all_fail);
  return all.promise;
}

JSValueRef st_rx_pipe_all_ok(JSContextRef ctx, JSValueRef target, JSValueRef v, JSValueRef *exc) {
  (void)v, (void)exc;
  pipe_t *p = pipe_of(ctx, target);
  if (--p->all_remaining == 0 && ST_JS(p, PIPE_J_ALL_RESOLVE))
    st_settle(ctx, (JSObjectRef)ST_JS(p, PIPE_J_ALL_RESOLVE), NULL);
  return NULL;
}

JSValueRef st_rx_pipe_all_fail(JSContextRef ctx, JSValueRef target, JSValueRef e, JSValueRef *exc) {
  (void)exc;
  pipe_t *p = pipe_of(ctx, target);
  JSValueRef rej = ST_JS(p, PIPE_J_ALL_REJECT);
  if (rej) st_settle(ctx, (JSObjectRef)rej, e);
  ST_SET(ctx, p, PIPE_J_ALL_RESOLVE, NULL);
  ST_SET(ctx, p, PIPE_J_ALL_REJECT, NULL);
  return NULL;
}

/* Performs the shutdown's action, or finalizes when it has none. */
static void pipe_do_the_rest(JSContextRef ctx, pipe_t *p) {
  JSValueRef error = ST_GET(ctx, p, PIPE_J_ERROR);
  JSObjectRef promise;
  switch (p->action) {
    case ACT_ABORT_DEST:
      promise = st_ws_abort(ctx, p->dest, error);
      break;
    case ACT_CANCEL_SOURCE:
      promise = st_rs_cancel(ctx, p->source, error);
      break;
    case ACT_CLOSE_DEST:
      promise = st_writer_close_with_error_propagation(ctx, p->writer);
      break;
    case ACT_SIGNAL:
      promise = pipe_signal_action(ctx, p);
      break;
    default:
      pipe_finalize_with(ctx, p, p->has_error, error);
      return;
  }
  st_react(ctx, promise, p->o.self, ST_RX_pipe_action_ok, ST_RX_pipe_action_fail);
}

JSValueRef st_rx_pipe_action_ok(JSContextRef ctx, JSValueRef target, JSValueRef v,
                                JSValueRef *exc) {
  (void)v, (void)exc;
  pipe_t *p = pipe_of(ctx, target);
  pipe_finalize_with(ctx, p, p->has_error, ST_GET(ctx, p, PIPE_J_ERROR));
  return NULL;
}

JSValueRef st_rx_pipe_action_fail(JSContextRef ctx, JSValueRef target, JSValueRef e,
                                  JSValueRef *exc) {
  (void)exc;
  pipe_finalize_with(ctx, pipe_of(ctx, target), true, e);
  return NULL;
}

/* Waits until every chunk read has been written: the last write, and again if another
 * write started meanwhile (a read that was already pending when shutdown began). */
static void pipe_wait_for_writes(JSContextRef ctx, pipe_t *p) {
  JSValueRef w = ST_GET(ctx, p, PIPE_J_CURRENT_WRITE);
  ST_SET(ctx, p, PIPE_J_WAITED_WRITE, w);
  st_react(ctx, w, p->o.self, ST_RX_pipe_writes_done, ST_RX_NONE);
}

JSValueRef st_rx_pipe_writes_done(JSContextRef ctx, JSValueRef target, JSValueRef v,
                                  JSValueRef *exc) {
  (void)v, (void)exc;
  pipe_t *p = pipe_of(ctx, target);
  if (ST_JS(p, PIPE_J_CURRENT_WRITE) != ST_JS(p, PIPE_J_WAITED_WRITE))
    pipe_wait_for_writes(ctx, p);
  else
    pipe_do_the_rest(ctx, p);
  return NULL;
}

/* "Shutdown with an action" (action ACT_NONE: plain "shutdown"). */
static void pipe_shutdown(JSContextRef ctx, pipe_t *p, int action, bool has_error,
                          JSValueRef error) {
  if (p->shutting_down) return;
  p->shutting_down = true;
  p->action = action;
  p->has_error = has_error;
  ST_SET(ctx, p, PIPE_J_ERROR, has_error ? error : NULL);
  if (p->dest->state == WS_WRITABLE && !st_ws_close_queued_or_in_flight(p->dest))
    pipe_wait_for_writes(ctx, p);
  else
    pipe_do_the_rest(ctx, p);
}

/* ---- Propagation of errors and closing -------------------------------------------------- */

static void source_errored(JSContextRef ctx, pipe_t *p, JSValueRef e) {
  pipe_shutdown(ctx, p, p->prevent_abort ? ACT_NONE : ACT_ABORT_DEST, true, e);
}

static void dest_errored(JSContextRef ctx, pipe_t *p, JSValueRef e) {
  pipe_shutdown(ctx, p, p->prevent_cancel ? ACT_NONE : ACT_CANCEL_SOURCE, true, e);
}

static void source_closed(JSContextRef ctx, pipe_t *p) {
  pipe_shutdown(ctx, p, p->prevent_close ? ACT_NONE : ACT_CLOSE_DEST, false, NULL);
}

JSValueRef st_rx_pipe_source_closed(JSContextRef ctx, JSValueRef target, JSValueRef v,
                                    JSValueRef *exc) {
  (void)v, (void)exc;
  source_closed(ctx, pipe_of(ctx, target));
  return NULL;
}

JSValueRef st_rx_pipe_source_errored(JSContextRef ctx, JSValueRef target, JSValueRef e,
                                     JSValueRef *exc) {
  (void)exc;
  source_errored(ctx, pipe_of(ctx, target), e);
  return NULL;
}

JSValueRef st_rx_pipe_dest_errored(JSContextRef ctx, JSValueRef target, JSValueRef e,
                                   JSValueRef *exc) {
  (void)exc;
  dest_errored(ctx, pipe_of(ctx, target), e);
  return NULL;
}

/* ---- The loop -------------------------------------------------------------------------- */

/* Reads while the writer wants data: a chunk that is already queued arrives synchronously
 * inside st_reader_read, is written, and the loop goes on (a loop, never a recursion).
 * When the writer's desired size is ≤ 0 the loop waits for its ready promise; when no
 * chunk is available, for the read request. */
static void pipe_pump(JSContextRef ctx, pipe_t *p) {
  if (p->in_pump) {
    p->again = true;
    return;
  }
  p->in_pump = true;
  do {
    p->again = false;
    if (p->shutting_down || p->reading) break;
    double desired;
    /* null: the destination is erroring; its closed promise ends the pipe. */
    if (!st_writer_desired_size(p->writer, &desired)) break;
    if (desired <= 0) {
      st_react(ctx, ST_GET(ctx, p->writer, WR_J_READY), p->o.self, ST_RX_pipe_ready,
               ST_RX_undefined);
      break;
    }
    p->reading = true;
    st_req_t rq = {ST_REQ_PIPE, p->o.self, NULL};
    st_reader_read(ctx, p->reader, &rq);
  } while (p->again);
  p->in_pump = false;
}

static void pipe_step(JSContextRef ctx, pipe_t *p) { pipe_pump(ctx, p); }

JSValueRef st_rx_pipe_ready(JSContextRef ctx, JSValueRef target, JSValueRef v, JSValueRef *exc) {
  (void)v, (void)exc;
  pipe_pump(ctx, pipe_of(ctx, target));
  return NULL;
}

void st_pipe_req_chunk(JSContextRef ctx, const st_req_t *rq, JSValueRef chunk) {
  pipe_t *p = pipe_of(ctx, rq->a);
  p->reading = false;
  /* Written even when shutting down: chunks already read must reach the destination. */
  JSObjectRef w = st_writer_write(ctx, p->writer, chunk);
  ST_SET(ctx, p, PIPE_J_CURRENT_WRITE, st_react(ctx, w, NULL, ST_RX_undefined, ST_RX_undefined));
  pipe_pump(ctx, p);
}

/* Closing and errors of the source arrive through the reader's closed promise. */
void st_pipe_req_close(JSContextRef ctx, const st_req_t *rq) {
  pipe_of(ctx, rq->a)->reading = false;
}

void st_pipe_req_error(JSContextRef ctx, const st_req_t *rq, JSValueRef e) {
  (void)e;
  pipe_of(ctx, rq->a)->reading = false;
}

/* ---- Abort signal ---------------------------------------------------------------------- */

static void pipe_abort_algorithm(JSContextRef ctx, void *data, JSValueRef reason) {
  pipe_t *p = data;
  p->algo = NULL; /* the handle is released once the algorithm ran */
  pipe_shutdown(ctx, p, ACT_SIGNAL, true, reason);
}

/* ---- ReadableStreamPipeTo ---------------------------------------------------------------- */

JSObjectRef st_pipe_to(JSContextRef ctx, st_rs_t *source, st_ws_t *dest, bool prevent_close,
                       bool prevent_abort, bool prevent_cancel, JSValueRef signal) {
  JSValueRef exc = NULL;
  pipe_t *p = isl_calloc(1, sizeof(*p));
  st_obj_init(ctx, &p->o, isl_wrap(ctx, &pipe_class, p));
  p->source = source;
  ST_SET(ctx, p, PIPE_J_SOURCE, source->o.self);
  p->dest = dest;
  ST_SET(ctx, p, PIPE_J_DEST, dest->o.self);
  p->prevent_close = prevent_close;
  p->prevent_abort = prevent_abort;
  p->prevent_cancel = prevent_cancel;
  p->reader = st_reader_acquire(ctx, source, false, &exc);
  ISL_CHECK(p->reader);
  ST_SET(ctx, p, PIPE_J_READER, p->reader->o.self);
  p->writer = st_writer_acquire(ctx, dest, &exc);
  ISL_CHECK(p->writer);
  ST_SET(ctx, p, PIPE_J_WRITER, p->writer->o.self);
  source->disturbed = true;
  st_deferred_t d = st_deferred(ctx);
  ST_SET(ctx, p, PIPE_J_RESOLVE, d.resolve);
  ST_SET(ctx, p, PIPE_J_REJECT, d.reject);
  ST_SET(ctx, p, PIPE_J_CURRENT_WRITE, st_resolved(ctx, NULL));

  if (signal) {
    p->signal = isl_abort_signal_of(ctx, signal);
    ST_SET(ctx, p, PIPE_J_SIGNAL, signal);
    if (isl_abort_signal_aborted(p->signal)) {
      pipe_shutdown(ctx, p, ACT_SIGNAL, true, isl_abort_signal_reason(ctx, p->signal));
      return d.promise;
    }
    p->algo = isl_abort_signal_add(ctx, p->signal, pipe_abort_algorithm, p, NULL);
    char name[40];
    signal_slot_name(p, name, sizeof(name));
    isl_slot_set(ctx, (JSObjectRef)signal, name, p->o.self);
  }

  /* Errors must be propagated forward, then backward; then closing forward and backward. */
  if (source->state == RS_ERRORED) source_errored(ctx, p, ST_GET(ctx, source, RS_J_ERROR));
  if (dest->state == WS_ERRORED) dest_errored(ctx, p, ST_GET(ctx, dest, WS_J_ERROR));
  if (source->state == RS_CLOSED) source_closed(ctx, p);
  if (st_ws_close_queued_or_in_flight(dest) || dest->state == WS_CLOSED) {
    JSObjectRef closed = st_type_error(
        ctx, "The destination WritableStream closed before all data could be piped to it");
    pipe_shutdown(ctx, p, prevent_cancel ? ACT_NONE : ACT_CANCEL_SOURCE, true, closed);
  }
  /* Later changes arrive through the closed promises (one reaction covers both outcomes
   * of the reader's, so a rejection never goes unhandled). */
  if (source->state == RS_READABLE)
    st_react(ctx, ST_GET(ctx, p->reader, RD_J_CLOSED), p->o.self, ST_RX_pipe_source_closed,
             ST_RX_pipe_source_errored);
  if (dest->state != WS_ERRORED)
    st_react(ctx, ST_GET(ctx, p->writer, WR_J_CLOSED), p->o.self, ST_RX_NONE,
             ST_RX_pipe_dest_errored);
  pipe_step(ctx, p);
  return d.promise;
}

/* ---- pipeTo() and pipeThrough() ---------------------------------------------------------- */

typedef struct {
  bool prevent_abort, prevent_cancel, prevent_close;
  JSValueRef signal; /* NULL: absent */
} pipe_options_t;

/* StreamPipeOptions, members in lexicographic order. */
static bool pipe_options_convert(JSContextRef ctx, JSValueRef v, pipe_options_t *o,
                                 JSValueRef *exc) {
  o->signal = NULL;
  if (!st_dict_check(ctx, v, "The pipe options", exc)) return false;
  JSValueRef x = st_dict_get(ctx, v, "preventAbort", exc);
  if (!x) return false;
  o->prevent_abort = JSValueToBoolean(ctx, x);
  if (!(x = st_dict_get(ctx, v, "preventCancel", exc))) return false;
  o->prevent_cancel = JSValueToBoolean(ctx, x);
  if (!(x = st_dict_get(ctx, v, "preventClose", exc))) return false;
  o->prevent_close = JSValueToBoolean(ctx, x);
  if (!(x = st_dict_get(ctx, v, "signal", exc))) return false;
  if (!JSValueIsUndefined(ctx, x)) {
    if (!isl_abort_signal_of(ctx, x)) {
      isl_throw_type(ctx, exc, "The pipe options' signal is not an AbortSignal");
      return false;
    }
    o->signal = x;
  }
  return true;
}

JSValueRef st_js_pipe_to(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                         const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)exc;
  st_rs_t *s = st_rs_of(ctx, this_obj);
  if (!s) return st_rejected_type(ctx, "Illegal invocation");
  st_ws_t *dest = st_ws_of(ctx, ISL_ARG(0));
  if (!dest) return st_rejected_type(ctx, "pipeTo: the destination is not a WritableStream");
  pipe_options_t o;
  JSValueRef e = NULL;
  if (!pipe_options_convert(ctx, ISL_ARG(1), &o, &e)) return st_rejected(ctx, e);
  if (st_rs_locked(s)) return st_rejected_type(ctx, "pipeTo: the ReadableStream is locked");
  if (st_ws_locked(dest)) return st_rejected_type(ctx, "pipeTo: the WritableStream is locked");
  return st_pipe_to(ctx, s, dest, o.prevent_close, o.prevent_abort, o.prevent_cancel, o.signal);
}

JSValueRef st_js_pipe_through(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                              const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  st_rs_t *s = isl_unwrap(ctx, this_obj, &st_rs_class, exc);
  if (!s) return NULL;
  /* ReadableWritablePair { required readable; required writable }. */
  JSValueRef pair = ISL_ARG(0);
  if (!JSValueIsObject(ctx, pair))
    return isl_throw_type(
        ctx, exc, "pipeThrough: the transform must be an object with readable and writable");
  JSValueRef readable = st_dict_get(ctx, pair, "readable", exc);
  if (!readable) return NULL;
  if (!st_rs_of(ctx, readable))
    return isl_throw_type(ctx, exc,
                          "pipeThrough: the transform's readable is not a ReadableStream");
  JSValueRef writable = st_dict_get(ctx, pair, "writable", exc);
  if (!writable) return NULL;
  st_ws_t *dest = st_ws_of(ctx, writable);
  if (!dest)
    return isl_throw_type(ctx, exc,
                          "pipeThrough: the transform's writable is not a WritableStream");
  pipe_options_t o;
  if (!pipe_options_convert(ctx, ISL_ARG(1), &o, exc)) return NULL;
  if (st_rs_locked(s)) return isl_throw_type(ctx, exc, "pipeThrough: the ReadableStream is locked");
  if (st_ws_locked(dest))
    return isl_throw_type(ctx, exc, "pipeThrough: the transform's writable is locked");
  JSObjectRef promise =
      st_pipe_to(ctx, s, dest, o.prevent_close, o.prevent_abort, o.prevent_cancel, o.signal);
  st_mark_handled(ctx, promise);
  return readable;
}

void st_pipe_install(isl_realm_t *r) { isl_class_install(r, &pipe_class); }
