/* Hosts (URL Standard §3): the host parser, IPv4 and IPv6 parsers and serializers, the
 * opaque-host parser, and domain to ASCII through ICU's UTS #46 implementation. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unicode/uidna.h>

#include "percent.h"
#include "url.h"

void isl_host_dispose(isl_host_t *h) {
  isl_buf_free(&h->text);
  h->kind = ISL_HOST_NULL;
}

/* ---- Code point classes ------------------------------------------------------------------ */

/* Forbidden host code points are all ASCII, so a byte test on UTF-8 is exact. */
static bool is_forbidden_host(unsigned char c) {
  switch (c) {
  case 0: case '\t': case '\n': case '\r': case ' ': case '#': case '/': case ':':
  case '<': case '>': case '?': case '@': case '[': case '\\': case ']': case '^': case '|':
    return true;
  default:
    return false;
  }
}

static bool is_forbidden_domain(unsigned char c) {
  return is_forbidden_host(c) || c <= 0x1F || c == '%' || c == 0x7F;
}

static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* ---- IPv4 ---------------------------------------------------------------------------------- */

/* Values above this are all equally out of range; saturating keeps the arithmetic exact. */
#define IPV4_CAP ((uint64_t)1 << 40)

/* The IPv4 number parser: false on failure. "0x"/"0X" is hex, a leading "0" octal. */
static bool ipv4_number(const char *s, size_t n, uint64_t *out) {
  if (n == 0) return false;
  unsigned radix = 10;
  if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s += 2, n -= 2, radix = 16;
  } else if (n >= 2 && s[0] == '0') {
    s += 1, n -= 1, radix = 8;
  }
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    unsigned d;
    if (radix == 16 && isl_is_hex(c)) d = (unsigned)isl_hex_value(c);
    else if (radix == 10 && is_digit(c)) d = c - '0';
    else if (radix == 8 && c >= '0' && c <= '7') d = c - '0';
    else return false;
    v = v * radix + d;
    if (v > IPV4_CAP) v = IPV4_CAP;
  }
  *out = v; /* "0x" alone is 0 */
  return true;
}

/* Splits s on '.' into at most max spans; returns the number of parts (which may exceed
 * max, in which case only the first max are filled). */
static size_t split_dots(const char *s, size_t n, isl_span_t *parts, size_t max) {
  size_t count = 0, start = 0;
  for (size_t i = 0; i <= n; i++) {
    if (i == n || s[i] == '.') {
      if (count < max) parts[count] = ISL_SPAN(s + start, i - start);
      count++;
      start = i + 1;
    }
  }
  return count;
}

bool isl_host_ends_in_number(const char *s, size_t n) {
  /* 1-2. Split on '.'; a trailing empty part is dropped unless it is the only one. */
  if (n == 0) return false;
  if (s[n - 1] == '.') n--;
  /* 3. The last part. */
  const char *dot = n ? memrchr(s, '.', n) : NULL;
  const char *last = dot ? dot + 1 : s;
  size_t len = (size_t)(s + n - last);
  if (len == 0) return false;
  /* 4. All ASCII digits ("09" is caught later by the IPv4 parser). */
  bool digits = true;
  for (size_t i = 0; i < len; i++)
    if (!is_digit((unsigned char)last[i])) digits = false;
  if (digits) return true;
  /* 5. Otherwise it ends in a number if it parses as one ("0x" and hex digits). */
  uint64_t v;
  return ipv4_number(last, len, &v);
}

bool isl_ipv4_parse(const char *s, size_t n, uint32_t *out) {
  isl_span_t parts[5];
  size_t count = split_dots(s, n, parts, 5);
  /* A trailing empty part (a trailing dot) is dropped. */
  if (count <= 5 && parts[count - 1].len == 0 && count > 1) count--;
  if (count > 4) return false;
  uint64_t nums[4];
  for (size_t i = 0; i < count; i++)
    if (!ipv4_number(parts[i].p, parts[i].len, &nums[i])) return false;
  for (size_t i = 0; i + 1 < count; i++)
    if (nums[i] > 255) return false;
  uint64_t limit = (uint64_t)1 << (8 * (5 - count));
  if (nums[count - 1] >= limit) return false;
  uint64_t v = nums[count - 1];
  for (size_t i = 0; i + 1 < count; i++) v += nums[i] << (8 * (3 - i));
  *out = (uint32_t)v;
  return true;
}

void isl_ipv4_serialize(uint32_t a, isl_buf_t *out) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    isl_buf_put_uint(out, (a >> shift) & 255);
    if (shift) isl_buf_putc(out, '.');
  }
}

/* ---- IPv6 ---------------------------------------------------------------------------------- */

