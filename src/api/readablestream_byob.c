/* Readable byte streams (Streams Standard §4.7-4.9 and §4.9.6): ReadableByteStreamController,
 * ReadableStreamBYOBReader (read(view, { min })), ReadableStreamBYOBRequest, and the tee of a
 * byte stream.
 *
 * Bytes move by transferring ArrayBuffers (the spec's TransferArrayBuffer: the old buffer
 * is detached, so whoever handed it over cannot touch the bytes any more) and are copied
 * only where the spec copies: from queued chunks into a reader's buffer, and for the second
 * branch of a tee. Pull-into descriptors keep their numbers in C and their buffer and view
 * constructor in the controller's pending ring. Every copy checks the bounds of both
 * buffers first: a resizable buffer may have been shrunk by the underlying source. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "streams_internal.h"

typedef struct {
  double offset, length;
} bq_entry_t;

/* A pull-into descriptor taken off the ring (or not yet on it): its JS values live on the
 * C stack, which the collector scans. */
typedef struct {
  st_pull_into_t d;
  JSValueRef buffer, ctor;
} pi_t;

/* A list of descriptors (ProcessPullIntoDescriptorsUsingQueue's filledPullIntos); keep
 * holds their JS values for the collector. */
typedef struct {
  pi_t *v;
  size_t n, cap;
  JSObjectRef keep;
} pi_list_t;

typedef struct st_byob_request {
  st_obj_t o;
  st_rbc_t *controller; /* NULL once invalidated */
} byob_request_t;
enum { BR_J_CONTROLLER, BR_J_VIEW };

static isl_class_def_t byob_request_class;

static JSValueRef undef(JSContextRef ctx) { return st_undef(ctx); }

static void rbc_finalize(void *p) {
  st_rbc_t *c = p;
  st_ring_dispose(&c->queue);
  st_ring_dispose(&c->pending);
  free(c);
}

static void byob_request_finalize(void *p) { free(p); }

static st_rbc_t *rbc_of(JSContextRef ctx, JSValueRef v) {
  st_rbc_t *c = isl_priv(ctx, v, &st_rbc_class);
  ISL_CHECK(c);
  return c;
}

/* ---- Small helpers -------------------------------------------------------------------------- */

static void pi_list_push(JSContextRef ctx, pi_list_t *l, const pi_t *pi) {
  if (!l->keep) l->keep = isl_array_new_internal(ctx);
  if (l->n == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 4;
    l->v = isl_realloc(l->v, l->cap * sizeof(*l->v));
  }
  JSObjectSetPropertyAtIndex(ctx, l->keep, (unsigned)(2 * l->n), pi->buffer, NULL);
  JSObjectSetPropertyAtIndex(ctx, l->keep, (unsigned)(2 * l->n + 1), pi->ctor, NULL);
  l->v[l->n++] = *pi;
}

static void pi_list_free(pi_list_t *l) { free(l->v); }

/* CopyDataBlockBytes with both ranges checked against the buffers' current lengths. */
static bool copy_bytes(JSContextRef ctx, JSValueRef dst, double dst_off, JSValueRef src,
                       double src_off, double n) {
  JSObjectRef d = (JSObjectRef)dst, s = (JSObjectRef)src;
  size_t dl = st_buffer_length(ctx, d), sl = st_buffer_length(ctx, s);
  if (dst_off < 0 || src_off < 0 || n < 0 || dst_off + n > (double)dl || src_off + n > (double)sl)
    return false;
  uint8_t *dp = st_buffer_bytes(ctx, d), *sp = st_buffer_bytes(ctx, s);
  if (n > 0 && dp && sp) memmove(dp + (size_t)dst_off, sp + (size_t)src_off, (size_t)n);
  return true;
}

static void pi_read(JSContextRef ctx, st_rbc_t *c, uint32_t i, pi_t *out) {
  out->d = *(st_pull_into_t *)st_ring_cdata(&c->pending, i);
  out->buffer = st_ring_val(ctx, &c->pending, i, 0);
  out->ctor = st_ring_val(ctx, &c->pending, i, 1);
}

static void pi_push(JSContextRef ctx, st_rbc_t *c, const pi_t *pi) {
  JSValueRef vals[2] = {pi->buffer, pi->ctor};
  st_pull_into_t *d = st_ring_push(ctx, &c->o, &c->pending, vals);
  *d = pi->d;
}

/* ---- Controller state ------------------------------------------------------------------------ */

bool st_rbc_desired_size(st_rbc_t *c, double *out) {
  int state = c->stream->state;
  if (state == RS_ERRORED) return false;
  *out = state == RS_CLOSED ? 0 : c->hwm - c->total;
  return true;
}

static void rbc_reset_queue(JSContextRef ctx, st_rbc_t *c) {
  st_ring_clear(ctx, &c->o, &c->queue);
  c->total = 0;
}

/* ReadableByteStreamControllerClearAlgorithms. */
static void rbc_clear_algorithms(JSContextRef ctx, st_rbc_t *c) {
  c->alg = ST_ALG_NONE;
  ST_SET(ctx, c, BC_J_SOURCE, NULL);
  ST_SET(ctx, c, BC_J_PULL, NULL);
  ST_SET(ctx, c, BC_J_CANCEL, NULL);
}

/* ReadableByteStreamControllerInvalidateBYOBRequest. */
static void rbc_invalidate_byob_request(JSContextRef ctx, st_rbc_t *c) {
  byob_request_t *r = c->byob_request;
  if (!r) return;
  r->controller = NULL;
  ST_SET(ctx, r, BR_J_CONTROLLER, NULL);
  ST_SET(ctx, r, BR_J_VIEW, st_null(ctx));
  c->byob_request = NULL;
  ST_SET(ctx, c, BC_J_BYOB_REQUEST, NULL);
}

/* ReadableByteStreamControllerClearPendingPullIntos. */
static void rbc_clear_pending(JSContextRef ctx, st_rbc_t *c) {
  rbc_invalidate_byob_request(ctx, c);
  st_ring_clear(ctx, &c->o, &c->pending);
}

/* ReadableByteStreamControllerShiftPendingPullInto. */
static void rbc_shift_pending(JSContextRef ctx, st_rbc_t *c, pi_t *out) {
  pi_t tmp;
  pi_read(ctx, c, 0, out ? out : &tmp);
  st_ring_shift(ctx, &c->pending);
}

/* ReadableByteStreamControllerError. */
void st_rbc_error(JSContextRef ctx, st_rbc_t *c, JSValueRef e) {
  st_rs_t *s = c->stream;
  if (s->state != RS_READABLE) return;
  rbc_clear_pending(ctx, c);
  rbc_reset_queue(ctx, c);
  rbc_clear_algorithms(ctx, c);
  st_rs_error(ctx, s, e);
}

/* ReadableByteStreamControllerShouldCallPull. */
static bool rbc_should_call_pull(st_rbc_t *c) {
  st_rs_t *s = c->stream;
  if (s->state != RS_READABLE || c->close_requested || !c->started) return false;
  if (st_rs_has_default_reader(s) && st_rs_num_read_requests(s) > 0) return true;
  if (st_rs_has_byob_reader(s) && st_rs_num_read_requests(s) > 0) return true;
  return c->hwm - c->total > 0;
}

JSObjectRef st_byte_tee_pull(JSContextRef ctx, JSValueRef host, int branch);

