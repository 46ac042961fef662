/* src/base/base64.c against WPT's data-urls/base64.json (forgiving-base64 decode) and
 * round trips of the encoder. Run from the repository root: the data file is read from
 * ../shared/wpt-data/data-urls/base64.json. */
#include <stdlib.h>

#include "base/base64.h"
#include "check.h"

#define DATA "../shared/wpt-data/data-urls/base64.json"

/* A tiny parser for the file's shape: [ ["input", [byte, …] | null], … ]. Strings may
 * hold \uXXXX (surrogate pairs included), \t \n \f \r \" \\ \/ and raw UTF-8; they are
 * decoded to UTF-8, which is what the decoder sees from a data: URL. */
typedef struct {
  const char *p, *end;
} cur_t;

static void ws(cur_t *c) {
  while (c->p < c->end && (*c->p == ' ' || *c->p == '\n' || *c->p == '\r' || *c->p == '\t'))
    c->p++;
}

static bool eat(cur_t *c, char ch) {
  ws(c);
  if (c->p < c->end && *c->p == ch) {
    c->p++;
    return true;
  }
  return false;
}

static unsigned hex4(const char *p) {
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    char h = p[i];
    v = v * 16 + (unsigned)(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
  }
  return v;
}

static bool parse_string(cur_t *c, isl_buf_t *out) {
  if (!eat(c, '"')) return false;
  while (c->p < c->end && *c->p != '"') {
    if (*c->p != '\\') {
      isl_buf_putc(out, *c->p++);
      continue;
    }
    c->p++;
    char e = *c->p++;
    switch (e) {
    case 't': isl_buf_putc(out, '\t'); break;
    case 'n': isl_buf_putc(out, '\n'); break;
    case 'f': isl_buf_putc(out, '\f'); break;
    case 'r': isl_buf_putc(out, '\r'); break;
    case 'b': isl_buf_putc(out, '\b'); break;
    case 'u': {
      uint16_t u[2] = {(uint16_t)hex4(c->p), 0};
      size_t n = 1;
      c->p += 4;
      if (u[0] >= 0xD800 && u[0] <= 0xDBFF && c->p[0] == '\\' && c->p[1] == 'u') {
        u[1] = (uint16_t)hex4(c->p + 2);
        c->p += 6;
        n = 2;
      }
      isl_utf16_to_utf8(out, u, n);
      break;
    }
    default: isl_buf_putc(out, e); break;
    }
  }
  return eat(c, '"');
}

/* Parses [n, n, …] into out, or null (returns true and sets *is_null). */
static bool parse_bytes(cur_t *c, isl_buf_t *out, bool *is_null) {
  ws(c);
  *is_null = false;
  if (c->end - c->p >= 4 && memcmp(c->p, "null", 4) == 0) {
    c->p += 4;
    *is_null = true;
    return true;
  }
  if (!eat(c, '[')) return false;
  if (eat(c, ']')) return true;
  do {
    ws(c);
    char *endp;
    long v = strtol(c->p, &endp, 10);
    if (endp == c->p) return false;
    c->p = endp;
    isl_buf_putc(out, (char)v);
  } while (eat(c, ','));
  return eat(c, ']');
}

static char *read_file(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  isl_buf_t b = {0};
  char tmp[4096];
  size_t got;
  while ((got = fread(tmp, 1, sizeof(tmp), f)) > 0) isl_buf_append(&b, tmp, got);
  fclose(f);
  *n = b.len;
  return isl_buf_take(&b);
}

static void test_wpt_table(void) {
  size_t n;
  char *data = read_file(DATA, &n);
  CHECK(data != NULL);
  if (!data) {
    printf("cannot read %s (run from the repository root)\n", DATA);
    return;
  }
  cur_t c = {data, data + n};
  int cases = 0;
  CHECK(eat(&c, '['));
  while (eat(&c, '[')) {
    isl_buf_t in = {0}, want = {0}, got = {0};
    bool is_null;
    bool parsed = parse_string(&c, &in) && eat(&c, ',') && parse_bytes(&c, &want, &is_null) &&
                  eat(&c, ']');
    CHECK(parsed);
    if (!parsed) break;
    isl_buf_putc(&got, 'x'); /* the decoder appends; check it keeps what was there */
    bool ok = isl_base64_decode(&got, in.p ? in.p : "", in.len);
    bool pass = is_null ? (!ok && got.len == 1)
                        : (ok && got.len == want.len + 1 &&
                           (want.len == 0 || memcmp(got.p + 1, want.p, want.len) == 0));
    if (!pass) printf("  case %d: input \"%s\" expected %s\n", cases, in.p ? in.p : "",
                      is_null ? "failure" : "bytes");
    CHECK(pass);
    cases++;
    isl_buf_free(&in);
    isl_buf_free(&want);
    isl_buf_free(&got);
    eat(&c, ',');
  }
  CHECK(eat(&c, ']'));
  CHECK(cases > 70);
  free(data);
}

static void test_encode(void) {
  static const struct {
    const char *in, *out;
  } cases[] = {{"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
               {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
               {"\xff\xfe\xfd", "//79"}};
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    isl_buf_t b = {0};
    isl_base64_encode(&b, (const uint8_t *)cases[i].in, strlen(cases[i].in));
    CHECK_STR(b.p ? b.p : "", cases[i].out);
    isl_buf_free(&b);
  }
}

static void test_round_trip(void) {
  uint8_t bytes[256];
  for (int i = 0; i < 256; i++) bytes[i] = (uint8_t)(255 - i);
  int bad = 0;
  for (size_t n = 0; n <= 256; n++) {
    isl_buf_t enc = {0}, dec = {0};
    isl_base64_encode(&enc, bytes, n);
    if (!isl_base64_decode(&dec, enc.p ? enc.p : "", enc.len) || dec.len != n ||
        (n && memcmp(dec.p, bytes, n) != 0))
      bad++;
    isl_buf_free(&enc);
    isl_buf_free(&dec);
  }
  CHECK(bad == 0);
}

int main(void) {
  test_wpt_table();
  test_encode();
  test_round_trip();
  return check_summary();
}
