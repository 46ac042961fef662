/* Streams for C code: readable byte streams whose source is C, C readers of any JS
 * ReadableStream, and the few stream operations the Fetch Standard needs (locked,
 * disturbed, cancel, tee, read all). The streams themselves follow the Streams Standard
 * (src/api/readablestream*.c); this is the door C code uses, so it never goes through JS
 * methods a user could replace.
 *
 * Bodies ("bytes until touched, a stream when .body is read"). A Request or Response keeps
 * its isl_body_t bytes as long as nobody asks for `.body`; the `body` getter then makes the
 * stream once with isl_stream_from_body (a C source serving the bytes in slices, no copy
 * until a slice is read) and keeps it; text()/arrayBuffer()/… on a stream body read it with
 * isl_stream_collect; handing a stream body to C (a response being sent, a request being
 * forwarded) reads it with an isl_rreader_t, one chunk at a time so the socket's pace is the
 * stream's pace; a streaming body arriving from C (an upload, another worker's response,
 * the network) becomes a stream with an ISL_RSOURCE_ASYNC source fed by it. clone() on a
 * stream body is isl_stream_tee. body.c and body_stream.c are those users.
 *
 * Threading: everything here runs on the realm's loop thread. Callbacks receive the
 * realm's context; a callback given a NULL ctx runs during teardown and must not call into
 * JS. */
#ifndef ISL_API_STREAMS_API_H
#define ISL_API_STREAMS_API_H

#include "../base/message.h"
#include "api.h"

/* ---- Readable byte streams with a C source ----------------------------------------------
 *
 * The stream asks for data by calling pull when its queue is below the high water mark or
 * a read is waiting, and not again until the source has answered: pushed bytes, closed or
 * errored. Readers get Uint8Arrays (a BYOB reader gets the bytes copied into its own
 * buffer). */

typedef struct isl_rsource isl_rsource_t;

typedef struct {
  /* The stream wants more data. A synchronous source answers before returning; an
   * ISL_RSOURCE_ASYNC source may answer later, from any callback on the loop. */
  void (*pull)(JSContextRef ctx, isl_rsource_t *s, void *data);
  /* Optional. The consumer canceled the stream with reason (ctx NULL and reason NULL when
   * the realm is being torn down). No more pulls; the handle is dead once this returns. */
  void (*cancel)(JSContextRef ctx, isl_rsource_t *s, void *data, JSValueRef reason);
  /* Optional. Called exactly once, after which data is not used again: when the source
   * has ended (closed, errored, canceled) or its stream was garbage-collected (then from a
   * finalizer: no JS, no libuv handle closing that calls back). */
  void (*release)(void *data);
} isl_rsource_ops_t;

/* The source pushes from outside pull (I/O callbacks): the stream is kept alive (a root
 * counted by the realm) until the source closes or errors or is canceled, and the realm's
 * teardown cancels it. Without this flag nothing is rooted and the handle may only be used
 * inside pull. */
#define ISL_RSOURCE_ASYNC 1

/* A new ReadableStream (a readable byte stream) whose source is ops/data. *out gets the
 * handle, valid until the source ends (close, error, cancel). high_water_mark is in bytes
 * (0: pull only when a read is waiting). ops must outlive the stream (a static table). */
JSObjectRef isl_rsource_new(JSContextRef ctx, const isl_rsource_ops_t *ops, void *data,
                            double high_water_mark, int flags, isl_rsource_t **out);
/* Enqueues a copy of n bytes (n == 0 only answers the pull). false once the stream is not
 * readable (canceled or errored): stop producing. */
bool isl_rsource_push(JSContextRef ctx, isl_rsource_t *s, const void *p, size_t n);
/* As isl_rsource_push, taking p (malloc'ed) instead of copying it; p is freed even on
 * failure. */
