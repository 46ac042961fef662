/* Percent-encoding and the UTF-8 helpers the URL code shares (URL Standard §1.3,
 * https://url.spec.whatwg.org/#percent-encoded-bytes). No JavaScript, no I/O.
 *
 * Strings are UTF-8. Encoding works byte by byte on the UTF-8 form: every percent-encode
 * set contains all non-ASCII code points, so each byte of a multi-byte sequence is encoded,
 * which is exactly "UTF-8 percent-encode". */
#ifndef ISL_URL_PERCENT_H
#define ISL_URL_PERCENT_H

#include "../base/base.h"

/* The percent-encode sets, each a superset of the one before it except where noted. */
typedef enum {
  ISL_PCT_C0,            /* C0 controls and everything above U+007E */
  ISL_PCT_FRAGMENT,      /* C0 + space " < > ` */
  ISL_PCT_QUERY,         /* C0 + space " # < > (not a superset of FRAGMENT) */
  ISL_PCT_SPECIAL_QUERY, /* QUERY + ' */
  ISL_PCT_PATH,          /* QUERY + ? ^ ` { } */
  ISL_PCT_USERINFO,      /* PATH + / : ; = @ [ \ ] | */
  ISL_PCT_COMPONENT,     /* USERINFO + $ % & + , */
  ISL_PCT_FORM,          /* COMPONENT + ! ' ( ) ~ (application/x-www-form-urlencoded) */
} isl_pct_set_t;

/* True if the ASCII byte c (or any byte >= 0x80) is in set. */
bool isl_pct_in_set(unsigned char c, isl_pct_set_t set);

/* Appends s[0..n) to out with every byte in set percent-encoded ("%XX", upper hex). With
 * space_as_plus, a space becomes "+" (the form serializer). */
void isl_pct_encode(isl_buf_t *out, const char *s, size_t n, isl_pct_set_t set,
                    bool space_as_plus);

/* Appends the percent-decoding of s[0..n) (bytes; "%" not followed by two hex digits stays). */
void isl_pct_decode(isl_buf_t *out, const char *s, size_t n);

/* Decodes the code point at s[*i] (s has n bytes) and advances *i. Invalid UTF-8 gives
 * U+FFFD for each maximal invalid subpart, as the Encoding Standard's decoder does. */
uint32_t isl_utf8_next(const char *s, size_t n, size_t *i);

/* Writes the UTF-8 form of code point cp (a scalar value) to b; returns its length. */
size_t isl_utf8_encode(uint32_t cp, char b[4]);
/* Appends the UTF-8 form of code point cp. */
void isl_utf8_put(isl_buf_t *out, uint32_t cp);

/* Appends s[0..n) with invalid UTF-8 replaced by U+FFFD ("UTF-8 decode without BOM"). */
void isl_utf8_sanitize(isl_buf_t *out, const char *s, size_t n);

static inline bool isl_is_hex(unsigned char c) {
  return (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'f');
}

static inline int isl_hex_value(unsigned char c) {
  return c <= '9' ? c - '0' : (c | 32) - 'a' + 10;
}

#endif
