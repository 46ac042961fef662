/* Shared machinery of the Streams Standard implementation (https://streams.spec.whatwg.org/):
 * the native state of every stream object, the abstract operations one file calls in
 * another, and the small toolkit they are all written with.
 *
 * Files: streams_common.c (this toolkit), queuing.c (queuing strategies),
 * readablestream.c (ReadableStream, default reader and controller, tee),
 * readablestream_iter.c (async iteration, ReadableStream.from), readablestream_byob.c
 * (byte streams), writablestream.c, transformstream.c, streams_pipe.c (pipeTo) and
 * streams_c.c (the C interface of streams_api.h).
 *
 * Garbage collection. Every stream object (stream, controller, reader, writer, and the
 * internal state of a tee, a pipe, an iterator) is a JS wrapper whose private pointer is a
 * C struct that starts with st_obj_t. The JS values the struct needs (its stream, its
 * promises and their resolve functions, queued chunks) are cached in C fields for speed and
 * also written to an internal array (the "store") held in a private slot of the wrapper,
 * so the GC sees them; st_set() always does both. A C struct lives exactly as long as its
 * wrapper, so C code may follow a pointer from one struct to another only where the first
 * wrapper's store holds the second wrapper (every such pointer is set next to the ST_SET of
 * the wrapper it points into).
 *
 * Promise reactions ("upon fulfillment of p, ...") are C functions listed in ST_REACTIONS
 * below. st_react() attaches them to a promise through two small closures that hold the
 * target object (a wrapper), so the target stays alive while the reaction is pending.
 * The only protected values (isl_protect) are the C handles of streams_api.h that C code
 * keeps across turns of the loop; the realm's teardown releases them. */
#ifndef ISL_API_STREAMS_INTERNAL_H
#define ISL_API_STREAMS_INTERNAL_H

#include "api.h"

/* ---- Objects and their JS values -------------------------------------------------- */

#define ST_MAX_JS 14

typedef struct {
  JSObjectRef self;         /* the wrapper: valid while the struct lives */
  JSObjectRef store;        /* internal array in a private slot of self */
  JSValueRef js[ST_MAX_JS]; /* cached copies of store[i]; NULL means undefined */
} st_obj_t;

/* Binds o to its freshly made wrapper: creates the store. The wrapper is also pinned
 * (kept alive) until the next microtask: until the operation making it has linked it into
 * a store, only C memory points to it, which the collector does not scan (see
 * st_obj_init). */
void st_obj_init(JSContextRef ctx, st_obj_t *o, JSObjectRef self);
/* o.js[i] = v (NULL: undefined), kept alive through the store. */
void st_set(JSContextRef ctx, st_obj_t *o, int i, JSValueRef v);
/* o.js[i], or undefined. */
JSValueRef st_get(JSContextRef ctx, st_obj_t *o, int i);
#define ST_JS(obj, i) ((obj)->o.js[(i)])
#define ST_SET(ctx, obj, i, v) st_set((ctx), &(obj)->o, (i), (v))
#define ST_GET(ctx, obj, i) st_get((ctx), &(obj)->o, (i))

/* ---- Rings: queues of JS values with C data per entry ------------------------------- */

/* A FIFO whose entries are `width` JS values plus `csize` bytes of C data. The JS values
 * live in one internal array (kept in the owner's store at index `slot`), used as a ring
 * that doubles in place when full, so the array object never changes. */
typedef struct {
  JSObjectRef arr;
  char *cdata;
  uint32_t head, len, cap;
  uint8_t width, slot;
  uint16_t csize;
} st_ring_t;

void st_ring_init(st_ring_t *r, int width, size_t csize, int slot);
/* Appends an entry with the given values; returns its C data (zeroed) to fill in. */
void *st_ring_push(JSContextRef ctx, st_obj_t *owner, st_ring_t *r, const JSValueRef *vals);
/* Value j of the i-th entry from the front. */
JSValueRef st_ring_val(JSContextRef ctx, st_ring_t *r, uint32_t i, int j);
void *st_ring_cdata(st_ring_t *r, uint32_t i);
/* Drops the front entry (its values become undefined in the array). */
void st_ring_shift(JSContextRef ctx, st_ring_t *r);
/* "Set the list to a new empty list": moves every entry to *out (which the caller walks
 * with st_ring_val/st_ring_cdata and then frees with st_ring_dispose) and leaves r empty. */
