/* The request-head pre-scanner (see internal.h for why it exists). It only classifies line
 * structure and sizes; llhttp still parses and validates tokens. */
#include "internal.h"

enum {
  SCAN_PRE,   /* before the request line: empty lines are skipped (RFC 9112 §2.2) */
  SCAN_LINE,  /* in the request line */
  SCAN_BOL,   /* at the start of a header line, or of the empty line ending the head */
  SCAN_FIELD, /* in a header line */
  SCAN_EOH,   /* saw the CR of the empty line */
  SCAN_DONE,
};

void isl_http_scan_init(isl_http_scan_t *s) {
  s->state = SCAN_PRE;
  s->prev = 0;
  s->line_bytes = s->header_bytes = s->header_lines = 0;
}

bool isl_http_scan_done(const isl_http_scan_t *s) { return s->state == SCAN_DONE; }

int isl_http_scan(isl_http_scan_t *s, const char *p, size_t n, size_t *used) {
  size_t i;
  for (i = 0; i < n && s->state != SCAN_DONE; i++) {
    char c = p[i];
    switch (s->state) {
    case SCAN_PRE:
      if (c == '\r' || c == '\n') break;
      /* This byte starts the request line. */
      s->state = SCAN_LINE;
      /* fall through */
    case SCAN_LINE:
      if (c == '\n') {
        /* A line must end in CRLF: a bare LF is how request smuggling starts. */
        if (s->prev != '\r') goto bad;
        s->state = SCAN_BOL;
      } else if (c != '\r' && ++s->line_bytes > ISL_HTTP_MAX_REQUEST_LINE) {
        *used = i;
        return 414;
      }
      break;
    case SCAN_BOL:
      /* Whitespace here is obs-fold (or whitespace before the first field): RFC 9112 §5.2
       * lets a server reject it, which is safer than unfolding. */
      if (c == ' ' || c == '\t' || c == '\n') goto bad;
      if (c == '\r') {
        s->state = SCAN_EOH;
        break;
      }
      if (++s->header_lines > ISL_HTTP_MAX_HEADER_LINES) goto too_large;
      s->state = SCAN_FIELD;
      /* fall through */
    case SCAN_FIELD:
      if (c == '\n') {
        if (s->prev != '\r') goto bad;
        s->state = SCAN_BOL;
      } else if (c != '\r' && ++s->header_bytes > ISL_HTTP_MAX_HEADER_BYTES) {
        goto too_large;
      }
      break;
    case SCAN_EOH:
      if (c != '\n') goto bad;
      s->state = SCAN_DONE;
      break;
    }
    s->prev = c;
  }
  *used = i;
  return 0;
bad:
  *used = i;
  return 400;
too_large:
  *used = i;
  return 431;
}