static JSObjectRef rbc_pull_algorithm(JSContextRef ctx, st_rbc_t *c) {
  switch (c->alg) {
    case ST_ALG_JS: {
      JSValueRef pull = ST_JS(c, BC_J_PULL);
      if (!pull) return st_resolved(ctx, NULL);
      JSValueRef arg = c->o.self;
      return st_invoke_promise(ctx, pull, ST_GET(ctx, c, BC_J_SOURCE), 1, &arg);
    }
    case ST_ALG_BYTE_TEE:
      return st_byte_tee_pull(ctx, ST_GET(ctx, c, BC_J_SOURCE), c->branch);
    case ST_ALG_C:
      return st_csrc_pull(ctx, ST_GET(ctx, c, BC_J_SOURCE));
    default:
      return st_resolved(ctx, NULL);
  }
}

static JSObjectRef rbc_cancel_algorithm(JSContextRef ctx, st_rbc_t *c, JSValueRef reason) {
  switch (c->alg) {
    case ST_ALG_JS: {
      JSValueRef cancel = ST_JS(c, BC_J_CANCEL);
      if (!cancel) return st_resolved(ctx, NULL);
      return st_invoke_promise(ctx, cancel, ST_GET(ctx, c, BC_J_SOURCE), 1, &reason);
    }
    case ST_ALG_BYTE_TEE:
      return st_byte_tee_cancel(ctx, ST_GET(ctx, c, BC_J_SOURCE), c->branch, reason);
    case ST_ALG_C:
      return st_csrc_cancel(ctx, ST_GET(ctx, c, BC_J_SOURCE), reason);
    default:
      return st_resolved(ctx, NULL);
  }
}

/* ReadableByteStreamControllerCallPullIfNeeded. */
static void rbc_call_pull_if_needed(JSContextRef ctx, st_rbc_t *c) {
  if (!rbc_should_call_pull(c)) return;
  if (c->pulling) {
    c->pull_again = true;
    return;
  }
  c->pulling = true;
  JSValueRef pull = ST_JS(c, BC_J_PULL);
  if (c->alg == ST_ALG_JS && pull) {
    JSValueRef arg = c->o.self;
    st_invoke_react(ctx, pull, ST_GET(ctx, c, BC_J_SOURCE), 1, &arg, c->o.self, ST_RX_rbc_pull_ok,
                    ST_RX_rbc_pull_fail);
    return;
  }
  JSObjectRef p = rbc_pull_algorithm(ctx, c);
  st_react(ctx, p, c->o.self, ST_RX_rbc_pull_ok, ST_RX_rbc_pull_fail);
}

JSValueRef st_rx_rbc_pull_ok(JSContextRef ctx, JSValueRef target, JSValueRef v, JSValueRef *exc) {
  (void)v, (void)exc;
  st_rbc_t *c = rbc_of(ctx, target);
  c->pulling = false;
  if (c->pull_again) {
    c->pull_again = false;
    rbc_call_pull_if_needed(ctx, c);
  }
  return NULL;
}

JSValueRef st_rx_rbc_pull_fail(JSContextRef ctx, JSValueRef target, JSValueRef e, JSValueRef *exc) {
  (void)exc;
  st_rbc_error(ctx, rbc_of(ctx, target), e);
  return NULL;
}

JSValueRef st_rx_rbc_start_ok(JSContextRef ctx, JSValueRef target, JSValueRef v, JSValueRef *exc) {
  (void)v, (void)exc;
  st_rbc_t *c = rbc_of(ctx, target);
  c->started = true;
  rbc_call_pull_if_needed(ctx, c);
  return NULL;
}

JSValueRef st_rx_rbc_start_fail(JSContextRef ctx, JSValueRef target, JSValueRef e,
                                JSValueRef *exc) {
  (void)exc;
  st_rbc_error(ctx, rbc_of(ctx, target), e);
  return NULL;
}

/* ---- The queue ---------------------------------------------------------------------------- */

/* ReadableByteStreamControllerEnqueueChunkToQueue. */
static void rbc_enqueue_chunk(JSContextRef ctx, st_rbc_t *c, JSValueRef buffer, double offset,
                              double length) {
  bq_entry_t *e = st_ring_push(ctx, &c->o, &c->queue, &buffer);
  e->offset = offset;
  e->length = length;
  c->total += length;
}

/* ReadableByteStreamControllerEnqueueClonedChunkToQueue: a copy of the bytes. */
static void rbc_enqueue_cloned_chunk(JSContextRef ctx, st_rbc_t *c, JSValueRef buffer,
                                     double offset, double length) {
  JSObjectRef b = (JSObjectRef)buffer;
  size_t bl = st_buffer_length(ctx, b);
  if (offset < 0 || length < 0 || offset + length > (double)bl) length = 0;
  uint8_t *p = st_buffer_bytes(ctx, b);
  JSObjectRef clone = isl_arraybuffer_new(ctx, p ? p + (size_t)offset : NULL, (size_t)length);
  rbc_enqueue_chunk(ctx, c, clone, 0, length);
}

/* ReadableByteStreamControllerHandleQueueDrain. */
static void rbc_handle_queue_drain(JSContextRef ctx, st_rbc_t *c) {
  if (c->total == 0 && c->close_requested) {
    rbc_clear_algorithms(ctx, c);
    st_rs_close(ctx, c->stream);
  } else {
    rbc_call_pull_if_needed(ctx, c);
  }
}

/* ReadableByteStreamControllerFillReadRequestFromQueue. */
static void rbc_fill_read_request(JSContextRef ctx, st_rbc_t *c, const st_req_t *rq) {
  JSValueRef buffer = st_ring_val(ctx, &c->queue, 0, 0);
  bq_entry_t e = *(bq_entry_t *)st_ring_cdata(&c->queue, 0);
  st_ring_shift(ctx, &c->queue);
  c->total -= e.length;
  rbc_handle_queue_drain(ctx, c);
  JSValueRef exc = NULL;
  JSObjectRef view = JSObjectMakeTypedArrayWithArrayBufferAndOffset(
      ctx, kJSTypedArrayTypeUint8Array, (JSObjectRef)buffer, (size_t)e.offset, (size_t)e.length,
      &exc);
  if (!view)
    st_req_error(ctx, rq, exc);
  else
    st_req_chunk(ctx, rq, view);
}

/* ReadableByteStreamControllerProcessReadRequestsUsingQueue. */
static void rbc_process_read_requests(JSContextRef ctx, st_rbc_t *c) {
  st_reader_t *r = c->stream->reader;
  while (r->requests.len > 0) {
    if (c->total == 0) return;
    st_req_t rq;
    rq.kind = *(int *)st_ring_cdata(&r->requests, 0);
    rq.a = st_ring_val(ctx, &r->requests, 0, 0);
    rq.b = st_ring_val(ctx, &r->requests, 0, 1);
    st_ring_shift(ctx, &r->requests);
    rbc_fill_read_request(ctx, c, &rq);
  }
}

/* ReadableByteStreamControllerFillPullIntoDescriptorFromQueue: copies queued bytes into the
 * descriptor; true once it holds at least its minimum fill. */