void st_ring_take(JSContextRef ctx, st_obj_t *owner, st_ring_t *r, st_ring_t *out);
void st_ring_clear(JSContextRef ctx, st_obj_t *owner, st_ring_t *r);
void st_ring_dispose(st_ring_t *r); /* frees the C data only (finalizers) */
/* Replaces value j of the i-th entry. */
void st_ring_set_val(JSContextRef ctx, st_ring_t *r, uint32_t i, int j, JSValueRef v);

/* ---- Reactions ------------------------------------------------------------------------ */

/* A reaction: called with the target given to st_react (a wrapper, or undefined) and the
 * settled value. What it returns (or throws) settles the promise st_react returned. */
typedef JSValueRef (*st_rx_fn)(JSContextRef ctx, JSValueRef target, JSValueRef v, JSValueRef *exc);

/* clang-format off */
#define ST_REACTIONS(X) \
  X(undefined) X(pins_clear) \
  X(rdc_start_ok) X(rdc_start_fail) X(rdc_pull_ok) X(rdc_pull_fail) \
  X(tee_chunk) X(tee_reader_closed_fail) \
  X(iter_next_steps) X(iter_next_ok) X(iter_next_fail) X(iter_return_steps) X(iter_return_ok) \
  X(from_sync_value) X(from_sync_done) X(from_sync_close) X(from_next_ok) X(from_return_ok) \
  X(wdc_start_ok) X(wdc_start_fail) X(wdc_write_ok) X(wdc_write_fail) X(wdc_close_ok) \
  X(wdc_close_fail) \
  X(ws_abort_ok) X(ws_abort_fail) \
  X(ts_write_after_bp) X(ts_transform_fail) X(ts_abort_ok) X(ts_abort_fail) X(ts_close_ok) \
  X(ts_close_fail) X(ts_cancel_ok) X(ts_cancel_fail) \
  X(pipe_ready) X(pipe_source_closed) X(pipe_source_errored) X(pipe_dest_errored) \
  X(pipe_writes_done) X(pipe_action_ok) X(pipe_action_fail) X(pipe_all_ok) X(pipe_all_fail) \
  X(rbc_start_ok) X(rbc_start_fail) X(rbc_pull_ok) X(rbc_pull_fail) \
  X(btee_chunk) X(btee_byob_chunk) X(btee_reader_closed_fail)
/* clang-format on */

#define ST_RX_ENUM(name) ST_RX_##name,
enum { ST_REACTIONS(ST_RX_ENUM) ST_RX_COUNT };
#define ST_RX_DECL(name) \
  JSValueRef st_rx_##name(JSContextRef ctx, JSValueRef target, JSValueRef v, JSValueRef *exc);
ST_REACTIONS(ST_RX_DECL)
#undef ST_RX_DECL
#define ST_RX_NONE (-1)

/* "Upon fulfillment/rejection of p": calls the reactions ok/fail (ST_RX_* or ST_RX_NONE)
 * with target. Returns the derived promise (what "reacting to p" returns). */
JSObjectRef st_react(JSContextRef ctx, JSValueRef p, JSValueRef target, int ok, int fail);
/* Sets p.[[PromiseIsHandled]] to true. */
void st_mark_handled(JSContextRef ctx, JSValueRef p);
/* "Queue a microtask" that calls reaction id with target and v. */
void st_microtask(JSContextRef ctx, JSValueRef target, int id, JSValueRef v);

/* ---- Promises and values -------------------------------------------------------------- */

