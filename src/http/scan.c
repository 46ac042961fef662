/* The request-head pre-scanner (see internal.h for why it exists). It checks the line
 * structure (every line ends in CRLF: no bare CR or LF anywhere, no obs-fold), the request
 * line's shape (RFC 9112 §3: method SP request-target SP HTTP-version, single spaces), and
 * the size limits. llhttp still parses the head and validates header names and values.
 *
 * The same machine scans a chunked body's trailer section (isl_http_scan_init_trailers),
 * which llhttp 8.1 also lets end in a bare LF and fold. */
#include "internal.h"

enum {
  SCAN_PRE,      /* before the request line: empty lines (CRLF) are skipped (RFC 9112 §2.2) */
  SCAN_PRE_CR,   /* saw the CR of such an empty line */
  SCAN_METHOD,   /* in the method: a token */
  SCAN_TARGET,   /* in the request target */
  SCAN_VERSION,  /* in the HTTP version */
  SCAN_LINE_CR,  /* saw the CR ending the request line */
  SCAN_BOL,      /* at the start of a header line, or of the empty line ending the head */
  SCAN_FIELD,    /* in a header line */
  SCAN_FIELD_CR, /* saw the CR ending a header line */
  SCAN_EOH,      /* saw the CR of the empty line */
  SCAN_DONE,
};

void isl_http_scan_init(isl_http_scan_t *s) {
  s->state = SCAN_PRE;
  s->part = 0;
  s->major = s->minor = 0;
  s->line_bytes = s->header_bytes = s->header_lines = 0;
}

void isl_http_scan_init_trailers(isl_http_scan_t *s) {
  isl_http_scan_init(s);
  s->state = SCAN_BOL;
}

bool isl_http_scan_done(const isl_http_scan_t *s) { return s->state == SCAN_DONE; }

bool isl_http_scan_line_done(const isl_http_scan_t *s) { return s->state >= SCAN_BOL; }

/* RFC 9110 §5.6.2 tchar. */
static bool is_tchar(unsigned char c) {
  if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) return true;
  switch (c) {
  case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
  case '.': case '^': case '_': case '`': case '|': case '~':
    return true;
  }
  return false;
}

/* One byte of "HTTP/" DIGIT "." DIGIT at position s->part. */
static bool version_byte(isl_http_scan_t *s, unsigned char c) {
  static const char prefix[] = "HTTP/";
  size_t i = s->part++;
  if (i < 5) return c == (unsigned char)prefix[i];
  if (i == 6) return c == '.';
  if (i > 7 || c < '0' || c > '9') return false;
  if (i == 5) s->major = (uint8_t)(c - '0');
  else s->minor = (uint8_t)(c - '0');
  return true;
}

/* The request line has ended: 0 to go on, or the status for a version islet does not
 * speak. HTTP/0.9 requests have no version field, so "HTTP/0.x" is treated as malformed. */
static int version_status(const isl_http_scan_t *s) {
  if (s->part != 8 || s->major == 0) return 400;
  if (s->major != 1 || s->minor > 1) return 505;
  return 0;
}

int isl_http_scan(isl_http_scan_t *s, const char *p, size_t n, size_t *used) {
  size_t i;
  int status = 400;
  for (i = 0; i < n && s->state != SCAN_DONE; i++) {
    unsigned char c = (unsigned char)p[i];
    if (s->state >= SCAN_METHOD && s->state <= SCAN_VERSION && c != '\r' &&
        ++s->line_bytes > ISL_HTTP_MAX_REQUEST_LINE) {
      status = 414;
      goto reject;
    }
    switch (s->state) {
    case SCAN_PRE:
      if (c == '\r') {
        s->state = SCAN_PRE_CR;
        break;
      }
      /* A bare LF, or a space where the method should start. */
      if (!is_tchar(c)) goto reject;
      s->state = SCAN_METHOD;
      s->line_bytes = 1;
      s->part = 1;
      break;
    case SCAN_PRE_CR:
      if (c != '\n') goto reject;
      s->state = SCAN_PRE;
      break;
    case SCAN_METHOD:
      if (c == ' ') {
        s->state = SCAN_TARGET;
        s->part = 0;
      } else if (!is_tchar(c)) {
        goto reject;
      }
      break;
    case SCAN_TARGET: {
      if (c == ' ' && s->part > 0) {
        s->state = SCAN_VERSION;
        s->part = 0;
        break;
      }
      /* Visible ASCII only; a fragment is not part of any request-target form. The run
       * of such bytes is taken in one loop (this byte is already counted). */
      if (c <= 0x20 || c >= 0x7f || c == '#') goto reject;
      size_t j = i + 1;
      while (j < n && (unsigned char)p[j] > 0x20 && (unsigned char)p[j] < 0x7f && p[j] != '#') j++;
      size_t run = j - i - 1;
      if (s->line_bytes + run > ISL_HTTP_MAX_REQUEST_LINE) {
        i += ISL_HTTP_MAX_REQUEST_LINE - s->line_bytes + 1; /* the first byte over */
        status = 414;
        goto reject;
      }
      s->line_bytes += run;
      s->part += run + 1;
      i = j - 1; /* the loop steps to p[j] */
      break;
    }
    case SCAN_VERSION:
      if (c == '\r') {
        int vs = version_status(s);
        if (vs) {
          status = vs;
          goto reject;
        }
        s->state = SCAN_LINE_CR;
      } else if (!version_byte(s, c)) {
        goto reject;
      }
      break;
    case SCAN_LINE_CR:
    case SCAN_FIELD_CR:
      /* Every line ends in CRLF: a bare CR or LF is how request smuggling starts. */
      if (c != '\n') goto reject;
      s->state = SCAN_BOL;
      break;
    case SCAN_BOL:
      if (c == '\r') {
        s->state = SCAN_EOH;
        break;
      }
      /* Whitespace here is obs-fold (or whitespace before the first field): RFC 9112 §5.2
       * lets a server reject it, which is safer than unfolding. A colon is an empty name. */
      if (c == ' ' || c == '\t' || c == '\n' || c == ':') goto reject;
      if (++s->header_lines > ISL_HTTP_MAX_HEADER_LINES) goto too_large;
      s->state = SCAN_FIELD;
      /* fall through */
    case SCAN_FIELD: {
      /* The bytes up to the line's CR (or a bare LF) are taken in one loop. */
      size_t j = i;
      while (j < n && p[j] != '\r' && p[j] != '\n') j++;
      size_t run = j - i;
      if (s->header_bytes + run > ISL_HTTP_MAX_HEADER_BYTES) {
        i += ISL_HTTP_MAX_HEADER_BYTES - s->header_bytes; /* the first byte over */
        goto too_large;
      }
      s->header_bytes += run;
      if (j == n) {
        i = n - 1; /* the loop ends; the line goes on in the next read */
        break;
      }
      i = j;
      if (p[j] == '\n') goto reject;
      s->state = SCAN_FIELD_CR;
      break;
    }
    case SCAN_EOH:
      if (c != '\n') goto reject;
      s->state = SCAN_DONE;
      break;
    }
  }
  *used = i;
  return 0;
too_large:
  status = 431;
reject:
  *used = i;
  return status;
}
