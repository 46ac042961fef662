/* Base64 encode and forgiving-base64 decode (https://infra.spec.whatwg.org/#forgiving-base64). */
#include "base64.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void isl_base64_encode(isl_buf_t *out, const uint8_t *p, size_t n) {
  isl_buf_reserve(out, (n + 2) / 3 * 4);
  char *o = out->p + out->len;
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
    *o++ = alphabet[v >> 18];
    *o++ = alphabet[(v >> 12) & 63];
    *o++ = alphabet[(v >> 6) & 63];
    *o++ = alphabet[v & 63];
  }
  if (n - i == 1) {
    uint32_t v = (uint32_t)p[i] << 16;
    *o++ = alphabet[v >> 18];
    *o++ = alphabet[(v >> 12) & 63];
    *o++ = '=';
    *o++ = '=';
  } else if (n - i == 2) {
    uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
    *o++ = alphabet[v >> 18];
    *o++ = alphabet[(v >> 12) & 63];
    *o++ = alphabet[(v >> 6) & 63];
    *o++ = '=';
  }
  out->len = (size_t)(o - out->p);
  out->p[out->len] = 0;
}

/* The value of a base64 alphabet character, or -1. */
static int value_of(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

static bool is_ascii_whitespace(unsigned char c) {
  return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

bool isl_base64_decode(isl_buf_t *out, const char *s, size_t n) {
  /* 1. Remove all ASCII whitespace from data. Done by counting the data characters and
   * skipping whitespace while decoding, so no copy is needed. */
  size_t len = 0;
  for (size_t i = 0; i < n; i++)
    if (!is_ascii_whitespace((unsigned char)s[i])) len++;
  /* 2. If data's code point length divides by 4 leaving no remainder, then: if data ends
   * with one or two U+003D (=) code points, then remove them from data. */
  size_t strip = 0;
  if (len % 4 == 0) {
    size_t i = n;
    while (i > 0 && strip < 2) {
      unsigned char c = (unsigned char)s[i - 1];
      if (is_ascii_whitespace(c)) {
        i--;
        continue;
      }
      if (c != '=') break;
      strip++;
      i--;
    }
    len -= strip;
  }
  /* 3. If data's code point length divides by 4 leaving a remainder of 1, return failure. */
  if (len % 4 == 1) return false;
  /* 4. If data contains a code point that is not an ASCII alphanumeric, "+" or "/",
   * return failure. (Checked while decoding; out is rolled back on failure.) */
  size_t start = out->len;
  isl_buf_reserve(out, len / 4 * 3 + 2);
  /* 5-8. Decode 6 bits per character into a 24-bit buffer, flushing 3 bytes each time. */
  uint32_t buffer = 0;
  int bits = 0;
  size_t seen = 0;
  for (size_t i = 0; i < n && seen < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (is_ascii_whitespace(c)) continue;
    int v = value_of(c);
    if (v < 0) {
      out->len = start;
      out->p[out->len] = 0;
      return false;
    }
    seen++;
    buffer = buffer << 6 | (uint32_t)v;
    bits += 6;
    if (bits == 24) {
      out->p[out->len++] = (char)(buffer >> 16);
      out->p[out->len++] = (char)(buffer >> 8);
      out->p[out->len++] = (char)buffer;
      buffer = 0;
      bits = 0;
    }
  }
  /* 9. If buffer is not empty: 12 bits → discard 4, one byte; 18 bits → discard 2, two. */
  if (bits == 12) {
    out->p[out->len++] = (char)(buffer >> 4);
  } else if (bits == 18) {
    buffer >>= 2;
    out->p[out->len++] = (char)(buffer >> 8);
    out->p[out->len++] = (char)buffer;
  }
  out->p[out->len] = 0;
  return true;
}