/* A pending promise and its resolving functions. */
typedef struct {
  JSObjectRef promise, resolve, reject;
} st_deferred_t;
st_deferred_t st_deferred(JSContextRef ctx);
/* "A promise resolved with" v: a new promise (thenables are followed). */
JSObjectRef st_resolved(JSContextRef ctx, JSValueRef v);
JSObjectRef st_rejected(JSContextRef ctx, JSValueRef e);
/* A promise rejected with a new TypeError carrying msg. */
JSObjectRef st_rejected_type(JSContextRef ctx, const char *msg);
/* PromiseResolve(%Promise%, v): v itself when it is a promise; may throw. */
JSValueRef st_promise_resolve(JSContextRef ctx, JSValueRef v, JSValueRef *exc);
/* Calls a resolving function (resolve or reject) with v. */
void st_settle(JSContextRef ctx, JSObjectRef fn, JSValueRef v);
/* { value, done } as a fresh ordinary object (CreateIterResultObject). */
JSObjectRef st_iter_result(JSContextRef ctx, JSValueRef value, bool done);
JSObjectRef st_type_error(JSContextRef ctx, const char *msg);
/* undefined, null and booleans without a call into the engine (see streams_common.c). */
JSValueRef st_undef(JSContextRef ctx);
JSValueRef st_null(JSContextRef ctx);
JSValueRef st_bool(JSContextRef ctx, bool b);
bool st_is_undef(JSContextRef ctx, JSValueRef v); /* NULL counts as undefined */
/* Web IDL "invoke" with a Promise return type: never throws; an exception becomes a
 * rejected promise, any other result "a promise resolved with" it. */
JSObjectRef st_invoke_promise(JSContextRef ctx, JSValueRef fn, JSValueRef self, size_t argc,
                              const JSValueRef *argv);
/* fn.call(self, arg) where self may be any value (undefined: a callback's default this;
 * the C API would substitute the global object). */
JSValueRef st_call1(JSContextRef ctx, JSValueRef fn, JSValueRef self, JSValueRef arg,
                    JSValueRef *exc);
/* st_invoke_promise and st_react in one call into the engine (the hot path of pull, write
 * and transform): invokes fn with this = self and at most 2 arguments, and reacts to the
 * resulting promise with ok/fail on target. Returns the derived promise. */
JSObjectRef st_invoke_react(JSContextRef ctx, JSValueRef fn, JSValueRef self, size_t argc,
                            const JSValueRef *argv, JSValueRef target, int ok, int fail);
/* The realm's unique "end of iteration" marker (an internal object). */
JSValueRef st_end_of_iteration(JSContextRef ctx);
/* A new internal array [a, b] (e.g. a reaction target carrying a value). */
JSObjectRef st_pair(JSContextRef ctx, JSValueRef a, JSValueRef b);
JSValueRef st_index(JSContextRef ctx, JSValueRef arr, unsigned i);

/* ---- ArrayBuffers and views (byte streams) ------------------------------------------- */

/* An ArrayBufferView taken apart. type is a JSTypedArrayType the C API can build directly,
 * or ST_VIEW_OTHER (DataView, Float16Array), built through ctor. */
#define ST_VIEW_OTHER (-1)
typedef struct {
  JSObjectRef buffer;
  size_t offset, length; /* in bytes; 0 when the buffer is detached */
  JSValueRef ctor;
  unsigned elem; /* element size */
  int type;
} st_view_t;

/* false if v is not an ArrayBufferView. */
bool st_view_get(JSContextRef ctx, JSValueRef v, st_view_t *out);
/* A view of count elements of the given kind on buffer at byte_offset. */
JSObjectRef st_view_make(JSContextRef ctx, int type, JSValueRef ctor, JSObjectRef buffer,
                         size_t byte_offset, size_t count, JSValueRef *exc);
/* IsDetachedBuffer. */
bool st_is_detached(JSContextRef ctx, JSValueRef buffer);
/* TransferArrayBuffer: a new ArrayBuffer with the same bytes; the old one is detached.
 * NULL with *exc if it cannot be transferred. */
JSObjectRef st_transfer(JSContextRef ctx, JSValueRef buffer, JSValueRef *exc);
uint8_t *st_buffer_bytes(JSContextRef ctx, JSObjectRef buffer);
/* new ArrayBuffer(n): zeroed; a RangeError when it cannot be allocated. */
JSObjectRef st_arraybuffer_new(JSContextRef ctx, double n, JSValueRef *exc);
size_t st_buffer_length(JSContextRef ctx, JSObjectRef buffer);

/* ---- Web IDL conversions ------------------------------------------------------------- */

