/* UTF-8 <-> UTF-16 conversions of src/base/utf.c. */
#include <stdlib.h>

#include "base/base.h"
#include "check.h"

/* Converts UTF-16 to UTF-8 and compares with the expected bytes. */
static int utf8_of(const uint16_t *s, size_t n, const char *want, size_t want_n) {
  isl_buf_t b = {0};
  isl_utf16_to_utf8(&b, s, n);
  int ok = b.len == want_n && (want_n == 0 || memcmp(b.p, want, want_n) == 0);
  isl_buf_free(&b);
  return ok;
}

/* Converts UTF-8 to UTF-16 and compares with the expected units. */
static int utf16_of(const char *s, size_t n, const uint16_t *want, size_t want_n) {
  size_t m;
  uint16_t *u = isl_utf8_to_utf16(s, n, &m);
  int ok = m == want_n && (want_n == 0 || memcmp(u, want, want_n * 2) == 0);
  free(u);
  return ok;
}

#define U16(...) ((const uint16_t[]){__VA_ARGS__}), sizeof((const uint16_t[]){__VA_ARGS__}) / 2
#define S(lit) (lit), sizeof(lit) - 1

static void test_utf16_to_utf8(void) {
  CHECK(utf8_of(U16('a', 'b'), S("ab")));
  CHECK(utf8_of(U16(0xE9), S("\xC3\xA9")));
  CHECK(utf8_of(U16(0x7FF, 0x800), S("\xDF\xBF\xE0\xA0\x80")));
  CHECK(utf8_of(U16(0x20AC), S("\xE2\x82\xAC")));
  CHECK(utf8_of(U16(0xFFFF), S("\xEF\xBF\xBF")));
  /* A surrogate pair → one 4-byte sequence. */
  CHECK(utf8_of(U16(0xD83D, 0xDE00), S("\xF0\x9F\x98\x80")));
  CHECK(utf8_of(U16(0xDBFF, 0xDFFF), S("\xF4\x8F\xBF\xBF")));
  /* Lone surrogates → U+FFFD each. */
  CHECK(utf8_of(U16(0xD800), S("\xEF\xBF\xBD")));
  CHECK(utf8_of(U16(0xDC00, 'x'), S("\xEF\xBF\xBDx")));
  CHECK(utf8_of(U16(0xD800, 0xD800, 0xDC00), S("\xEF\xBF\xBD\xF0\x90\x80\x80")));
  CHECK(utf8_of(U16(0xDC00, 0xD800), S("\xEF\xBF\xBD\xEF\xBF\xBD")));
  CHECK(utf8_of(U16(0), S("\0")));
  CHECK(utf8_of(NULL, 0, "", 0));
}

static void test_utf8_to_utf16(void) {
  CHECK(utf16_of(S("ab"), U16('a', 'b')));
  CHECK(utf16_of(S("\xC3\xA9\xE2\x82\xAC"), U16(0xE9, 0x20AC)));
  CHECK(utf16_of(S("\xF0\x9F\x98\x80"), U16(0xD83D, 0xDE00)));
  CHECK(utf16_of(S("\xF4\x8F\xBF\xBF"), U16(0xDBFF, 0xDFFF)));
  /* Invalid bytes: one U+FFFD per maximal subpart (Encoding Standard). */
  CHECK(utf16_of(S("\xFF"), U16(0xFFFD)));
  CHECK(utf16_of(S("\x80\x80"), U16(0xFFFD, 0xFFFD)));
  CHECK(utf16_of(S("\xE2\x82" "a"), U16(0xFFFD, 'a')));
  CHECK(utf16_of(S("\xF0\x9F\x98"), U16(0xFFFD)));
  CHECK(utf16_of(S("\xC0\xAF"), U16(0xFFFD, 0xFFFD)));             /* overlong */
  CHECK(utf16_of(S("\xE0\x80\x80"), U16(0xFFFD, 0xFFFD, 0xFFFD))); /* overlong */
  CHECK(utf16_of(S("\xED\xA0\x80"), U16(0xFFFD, 0xFFFD, 0xFFFD))); /* surrogate */
  CHECK(utf16_of(S("\xF4\x90\x80\x80"), U16(0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD))); /* > U+10FFFF */
  CHECK(utf16_of(S("\xF5"), U16(0xFFFD)));
  CHECK(utf16_of(S("a\xC3"), U16('a', 0xFFFD)));
  CHECK(utf16_of("", 0, NULL, 0));
}

static void test_utf8_valid(void) {
  CHECK(isl_utf8_valid(S("")));
  CHECK(isl_utf8_valid(S("plain ascii")));
  CHECK(isl_utf8_valid(S("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80")));
  CHECK(isl_utf8_valid(S("\xEF\xBF\xBD"))); /* a literal U+FFFD is valid */
  CHECK(!isl_utf8_valid(S("\xFF")));
  CHECK(!isl_utf8_valid(S("\xC3")));
  CHECK(!isl_utf8_valid(S("\xED\xA0\x80")));
  CHECK(!isl_utf8_valid(S("\xC0\xAF")));
  CHECK(!isl_utf8_valid(S("a\x80")));
  CHECK(!isl_utf8_valid(S("\xF4\x90\x80\x80")));
}

/* Every scalar value survives UTF-16 → UTF-8 → UTF-16. */
static void test_round_trip(void) {
  int bad = 0;
  for (uint32_t cp = 0; cp < 0x110000; cp++) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    uint16_t u[2];
    size_t n = 1;
    if (cp >= 0x10000) {
      u[0] = (uint16_t)(0xD800 + ((cp - 0x10000) >> 10));
      u[1] = (uint16_t)(0xDC00 + ((cp - 0x10000) & 0x3FF));
      n = 2;
    } else {
      u[0] = (uint16_t)cp;
    }
    isl_buf_t b = {0};
    isl_utf16_to_utf8(&b, u, n);
    size_t m;
    uint16_t *back = isl_utf8_to_utf16(b.p, b.len, &m);
    if (m != n || memcmp(back, u, n * 2) != 0 || !isl_utf8_valid(b.p, b.len)) bad++;
    free(back);
    isl_buf_free(&b);
  }
  CHECK(bad == 0);
}

int main(void) {
  test_utf16_to_utf8();
  test_utf8_to_utf16();
  test_utf8_valid();
  test_round_trip();
  return check_summary();
}
