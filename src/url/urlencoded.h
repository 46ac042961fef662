/* The application/x-www-form-urlencoded format (URL Standard §5,
 * https://url.spec.whatwg.org/#application/x-www-form-urlencoded): bytes ↔ a list of
 * name/value pairs. No JavaScript, no I/O. Used by URLSearchParams and by
 * Request/Response.formData().
 *
 * Names and values are UTF-8 with an explicit length (U+0000 is allowed in them); each is
 * also NUL-terminated for convenience. The parser's strings are always valid UTF-8. */
#ifndef ISL_URL_URLENCODED_H
#define ISL_URL_URLENCODED_H

#include "../base/base.h"

typedef struct {
  char *name, *value; /* owned, NUL-terminated */
  size_t name_len, value_len;
} isl_form_pair_t;

typedef struct {
  isl_form_pair_t *v;
  size_t n, cap;
} isl_form_list_t;

/* Appends a copy of (name, value) to l. */
void isl_form_list_add(isl_form_list_t *l, const char *name, size_t name_len,
                       const char *value, size_t value_len);
/* Removes the pair at index i, keeping the order of the others. */
void isl_form_list_remove(isl_form_list_t *l, size_t i);
/* Frees every pair; l is empty and reusable afterwards. */
void isl_form_list_clear(isl_form_list_t *l);
void isl_form_list_dispose(isl_form_list_t *l);

/* The urlencoded parser: appends the pairs of input[0..n) to out. Split on '&', empty
 * pieces skipped, the first '=' separates name from value, '+' is a space, then each is
 * percent-decoded and UTF-8 decoded (invalid bytes become U+FFFD). */
void isl_urlencoded_parse(const char *input, size_t n, isl_form_list_t *out);

/* The urlencoded serializer (UTF-8): appends "name=value&..." to out, each name and value
 * percent-encoded with the form set and spaces as '+'. */
void isl_urlencoded_serialize(const isl_form_list_t *l, isl_buf_t *out);

/* Appends one string encoded as the serializer encodes a name or value. */
void isl_urlencoded_encode(isl_buf_t *out, const char *s, size_t n);

#endif