/* Dictionary member read: undefined for an undefined/null dictionary. NULL if the getter
 * threw. The dictionary value must already have passed st_dict_check. */
JSValueRef st_dict_get(JSContextRef ctx, JSValueRef dict, const char *name, JSValueRef *exc);
/* A dictionary argument must be undefined, null or an object. */
bool st_dict_check(JSContextRef ctx, JSValueRef dict, const char *what, JSValueRef *exc);
/* A callback member: undefined stays NULL (absent); otherwise it must be callable. */
bool st_dict_callback(JSContextRef ctx, JSValueRef dict, const char *name, const char *what,
                      JSValueRef *out, JSValueRef *exc);

/* ---- Queuing strategies (queuing.c) -------------------------------------------------- */

/* A stream's strategy, read from the QueuingStrategy dictionary: highWaterMark then size. */
typedef struct {
  bool has_hwm;
  double hwm;
  JSValueRef size; /* NULL: absent */
} st_strategy_t;

bool st_strategy_convert(JSContextRef ctx, JSValueRef v, st_strategy_t *s, JSValueRef *exc);
/* ExtractHighWaterMark: the default when absent; RangeError for NaN or negative. */
bool st_extract_hwm(JSContextRef ctx, const st_strategy_t *s, double dflt, double *out,
                    JSValueRef *exc);
/* True if fn is the realm's CountQueuingStrategy size function (always 1: calling it can
 * be skipped without any observable difference). */
bool st_is_count_size(JSContextRef ctx, JSValueRef fn);
/* Runs a size algorithm (fn NULL: 1) on chunk; false with *exc if it threw. */
bool st_chunk_size(JSContextRef ctx, JSValueRef fn, JSValueRef chunk, double *out, JSValueRef *exc);

/* ---- Readable streams (readablestream*.c) -------------------------------------------- */

typedef struct st_rs st_rs_t;
typedef struct st_reader st_reader_t;
typedef struct st_rdc st_rdc_t;
typedef struct st_rbc st_rbc_t;

enum { RS_READABLE, RS_CLOSED, RS_ERRORED };

enum { RS_J_CONTROLLER, RS_J_READER, RS_J_ERROR };
struct st_rs {
  st_obj_t o;
  uint8_t state;
  bool disturbed;
  st_rdc_t *dc;        /* the default controller, or NULL */
  st_rbc_t *bc;        /* the byte controller, or NULL */
  st_reader_t *reader; /* NULL when unlocked */
};

/* Read requests and read-into requests. A request is a kind and two JS values: a
 * promise's resolve and reject functions (ST_REQ_PROMISE), or the object of an internal
 * consumer (tee, pipe, async iterator, C reader) and an optional value. */
enum {
  ST_REQ_PROMISE,
  ST_REQ_ITER,
  ST_REQ_TEE,
  ST_REQ_PIPE,
  ST_REQ_C,
  ST_REQ_BYTE_TEE,
  ST_REQ_BYTE_TEE_BYOB1,
  ST_REQ_BYTE_TEE_BYOB2,
};
typedef struct {
  int kind;
  JSValueRef a, b;
} st_req_t;

enum { RD_J_STREAM, RD_J_CLOSED, RD_J_CLOSED_RESOLVE, RD_J_CLOSED_REJECT, RD_J_REQUESTS };
struct st_reader {
  st_obj_t o;
  bool byob;
  st_rs_t *stream;    /* NULL once released */
  st_ring_t requests; /* width 2; C data: int kind (+ byte stream data for read-into) */
};

/* How a controller's pull and cancel algorithms are carried out. */
enum {
  ST_ALG_NONE,      /* cleared (the stream is closed or errored) or nothing to call */
  ST_ALG_JS,        /* an underlying source object's methods */
  ST_ALG_TEE,       /* a branch of a tee (branch 1 or 2) */
  ST_ALG_FROM,      /* ReadableStream.from */
  ST_ALG_TRANSFORM, /* the readable side of a TransformStream */
  ST_ALG_C,         /* a C source (streams_api.h) */
  ST_ALG_BYTE_TEE,  /* a branch of a byte stream's tee */
};