bool isl_ipv6_parse(const char *s, size_t n, uint16_t address[8]) {
  /* Every valid code point is ASCII, so bytes stand for code points; any other byte is an
   * invalid code point and fails below. EOF is -1. */
#define C(i) ((i) < n ? (int)(unsigned char)s[(i)] : -1)
  memset(address, 0, 8 * sizeof(uint16_t));
  int piece = 0, compress = -1;
  size_t p = 0;
  /* 5. A leading ':' must be "::". */
  if (C(p) == ':') {
    if (C(p + 1) != ':') return false;
    p += 2;
    compress = ++piece;
  }
  /* 6. */
  while (C(p) != -1) {
    if (piece == 8) return false;
    if (C(p) == ':') {
      if (compress != -1) return false;
      p++;
      compress = ++piece;
      continue;
    }
    unsigned value = 0, length = 0;
    while (length < 4 && C(p) != -1 && isl_is_hex((unsigned char)C(p))) {
      value = value * 16 + (unsigned)isl_hex_value((unsigned char)C(p));
      p++, length++;
    }
    if (C(p) == '.') {
      /* An IPv4 address in the last two pieces. */
      if (length == 0) return false;
      p -= length;
      if (piece > 6) return false;
      int seen = 0;
      while (C(p) != -1) {
        int v4 = -1;
        if (seen > 0) {
          if (C(p) == '.' && seen < 4) p++;
          else return false;
        }
        if (C(p) == -1 || !is_digit((unsigned char)C(p))) return false;
        while (C(p) != -1 && is_digit((unsigned char)C(p))) {
          int number = C(p) - '0';
          if (v4 == -1) v4 = number;
          else if (v4 == 0) return false; /* no leading zeros */
          else v4 = v4 * 10 + number;
          if (v4 > 255) return false;
          p++;
        }
        address[piece] = (uint16_t)(address[piece] * 0x100 + v4);
        seen++;
        if (seen == 2 || seen == 4) piece++;
      }
      if (seen != 4) return false;
      break;
    } else if (C(p) == ':') {
      p++;
      if (C(p) == -1) return false;
    } else if (C(p) != -1) {
      return false;
    }
    address[piece++] = (uint16_t)value;
  }
  /* 7. Move the pieces after the compression to the end. */
  if (compress != -1) {
    int swaps = piece - compress;
    piece = 7;
    while (piece != 0 && swaps > 0) {
      uint16_t t = address[piece];
      address[piece] = address[compress + swaps - 1];
      address[compress + swaps - 1] = t;
      piece--, swaps--;
    }
  } else if (piece != 8) {
    return false;
  }
  return true;
#undef C
}

/* The first index of the longest run of two or more zero pieces, or -1. */
static int ipv6_compressed_index(const uint16_t a[8]) {
  int longest = -1, longest_size = 1, found = -1, found_size = 0;
  for (int i = 0; i < 8; i++) {
    if (a[i] != 0) {
      if (found_size > longest_size) longest = found, longest_size = found_size;
      found = -1, found_size = 0;
    } else {
      if (found == -1) found = i;
      found_size++;
    }
  }
  if (found_size > longest_size) return found;
  return longest;
}

void isl_ipv6_serialize(const uint16_t a[8], isl_buf_t *out) {
  int compress = ipv6_compressed_index(a);
  bool ignore0 = false;
  for (int i = 0; i < 8; i++) {
    if (ignore0 && a[i] == 0) continue;
    ignore0 = false;
    if (compress == i) {
      isl_buf_puts(out, i == 0 ? "::" : ":");
      ignore0 = true;
      continue;
    }
    isl_buf_printf(out, "%x", a[i]);
    if (i != 7) isl_buf_putc(out, ':');
  }
}

/* ---- Domain to ASCII ---------------------------------------------------------------------- */

static UIDNA *uts46;
static pthread_once_t uts46_once = PTHREAD_ONCE_INIT;

/* One UTS #46 instance for the process: ICU's is immutable and safe to share. The flags
 * are the URL Standard's: CheckBidi, CheckJoiners, nontransitional, and no
 * UseSTD3ASCIIRules (CheckHyphens and VerifyDnsLength are ICU's error bits, ignored
 * below). */
static void uts46_open(void) {
  UErrorCode err = U_ZERO_ERROR;
  uts46 = uidna_openUTS46(UIDNA_CHECK_BIDI | UIDNA_CHECK_CONTEXTJ |
                              UIDNA_NONTRANSITIONAL_TO_ASCII | UIDNA_NONTRANSITIONAL_TO_UNICODE,
                          &err);
  ISL_CHECK(U_SUCCESS(err) && uts46);
}