static bool rbc_fill_pull_into(JSContextRef ctx, st_rbc_t *c, st_pull_into_t *d,
                               JSValueRef buffer) {
  double max_copy = fmin(c->total, d->byte_length - d->bytes_filled);
  double max_filled = d->bytes_filled + max_copy;
  double remaining = max_copy;
  bool ready = false;
  double max_aligned = max_filled - fmod(max_filled, d->element_size);
  if (max_aligned >= d->minimum_fill) {
    remaining = max_aligned - d->bytes_filled;
    ready = true;
  }
  while (remaining > 0 && c->queue.len > 0) {
    bq_entry_t *head = st_ring_cdata(&c->queue, 0);
    double n = fmin(remaining, head->length);
    double dest = d->byte_offset + d->bytes_filled;
    if (!copy_bytes(ctx, buffer, dest, st_ring_val(ctx, &c->queue, 0, 0), head->offset, n)) break;
    if (head->length == n) {
      st_ring_shift(ctx, &c->queue);
    } else {
      head->offset += n;
      head->length -= n;
    }
    c->total -= n;
    d->bytes_filled += n; /* ReadableByteStreamControllerFillHeadPullIntoDescriptor */
    remaining -= n;
  }
  return ready;
}

/* ReadableByteStreamControllerConvertPullIntoDescriptor: the filled part as a view of the
 * reader's kind, on a transferred buffer. NULL with *exc if that fails. */
static JSObjectRef rbc_convert(JSContextRef ctx, const pi_t *pi, JSValueRef *exc) {
  JSObjectRef buffer = st_transfer(ctx, pi->buffer, exc);
  if (!buffer) return NULL;
  return st_view_make(ctx, pi->d.view_type, pi->ctor, buffer, (size_t)pi->d.byte_offset,
                      (size_t)(pi->d.bytes_filled / pi->d.element_size), exc);
}

/* ReadableStreamFulfillReadIntoRequest. */
static void fulfill_read_into(JSContextRef ctx, st_rs_t *s, JSValueRef chunk, bool done) {
  st_reader_t *r = s->reader;
  st_req_t rq;
  rq.kind = *(int *)st_ring_cdata(&r->requests, 0);
  rq.a = st_ring_val(ctx, &r->requests, 0, 0);
  rq.b = st_ring_val(ctx, &r->requests, 0, 1);
  st_ring_shift(ctx, &r->requests);
  if (done)
    st_req_close(ctx, &rq, chunk);
  else
    st_req_chunk(ctx, &rq, chunk);
}

/* ReadableByteStreamControllerCommitPullIntoDescriptor. */
static void rbc_commit(JSContextRef ctx, st_rs_t *s, const pi_t *pi) {
  bool done = s->state == RS_CLOSED;
  JSValueRef exc = NULL;
  JSObjectRef view = rbc_convert(ctx, pi, &exc);
  if (!view) {
    /* Only a buffer the source resized can get here; the request fails. */
    st_reader_t *r = s->reader;
    st_req_t rq;
    rq.kind = *(int *)st_ring_cdata(&r->requests, 0);
    rq.a = st_ring_val(ctx, &r->requests, 0, 0);
    rq.b = st_ring_val(ctx, &r->requests, 0, 1);
    st_ring_shift(ctx, &r->requests);
    st_req_error(ctx, &rq, exc);
    return;
  }
  if (pi->d.reader_type == PI_DEFAULT)
    st_rs_fulfill_read_request(ctx, s, view, done);
  else
    fulfill_read_into(ctx, s, view, done);
}

/* ReadableByteStreamControllerProcessPullIntoDescriptorsUsingQueue. */
static void rbc_process_pull_intos(JSContextRef ctx, st_rbc_t *c, pi_list_t *filled) {
  while (c->pending.len > 0) {
    if (c->total == 0) break;
    st_pull_into_t *d = st_ring_cdata(&c->pending, 0);
    if (rbc_fill_pull_into(ctx, c, d, st_ring_val(ctx, &c->pending, 0, 0))) {
      pi_t pi;
      rbc_shift_pending(ctx, c, &pi);
      pi_list_push(ctx, filled, &pi);
    }
  }
}

static void rbc_commit_all(JSContextRef ctx, st_rs_t *s, pi_list_t *filled) {
  for (size_t i = 0; i < filled->n; i++) rbc_commit(ctx, s, &filled->v[i]);
  pi_list_free(filled);
}

/* ReadableByteStreamControllerEnqueueDetachedPullIntoToQueue. */
static void rbc_enqueue_detached_pull_into(JSContextRef ctx, st_rbc_t *c) {
  pi_t pi;
  pi_read(ctx, c, 0, &pi);
  if (pi.d.bytes_filled > 0)
    rbc_enqueue_cloned_chunk(ctx, c, pi.buffer, pi.d.byte_offset, pi.d.bytes_filled);
  rbc_shift_pending(ctx, c, NULL);
}

/* ReadableByteStreamControllerEnqueue. */
bool st_rbc_enqueue(JSContextRef ctx, st_rbc_t *c, JSValueRef chunk, JSValueRef *exc) {
  st_rs_t *s = c->stream;
  if (c->close_requested || s->state != RS_READABLE) return true;
  st_view_t v;
  ISL_CHECK(st_view_get(ctx, chunk, &v));
  if (st_is_detached(ctx, v.buffer)) {
    isl_throw_type(ctx, exc, "The chunk's buffer is detached");
    return false;
  }
  JSObjectRef transferred = st_transfer(ctx, v.buffer, exc);
  if (!transferred) return false;
  if (c->pending.len > 0) {
    JSValueRef first_buffer = st_ring_val(ctx, &c->pending, 0, 0);
    if (st_is_detached(ctx, first_buffer)) {
      isl_throw_type(ctx, exc, "The BYOB request's buffer is detached");
      return false;
    }
    rbc_invalidate_byob_request(ctx, c);
    JSObjectRef moved = st_transfer(ctx, first_buffer, exc);
    if (!moved) return false;
    st_ring_set_val(ctx, &c->pending, 0, 0, moved);
    if (((st_pull_into_t *)st_ring_cdata(&c->pending, 0))->reader_type == PI_NONE)
      rbc_enqueue_detached_pull_into(ctx, c);
  }
  if (st_rs_has_default_reader(s)) {
    rbc_process_read_requests(ctx, c);
    if (st_rs_num_read_requests(s) == 0) {
      rbc_enqueue_chunk(ctx, c, transferred, (double)v.offset, (double)v.length);
    } else {
      if (c->pending.len > 0) rbc_shift_pending(ctx, c, NULL);
      JSObjectRef view = JSObjectMakeTypedArrayWithArrayBufferAndOffset(
          ctx, kJSTypedArrayTypeUint8Array, transferred, v.offset, v.length, exc);
      if (!view) return false;
      st_rs_fulfill_read_request(ctx, s, view, false);
    }
  } else if (st_rs_has_byob_reader(s)) {
    rbc_enqueue_chunk(ctx, c, transferred, (double)v.offset, (double)v.length);
    pi_list_t filled = {0};
    rbc_process_pull_intos(ctx, c, &filled);
    rbc_commit_all(ctx, s, &filled);
  } else {
    rbc_enqueue_chunk(ctx, c, transferred, (double)v.offset, (double)v.length);
  }
  rbc_call_pull_if_needed(ctx, c);
  return true;
}

/* ReadableByteStreamControllerClose. */
bool st_rbc_close(JSContextRef ctx, st_rbc_t *c, JSValueRef *exc) {
  st_rs_t *s = c->stream;
  if (c->close_requested || s->state != RS_READABLE) return true;
  if (c->total > 0) {
    c->close_requested = true;
    return true;
  }
  if (c->pending.len > 0) {
    st_pull_into_t *first = st_ring_cdata(&c->pending, 0);
    if (fmod(first->bytes_filled, first->element_size) != 0) {
      JSObjectRef e =
          st_type_error(ctx, "Cannot close a byte stream with a partially filled element pending");
      st_rbc_error(ctx, c, e);
      *exc = e;
      return false;
    }
  }
  rbc_clear_algorithms(ctx, c);
  st_rs_close(ctx, s);
  return true;
}