bool isl_rsource_push_owned(JSContextRef ctx, isl_rsource_t *s, void *p, size_t n);
/* Ends the stream after the bytes already pushed. The handle is dead afterwards. */
void isl_rsource_close(JSContextRef ctx, isl_rsource_t *s);
/* Errors the stream with e (NULL: a TypeError with message). The handle is dead. */
void isl_rsource_error(JSContextRef ctx, isl_rsource_t *s, JSValueRef e, const char *message);
/* The stream's desired size in bytes: ≤ 0 means back-pressure (pull will not be called). */
double isl_rsource_desired_size(isl_rsource_t *s);
/* Roots (hold true) or lets go of (false) the stream of an ISL_RSOURCE_ASYNC source that
 * is still active. While it is not held the stream may be collected (release is then
 * called from its finalizer), so the handle may be used only inside pull: a source that
 * waits for nothing but the next pull (its producer paused by back-pressure) lets go, so
 * a stream nobody reads any more does not stay until the realm is torn down. */
void isl_rsource_hold(JSContextRef ctx, isl_rsource_t *s, bool hold);

/* Gives an untouched stream's source back to C, for a consumer that can take the bytes
 * the source would serve another way (a C body that becomes a JS stream, forwarded
 * untouched to C again). If stream is a ReadableStream made by isl_rsource_new with ops,
 * still readable, unlocked, never read and with nothing queued, take(data, arg) is asked;
 * if it agrees (it takes what it needs from data), the stream is locked for good to a
 * reader nothing reads from and marked disturbed (as if C were reading it: it is used),
 * and the source ends: no more pulls or cancels, release is called. false, with nothing
 * changed, otherwise. */
bool isl_rsource_take(JSContextRef ctx, JSValueRef stream, const isl_rsource_ops_t *ops,
                      bool (*take)(void *data, void *arg), void *arg);

/* A stream of body's bytes (a reference is taken), served in slices of at most 64 KiB as
 * they are read. NULL body: an empty stream that is already closed. */
JSObjectRef isl_stream_from_body(JSContextRef ctx, isl_body_t *body);
/* As isl_stream_from_body, over body's bytes [off, off + len) (a Blob's window). */
JSObjectRef isl_stream_from_body_range(JSContextRef ctx, isl_body_t *body, size_t off, size_t len);

/* ---- Reading a JS ReadableStream from C ------------------------------------------------- */

typedef struct isl_rreader isl_rreader_t;

typedef enum {
  ISL_RREAD_CLOSED,  /* the stream ended normally */
  ISL_RREAD_ERRORED, /* the stream errored, or a chunk was not bytes (error is set) */
  ISL_RREAD_ABORTED, /* the realm is being torn down (ctx NULL, error NULL) */
} isl_rread_end_t;

typedef struct {
  /* A chunk: p/n are borrowed for the call. Return true to be given the next chunk, false
   * to pause until isl_rreader_resume (back-pressure: one read at a time, never more). */
  bool (*chunk)(JSContextRef ctx, isl_rreader_t *r, void *data, const uint8_t *p, size_t n);
  /* The end. The handle is dead once this returns. */
  void (*end)(JSContextRef ctx, isl_rreader_t *r, void *data, isl_rread_end_t how,
              JSValueRef error);
  /* Fetch's "fully read": at the end the stream stays locked to the reader (consuming a
   * body leaves `body.locked` true), instead of being released. */
  bool keep_locked;
} isl_rreader_ops_t;

/* Locks stream (a ReadableStream) to a new reader and starts reading. NULL with a TypeError
 * in *exc if it is not a ReadableStream or is locked. Chunks must be ArrayBuffers or
 * ArrayBufferViews; anything else errors the reading (the stream is canceled). The stream
 * is kept alive (a root) until the end. */
isl_rreader_t *isl_rreader_new(JSContextRef ctx, JSValueRef stream, const isl_rreader_ops_t *ops,
                               void *data, JSValueRef *exc);
/* Asks for the next chunk after a chunk callback returned false. */
void isl_rreader_resume(JSContextRef ctx, isl_rreader_t *r);
/* Cancels the stream with reason (NULL: undefined) and releases it. No more callbacks;
 * the handle is dead. */
void isl_rreader_cancel(JSContextRef ctx, isl_rreader_t *r, JSValueRef reason);

/* Reads the whole stream into memory and calls cb once: with the bytes (a new reference
 * the callback owns) and error NULL, or with body NULL and the error (a TypeError when
 * the stream holds more than limit bytes: the stream is then canceled). ctx NULL: the
 * realm is being torn down. */
typedef void (*isl_stream_collect_cb)(JSContextRef ctx, void *data, isl_body_t *body,
                                      JSValueRef error);