/* Errors that only CheckHyphens or VerifyDnsLength would report; both are off. */
#define IGNORED_IDNA_ERRORS                                                              \
  (UIDNA_ERROR_EMPTY_LABEL | UIDNA_ERROR_LABEL_TOO_LONG | UIDNA_ERROR_DOMAIN_NAME_TOO_LONG | \
   UIDNA_ERROR_LEADING_HYPHEN | UIDNA_ERROR_TRAILING_HYPHEN | UIDNA_ERROR_HYPHEN_3_4)

/* True when ToASCII would only lowercase: ASCII, and no label starts with "xn--". */
static bool ascii_fast_path(const char *s, size_t n) {
  bool label_start = true;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x80) return false;
    if (label_start && n - i >= 4 && (c | 32) == 'x' && (s[i + 1] | 32) == 'n' &&
        s[i + 2] == '-' && s[i + 3] == '-')
      return false;
    label_start = c == '.';
  }
  return true;
}

/* ICU 72 carries the IDNA mapping table of Unicode 15.0; the URL Standard follows the
 * current UTS #46 (16.0). These are the code points whose status changed since then from
 * disallowed to mapped or ignored, and U+1E9E, whose mapping changed from "ss" to U+00DF.
 * Mapping is the first step of ToASCII, so applying them before ICU runs gives the
 * current table's result. to == 0 means ignored (removed). */
static const struct {
  uint32_t from, last, to; /* from..last map to to.. (consecutively) */
} uts46_updates[] = {
    {0x04C0, 0x04C0, 0x04CF},   {0x10A0, 0x10C5, 0x2D00},   {0x10C7, 0x10C7, 0x2D27},
    {0x10CD, 0x10CD, 0x2D2D},   {0x115F, 0x1160, 0},        {0x17B4, 0x17B5, 0},
    {0x180E, 0x180E, 0},        {0x1E9E, 0x1E9E, 0x00DF},   {0x206A, 0x206F, 0},
    {0x2132, 0x2132, 0x214E},   {0x2183, 0x2183, 0x2184},   {0x3164, 0x3164, 0},
    {0xFFA0, 0xFFA0, 0},        {0x1D173, 0x1D17A, 0},      {0x2F868, 0x2F868, 0x36FC},
    {0x2F874, 0x2F874, 0x5F53}, {0x2F91F, 0x2F91F, 0x243AB}, {0x2F95F, 0x2F95F, 0x7AEE},
    {0x2F9BF, 0x2F9BF, 0x45D7},
};

/* Returns the update for c: c itself when unchanged, 0 when ignored. */
static uint32_t uts46_update(uint32_t c) {
  if (c < 0x04C0) return c;
  for (size_t i = 0; i < sizeof(uts46_updates) / sizeof(uts46_updates[0]); i++)
    if (c >= uts46_updates[i].from && c <= uts46_updates[i].last)
      return uts46_updates[i].to ? uts46_updates[i].to + (c - uts46_updates[i].from) : 0;
  return c;
}

/* Applies the updates to s into out; false when nothing changed (out untouched). */
static bool apply_uts46_updates(const char *s, size_t n, isl_buf_t *out) {
  bool changed = false;
  for (size_t i = 0; i < n && !changed;) {
    uint32_t c = isl_utf8_next(s, n, &i);
    changed = uts46_update(c) != c;
  }
  if (!changed) return false;
  for (size_t i = 0; i < n;) {
    uint32_t c = uts46_update(isl_utf8_next(s, n, &i));
    if (c) isl_utf8_put(out, c);
  }
  return true;
}

/* UTS #46 (16.0) validity criterion 4 without CheckHyphens: a label must not begin with
 * "xn--" once decoded. ICU 72 predates it. Only an ACE label "xn--xn--…" can decode to
 * such a label, so only those are decoded. */
static bool has_decoded_xn_label(const char *s, size_t n) {
  for (size_t i = 0; i < n;) {
    const char *dot = memchr(s + i, '.', n - i);
    size_t end = dot ? (size_t)(dot - s) : n;
    if (end - i > 8 && memcmp(s + i, "xn--xn--", 8) == 0) {
      /* A decoded label takes at most four bytes per ASCII byte of its ACE form. */
      int32_t cap = (int32_t)(end - i) * 4 + 16;
      char *u = isl_malloc((size_t)cap);
      UErrorCode err = U_ZERO_ERROR;
      UIDNAInfo info = UIDNA_INFO_INITIALIZER;
      int32_t len = uidna_labelToUnicodeUTF8(uts46, s + i, (int32_t)(end - i), u, cap, &info, &err);
      bool bad = U_FAILURE(err) || (len >= 4 && strncasecmp(u, "xn--", 4) == 0);
      free(u);
      if (bad) return true;
    }
    i = end + 1;
  }
  return false;
}

