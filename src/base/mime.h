/* MIME types as the MIME Sniffing Standard defines them
 * (https://mimesniff.spec.whatwg.org/#understanding-mime-types): parsing a string into a
 * type, subtype and ordered parameters, and serialising one back; plus the Fetch
 * Standard's "extract a MIME type" from a Content-Type header value
 * (https://fetch.spec.whatwg.org/#concept-header-extract-mime-type). No JS, no I/O.
 *
 * Strings are UTF-8 and may hold NULs (lengths are explicit). The standard works on code
 * points; every delimiter it looks at is ASCII, so the parser scans bytes and decodes
 * only to check the one range that is not ASCII (U+0080 to U+00FF are allowed in
 * parameter values). Header values are bytes: isl_mime_extract takes them as they are
 * (each byte one code point, as "isomorphic decode" says) and its result is UTF-8 like
 * every other. */
#ifndef ISL_MIME_H
#define ISL_MIME_H

#include "base.h"

typedef struct {
  char *name;  /* ASCII lower-case HTTP token */
  char *value; /* UTF-8; may be empty (only from a quoted "") */
} isl_mime_param_t;

/* A parsed MIME type. Owns all its strings. Zero-initialised is empty. */
typedef struct {
  char *type;    /* ASCII lower-case */
  char *subtype; /* ASCII lower-case */
  isl_mime_param_t *params; /* in the order first seen; names are unique */
  size_t nparams;
} isl_mime_t;

/* "Parse a MIME type" from s[0..n). true on success (out filled, dispose it later);
 * false on failure (out left empty). */
bool isl_mime_parse(isl_mime_t *out, const char *s, size_t n);

/* "Serialize a MIME type": appends type/subtype and ;name=value for each parameter
 * (quoted and escaped when the value is not a token) to out. */
void isl_mime_serialize(isl_buf_t *out, const isl_mime_t *m);

/* True if the essence ("type/subtype") equals essence (lower-case). */
bool isl_mime_essence_is(const isl_mime_t *m, const char *essence);

/* The value of parameter name (lower-case), or NULL. Borrowed. */
const char *isl_mime_param(const isl_mime_t *m, const char *name);

/* Sets parameter name (lower-case token) to value: replaces its value if present, else
 * appends it. */
void isl_mime_set_param(isl_mime_t *m, const char *name, const char *value);

void isl_mime_dispose(isl_mime_t *m);

/* Fetch's "extract a MIME type" from the combined value of a header list's Content-Type
 * headers (their values joined with ", ", as "get" gives them): the value is split on
 * commas outside quoted strings, each piece parsed, and the last one that parses and is
 * not the wildcard essence (star slash star) wins, keeping an earlier charset when the
 * essence is the same and the last one has none. value holds bytes (Latin-1). false:
 * failure (no valid MIME type). */
bool isl_mime_extract(isl_mime_t *out, const char *value, size_t n);

#endif