/* ---- Pull steps, pull-into, respond ---------------------------------------------------------- */

/* [[PullSteps]] for a default reader. */
void st_rbc_pull_steps(JSContextRef ctx, st_rbc_t *c, const st_req_t *rq) {
  st_rs_t *s = c->stream;
  if (c->total > 0) {
    rbc_fill_read_request(ctx, c, rq);
    return;
  }
  if (c->auto_chunk > 0) {
    JSValueRef e = NULL;
    JSObjectRef buffer = st_arraybuffer_new(ctx, c->auto_chunk, &e);
    if (!buffer) {
      st_req_error(ctx, rq, e);
      return;
    }
    pi_t pi;
    memset(&pi, 0, sizeof(pi));
    pi.buffer = buffer;
    pi.ctor = st_realm(ctx)->ctors[kJSTypedArrayTypeUint8Array];
    pi.d.buffer_byte_length = c->auto_chunk;
    pi.d.byte_length = c->auto_chunk;
    pi.d.minimum_fill = 1;
    pi.d.element_size = 1;
    pi.d.view_type = kJSTypedArrayTypeUint8Array;
    pi.d.reader_type = PI_DEFAULT;
    pi_push(ctx, c, &pi);
  }
  st_rs_add_read_request(ctx, s, rq);
  rbc_call_pull_if_needed(ctx, c);
}

/* [[ReleaseSteps]]: only the first pending descriptor stays, marked as having no reader. */
void st_rbc_release_steps(JSContextRef ctx, st_rbc_t *c) {
  if (c->pending.len == 0) return;
  pi_t first;
  pi_read(ctx, c, 0, &first);
  first.d.reader_type = PI_NONE;
  st_ring_clear(ctx, &c->o, &c->pending);
  pi_push(ctx, c, &first);
}

/* [[CancelSteps]]. */
JSObjectRef st_rbc_cancel_steps(JSContextRef ctx, st_rbc_t *c, JSValueRef reason) {
  rbc_clear_pending(ctx, c);
  rbc_reset_queue(ctx, c);
  JSObjectRef result = rbc_cancel_algorithm(ctx, c, reason);
  rbc_clear_algorithms(ctx, c);
  return result;
}

/* ReadableByteStreamControllerPullInto. */
static void rbc_pull_into(JSContextRef ctx, st_rbc_t *c, const st_view_t *v, double min,
                          const st_req_t *rq) {
  st_rs_t *s = c->stream;
  JSValueRef e = NULL;
  JSObjectRef buffer = st_transfer(ctx, v->buffer, &e);
  if (!buffer) {
    st_req_error(ctx, rq, e);
    return;
  }
  pi_t pi;
  pi.buffer = buffer;
  pi.ctor = v->ctor;
  pi.d.buffer_byte_length = (double)st_buffer_length(ctx, buffer);
  pi.d.byte_offset = (double)v->offset;
  pi.d.byte_length = (double)v->length;
  pi.d.bytes_filled = 0;
  pi.d.minimum_fill = min * v->elem;
  pi.d.element_size = v->elem;
  pi.d.view_type = v->type;
  pi.d.reader_type = PI_BYOB;
  if (c->pending.len > 0) {
    pi_push(ctx, c, &pi);
    st_rs_add_read_request(ctx, s, rq);
    return;
  }
  if (s->state == RS_CLOSED) {
    JSObjectRef empty = st_view_make(ctx, v->type, v->ctor, buffer, v->offset, 0, &e);
    if (!empty)
      st_req_error(ctx, rq, e);
    else
      st_req_close(ctx, rq, empty);
    return;
  }
  if (c->total > 0) {
    if (rbc_fill_pull_into(ctx, c, &pi.d, buffer)) {
      JSObjectRef filled = rbc_convert(ctx, &pi, &e);
      rbc_handle_queue_drain(ctx, c);
      if (!filled)
        st_req_error(ctx, rq, e);
      else
        st_req_chunk(ctx, rq, filled);
      return;
    }
    if (c->close_requested) {
      JSObjectRef err = st_type_error(ctx, "The byte stream closed with a partial element left");
      st_rbc_error(ctx, c, err);
      st_req_error(ctx, rq, err);
      return;
    }
  }
  pi_push(ctx, c, &pi);
  st_rs_add_read_request(ctx, s, rq);
  rbc_call_pull_if_needed(ctx, c);
}

/* ReadableStreamBYOBReaderRead. */
void st_byob_reader_read(JSContextRef ctx, st_reader_t *r, JSValueRef view, double min,
                         const st_req_t *rq) {
  st_rs_t *s = r->stream;
  s->disturbed = true;
  if (s->state == RS_ERRORED) {
    st_req_error(ctx, rq, ST_GET(ctx, s, RS_J_ERROR));
    return;
  }
  st_view_t v;
  ISL_CHECK(st_view_get(ctx, view, &v));
  rbc_pull_into(ctx, s->bc, &v, min, rq);
}

/* ReadableByteStreamControllerRespondInClosedState. */
static void rbc_respond_in_closed_state(JSContextRef ctx, st_rbc_t *c) {
  if (((st_pull_into_t *)st_ring_cdata(&c->pending, 0))->reader_type == PI_NONE)
    rbc_shift_pending(ctx, c, NULL);
  st_rs_t *s = c->stream;
  if (!st_rs_has_byob_reader(s)) return;
  pi_list_t filled = {0};
  uint32_t n = st_rs_num_read_requests(s);
  for (uint32_t i = 0; i < n && c->pending.len > 0; i++) {
    pi_t pi;
    rbc_shift_pending(ctx, c, &pi);
    pi_list_push(ctx, &filled, &pi);
  }
  rbc_commit_all(ctx, s, &filled);
}

/* ReadableByteStreamControllerRespondInReadableState. */
static void rbc_respond_in_readable_state(JSContextRef ctx, st_rbc_t *c, double bytes_written) {
  st_pull_into_t *d = st_ring_cdata(&c->pending, 0);
  d->bytes_filled += bytes_written;
  if (d->reader_type == PI_NONE) {
    rbc_enqueue_detached_pull_into(ctx, c);
    pi_list_t filled = {0};
    rbc_process_pull_intos(ctx, c, &filled);
    rbc_commit_all(ctx, c->stream, &filled);
    return;
  }
  if (d->bytes_filled < d->minimum_fill) return;
  pi_t pi;
  rbc_shift_pending(ctx, c, &pi);
  double remainder = fmod(pi.d.bytes_filled, pi.d.element_size);
  if (remainder > 0) {
    double end = pi.d.byte_offset + pi.d.bytes_filled;
    rbc_enqueue_cloned_chunk(ctx, c, pi.buffer, end - remainder, remainder);
  }
  pi.d.bytes_filled -= remainder;
  pi_list_t filled = {0};
  rbc_process_pull_intos(ctx, c, &filled);
  rbc_commit(ctx, c->stream, &pi);
  rbc_commit_all(ctx, c->stream, &filled);
}

/* ReadableByteStreamControllerRespondInternal. */
static void rbc_respond_internal(JSContextRef ctx, st_rbc_t *c, double bytes_written) {
  rbc_invalidate_byob_request(ctx, c);
  if (c->stream->state == RS_CLOSED)
    rbc_respond_in_closed_state(ctx, c);
  else
    rbc_respond_in_readable_state(ctx, c, bytes_written);
  rbc_call_pull_if_needed(ctx, c);
}