bool isl_stream_collect(JSContextRef ctx, JSValueRef stream, size_t limit, isl_stream_collect_cb cb,
                        void *data, JSValueRef *exc);

/* ---- Operations the Fetch Standard names ------------------------------------------------- */

bool isl_stream_is(JSContextRef ctx, JSValueRef v);
/* IsReadableStreamLocked / the stream's [[disturbed]] flag (false for a non-stream). */
bool isl_stream_locked(JSContextRef ctx, JSValueRef v);
bool isl_stream_disturbed(JSContextRef ctx, JSValueRef v);
/* ReadableStreamCancel: the promise of its completion (a TypeError rejection for a
 * non-stream). */
JSObjectRef isl_stream_cancel(JSContextRef ctx, JSValueRef stream, JSValueRef reason);
/* ReadableStreamTee: false with a TypeError if stream is locked or not a stream. */
bool isl_stream_tee(JSContextRef ctx, JSValueRef stream, JSObjectRef *branch1, JSObjectRef *branch2,
                    JSValueRef *exc);

/* ---- TransformStream for subclasses (workerd's IdentityTransformStream) ------------------ */

/* TransformStream's class, as a parent for subclasses: a subclass's def has it as parent
 * and its finalize. */
isl_class_def_t *isl_transform_stream_class(void);
/* new TransformStream(transformer) as an instance of def (a subclass), its prototype from
 * new_target (NULL: def's own). NULL with *exc set if it threw. */
JSObjectRef isl_transform_stream_new(JSContextRef ctx, isl_class_def_t *def,
                                     JSObjectRef new_target, JSValueRef transformer,
                                     JSValueRef *exc);
/* Its readable and writable sides (NULL if ts is not a TransformStream). */
JSObjectRef isl_transform_stream_readable(JSContextRef ctx, JSObjectRef ts);
JSObjectRef isl_transform_stream_writable(JSContextRef ctx, JSObjectRef ts);
/* TransformStreamDefaultController's enqueue(chunk), without going through JS. */
bool isl_transform_controller_enqueue(JSContextRef ctx, JSValueRef controller, JSValueRef chunk,
                                      JSValueRef *exc);

/* ---- TransformStreams whose algorithms are C (the Encoding and Compression standards'
 * "set up" a TransformStream with transformAlgorithm and flushAlgorithm) ---------------- */

typedef struct {
  /* A chunk was written. Enqueue output with isl_transform_controller_enqueue on
   * controller; return false with *exc set to error the stream with it. */
  bool (*transform)(JSContextRef ctx, void *data, JSValueRef chunk, JSObjectRef controller,
                    JSValueRef *exc);
  /* Optional. The writable side was closed: enqueue what is left; false with *exc set
   * errors the stream. */
  bool (*flush)(JSContextRef ctx, void *data, JSObjectRef controller, JSValueRef *exc);
  /* Optional. Called exactly once, after which data is not used again: when the stream
   * has finished (flushed, errored, canceled or aborted; never in the middle of a
   * transform or flush call) or was garbage-collected unfinished (then from a finalizer:
   * no JS). */
  void (*release)(void *data);
} isl_transform_ops_t;

/* A new TransformStream (an ordinary instance; the object itself is for C to keep, the
 * standards' classes expose only its two sides) running ops on data. ops must outlive
 * the stream (a static table). Nothing observable runs: no transformer object is read. */
JSObjectRef isl_transform_stream_new_c(JSContextRef ctx, const isl_transform_ops_t *ops,
                                       void *data);

/* GenericTransformStream, the mixin of TextEncoderStream, CompressionStream, …: self (a
 * freshly made wrapper) gets as its [[transform]] a new C TransformStream running ops on
 * data, kept in a private slot; the readable and writable getters return its sides (NULL
 * for an object that has none, which a brand check rules out first). */
void isl_generic_transform_init(JSContextRef ctx, JSObjectRef self, const isl_transform_ops_t *ops,
                                void *data);
JSObjectRef isl_generic_transform_readable(JSContextRef ctx, JSObjectRef self);
JSObjectRef isl_generic_transform_writable(JSContextRef ctx, JSObjectRef self);

#endif
