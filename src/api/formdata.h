/* XHR's FormData (https://xhr.spec.whatwg.org/#interface-formdata): what the Body mixin
 * (body.c) needs to encode one as a request or response body and to make one from
 * formData().
 *
 * The entry list lives in C: names and string values as UTF-8 (scalar value strings, so
 * always valid UTF-8; lengths kept, since U+0000 is allowed), file values as a reference
 * on the File's native state, so encoding a form never calls into JS. The JS File object
 * of each file entry is kept on the FormData wrapper too (get() returns the same object
 * every time), under the entry's file_id. */
#ifndef ISL_API_FORMDATA_H
#define ISL_API_FORMDATA_H

#include "../jsc/jsc.h"
#include "blob.h"

typedef struct {
  char *name;
  size_t name_len;
  char *value; /* a string value; NULL for a file */
  size_t value_len;
  isl_blob_t *file; /* a File (reference) or NULL */
  unsigned file_id; /* where the JS File is kept on the wrapper (files only) */
} isl_fd_entry_t;

typedef struct {
  isl_fd_entry_t *v;
  size_t n, cap;
  unsigned next_id;
} isl_formdata_t;

isl_formdata_t *isl_formdata_new(void);
void isl_formdata_free(isl_formdata_t *fd);
/* Appends an entry; the strings are copied and must be valid UTF-8. */
void isl_formdata_append_string(isl_formdata_t *fd, const char *name, size_t name_len,
                                const char *value, size_t value_len);
/* Appends a file entry; takes the reference on file (a File: is_file set). */
void isl_formdata_append_file(isl_formdata_t *fd, const char *name, size_t name_len,
                              isl_blob_t *file);

/* A JS FormData for fd (taking ownership), with a JS File made for each file entry. */
JSObjectRef isl_formdata_wrap(JSContextRef ctx, isl_formdata_t *fd);
/* The native state if v is a FormData, else NULL. Borrowed. */
isl_formdata_t *isl_formdata_priv(JSContextRef ctx, JSValueRef v);

#endif