/* ReadableByteStreamControllerRespond. */
bool st_rbc_respond(JSContextRef ctx, st_rbc_t *c, double bytes_written, JSValueRef *exc) {
  ISL_CHECK(c->pending.len > 0);
  st_pull_into_t *first = st_ring_cdata(&c->pending, 0);
  if (c->stream->state == RS_CLOSED) {
    if (bytes_written != 0) {
      isl_throw_type(ctx, exc, "bytesWritten must be 0 once the stream is closed");
      return false;
    }
  } else {
    if (bytes_written == 0) {
      isl_throw_type(ctx, exc, "bytesWritten must be greater than 0 while the stream is readable");
      return false;
    }
    if (first->bytes_filled + bytes_written > first->byte_length) {
      isl_throw_range(ctx, exc, "bytesWritten is larger than the BYOB request's view");
      return false;
    }
  }
  JSObjectRef moved = st_transfer(ctx, st_ring_val(ctx, &c->pending, 0, 0), exc);
  if (!moved) return false;
  st_ring_set_val(ctx, &c->pending, 0, 0, moved);
  rbc_respond_internal(ctx, c, bytes_written);
  return true;
}

/* ReadableByteStreamControllerRespondWithNewView. */
bool st_rbc_respond_with_new_view(JSContextRef ctx, st_rbc_t *c, JSValueRef view, JSValueRef *exc) {
  ISL_CHECK(c->pending.len > 0);
  st_view_t v;
  ISL_CHECK(st_view_get(ctx, view, &v));
  st_pull_into_t *first = st_ring_cdata(&c->pending, 0);
  if (c->stream->state == RS_CLOSED) {
    if (v.length != 0) {
      isl_throw_type(ctx, exc, "The view must be empty once the stream is closed");
      return false;
    }
  } else if (v.length == 0) {
    isl_throw_type(ctx, exc, "The view must not be empty while the stream is readable");
    return false;
  }
  if (first->byte_offset + first->bytes_filled != (double)v.offset) {
    isl_throw_range(ctx, exc, "The view's byteOffset does not match the BYOB request's");
    return false;
  }
  if (first->buffer_byte_length != (double)st_buffer_length(ctx, v.buffer)) {
    isl_throw_range(ctx, exc, "The view's buffer length does not match the BYOB request's");
    return false;
  }
  if (first->bytes_filled + (double)v.length > first->byte_length) {
    isl_throw_range(ctx, exc, "The view is larger than the BYOB request's");
    return false;
  }
  double n = (double)v.length;
  JSObjectRef moved = st_transfer(ctx, v.buffer, exc);
  if (!moved) return false;
  st_ring_set_val(ctx, &c->pending, 0, 0, moved);
  rbc_respond_internal(ctx, c, n);
  return true;
}

/* ReadableByteStreamControllerGetBYOBRequest. */
JSObjectRef st_rbc_byob_request(JSContextRef ctx, st_rbc_t *c) {
  if (!c->byob_request && c->pending.len > 0) {
    pi_t first;
    pi_read(ctx, c, 0, &first);
    JSValueRef exc = NULL;
    JSObjectRef view = JSObjectMakeTypedArrayWithArrayBufferAndOffset(
        ctx, kJSTypedArrayTypeUint8Array, (JSObjectRef)first.buffer,
        (size_t)(first.d.byte_offset + first.d.bytes_filled),
        (size_t)(first.d.byte_length - first.d.bytes_filled), &exc);
    if (!view) return NULL;
    byob_request_t *r = isl_calloc(1, sizeof(*r));
    st_obj_init(ctx, &r->o, isl_wrap(ctx, &byob_request_class, r));
    r->controller = c;
    ST_SET(ctx, r, BR_J_CONTROLLER, c->o.self);
    ST_SET(ctx, r, BR_J_VIEW, view);
    c->byob_request = r;
    ST_SET(ctx, c, BC_J_BYOB_REQUEST, r->o.self);
  }
  return c->byob_request ? c->byob_request->o.self : NULL;
}

/* ---- Setting up ----------------------------------------------------------------------------- */

static st_rbc_t *rbc_new(JSContextRef ctx) {
  st_rbc_t *c = isl_calloc(1, sizeof(*c));
  st_ring_init(&c->queue, 1, sizeof(bq_entry_t), BC_J_QUEUE);
  st_ring_init(&c->pending, 2, sizeof(st_pull_into_t), BC_J_PENDING);
  st_obj_init(ctx, &c->o, isl_wrap(ctx, &st_rbc_class, c));
  return c;
}

/* SetUpReadableByteStreamController. */
static bool rbc_setup(JSContextRef ctx, st_rs_t *s, st_rbc_t *c, JSValueRef start,
                      JSValueRef source, double hwm, double chunk_size, JSValueRef *exc) {
  c->stream = s;
  ST_SET(ctx, c, BC_J_STREAM, s->o.self);
  c->hwm = hwm;
  c->auto_chunk = chunk_size;
  s->bc = c;
  ST_SET(ctx, s, RS_J_CONTROLLER, c->o.self);
  JSValueRef result = undef(ctx);
  if (start) {
    JSValueRef arg = c->o.self;
    JSValueRef e = NULL;
    result = JSObjectCallAsFunction(ctx, (JSObjectRef)start,
                                    JSValueIsObject(ctx, source) ? (JSObjectRef)source : NULL, 1,
                                    &arg, &e);
    if (e) {
      *exc = e;
      return false;
    }
  }
  JSObjectRef p = st_resolved(ctx, result);
  st_react(ctx, p, c->o.self, ST_RX_rbc_start_ok, ST_RX_rbc_start_fail);
  return true;
}

bool st_rbc_setup_from_source(JSContextRef ctx, st_rs_t *s, JSValueRef source, JSValueRef start,
                              JSValueRef pull, JSValueRef cancel, double hwm, double chunk_size,
                              JSValueRef *exc) {
  st_rbc_t *c = rbc_new(ctx);
  c->alg = ST_ALG_JS;
  ST_SET(ctx, c, BC_J_SOURCE, source);
  ST_SET(ctx, c, BC_J_PULL, pull);
  ST_SET(ctx, c, BC_J_CANCEL, cancel);
  return rbc_setup(ctx, s, c, start, source, hwm, chunk_size, exc);
}

st_rs_t *st_rs_new_internal(JSContextRef ctx);

st_rs_t *st_rbs_create(JSContextRef ctx, int alg, JSValueRef host, int branch, double hwm,
                       double chunk_size) {
  st_rs_t *s = st_rs_new_internal(ctx);
  st_rbc_t *c = rbc_new(ctx);
  c->alg = (uint8_t)alg;
  c->branch = (uint8_t)branch;
  ST_SET(ctx, c, BC_J_SOURCE, host);
  JSValueRef exc = NULL;
  ISL_CHECK(rbc_setup(ctx, s, c, NULL, NULL, hwm, chunk_size, &exc));
  return s;
}

/* ---- The ReadableByteStreamController class ----------------------------------------------- */

#define THIS_RBC(ctx, this_obj, exc) \
  st_rbc_t *c = isl_unwrap((ctx), (this_obj), &st_rbc_class, (exc))

static JSValueRef js_rbc_byob_request(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                      size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  THIS_RBC(ctx, this_obj, exc);
  if (!c) return NULL;
  JSObjectRef r = st_rbc_byob_request(ctx, c);
  return r ? (JSValueRef)r : st_null(ctx);
}

