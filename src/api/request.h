/* What response.c shares with request.c. */
#ifndef ISL_API_REQUEST_H
#define ISL_API_REQUEST_H

#include <stddef.h>
#include <stdbool.h>

/* A stand-in for the WHATWG URL parser (a later issue replaces it): accepts only absolute
 * URLs, "scheme:rest" with an RFC 3986 scheme, and for http(s) requires "//host".
 * Returns the serialised URL (malloc'ed: scheme and host lower-cased, "/" as the path
 * when http(s) has none, the default port dropped) or NULL if the input is not accepted.
 * *credentials (optional) tells whether the authority had a user:password@ part. */
char *isl_fetch_url_parse(const char *s, size_t n, bool *credentials);

#endif
