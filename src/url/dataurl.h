/* The Fetch Standard's data: URL processor
 * (https://fetch.spec.whatwg.org/#data-url-processor): a data: URL's MIME type and body
 * bytes, so fetch() answers data: URLs without any network. No JavaScript, no I/O. */
#ifndef ISL_URL_DATAURL_H
#define ISL_URL_DATAURL_H

#include "../base/base.h"

/* Processes href (a serialized URL whose scheme is data, e.g. the href the URL parser
 * gives). On success appends the serialized MIME type to mime and the body bytes to body
 * and returns true; on failure (no comma, invalid base64) returns false, leaving both as
 * they were. */
bool isl_data_url_process(const char *href, size_t n, isl_buf_t *mime, isl_buf_t *body);

#endif