static JSValueRef js_rbc_desired_size(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                      size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  THIS_RBC(ctx, this_obj, exc);
  if (!c) return NULL;
  double d;
  return st_rbc_desired_size(c, &d) ? JSValueMakeNumber(ctx, d) : st_null(ctx);
}

static JSValueRef js_rbc_close(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                               const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  THIS_RBC(ctx, this_obj, exc);
  if (!c) return NULL;
  if (c->close_requested) return isl_throw_type(ctx, exc, "The stream is already closing");
  if (c->stream->state != RS_READABLE)
    return isl_throw_type(ctx, exc, "The stream is not readable");
  return st_rbc_close(ctx, c, exc) ? undef(ctx) : NULL;
}

static JSValueRef js_rbc_enqueue(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                 size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  THIS_RBC(ctx, this_obj, exc);
  if (!c) return NULL;
  if (!isl_require_args(ctx, argc, 1, "ReadableByteStreamController", "enqueue", exc)) return NULL;
  st_view_t v;
  if (!st_view_get(ctx, argv[0], &v))
    return isl_throw_type(ctx, exc, "The chunk must be an ArrayBufferView");
  if (v.length == 0) return isl_throw_type(ctx, exc, "The chunk must not be empty");
  if (st_buffer_length(ctx, v.buffer) == 0)
    return isl_throw_type(ctx, exc, "The chunk's buffer must not be empty or detached");
  if (c->close_requested) return isl_throw_type(ctx, exc, "Cannot enqueue: the stream is closing");
  if (c->stream->state != RS_READABLE)
    return isl_throw_type(ctx, exc, "Cannot enqueue: the stream is not readable");
  return st_rbc_enqueue(ctx, c, argv[0], exc) ? undef(ctx) : NULL;
}

static JSValueRef js_rbc_error(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                               const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  THIS_RBC(ctx, this_obj, exc);
  if (!c) return NULL;
  st_rbc_error(ctx, c, ISL_ARG(0));
  return undef(ctx);
}

static const isl_method_t rbc_methods[] = {
    {"close", js_rbc_close, 0},
    {"enqueue", js_rbc_enqueue, 1},
    {"error", js_rbc_error, 0},
    {0},
};

static const isl_accessor_t rbc_accessors[] = {
    {"byobRequest", js_rbc_byob_request, NULL},
    {"desiredSize", js_rbc_desired_size, NULL},
    {0},
};

isl_class_def_t st_rbc_class = {
    .name = "ReadableByteStreamController",
    .methods = rbc_methods,
    .accessors = rbc_accessors,
    .finalize = rbc_finalize,
};

/* ---- The ReadableStreamBYOBRequest class ----------------------------------------------------- */

/* [EnforceRange] unsigned long long. */
static bool enforce_range_u64(JSContextRef ctx, JSValueRef v, const char *what, double *out,
                              JSValueRef *exc) {
  JSValueRef e = NULL;
  double n = JSValueToNumber(ctx, v, &e);
  if (e) {
    *exc = e;
    return false;
  }
  if (!isfinite(n)) {
    isl_throw_type(ctx, exc, "%s must be a finite number", what);
    return false;
  }
  n = trunc(n);
  if (n < 0 || n > 9007199254740991.0) {
    isl_throw_type(ctx, exc, "%s is out of range", what);
    return false;
  }
  *out = n;
  return true;
}

static JSValueRef js_br_view(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                             const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  byob_request_t *r = isl_unwrap(ctx, this_obj, &byob_request_class, exc);
  if (!r) return NULL;
  JSValueRef v = ST_JS(r, BR_J_VIEW);
  return v ? v : st_null(ctx);
}

static JSValueRef js_br_respond(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                                const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  byob_request_t *r = isl_unwrap(ctx, this_obj, &byob_request_class, exc);
  if (!r) return NULL;
  if (!isl_require_args(ctx, argc, 1, "ReadableStreamBYOBRequest", "respond", exc)) return NULL;
  double n;
  if (!enforce_range_u64(ctx, argv[0], "bytesWritten", &n, exc)) return NULL;
  if (!r->controller) return isl_throw_type(ctx, exc, "This BYOB request was already answered");
  st_view_t v;
  if (!st_view_get(ctx, ST_JS(r, BR_J_VIEW), &v) || st_is_detached(ctx, v.buffer))
    return isl_throw_type(ctx, exc, "The BYOB request's buffer is detached");
  return st_rbc_respond(ctx, r->controller, n, exc) ? undef(ctx) : NULL;
}

static JSValueRef js_br_respond_with_new_view(JSContextRef ctx, JSObjectRef fn,
                                              JSObjectRef this_obj, size_t argc,
                                              const JSValueRef argv[], JSValueRef *exc) {
  (void)fn;
  byob_request_t *r = isl_unwrap(ctx, this_obj, &byob_request_class, exc);
  if (!r) return NULL;
  if (!isl_require_args(ctx, argc, 1, "ReadableStreamBYOBRequest", "respondWithNewView", exc))
    return NULL;
  st_view_t v;
  if (!st_view_get(ctx, argv[0], &v))
    return isl_throw_type(ctx, exc, "The view must be an ArrayBufferView");
  if (!r->controller) return isl_throw_type(ctx, exc, "This BYOB request was already answered");
  if (st_is_detached(ctx, v.buffer))
    return isl_throw_type(ctx, exc, "The view's buffer is detached");
  return st_rbc_respond_with_new_view(ctx, r->controller, argv[0], exc) ? undef(ctx) : NULL;
}

static const isl_method_t br_methods[] = {
    {"respond", js_br_respond, 1},
    {"respondWithNewView", js_br_respond_with_new_view, 1},
    {0},
};

static const isl_accessor_t br_accessors[] = {
    {"view", js_br_view, NULL},
    {0},
};

static isl_class_def_t byob_request_class = {
    .name = "ReadableStreamBYOBRequest",
    .methods = br_methods,
    .accessors = br_accessors,
    .finalize = byob_request_finalize,
};

/* ---- The ReadableStreamBYOBReader class ---------------------------------------------------- */

st_reader_t *st_reader_setup_new(JSContextRef ctx, st_rs_t *s, bool byob, JSObjectRef new_target,
                                 JSValueRef *exc);
JSValueRef st_js_reader_closed(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                               const JSValueRef argv[], JSValueRef *exc);
JSValueRef st_js_reader_cancel(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                               const JSValueRef argv[], JSValueRef *exc);

static JSObjectRef js_byob_reader_construct(JSContextRef ctx, JSObjectRef new_target, size_t argc,
                                            const JSValueRef argv[], JSValueRef *exc) {
  if (!isl_require_args(ctx, argc, 1, "ReadableStreamBYOBReader", "constructor", exc)) return NULL;
  st_rs_t *s = st_rs_of(ctx, argv[0]);
  if (!s) {
    isl_throw_type(
        ctx, exc,
        "Failed to construct 'ReadableStreamBYOBReader': parameter 1 is not a ReadableStream");
    return NULL;
  }
  st_reader_t *r = st_reader_setup_new(ctx, s, true, new_target, exc);
  return r ? r->o.self : NULL;
}

