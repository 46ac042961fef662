/* The Fetch Standard's Body mixin (https://fetch.spec.whatwg.org/#body-mixin), shared by
 * Request (request.c) and Response (response.c).
 *
 * A body starts as an isl_body_t (src/base/message.h): complete bytes (a string, a
 * BufferSource, a Blob, a form) or a C stream (a body arriving from another worker, later
 * from the network). It stays that way as long as nobody reads `.body`, so a handler that
 * returns new Response("…") or forwards a request untouched creates no JS stream at all.
 * The `body` getter makes the ReadableStream once ([SameObject]) over those bytes or that
 * C stream; a ReadableStream given as BodyInit is the body's stream from the start. From
 * then on the stream is the body: bodyUsed is its [[disturbed]] flag, text()/json()/…
 * read it to the end (at most ISL_BODY_READ_LIMIT bytes), clone() tees it, and handing
 * the body to C (a response being sent, a request being forwarded) reads it chunk by
 * chunk as a streaming isl_body_t (body_stream.c).
 *
 * Without a stream, reading or handing on the body "disturbs" it: bodyUsed becomes true
 * and the bytes are released. A null body (none at all) reads as empty and is never
 * disturbed.
 *
 * The stream is a JS value: the bodystate keeps a pointer to it, and the Request or
 * Response wrapper keeps it alive in a private slot (ISL_BODY_SLOT), so every function
 * that may make or replace the stream takes the wrapper. */
#ifndef ISL_API_BODY_H
#define ISL_API_BODY_H

#include "../base/message.h"
#include "../jsc/jsc.h"

/* text()/json()/arrayBuffer()/… on a stream body hold at most this much: more is a
 * TypeError rather than unbounded memory (workerd's isolates have 128 MB in all). */
#define ISL_BODY_READ_LIMIT ((size_t)128 << 20)

/* The private slot of a Request or Response that holds its body's stream. */
#define ISL_BODY_SLOT "body.stream"
/* The private slot of a ReadableStream known to carry exactly that many bytes (a number):
 * see isl_body_stream_set_length. */
#define ISL_BODY_LENGTH_SLOT "body.length"

typedef struct {
  isl_body_t *bytes;  /* a reference (bytes or a C stream); NULL for a null body, once
                         taken, or once the body has its JS stream */
  JSObjectRef stream; /* the body's ReadableStream, or NULL (kept alive by ISL_BODY_SLOT) */
  bool present;       /* the body is non-null */
  bool used;          /* taken or read before it had a stream */
} isl_bodystate_t;

typedef enum {
  ISL_READ_TEXT,
  ISL_READ_JSON,
  ISL_READ_ARRAYBUFFER,
  ISL_READ_BYTES,
  ISL_READ_BLOB,
  ISL_READ_FORMDATA,
} isl_read_kind_t;

/* Fetch's "extract a body" from a BodyInit value: a ReadableStream (*stream gets it; it
 * must be neither locked nor disturbed, else a TypeError), a string, BufferSource, Blob
 * (its bytes shared, not copied, when it covers its whole store), FormData
 * (multipart/form-data with a fresh boundary) or URLSearchParams; any other value converts
 * to a string. *out gets a new reference, or NULL for null/undefined and for a stream;
 * *content_type the header value (bytes) or NULL: a static string for strings and
 * URLSearchParams (no allocation on the path every `new Response("…")` takes), else
 * (Blob, FormData) a malloc'ed one, also put in *ct_owned for the caller to free (NULL
 * otherwise). false with *exc set if a conversion (ToString) threw. */
bool isl_body_extract(JSContextRef ctx, JSValueRef init, isl_body_t **out, JSObjectRef *stream,
                      const char **content_type, char **ct_owned, JSValueRef *exc);

/* Sets s to hold body (taking the reference; NULL means a null body). */
void isl_bodystate_init(isl_bodystate_t *s, isl_body_t *body);
/* Sets s's body to stream (a ReadableStream), kept in owner's slot. */
void isl_bodystate_set_stream(JSContextRef ctx, isl_bodystate_t *s, JSObjectRef owner,
                              JSObjectRef stream);
void isl_bodystate_dispose(isl_bodystate_t *s);
/* Fetch's "unusable" (and bodyUsed): the body is non-null and disturbed. */
bool isl_bodystate_unusable(JSContextRef ctx, const isl_bodystate_t *s);
/* Whether the body is non-null and its stream locked (then it cannot be read either). */
bool isl_bodystate_locked(JSContextRef ctx, const isl_bodystate_t *s);
/* Moves src's body to dst (new Request(request)): bytes are handed over, a stream becomes
 * dst's stream (src is disturbed from then on). The caller checks src is usable. */
void isl_bodystate_move(JSContextRef ctx, isl_bodystate_t *dst, JSObjectRef dst_owner,
                        isl_bodystate_t *src);