enum { DC_J_STREAM, DC_J_SOURCE, DC_J_PULL, DC_J_CANCEL, DC_J_SIZE, DC_J_QUEUE };
struct st_rdc {
  st_obj_t o;
  st_rs_t *stream;
  st_ring_t queue; /* width 1; C data: double size */
  double total, hwm;
  bool started, close_requested, pull_again, pulling;
  uint8_t alg, branch;
};

extern isl_class_def_t st_rs_class, st_reader_class, st_byob_reader_class, st_rdc_class,
    st_rbc_class;

/* The stream behind a ReadableStream wrapper, or NULL. */
st_rs_t *st_rs_of(JSContextRef ctx, JSValueRef v);
/* A new readable stream with a default controller (CreateReadableStream): the start
 * algorithm returns start_result (NULL: undefined); pull and cancel are algorithm kind alg,
 * with host (an object the algorithm needs) and branch. */
st_rs_t *st_rs_create(JSContextRef ctx, int alg, JSValueRef host, int branch, double hwm,
                      JSValueRef size, JSValueRef start_result);
bool st_rs_locked(st_rs_t *s);
JSObjectRef st_rs_cancel(JSContextRef ctx, st_rs_t *s, JSValueRef reason);
void st_rs_close(JSContextRef ctx, st_rs_t *s);
void st_rs_error(JSContextRef ctx, st_rs_t *s, JSValueRef e);
void st_rs_add_read_request(JSContextRef ctx, st_rs_t *s, const st_req_t *rq);
void st_rs_fulfill_read_request(JSContextRef ctx, st_rs_t *s, JSValueRef chunk, bool done);
uint32_t st_rs_num_read_requests(st_rs_t *s);
bool st_rs_has_default_reader(st_rs_t *s);
bool st_rs_has_byob_reader(st_rs_t *s);

/* Readers. */
st_reader_t *st_reader_acquire(JSContextRef ctx, st_rs_t *s, bool byob, JSValueRef *exc);
void st_reader_read(JSContextRef ctx, st_reader_t *r, const st_req_t *rq);
void st_reader_release(JSContextRef ctx, st_reader_t *r);
JSObjectRef st_reader_cancel(JSContextRef ctx, st_reader_t *r, JSValueRef reason);
/* The steps of a read request (or read-into request). */
void st_req_chunk(JSContextRef ctx, const st_req_t *rq, JSValueRef chunk);
void st_req_close(JSContextRef ctx, const st_req_t *rq, JSValueRef chunk);
void st_req_error(JSContextRef ctx, const st_req_t *rq, JSValueRef e);

/* Default controllers. */
bool st_rdc_can_close_or_enqueue(st_rdc_t *c);
void st_rdc_close(JSContextRef ctx, st_rdc_t *c);
bool st_rdc_enqueue(JSContextRef ctx, st_rdc_t *c, JSValueRef chunk, JSValueRef *exc);
void st_rdc_error(JSContextRef ctx, st_rdc_t *c, JSValueRef e);
bool st_rdc_desired_size(st_rdc_t *c, double *out); /* false: null (errored) */
bool st_rdc_has_backpressure(st_rdc_t *c);

/* ---- Byte streams (readablestream_byob.c) ------------------------------------------- */

enum { PI_DEFAULT, PI_BYOB, PI_NONE }; /* a pull-into descriptor's reader type */

/* A pull-into descriptor's numbers; its buffer and view constructor are the two JS values
 * of its entry in the controller's pending ring. */
typedef struct {
  double buffer_byte_length, byte_offset, byte_length, bytes_filled, minimum_fill;
  unsigned element_size;
  int view_type; /* st_view_t.type */
  int reader_type;
} st_pull_into_t;

enum {
  BC_J_STREAM,
  BC_J_SOURCE,
  BC_J_PULL,
  BC_J_CANCEL,
  BC_J_QUEUE,
  BC_J_PENDING,
  BC_J_BYOB_REQUEST
};
struct st_rbc {
  st_obj_t o;
  st_rs_t *stream;
  st_ring_t queue;   /* width 1 (an ArrayBuffer); C data: double offset, length */
  st_ring_t pending; /* width 2 (buffer, view constructor); C data: st_pull_into_t */
  double total, hwm;
  double auto_chunk; /* autoAllocateChunkSize, 0 when absent */
  bool started, close_requested, pull_again, pulling;
  uint8_t alg, branch;
  struct st_byob_request *byob_request; /* NULL when there is none */
};