static JSValueRef js_byob_reader_read(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj,
                                      size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)exc;
  st_reader_t *r = isl_priv(ctx, this_obj, &st_byob_reader_class);
  if (!r) return st_rejected_type(ctx, "Illegal invocation");
  st_view_t v;
  if (!st_view_get(ctx, ISL_ARG(0), &v))
    return st_rejected_type(ctx, "read: the argument must be an ArrayBufferView");
  /* ReadableStreamBYOBReaderReadOptions { [EnforceRange] unsigned long long min = 1 }. */
  JSValueRef options = ISL_ARG(1), e = NULL;
  if (!st_dict_check(ctx, options, "The read options", &e)) return st_rejected(ctx, e);
  JSValueRef m = st_dict_get(ctx, options, "min", &e);
  if (!m) return st_rejected(ctx, e);
  double min = 1;
  if (!JSValueIsUndefined(ctx, m) && !enforce_range_u64(ctx, m, "min", &min, &e))
    return st_rejected(ctx, e);
  if (v.length == 0) return st_rejected_type(ctx, "read: the view must not be empty");
  if (st_buffer_length(ctx, v.buffer) == 0)
    return st_rejected_type(ctx, "read: the view's buffer must not be empty or detached");
  if (st_is_detached(ctx, v.buffer))
    return st_rejected_type(ctx, "read: the view's buffer is detached");
  if (min == 0) return st_rejected_type(ctx, "read: min must be at least 1");
  if (min * v.elem > (double)v.length)
    return st_rejected(ctx, isl_error_new(ctx, "RangeError", "read: min is larger than the view"));
  if (!r->stream) return st_rejected_type(ctx, "The reader has no stream (its lock was released)");
  st_deferred_t d = st_deferred(ctx);
  st_req_t rq = {ST_REQ_PROMISE, d.resolve, d.reject};
  st_byob_reader_read(ctx, r, ISL_ARG(0), min, &rq);
  return d.promise;
}

static JSValueRef js_byob_reader_release_lock(JSContextRef ctx, JSObjectRef fn,
                                              JSObjectRef this_obj, size_t argc,
                                              const JSValueRef argv[], JSValueRef *exc) {
  (void)fn, (void)argc, (void)argv;
  st_reader_t *r = isl_unwrap(ctx, this_obj, &st_byob_reader_class, exc);
  if (!r) return NULL;
  if (r->stream) st_reader_release(ctx, r);
  return undef(ctx);
}

static const isl_method_t byob_reader_methods[] = {
    {"read", js_byob_reader_read, 1},
    {"releaseLock", js_byob_reader_release_lock, 0},
    {"cancel", st_js_reader_cancel, 0},
    {0},
};

static const isl_accessor_t byob_reader_accessors[] = {
    {"closed", st_js_reader_closed, NULL},
    {0},
};

static void byob_reader_finalize(void *p) {
  st_reader_t *r = p;
  st_ring_dispose(&r->requests);
  free(r);
}

isl_class_def_t st_byob_reader_class = {
    .name = "ReadableStreamBYOBReader",
    .construct = js_byob_reader_construct,
    .length = 1,
    .methods = byob_reader_methods,
    .accessors = byob_reader_accessors,
    .finalize = byob_reader_finalize,
};

/* ---- ReadableByteStreamTee -------------------------------------------------------------- */

enum {
  BT_J_STREAM,
  BT_J_READER,
  BT_J_B1,
  BT_J_B2,
  BT_J_REASON1,
  BT_J_REASON2,
  BT_J_CANCEL,
  BT_J_CANCEL_RESOLVE
};
typedef struct {
  st_obj_t o;
  st_rs_t *stream, *b1, *b2;
  st_reader_t *reader; /* switches between a default and a BYOB reader of the source */
  bool reading, again1, again2, canceled1, canceled2;
} btee_t;

static void btee_finalize(void *p) { free(p); }

static isl_class_def_t btee_class = {
    .name = "ReadableStream byte tee",
    .finalize = btee_finalize,
    .not_global = true,
};

static btee_t *btee_of(JSContextRef ctx, JSValueRef v) {
  btee_t *t = isl_priv(ctx, v, &btee_class);
  ISL_CHECK(t);
  return t;
}

static void btee_resolve_cancel(JSContextRef ctx, btee_t *t, JSValueRef v) {
  st_settle(ctx, (JSObjectRef)ST_JS(t, BT_J_CANCEL_RESOLVE), v);
}

/* CloneAsUint8Array. */
static JSObjectRef clone_as_uint8array(JSContextRef ctx, JSValueRef chunk) {
  st_view_t v;
  ISL_CHECK(st_view_get(ctx, chunk, &v));
  uint8_t *p = st_buffer_bytes(ctx, v.buffer);
  return isl_uint8array_new(ctx, p ? p + v.offset : NULL, v.length);
}

/* forwardReaderError: the target is [tee, reader]. */
static void btee_forward_reader_error(JSContextRef ctx, btee_t *t, st_reader_t *r) {
  st_react(ctx, ST_GET(ctx, r, RD_J_CLOSED), st_pair(ctx, t->o.self, r->o.self), ST_RX_NONE,
           ST_RX_btee_reader_closed_fail);
}

JSValueRef st_rx_btee_reader_closed_fail(JSContextRef ctx, JSValueRef target, JSValueRef e,
                                         JSValueRef *exc) {
  (void)exc;
  btee_t *t = btee_of(ctx, st_index(ctx, target, 0));
  if (st_index(ctx, target, 1) != (JSValueRef)t->reader->o.self) return NULL;
  st_rbc_error(ctx, t->b1->bc, e);
  st_rbc_error(ctx, t->b2->bc, e);
  if (!t->canceled1 || !t->canceled2) btee_resolve_cancel(ctx, t, NULL);
  return NULL;
}

static void btee_set_reader(JSContextRef ctx, btee_t *t, bool byob) {
  JSValueRef exc = NULL;
  st_reader_release(ctx, t->reader);
  t->reader = st_reader_acquire(ctx, t->stream, byob, &exc);
  ISL_CHECK(t->reader);
  ST_SET(ctx, t, BT_J_READER, t->reader->o.self);
  btee_forward_reader_error(ctx, t, t->reader);
}

static void btee_pull_with_default_reader(JSContextRef ctx, btee_t *t) {
  if (t->reader->byob) btee_set_reader(ctx, t, false);
  st_req_t rq = {ST_REQ_BYTE_TEE, t->o.self, NULL};
  st_reader_read(ctx, t->reader, &rq);
}

static void btee_pull_with_byob_reader(JSContextRef ctx, btee_t *t, JSValueRef view, bool for2) {
  if (!t->reader->byob) btee_set_reader(ctx, t, true);
  st_req_t rq = {for2 ? ST_REQ_BYTE_TEE_BYOB2 : ST_REQ_BYTE_TEE_BYOB1, t->o.self, NULL};
  st_byob_reader_read(ctx, t->reader, view, 1, &rq);
}

/* pull1Algorithm / pull2Algorithm. */
JSObjectRef st_byte_tee_pull(JSContextRef ctx, JSValueRef host, int branch) {
  btee_t *t = btee_of(ctx, host);
  if (t->reading) {
    if (branch == 1)
      t->again1 = true;
    else
      t->again2 = true;
    return st_resolved(ctx, NULL);
  }
  t->reading = true;
  st_rbc_t *c = branch == 1 ? t->b1->bc : t->b2->bc;
  JSObjectRef request = st_rbc_byob_request(ctx, c);
  if (!request) {
    btee_pull_with_default_reader(ctx, t);
  } else {
    byob_request_t *r = isl_priv(ctx, request, &byob_request_class);
    btee_pull_with_byob_reader(ctx, t, ST_GET(ctx, r, BR_J_VIEW), branch == 2);
  }
  return st_resolved(ctx, NULL);
}

