/* The File API's Blob and File (https://w3c.github.io/FileAPI/): what blob.c and file.c
 * share with each other and with FormData (formdata.c) and the Body mixin (body.c).
 *
 * A Blob's bytes never change, so they are shared rather than copied: a Blob is a window
 * (offset, length) on a reference-counted isl_body_t (src/base/message.h), the same type
 * request and response bodies use. slice() makes a new window on the same store; a Blob
 * used as a body hands its store over as is when it covers all of it; blob() on a
 * Response keeps the body's bytes without copying.
 *
 * The native state (isl_blob_t) is itself reference counted: the JS wrapper holds one
 * reference and a FormData entry another, so a form can be encoded from C without JS.
 * A File is a Blob with a name and a last-modified time (is_file set); the same struct
 * serves both, because Blob's methods unwrap a File too. */
#ifndef ISL_API_BLOB_H
#define ISL_API_BLOB_H

#include "../base/message.h"
#include "../jsc/jsc.h"

typedef struct {
  int refs;
  isl_body_t *store; /* a reference; NULL when empty */
  size_t off, len;   /* the window on store */
  char *type;        /* UTF-8, never NULL (may be "") */
  /* File only. */
  bool is_file;
  char *name;           /* UTF-8, may hold NULs */
  size_t name_len;
  double last_modified; /* ms since the epoch */
} isl_blob_t;

extern isl_class_def_t isl_blob_class;
extern isl_class_def_t isl_file_class;

/* A new Blob on store[off, off+len) (store's reference is taken; NULL for empty) with a
 * copy of type. One reference held by the caller. */
isl_blob_t *isl_blob_new(isl_body_t *store, size_t off, size_t len, const char *type);
/* A new File with the same bytes and type as b, named name[0..name_len). */
isl_blob_t *isl_file_new_from(const isl_blob_t *b, const char *name, size_t name_len,
                              double last_modified);
isl_blob_t *isl_blob_ref(isl_blob_t *b);
void isl_blob_unref(isl_blob_t *b);

/* The first byte of b's window (valid for b->len bytes; never NULL). */
const char *isl_blob_bytes(const isl_blob_t *b);
/* b's bytes as a body: the store itself (a new reference) when b covers all of it, else
 * a copy of the window. NULL for an empty Blob is never returned: an empty body is. */
isl_body_t *isl_blob_body(const isl_blob_t *b);

/* A JS Blob, or File when b->is_file, for b (takes the caller's reference). */
JSObjectRef isl_blob_wrap(JSContextRef ctx, isl_blob_t *b);
/* The native state if v is a Blob or File, else NULL. Borrowed. */
isl_blob_t *isl_blob_priv(JSContextRef ctx, JSValueRef v);

/* Milliseconds since the epoch, now (File's default lastModified). */
double isl_blob_now_ms(void);

/* Reading a constructor's blob parts, shared by Blob and File: Web IDL converts the
 * sequence first (ToString on its strings while iterating), then the options dictionary,
 * and only then are the parts processed (so buffer bytes are read last, as the spec's
 * "process blob parts" does). */
typedef struct isl_blob_parts isl_blob_parts_t;
/* Converts v (undefined: no parts) into a list; NULL with *exc set on a TypeError or
 * whatever the iteration or a ToString threw. iface names the class for messages. */
isl_blob_parts_t *isl_blob_parts_read(JSContextRef ctx, JSValueRef v, const char *iface,
                                      JSValueRef *exc);
/* Concatenates the parts into a new store (NULL if empty), converting the line endings
 * of string parts to LF when native is set, and frees the list. *len gets the size. */
isl_body_t *isl_blob_parts_take(JSContextRef ctx, isl_blob_parts_t *parts, bool native,
                                size_t *len);
void isl_blob_parts_free(JSContextRef ctx, isl_blob_parts_t *parts);

/* BlobPropertyBag's members, shared with File's FilePropertyBag: reads "endings" (a
 * RequestEndings enum) and "type" from an options dictionary o (already checked to be an
 * object, or NULL), in that order. *type is normalised (lower-cased; "" if it has a code
 * point outside U+0020 to U+007E) and malloc'ed. File reads lastModified between them
 * (members are read in lexicographic order), through its own code. */
bool isl_blob_read_endings(JSContextRef ctx, JSObjectRef o, bool *native, JSValueRef *exc);
bool isl_blob_read_type(JSContextRef ctx, JSObjectRef o, char **type, JSValueRef *exc);
/* The options argument as a dictionary: NULL for undefined/null, the object, or a
 * TypeError for anything else (returns false). */
bool isl_blob_options(JSContextRef ctx, JSValueRef v, const char *iface, JSObjectRef *o,
                      JSValueRef *exc);

#endif