static bool icu_to_ascii(const char *s, size_t n, isl_buf_t *out) {
  if (n > INT32_MAX / 4) return false;
  pthread_once(&uts46_once, uts46_open);
  isl_buf_t updated = {0};
  if (apply_uts46_updates(s, n, &updated)) {
    s = isl_url_str(&updated);
    n = updated.len;
  }
  size_t start = out->len;
  int32_t cap = (int32_t)n * 4 + 64;
  bool ok = false;
  for (int attempt = 0; attempt < 2; attempt++) {
    UErrorCode err = U_ZERO_ERROR;
    UIDNAInfo info = UIDNA_INFO_INITIALIZER;
    isl_buf_reserve(out, (size_t)cap);
    int32_t len = uidna_nameToASCII_UTF8(uts46, s, (int32_t)n, out->p + start, cap, &info, &err);
    if (err == U_BUFFER_OVERFLOW_ERROR && attempt == 0) {
      cap = len + 1;
      continue;
    }
    ok = U_SUCCESS(err) && !(info.errors & ~(uint32_t)IGNORED_IDNA_ERRORS) &&
         !has_decoded_xn_label(out->p + start, (size_t)len);
    out->len = ok ? start + (size_t)len : start;
    out->p[out->len] = 0;
    break;
  }
  isl_buf_free(&updated);
  return ok;
}

bool isl_domain_to_ascii(const char *s, size_t n, isl_buf_t *out) {
  size_t start = out->len;
  /* 1-2. UTS #46 ToASCII (or its exact equivalent for plain ASCII input). */
  if (ascii_fast_path(s, n)) {
    isl_buf_reserve(out, n);
    for (size_t i = 0; i < n; i++) {
      char c = s[i];
      isl_buf_putc(out, (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c);
    }
  } else if (!icu_to_ascii(s, n, out)) {
    return false;
  }
  /* 3. Not empty, and no forbidden domain code point. */
  size_t len = out->len - start;
  bool ok = len > 0;
  for (size_t i = start; ok && i < out->len; i++)
    if (is_forbidden_domain((unsigned char)out->p[i])) ok = false;
  if (!ok) {
    out->len = start;
    if (out->p) out->p[start] = 0;
  }
  return ok;
}

/* ---- The host parser ---------------------------------------------------------------------- */

static bool opaque_host_parse(const char *s, size_t n, isl_host_t *out) {
  /* 1. Forbidden host code points fail (validation errors 2-3 are not reported). */
  for (size_t i = 0; i < n; i++)
    if (is_forbidden_host((unsigned char)s[i])) return false;
  /* 4. UTF-8 percent-encode with the C0 control set. */
  out->kind = n ? ISL_HOST_OPAQUE : ISL_HOST_EMPTY;
  isl_pct_encode(&out->text, s, n, ISL_PCT_C0, false);
  return true;
}

bool isl_host_parse(const char *s, size_t n, bool is_opaque, isl_host_t *out) {
  memset(out, 0, sizeof(*out));
  /* 1. "[…]" is an IPv6 address. */
  if (n && s[0] == '[') {
    uint16_t a[8];
    if (n < 2 || s[n - 1] != ']' || !isl_ipv6_parse(s + 1, n - 2, a)) return false;
    out->kind = ISL_HOST_IPV6;
    isl_buf_putc(&out->text, '[');
    isl_ipv6_serialize(a, &out->text);
    isl_buf_putc(&out->text, ']');
    return true;
  }
  /* 2. */
  if (is_opaque) return opaque_host_parse(s, n, out);
  /* 3. (The callers never pass an empty string here.) */
  if (n == 0) return false;
  /* 4. UTF-8 decode without BOM the percent-decoding of input. */
  isl_buf_t bytes = {0}, domain = {0}, ascii = {0};
  isl_pct_decode(&bytes, s, n);
  isl_utf8_sanitize(&domain, bytes.p ? bytes.p : "", bytes.len);
  /* 5-6. Domain to ASCII. */
  bool ok = isl_domain_to_ascii(domain.p ? domain.p : "", domain.len, &ascii);
  if (ok && isl_host_ends_in_number(ascii.p, ascii.len)) {
    /* 7. An IPv4 address, or failure. */
    uint32_t v4;
    ok = isl_ipv4_parse(ascii.p, ascii.len, &v4);
    if (ok) {
      out->kind = ISL_HOST_IPV4;
      isl_ipv4_serialize(v4, &out->text);
    }
  } else if (ok) {
    /* 8. A domain. */
    out->kind = ISL_HOST_DOMAIN;
    out->text = ascii;
    ascii = (isl_buf_t){0};
  }
  isl_buf_free(&bytes);
  isl_buf_free(&domain);
  isl_buf_free(&ascii);
  return ok;
}
