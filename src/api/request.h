/* What response.c shares with request.c. */
#ifndef ISL_API_REQUEST_H
#define ISL_API_REQUEST_H

#include <stddef.h>
#include <stdbool.h>

/* Fetch's URL parsing for Request and Response.redirect: the WHATWG URL parser with no
 * base (a worker has no document), so relative URLs fail. Returns the href (malloc'ed)
 * or NULL. *credentials (optional) tells whether the URL has a username or password. */
char *isl_fetch_url_parse(const char *s, size_t n, bool *credentials);

#endif