/* SetUpReadableByteStreamControllerFromUnderlyingSource (chunk_size 0: absent). */
bool st_rbc_setup_from_source(JSContextRef ctx, st_rs_t *s, JSValueRef source, JSValueRef start,
                              JSValueRef pull, JSValueRef cancel, double hwm, double chunk_size,
                              JSValueRef *exc);
/* CreateReadableByteStream with algorithm kind alg on host (high water mark 0). */
st_rs_t *st_rbs_create(JSContextRef ctx, int alg, JSValueRef host, int branch, double hwm,
                       double chunk_size);
void st_rbc_pull_steps(JSContextRef ctx, st_rbc_t *c, const st_req_t *rq);
JSObjectRef st_rbc_cancel_steps(JSContextRef ctx, st_rbc_t *c, JSValueRef reason);
void st_rbc_release_steps(JSContextRef ctx, st_rbc_t *c);
bool st_rbc_enqueue(JSContextRef ctx, st_rbc_t *c, JSValueRef chunk, JSValueRef *exc);
bool st_rbc_close(JSContextRef ctx, st_rbc_t *c, JSValueRef *exc);
void st_rbc_error(JSContextRef ctx, st_rbc_t *c, JSValueRef e);
bool st_rbc_desired_size(st_rbc_t *c, double *out); /* false: null */
/* ReadableByteStreamControllerRespond / ...RespondWithNewView. */
bool st_rbc_respond(JSContextRef ctx, st_rbc_t *c, double bytes_written, JSValueRef *exc);
bool st_rbc_respond_with_new_view(JSContextRef ctx, st_rbc_t *c, JSValueRef view, JSValueRef *exc);
/* The current BYOB request object, or NULL. */
JSObjectRef st_rbc_byob_request(JSContextRef ctx, st_rbc_t *c);
/* ReadableStreamBYOBReaderRead with a minimum of min elements. */
void st_byob_reader_read(JSContextRef ctx, st_reader_t *r, JSValueRef view, double min,
                         const st_req_t *rq);
/* ReadableByteStreamTee. */
bool st_byte_tee(JSContextRef ctx, st_rs_t *s, JSObjectRef *b1, JSObjectRef *b2, JSValueRef *exc);
JSObjectRef st_byte_tee_pull(JSContextRef ctx, JSValueRef host, int branch);
JSObjectRef st_byte_tee_cancel(JSContextRef ctx, JSValueRef host, int branch, JSValueRef reason);
void st_byte_tee_req_chunk(JSContextRef ctx, const st_req_t *rq, JSValueRef chunk);
void st_byte_tee_req_close(JSContextRef ctx, const st_req_t *rq, JSValueRef chunk);
void st_byte_tee_req_error(JSContextRef ctx, const st_req_t *rq, JSValueRef e);
void st_byob_install(isl_realm_t *r);

/* Tee (readablestream.c) and its algorithms. */
bool st_tee(JSContextRef ctx, st_rs_t *s, JSObjectRef *b1, JSObjectRef *b2, JSValueRef *exc);
JSObjectRef st_tee_pull(JSContextRef ctx, JSValueRef host, int branch);
JSObjectRef st_tee_cancel(JSContextRef ctx, JSValueRef host, int branch, JSValueRef reason);
void st_tee_req_chunk(JSContextRef ctx, const st_req_t *rq, JSValueRef chunk);
void st_tee_req_close(JSContextRef ctx, const st_req_t *rq);
void st_tee_req_error(JSContextRef ctx, const st_req_t *rq, JSValueRef e);

/* Async iteration and ReadableStream.from (readablestream_iter.c). */
void st_iter_install(isl_realm_t *r);
JSObjectRef st_iter_new(JSContextRef ctx, st_rs_t *s, JSValueRef options, JSValueRef *exc);
void st_iter_req_chunk(JSContextRef ctx, const st_req_t *rq, JSValueRef chunk);
void st_iter_req_close(JSContextRef ctx, const st_req_t *rq);
void st_iter_req_error(JSContextRef ctx, const st_req_t *rq, JSValueRef e);
JSValueRef st_from(JSContextRef ctx, JSValueRef iterable, JSValueRef *exc);
JSObjectRef st_from_pull(JSContextRef ctx, JSValueRef host);
JSObjectRef st_from_cancel(JSContextRef ctx, JSValueRef host, JSValueRef reason);

