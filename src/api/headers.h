/* The Fetch Standard's Headers class (src/api/headers.c) and the C helpers Request and
 * Response use to share a header list with it.
 *
 * isl_hdrs_t is the native state of a JS Headers object: a guard and a header list. It is
 * reference counted because a Request or Response holds its header list from construction
 * on, while the JS Headers object that exposes it is only made when `.headers` is first
 * read (most responses never have it read, and that saves a wrapper per request). Both
 * hold a reference; the list is freed when the last one goes. Single-threaded, like the
 * realm it belongs to.
 *
 * The list keeps names lower-cased (they are compared case-insensitively and always
 * output lower-cased, so storing them that way costs nothing observable) and values
 * normalised and validated. Values are byte strings: each char is one byte, shown to JS
 * as Latin-1 (Web IDL's ByteString). */
#ifndef ISL_API_HEADERS_H
#define ISL_API_HEADERS_H

#include "../base/message.h"
#include "../jsc/jsc.h"

/* A Headers object's guard (Fetch §5.1). */
typedef enum {
  ISL_GUARD_NONE,
  ISL_GUARD_REQUEST,
  ISL_GUARD_REQUEST_NO_CORS,
  ISL_GUARD_RESPONSE,
  ISL_GUARD_IMMUTABLE,
} isl_guard_t;

typedef struct {
  int refs;
  isl_guard_t guard;
  isl_headers_t list;
  /* Bumped on each change: iterators recompute the sorted-and-combined view from the
   * live list, and this lets them reuse it while nothing changed. */
  unsigned version;
  isl_headers_t sorted;
  unsigned sorted_version;
  bool sorted_valid;
} isl_hdrs_t;

extern isl_class_def_t isl_headers_class;

/* A new empty list with the given guard, one reference held by the caller. */
isl_hdrs_t *isl_hdrs_new(isl_guard_t guard);
isl_hdrs_t *isl_hdrs_ref(isl_hdrs_t *h);
void isl_hdrs_unref(isl_hdrs_t *h);
/* A new list holding a copy of src's entries, with the given guard. */
isl_hdrs_t *isl_hdrs_clone(const isl_hdrs_t *src, isl_guard_t guard);

/* Fetch's "append": validates name and value (value normalised first), honours the guard.
 * false with a TypeError in *exc when invalid or immutable. */
bool isl_hdrs_append(JSContextRef ctx, isl_hdrs_t *h, const char *name, size_t nlen,
                     const char *value, size_t vlen, JSValueRef *exc);
/* Appends without validation, for values islet itself produced (e.g. Content-Type). The
 * name must already be lower-case. Ignores the guard. */
void isl_hdrs_add_trusted(isl_hdrs_t *h, const char *name, const char *value);
/* True if the list contains name (lower-case). */
bool isl_hdrs_has(const isl_hdrs_t *h, const char *lower_name);
/* Fetch's "fill" from a HeadersInit value (a Headers, a sequence of pairs or a record).
 * false with *exc set on a conversion or validation error. */
bool isl_hdrs_fill(JSContextRef ctx, isl_hdrs_t *h, JSValueRef init, JSValueRef *exc);

/* A JS Headers object exposing h (takes a new reference on h). */
JSObjectRef isl_headers_wrap(JSContextRef ctx, isl_hdrs_t *h);
/* The native state of a JS Headers object, or NULL if v is not one. Borrowed. */
isl_hdrs_t *isl_headers_priv(JSContextRef ctx, JSValueRef v);

/* The Headers object of a Request or Response wrapper, made on first use and then kept
 * in the wrapper's private slot "headers" so each read returns the same object. */
JSObjectRef isl_headers_of(JSContextRef ctx, JSObjectRef owner, isl_hdrs_t *h);

#endif
