/* Base64 as the HTML and Infra standards define it: plain encoding (RFC 4648 alphabet,
 * padded) and the forgiving-base64 decode that atob() and data: URLs use. No JS here. */
#ifndef ISL_BASE64_H
#define ISL_BASE64_H

#include "base.h"

/* Appends the padded base64 form of p[0..n) to out. */
void isl_base64_encode(isl_buf_t *out, const uint8_t *p, size_t n);

/* Infra's forgiving-base64 decode of s[0..n): ASCII whitespace is ignored, padding is
 * optional, anything else outside the alphabet fails. On success appends the bytes to out
 * and returns true; on failure returns false and out keeps its previous length. */
bool isl_base64_decode(isl_buf_t *out, const char *s, size_t n);

#endif
