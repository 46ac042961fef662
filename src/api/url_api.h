/* The URL and URLSearchParams classes (src/api/url.c, src/api/urlsearchparams.c): what
 * other API files use, and what the two share.
 *
 * A URL object's native state is its URL record and, once searchParams was read, a
 * reference to its URLSearchParams list (isl_usp_t). The list points back to the record
 * weakly: the URL's finalizer clears that pointer, so a URLSearchParams that outlives
 * its URL simply stops updating anything. The URL wrapper keeps the URLSearchParams
 * wrapper in a private slot ([SameObject]). */
#ifndef ISL_API_URL_API_H
#define ISL_API_URL_API_H

#include "../jsc/jsc.h"
#include "../url/url.h"
#include "../url/urlencoded.h"

/* For Request/Response: parse a URL string against an optional base (NULL: none) with
 * the WHATWG parser. Returns the href (malloc'ed) or NULL on failure; *credentials
 * (optional) is set when the URL has a username or password. Same as isl_url_parse_href. */
static inline char *isl_url_href_of(const char *s, size_t n, const char *base, size_t base_n,
                                    bool *credentials) {
  return isl_url_parse_href(s, n, base, base_n, credentials);
}

/* The application/x-www-form-urlencoded serialization of v's list, appended to out, if v
 * is a URLSearchParams; false (out untouched) otherwise. For URLSearchParams bodies. */
bool isl_urlsearchparams_serialize(JSContextRef ctx, JSValueRef v, isl_buf_t *out);

/* ---- Shared between url.c and urlsearchparams.c ------------------------------------------ */

typedef struct {
  int refs;
  isl_form_list_t list;
  isl_url_t *url; /* the URL object's record, or NULL (weak: see above) */
} isl_usp_t;

isl_usp_t *isl_usp_new(void);
isl_usp_t *isl_usp_ref(isl_usp_t *u);
void isl_usp_unref(isl_usp_t *u);
/* Replaces the list with the parse of a query (NULL: the empty list). */
void isl_usp_set_query(isl_usp_t *u, const char *query, size_t n);
/* A new URLSearchParams wrapper holding a reference to u. */
JSObjectRef isl_usp_wrap(JSContextRef ctx, isl_usp_t *u);

#endif