/* Fetch's "clone a body" into dst (empty), whose wrapper is dst_owner: bytes are shared; a
 * stream is teed (this body keeps one branch, dst gets the other). false with a TypeError
 * if the stream is locked. */
bool isl_bodystate_clone(JSContextRef ctx, isl_bodystate_t *s, JSObjectRef owner,
                         isl_bodystate_t *dst, JSObjectRef dst_owner, JSValueRef *exc);
/* Hands the body to C (a response being sent, a request being forwarded): *out gets the
 * bytes or C stream as they are, or a streaming body reading the JS stream (which is
 * locked from now on); NULL for a null body. The body is disturbed. false with a
 * TypeError if it was used or its stream is locked. */
bool isl_bodystate_to_c(JSContextRef ctx, isl_bodystate_t *s, isl_body_t **out, JSValueRef *exc);

/* Fetch's "consume body": a promise for the body read as kind. Never throws: errors
 * (a disturbed or locked body, invalid JSON, a form that cannot be parsed, a stream that
 * errors or is larger than ISL_BODY_READ_LIMIT) reject the promise. headers are the
 * Request's or Response's: blob() takes its type from their Content-Type, formData() its
 * format. owner is the Request or Response. */
JSValueRef isl_body_consume(JSContextRef ctx, isl_bodystate_t *s, JSObjectRef owner,
                            const isl_headers_t *headers, isl_read_kind_t kind);
/* The `body` attribute: null for a null body, else the body's ReadableStream, made on
 * first use. */
JSValueRef isl_body_get_stream(JSContextRef ctx, isl_bodystate_t *s, JSObjectRef owner,
                               JSValueRef *exc);

/* ---- Bodies between JS streams and C streams (body_stream.c) ---------------------------- */

/* A ReadableStream (a byte stream) for body: over complete bytes (served in slices,
 * never copied whole), or reading a C stream as the JS side reads. Takes no reference
 * from the caller (the stream holds its own). */
JSObjectRef isl_body_js_stream(JSContextRef ctx, isl_body_t *body);
/* A streaming isl_body_t (a new reference) reading the ReadableStream stream chunk by
 * chunk, with back-pressure: chunks are read only as the C reader takes them. The stream is
 * locked now. NULL with a TypeError if it is not a ReadableStream or is locked. */
isl_body_t *isl_body_from_js_stream(JSContextRef ctx, JSValueRef stream, JSValueRef *exc);
/* Marks stream as carrying exactly length bytes (a FixedLengthStream's readable side, a
 * stream over known bytes), so a body made from it declares its length (Content-Length). */
void isl_body_stream_set_length(JSContextRef ctx, JSObjectRef stream, int64_t length);

/* The body methods of a class whose native state has an isl_bodystate_t member `field`
 * and an isl_hdrs_t * member `hfield`: defines static js_<prefix>_text/json/arrayBuffer/
 * bytes/blob/formData. A failed brand check rejects the promise, as Web IDL does for
 * promise-returning operations. */
#define ISL_BODY_READER(prefix, method, kind, classdef, type, field, hfield)                \
  static JSValueRef js_##prefix##_##method(JSContextRef ctx, JSObjectRef fn,                \
                                           JSObjectRef this_obj, size_t argc,               \
                                           const JSValueRef argv[], JSValueRef *exc) {      \
    (void)fn, (void)argc, (void)argv, (void)exc;                                            \
    JSValueRef err = NULL;                                                                  \
    type *self = isl_unwrap(ctx, this_obj, (classdef), &err);                               \
    if (!self) return isl_promise_rejected(ctx, err);                                       \
    return isl_body_consume(ctx, &self->field, this_obj, &self->hfield->list, (kind));    \
  }
#define ISL_BODY_READERS(prefix, classdef, type, field, hfield)                             \
  ISL_BODY_READER(prefix, text, ISL_READ_TEXT, classdef, type, field, hfield)               \
  ISL_BODY_READER(prefix, json, ISL_READ_JSON, classdef, type, field, hfield)               \
  ISL_BODY_READER(prefix, arrayBuffer, ISL_READ_ARRAYBUFFER, classdef, type, field, hfield) \
  ISL_BODY_READER(prefix, bytes, ISL_READ_BYTES, classdef, type, field, hfield)             \
  ISL_BODY_READER(prefix, blob, ISL_READ_BLOB, classdef, type, field, hfield)               \
  ISL_BODY_READER(prefix, formData, ISL_READ_FORMDATA, classdef, type, field, hfield)
#define ISL_BODY_METHODS(prefix)                                                            \
  {"arrayBuffer", js_##prefix##_arrayBuffer, 0}, {"blob", js_##prefix##_blob, 0},           \
      {"bytes", js_##prefix##_bytes, 0}, {"formData", js_##prefix##_formData, 0},           \
      {"json", js_##prefix##_json, 0}, {"text", js_##prefix##_text, 0}

#endif