static void btee_after_chunk(JSContextRef ctx, btee_t *t) {
  t->reading = false;
  if (t->again1)
    st_byte_tee_pull(ctx, t->o.self, 1);
  else if (t->again2)
    st_byte_tee_pull(ctx, t->o.self, 2);
}

void st_byte_tee_req_chunk(JSContextRef ctx, const st_req_t *rq, JSValueRef chunk) {
  if (rq->kind == ST_REQ_BYTE_TEE) {
    st_microtask(ctx, rq->a, ST_RX_btee_chunk, chunk);
  } else {
    JSValueRef for2 = st_bool(ctx, rq->kind == ST_REQ_BYTE_TEE_BYOB2);
    st_microtask(ctx, rq->a, ST_RX_btee_byob_chunk, st_pair(ctx, chunk, for2));
  }
}

/* The chunk steps of the default reader's read request, a microtask later. */
JSValueRef st_rx_btee_chunk(JSContextRef ctx, JSValueRef target, JSValueRef chunk,
                            JSValueRef *exc) {
  (void)exc;
  btee_t *t = btee_of(ctx, target);
  t->again1 = t->again2 = false;
  JSValueRef chunk2 = chunk, ignored = NULL;
  if (!t->canceled1 && !t->canceled2) chunk2 = clone_as_uint8array(ctx, chunk);
  if (!t->canceled1) st_rbc_enqueue(ctx, t->b1->bc, chunk, &ignored);
  if (!t->canceled2) st_rbc_enqueue(ctx, t->b2->bc, chunk2, &ignored);
  btee_after_chunk(ctx, t);
  return NULL;
}

/* The chunk steps of a BYOB read-into request: [chunk, forBranch2]. */
JSValueRef st_rx_btee_byob_chunk(JSContextRef ctx, JSValueRef target, JSValueRef v,
                                 JSValueRef *exc) {
  (void)exc;
  btee_t *t = btee_of(ctx, target);
  JSValueRef chunk = st_index(ctx, v, 0);
  bool for2 = JSValueToBoolean(ctx, st_index(ctx, v, 1));
  t->again1 = t->again2 = false;
  st_rs_t *byob_branch = for2 ? t->b2 : t->b1, *other = for2 ? t->b1 : t->b2;
  bool byob_canceled = for2 ? t->canceled2 : t->canceled1;
  bool other_canceled = for2 ? t->canceled1 : t->canceled2;
  JSValueRef ignored = NULL;
  if (!other_canceled) {
    JSObjectRef clone = clone_as_uint8array(ctx, chunk);
    if (!byob_canceled) st_rbc_respond_with_new_view(ctx, byob_branch->bc, chunk, &ignored);
    st_rbc_enqueue(ctx, other->bc, clone, &ignored);
  } else if (!byob_canceled) {
    st_rbc_respond_with_new_view(ctx, byob_branch->bc, chunk, &ignored);
  }
  btee_after_chunk(ctx, t);
  return NULL;
}

void st_byte_tee_req_close(JSContextRef ctx, const st_req_t *rq, JSValueRef chunk) {
  btee_t *t = btee_of(ctx, rq->a);
  JSValueRef ignored = NULL;
  t->reading = false;
  if (rq->kind == ST_REQ_BYTE_TEE) {
    if (!t->canceled1) st_rbc_close(ctx, t->b1->bc, &ignored);
    if (!t->canceled2) st_rbc_close(ctx, t->b2->bc, &ignored);
    if (t->b1->bc->pending.len > 0) st_rbc_respond(ctx, t->b1->bc, 0, &ignored);
    if (t->b2->bc->pending.len > 0) st_rbc_respond(ctx, t->b2->bc, 0, &ignored);
    if (!t->canceled1 || !t->canceled2) btee_resolve_cancel(ctx, t, NULL);
    return;
  }
  bool for2 = rq->kind == ST_REQ_BYTE_TEE_BYOB2;
  st_rs_t *byob_branch = for2 ? t->b2 : t->b1, *other = for2 ? t->b1 : t->b2;
  bool byob_canceled = for2 ? t->canceled2 : t->canceled1;
  bool other_canceled = for2 ? t->canceled1 : t->canceled2;
  if (!byob_canceled) st_rbc_close(ctx, byob_branch->bc, &ignored);
  if (!other_canceled) st_rbc_close(ctx, other->bc, &ignored);
  if (!st_is_undef(ctx, chunk)) {
    if (!byob_canceled) st_rbc_respond_with_new_view(ctx, byob_branch->bc, chunk, &ignored);
    if (!other_canceled && other->bc->pending.len > 0) st_rbc_respond(ctx, other->bc, 0, &ignored);
  }
  if (!byob_canceled || !other_canceled) btee_resolve_cancel(ctx, t, NULL);
}

void st_byte_tee_req_error(JSContextRef ctx, const st_req_t *rq, JSValueRef e) {
  (void)e;
  btee_of(ctx, rq->a)->reading = false;
}

/* cancel1Algorithm / cancel2Algorithm. */
JSObjectRef st_byte_tee_cancel(JSContextRef ctx, JSValueRef host, int branch, JSValueRef reason) {
  btee_t *t = btee_of(ctx, host);
  bool other;
  if (branch == 1) {
    t->canceled1 = true;
    ST_SET(ctx, t, BT_J_REASON1, reason);
    other = t->canceled2;
  } else {
    t->canceled2 = true;
    ST_SET(ctx, t, BT_J_REASON2, reason);
    other = t->canceled1;
  }
  if (other) {
    JSValueRef reasons[2] = {ST_GET(ctx, t, BT_J_REASON1), ST_GET(ctx, t, BT_J_REASON2)};
    JSObjectRef composite = JSObjectMakeArray(ctx, 2, reasons, NULL);
    btee_resolve_cancel(ctx, t, st_rs_cancel(ctx, t->stream, composite));
  }
  return (JSObjectRef)ST_JS(t, BT_J_CANCEL);
}

bool st_byte_tee(JSContextRef ctx, st_rs_t *s, JSObjectRef *b1, JSObjectRef *b2, JSValueRef *exc) {
  st_reader_t *r = st_reader_acquire(ctx, s, false, exc);
  if (!r) return false;
  btee_t *t = isl_calloc(1, sizeof(*t));
  JSObjectRef w = isl_wrap(ctx, &btee_class, t);
  st_obj_init(ctx, &t->o, w);
  t->stream = s;
  ST_SET(ctx, t, BT_J_STREAM, s->o.self);
  t->reader = r;
  ST_SET(ctx, t, BT_J_READER, r->o.self);
  st_deferred_t d = st_deferred(ctx);
  ST_SET(ctx, t, BT_J_CANCEL, d.promise);
  ST_SET(ctx, t, BT_J_CANCEL_RESOLVE, d.resolve);
  t->b1 = st_rbs_create(ctx, ST_ALG_BYTE_TEE, w, 1, 0, 0);
  ST_SET(ctx, t, BT_J_B1, t->b1->o.self);
  t->b2 = st_rbs_create(ctx, ST_ALG_BYTE_TEE, w, 2, 0, 0);
  ST_SET(ctx, t, BT_J_B2, t->b2->o.self);
  btee_forward_reader_error(ctx, t, r);
  *b1 = t->b1->o.self;
  *b2 = t->b2->o.self;
  return true;
}

void st_byob_install(isl_realm_t *r) {
  isl_class_install(r, &btee_class);
  isl_class_install(r, &st_rbc_class);
  isl_class_install(r, &byob_request_class);
  isl_class_install(r, &st_byob_reader_class);
}
