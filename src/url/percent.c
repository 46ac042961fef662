/* Percent-encode sets, percent-encoding and -decoding (URL Standard §1.3) and the small
 * UTF-8 decoder the URL parser walks its input with. */
#include "percent.h"

#include <string.h>

bool isl_pct_in_set(unsigned char c, isl_pct_set_t set) {
  /* The C0 control percent-encode set is in every other set. */
  if (c < 0x20 || c > 0x7E) return true;
  switch (set) {
  case ISL_PCT_C0:
    return false;
  case ISL_PCT_FRAGMENT:
    return c == ' ' || c == '"' || c == '<' || c == '>' || c == '`';
  case ISL_PCT_QUERY:
    return c == ' ' || c == '"' || c == '#' || c == '<' || c == '>';
  case ISL_PCT_SPECIAL_QUERY:
    return c == '\'' || isl_pct_in_set(c, ISL_PCT_QUERY);
  case ISL_PCT_PATH:
    return c == '?' || c == '^' || c == '`' || c == '{' || c == '}' ||
           isl_pct_in_set(c, ISL_PCT_QUERY);
  case ISL_PCT_USERINFO:
    return c == '/' || c == ':' || c == ';' || c == '=' || c == '@' || c == '[' ||
           c == '\\' || c == ']' || c == '|' || isl_pct_in_set(c, ISL_PCT_PATH);
  case ISL_PCT_COMPONENT:
    return c == '$' || c == '%' || c == '&' || c == '+' || c == ',' ||
           isl_pct_in_set(c, ISL_PCT_USERINFO);
  case ISL_PCT_FORM:
    return c == '!' || c == '\'' || c == '(' || c == ')' || c == '~' ||
           isl_pct_in_set(c, ISL_PCT_COMPONENT);
  }
  return true;
}

void isl_pct_encode(isl_buf_t *out, const char *s, size_t n, isl_pct_set_t set,
                    bool space_as_plus) {
  static const char hex[] = "0123456789ABCDEF";
  if (n) isl_buf_reserve(out, n); /* (reserving alone would leave p unterminated) */
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (space_as_plus && c == ' ') {
      isl_buf_putc(out, '+');
    } else if (isl_pct_in_set(c, set)) {
      char e[3] = {'%', hex[c >> 4], hex[c & 15]};
      isl_buf_append(out, e, 3);
    } else {
      isl_buf_putc(out, (char)c);
    }
  }
}

void isl_pct_decode(isl_buf_t *out, const char *s, size_t n) {
  if (n) isl_buf_reserve(out, n);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '%' && i + 2 < n && isl_is_hex((unsigned char)s[i + 1]) &&
        isl_is_hex((unsigned char)s[i + 2])) {
      c = (unsigned char)(isl_hex_value((unsigned char)s[i + 1]) * 16 +
                          isl_hex_value((unsigned char)s[i + 2]));
      i += 2;
    }
    isl_buf_putc(out, (char)c);
  }
}

uint32_t isl_utf8_next(const char *str, size_t n, size_t *i) {
  const unsigned char *s = (const unsigned char *)str;
  unsigned char b = s[*i];
  if (b < 0x80) {
    (*i)++;
    return b;
  }
  /* Lead byte: how many continuation bytes follow and the range the first one may take
   * (which excludes overlong forms, surrogates and values above U+10FFFF). */
  int need;
  uint32_t cp;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b >= 0xC2 && b <= 0xDF) {
    need = 1;
    cp = b & 0x1F;
  } else if (b >= 0xE0 && b <= 0xEF) {
    need = 2;
    cp = b & 0x0F;
    if (b == 0xE0) lo = 0xA0;
    if (b == 0xED) hi = 0x9F;
  } else if (b >= 0xF0 && b <= 0xF4) {
    need = 3;
    cp = b & 0x07;
    if (b == 0xF0) lo = 0x90;
    if (b == 0xF4) hi = 0x8F;
  } else {
    (*i)++;
    return 0xFFFD;
  }
  size_t j = *i + 1;
  for (int k = 0; k < need; k++, j++) {
    if (j >= n || s[j] < lo || s[j] > hi) {
      *i = j; /* the maximal invalid subpart ends before the offending byte */
      return 0xFFFD;
    }
    lo = 0x80;
    hi = 0xBF;
    cp = (cp << 6) | (s[j] & 0x3F);
  }
  *i = j;
  return cp;
}

size_t isl_utf8_encode(uint32_t c, char b[4]) {
  if (c < 0x80) {
    b[0] = (char)c;
    return 1;
  }
  if (c < 0x800) {
    b[0] = (char)(0xC0 | (c >> 6));
    b[1] = (char)(0x80 | (c & 0x3F));
    return 2;
  }
  if (c < 0x10000) {
    b[0] = (char)(0xE0 | (c >> 12));
    b[1] = (char)(0x80 | ((c >> 6) & 0x3F));
    b[2] = (char)(0x80 | (c & 0x3F));
    return 3;
  }
  b[0] = (char)(0xF0 | (c >> 18));
  b[1] = (char)(0x80 | ((c >> 12) & 0x3F));
  b[2] = (char)(0x80 | ((c >> 6) & 0x3F));
  b[3] = (char)(0x80 | (c & 0x3F));
  return 4;
}

void isl_utf8_put(isl_buf_t *out, uint32_t c) {
  char b[4];
  isl_buf_append(out, b, isl_utf8_encode(c, b));
}

void isl_utf8_sanitize(isl_buf_t *out, const char *s, size_t n) {
  if (n) isl_buf_reserve(out, n);
  size_t i = 0;
  while (i < n) {
    /* Copy runs of ASCII at once; decode the rest. */
    size_t start = i;
    while (i < n && (unsigned char)s[i] < 0x80) i++;
    if (i > start) isl_buf_append(out, s + start, i - start);
    if (i >= n) break;
    size_t at = i;
    uint32_t cp = isl_utf8_next(s, n, &i);
    if (cp == 0xFFFD && !(i - at == 3 && memcmp(s + at, "\xEF\xBF\xBD", 3) == 0))
      isl_utf8_put(out, 0xFFFD);
    else
      isl_buf_append(out, s + at, i - at);
  }
}