/* ---- Writable streams (writablestream.c) -------------------------------------------- */

typedef struct st_ws st_ws_t;
typedef struct st_writer st_writer_t;
typedef struct st_wdc st_wdc_t;

enum { WS_WRITABLE, WS_CLOSED, WS_ERRORING, WS_ERRORED };
enum { WS_CLOSE_NONE, WS_CLOSE_QUEUED, WS_CLOSE_IN_FLIGHT };

/* The close request and the in-flight close request are never both present, so they
 * share the CLOSE slots; close_req says which one they hold. */
enum {
  WS_J_CONTROLLER,
  WS_J_WRITER,
  WS_J_ERROR,
  WS_J_CLOSE_RESOLVE,
  WS_J_CLOSE_REJECT,
  WS_J_WRITE_RESOLVE,
  WS_J_WRITE_REJECT,
  WS_J_ABORT_PROMISE,
  WS_J_ABORT_RESOLVE,
  WS_J_ABORT_REJECT,
  WS_J_ABORT_REASON,
  WS_J_WRITE_REQUESTS
};
struct st_ws {
  st_obj_t o;
  uint8_t state, close_req;
  bool backpressure, write_in_flight, abort_pending, abort_was_erroring;
  st_wdc_t *controller;
  st_writer_t *writer;
  st_ring_t write_requests; /* width 2: resolve, reject */
};

enum {
  WR_J_STREAM,
  WR_J_CLOSED,
  WR_J_CLOSED_RESOLVE,
  WR_J_CLOSED_REJECT,
  WR_J_READY,
  WR_J_READY_RESOLVE,
  WR_J_READY_REJECT
};
struct st_writer {
  st_obj_t o;
  st_ws_t *stream; /* NULL once released */
};

/* How a writable controller's write, close and abort algorithms are carried out. */
enum { ST_WALG_NONE, ST_WALG_JS, ST_WALG_TRANSFORM };

enum {
  WC_J_STREAM,
  WC_J_SINK,
  WC_J_WRITE,
  WC_J_CLOSE,
  WC_J_ABORT,
  WC_J_SIZE,
  WC_J_QUEUE,
  WC_J_SIGNAL
};
struct st_wdc {
  st_obj_t o;
  st_ws_t *stream;
  st_ring_t queue; /* width 1; C data: wq_entry_t */
  double total, hwm;
  bool started;
  uint8_t alg;
  struct isl_abort_signal *signal;
};

extern isl_class_def_t st_ws_class, st_writer_class, st_wdc_class;

st_ws_t *st_ws_of(JSContextRef ctx, JSValueRef v);
/* CreateWritableStream with algorithm kind alg on host; the start algorithm returns
 * start_result (NULL: undefined). */
st_ws_t *st_ws_create(JSContextRef ctx, int alg, JSValueRef host, double hwm, JSValueRef size,
                      JSValueRef start_result);
bool st_ws_locked(st_ws_t *s);
bool st_ws_close_queued_or_in_flight(st_ws_t *s);
JSObjectRef st_ws_abort(JSContextRef ctx, st_ws_t *s, JSValueRef reason);
st_writer_t *st_writer_acquire(JSContextRef ctx, st_ws_t *s, JSValueRef *exc);
JSObjectRef st_writer_write(JSContextRef ctx, st_writer_t *w, JSValueRef chunk);
JSObjectRef st_writer_close_with_error_propagation(JSContextRef ctx, st_writer_t *w);
bool st_writer_desired_size(st_writer_t *w, double *out); /* false: null */
void st_writer_release(JSContextRef ctx, st_writer_t *w);
void st_wdc_error_if_needed(JSContextRef ctx, st_wdc_t *c, JSValueRef e);

/* ---- Transform streams (transformstream.c) ----------------------------------------- */

