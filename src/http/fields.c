/* Request header field rules the server checks before a request reaches a service: the
 * Host field / absolute-form authority (RFC 9110 §7.2, RFC 3986 §3.2.2) and
 * Transfer-Encoding (RFC 9112 §6.1, §6.3). Pure functions, fuzzed by fuzz/http_fields_fuzz.c. */
#include <string.h>
#include <strings.h>

#include "internal.h"

static bool is_digit(char ch) { return ch >= '0' && ch <= '9'; }

static bool is_hex(char ch) {
  return is_digit(ch) || ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f');
}

/* A Host value or an absolute-form target's authority: RFC 9110 §7.2 `uri-host [ ":" port ]`
 * (RFC 3986 §3.2.2), checked so that "http://" + it + target cannot mean anything else:
 *  - an IP literal in brackets (hex digits, ':' and '.': IPv6 with an embedded IPv4), or
 *  - a reg-name of unreserved and sub-delims characters; percent-encoding is refused (no
 *    client needs it in a host, and what it decodes to is unchecked), and so is userinfo;
 *  - then an optional port of at most 65535 (an empty port is allowed by the grammar).
 * Empty is accepted only where allow_empty says so (an empty Host field is valid for
 * origin-form requests: the listen address stands in). */
bool isl_http_valid_authority(const char *h, size_t n, bool allow_empty) {
  size_t i = 0;
  if (n > 0 && h[0] == '[') {
    for (i = 1; i < n && h[i] != ']'; i++)
      if (!is_hex(h[i]) && h[i] != ':' && h[i] != '.') return false;
    if (i == n || i == 1) return false;
    i++;
  } else {
    for (; i < n && h[i] != ':'; i++) {
      char ch = h[i];
      if (!is_digit(ch) && !((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z') &&
          !(ch && strchr("-._~!$&'()*+,;=", ch)))
        return false;
    }
    if (i == 0 && !allow_empty) return false;
  }
  if (i == n) return true;
  if (h[i] != ':') return false;
  unsigned long port = 0;
  for (i++; i < n; i++) {
    if (!is_digit(h[i])) return false;
    port = port * 10 + (unsigned long)(h[i] - '0');
    if (port > 65535) return false;
  }
  return true;
}

/* RFC 9112 §6.1 and §6.3 for Transfer-Encoding, in one place (llhttp refuses some of these
 * itself): in HTTP/1.0 the framing is faulty (400); chunked must be the final coding and
 * appear once, with no parameters (400); islet decodes no other coding (501, as §6.1 says
 * for a coding the server does not understand). Returns 0 when the request may go on. */
int isl_http_te_status(const isl_headers_t *h, int http_minor) {
  bool any = false, last_chunked = false, other = false;
  int chunked = 0;
  for (size_t i = 0; i < h->n; i++) {
    if (strcasecmp(h->v[i].name, "transfer-encoding") != 0) continue;
    any = true;
    for (const char *e = h->v[i].value; *e;) {
      size_t len = strcspn(e, ",");
      const char *end = e + len;
      while (e < end && (*e == ' ' || *e == '\t')) e++;
      size_t name = strcspn(e, ",; \t");
      if (name > 0) {
        const char *after = e + name;
        while (after < end && (*after == ' ' || *after == '\t')) after++;
        if (name == 7 && strncasecmp(e, "chunked", 7) == 0) {
          if (after != end) return 400; /* chunked takes no parameters */
          chunked++;
          last_chunked = true;
        } else {
          other = true;
          last_chunked = false;
        }
      } else if (e != end) {
        return 400; /* a parameter or garbage without a coding name */
      }
      e = *end ? end + 1 : end;
    }
  }
  if (!any) return 0;
  if (http_minor == 0 || chunked != 1 || !last_chunked) return 400;
  return other ? 501 : 0;
}
