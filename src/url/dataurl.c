/* Fetch's data: URL processor (see dataurl.h), step by step as the standard numbers it. */
#include "dataurl.h"

#include <string.h>
#include <strings.h>

#include "../base/base64.h"
#include "../base/mime.h"
#include "percent.h"

static bool is_ascii_ws(char c) {
  return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

/* Step 11's test: mimeType ends with ';', zero or more spaces, then "base64" in any case.
 * Returns the length mimeType keeps once that is removed (the ';' included), or -1. */
static long base64_suffix(const char *m, size_t n) {
  if (n < 7 || strncasecmp(m + n - 6, "base64", 6) != 0) return -1;
  size_t i = n - 6;
  while (i > 0 && m[i - 1] == ' ') i--;
  if (i == 0 || m[i - 1] != ';') return -1;
  return (long)(i - 1);
}

bool isl_data_url_process(const char *href, size_t n, isl_buf_t *mime, isl_buf_t *body) {
  /* 2-3. The URL without its fragment, without the leading "data:". */
  const char *hash = memchr(href, '#', n);
  if (hash) n = (size_t)(hash - href);
  if (n < 5 || strncasecmp(href, "data:", 5) != 0) return false;
  const char *in = href + 5;
  n -= 5;
  /* 4-6. mimeType: everything up to the first ',', ASCII whitespace stripped. */
  const char *comma = memchr(in, ',', n);
  /* 7. No comma: failure. */
  if (!comma) return false;
  const char *m = in;
  size_t mlen = (size_t)(comma - in);
  while (mlen && is_ascii_ws(*m)) m++, mlen--;
  while (mlen && is_ascii_ws(m[mlen - 1])) mlen--;
  /* 8-10. The body is the percent-decoding of the rest. */
  const char *enc = comma + 1;
  isl_buf_t bytes = {0};
  isl_pct_decode(&bytes, enc, n - (size_t)(enc - in));
  /* 11. ";base64": forgiving-base64 decode the body (bytes outside ASCII fail it, as their
   * isomorphic decoding would), then drop the suffix and the ';' from mimeType. */
  long keep = base64_suffix(m, mlen);
  if (keep >= 0) {
    isl_buf_t decoded = {0};
    bool ok = isl_base64_decode(&decoded, bytes.p ? bytes.p : "", bytes.len);
    isl_buf_free(&bytes);
    if (!ok) {
      isl_buf_free(&decoded);
      return false;
    }
    bytes = decoded;
    mlen = (size_t)keep;
  }
  /* 12. A type that starts with ';' is text/plain with those parameters. */
  isl_buf_t type = {0};
  if (mlen && m[0] == ';') isl_buf_puts(&type, "text/plain");
  isl_buf_append(&type, m, mlen);
  /* 13-14. Parse it; failure means text/plain;charset=US-ASCII. */
  isl_mime_t rec = {0};
  if (isl_mime_parse(&rec, type.p ? type.p : "", type.len)) {
    isl_mime_serialize(mime, &rec);
    isl_mime_dispose(&rec);
  } else {
    isl_buf_puts(mime, "text/plain;charset=US-ASCII");
  }
  isl_buf_free(&type);
  isl_buf_append(body, bytes.p ? bytes.p : "", bytes.len);
  isl_buf_free(&bytes);
  return true;
}