/* The algorithms of a TransformStream's two sides; host is the TransformStream. */
JSObjectRef st_ts_sink_write(JSContextRef ctx, JSValueRef host, JSValueRef chunk);
JSObjectRef st_ts_sink_close(JSContextRef ctx, JSValueRef host);
JSObjectRef st_ts_sink_abort(JSContextRef ctx, JSValueRef host, JSValueRef reason);
JSObjectRef st_ts_source_pull(JSContextRef ctx, JSValueRef host);
JSObjectRef st_ts_source_cancel(JSContextRef ctx, JSValueRef host, JSValueRef reason);

/* ---- Piping (streams_pipe.c) --------------------------------------------------------- */

/* ReadableStreamPipeTo: both streams must be unlocked. signal may be NULL. */
JSObjectRef st_pipe_to(JSContextRef ctx, st_rs_t *source, st_ws_t *dest, bool prevent_close,
                       bool prevent_abort, bool prevent_cancel, JSValueRef signal);
void st_pipe_req_chunk(JSContextRef ctx, const st_req_t *rq, JSValueRef chunk);
void st_pipe_req_close(JSContextRef ctx, const st_req_t *rq);
void st_pipe_req_error(JSContextRef ctx, const st_req_t *rq, JSValueRef e);
/* pipeTo() and pipeThrough() of ReadableStream.prototype. */
JSValueRef st_js_pipe_to(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                         const JSValueRef argv[], JSValueRef *exc);
JSValueRef st_js_pipe_through(JSContextRef ctx, JSObjectRef fn, JSObjectRef this_obj, size_t argc,
                              const JSValueRef argv[], JSValueRef *exc);
void st_pipe_install(isl_realm_t *r);

/* ---- The C interface (streams_c.c, streams_api.h) ---------------------------------- */

/* Runs fn(ctx, arg) inside a call from JS. C code entered from the loop (not from JS)
 * would otherwise have the engine drain the microtask queue at the end of every single
 * API call, running promise reactions in the middle of a half-done operation; inside the
 * call they wait until fn has returned. */
typedef void (*st_body_fn)(JSContextRef ctx, void *arg);
void st_run(JSContextRef ctx, st_body_fn fn, void *arg);

/* A C handle that keeps its JS objects rooted while C code holds it; the realm's teardown
 * aborts every one still linked. */
typedef struct st_croot {
  struct st_croot *prev, *next;
  void (*abort)(isl_realm_t *r, struct st_croot *root);
} st_croot_t;
void st_croot_link(JSContextRef ctx, st_croot_t *root);
void st_croot_unlink(JSContextRef ctx, st_croot_t *root);

JSObjectRef st_csrc_pull(JSContextRef ctx, JSValueRef host);
JSObjectRef st_csrc_cancel(JSContextRef ctx, JSValueRef host, JSValueRef reason);
void st_c_req_chunk(JSContextRef ctx, const st_req_t *rq, JSValueRef chunk);
void st_c_req_close(JSContextRef ctx, const st_req_t *rq);
void st_c_req_error(JSContextRef ctx, const st_req_t *rq, JSValueRef e);
void st_c_install(isl_realm_t *r);

/* Per-realm state. */
typedef struct {
  st_croot_t *croots; /* C handles holding roots */
  JSObjectRef react, handled, microtask, result, promise_resolve, call1, invoke; /* glue */
  JSObjectRef transfer, detached, view, construct, alloc, runner;
  JSValueRef ctors[kJSTypedArrayTypeBigUint64Array + 1]; /* by JSTypedArrayType */
  JSObjectRef end_of_iteration;
  JSObjectRef pins; /* wrappers made since the last microtask checkpoint (st_obj_init) */
  uint32_t npins;
  bool pins_clear_queued;
  JSObjectRef count_size; /* CountQueuingStrategy's size function */
  JSObjectRef byte_size;  /* ByteLengthQueuingStrategy's size function */
  JSValueRef sym_async_iterator, sym_iterator;
} st_realm_t;
st_realm_t *st_realm(JSContextRef ctx);
/* Called by the first streams install function of a realm (queuing.c). */
void st_realm_init(isl_realm_t *r);

#endif
