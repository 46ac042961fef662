/* UTF-8 <-> UTF-16 conversions as the Encoding Standard defines them. JavaScript strings
 * are UTF-16 and may hold lone surrogates; everything islet sends out is UTF-8. */
#include "base.h"

void isl_utf16_to_utf8(isl_buf_t *out, const uint16_t *s, size_t n) {
  isl_buf_reserve(out, n * 3);
  unsigned char *o = (unsigned char *)out->p + out->len;
  for (size_t i = 0; i < n; i++) {
    uint32_t c = s[i];
    if (c < 0x80) {
      *o++ = (unsigned char)c;
      continue;
    }
    if (c >= 0xD800 && c <= 0xDFFF) {
      if (c <= 0xDBFF && i + 1 < n && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF) {
        c = 0x10000 + ((c - 0xD800) << 10) + (s[i + 1] - 0xDC00);
        i++;
      } else {
        c = 0xFFFD;
      }
    }
    if (c < 0x800) {
      *o++ = (unsigned char)(0xC0 | (c >> 6));
      *o++ = (unsigned char)(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      *o++ = (unsigned char)(0xE0 | (c >> 12));
      *o++ = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
      *o++ = (unsigned char)(0x80 | (c & 0x3F));
    } else {
      *o++ = (unsigned char)(0xF0 | (c >> 18));
      *o++ = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
      *o++ = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
      *o++ = (unsigned char)(0x80 | (c & 0x3F));
    }
  }
  out->len = (size_t)((char *)o - out->p);
  out->p[out->len] = 0;
}

/* Decodes one code point at s[*i]; returns U+FFFD and advances past the maximal
 * invalid subpart on error. */
static uint32_t decode_one(const unsigned char *s, size_t n, size_t *i) {
  unsigned char b = s[*i];
  if (b < 0x80) {
    (*i)++;
    return b;
  }
  int need;
  uint32_t cp;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b >= 0xC2 && b <= 0xDF) {
    need = 1;
    cp = b & 0x1F;
  } else if (b >= 0xE0 && b <= 0xEF) {
    if (b == 0xE0) lo = 0xA0;
    if (b == 0xED) hi = 0x9F;
    need = 2;
    cp = b & 0x0F;
  } else if (b >= 0xF0 && b <= 0xF4) {
    if (b == 0xF0) lo = 0x90;
    if (b == 0xF4) hi = 0x8F;
    need = 3;
    cp = b & 0x07;
  } else {
    (*i)++;
    return 0xFFFD;
  }
  size_t j = *i + 1;
  for (int k = 0; k < need; k++, j++) {
    if (j >= n || s[j] < lo || s[j] > hi) {
      *i = j;
      return 0xFFFD;
    }
    lo = 0x80;
    hi = 0xBF;
    cp = (cp << 6) | (s[j] & 0x3F);
  }
  *i = j;
  return cp;
}

uint16_t *isl_utf8_to_utf16(const char *str, size_t n, size_t *out_n) {
  const unsigned char *s = (const unsigned char *)str;
  uint16_t *out = isl_malloc((n + 1) * sizeof(uint16_t));
  size_t o = 0, i = 0;
  while (i < n) {
    if (s[i] < 0x80) {
      out[o++] = s[i++];
      continue;
    }
    uint32_t cp = decode_one(s, n, &i);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out[o++] = (uint16_t)(0xD800 + (cp >> 10));
      out[o++] = (uint16_t)(0xDC00 + (cp & 0x3FF));
    } else {
      out[o++] = (uint16_t)cp;
    }
  }
  *out_n = o;
  return out;
}

bool isl_utf8_valid(const char *str, size_t n) {
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0;
  while (i < n) {
    if (s[i] < 0x80) {
      i++;
      continue;
    }
    size_t before = i;
    uint32_t cp = decode_one(s, n, &i);
    if (cp == 0xFFFD) {
      /* A literal U+FFFD is EF BF BD: valid. */
      if (!(i - before == 3 && s[before] == 0xEF && s[before + 1] == 0xBF && s[before + 2] == 0xBD))
        return false;
    }
  }
  return true;
}
