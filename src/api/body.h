/* The Fetch Standard's Body mixin (https://fetch.spec.whatwg.org/#body-mixin), shared by
 * Request (request.c) and Response (response.c).
 *
 * A body is complete bytes in a reference-counted isl_body_t (src/base/message.h), so a
 * body moves between JS and C, or from a Request to its clone, without copying. Reading a
 * body (text(), json(), …) or handing it on (to C, or to a new Request made from this one)
 * "disturbs" it: bodyUsed becomes true and the bytes are released. A null body (none at
 * all) reads as empty and is never disturbed.
 *
 * Streams do not exist yet: the `body` getter throws for a non-null body. When
 * ReadableStream lands, it becomes a stream over the same bytes. */
#ifndef ISL_API_BODY_H
#define ISL_API_BODY_H

#include "../base/message.h"
#include "../jsc/jsc.h"

typedef struct {
  isl_body_t *bytes; /* a reference; NULL for a null body and once disturbed */
  bool present;      /* the body is non-null */
  bool used;         /* the body was disturbed */
} isl_bodystate_t;

typedef enum {
  ISL_READ_TEXT,
  ISL_READ_JSON,
  ISL_READ_ARRAYBUFFER,
  ISL_READ_BYTES,
  ISL_READ_BLOB,
  ISL_READ_FORMDATA,
} isl_read_kind_t;

/* Fetch's "extract a body" from a BodyInit value: a string, BufferSource, Blob (its bytes
 * shared, not copied, when it covers its whole store), FormData (multipart/form-data with
 * a fresh boundary) or URLSearchParams; any other value converts to a string. *out gets
 * a new reference, or NULL for null/undefined; *content_type a malloc'ed header value
 * (bytes) or NULL. false with *exc set if a conversion (ToString) threw. */
bool isl_body_extract(JSContextRef ctx, JSValueRef init, isl_body_t **out,
                      char **content_type, JSValueRef *exc);

/* Sets s to hold body (taking the reference; NULL means a null body). */
void isl_bodystate_init(isl_bodystate_t *s, isl_body_t *body);
void isl_bodystate_dispose(isl_bodystate_t *s);
/* Fetch's "unusable": the body is non-null and disturbed. */
bool isl_bodystate_unusable(const isl_bodystate_t *s);
/* Takes the bytes out (the caller owns the reference; NULL for a null body) and marks a
 * non-null body disturbed. The caller checks isl_bodystate_unusable first. */
isl_body_t *isl_bodystate_take(isl_bodystate_t *s);

/* Fetch's "consume body": a promise for the body read as kind. Never throws: errors
 * (a disturbed body, invalid JSON, a form that cannot be parsed) reject the promise.
 * headers are the Request's or Response's: blob() takes its type from their
 * Content-Type, formData() its format. */
JSValueRef isl_body_consume(JSContextRef ctx, isl_bodystate_t *s, const isl_headers_t *headers,
                            isl_read_kind_t kind);
/* The `body` attribute: null for a null body; otherwise throws until streams exist. */
JSValueRef isl_body_get_stream(JSContextRef ctx, isl_bodystate_t *s, JSValueRef *exc);

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
    return isl_body_consume(ctx, &self->field, &self->hfield->list, (kind));                \
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
