/* src/base/mime.c against WPT's mimesniff/mime-types.json and generated-mime-types.json
 * (parse a MIME type, then serialise it; output null means failure), plus Fetch's
 * "extract a MIME type" on combined Content-Type values. Run from the repository root:
 * the data is read from ../shared/wpt-data/mimesniff/ at run time. */
#include <stdio.h>
#include <stdlib.h>

#include "base/mime.h"
#include "check.h"

#define DATA_DIR "../shared/wpt-data/mimesniff/"

/* A tiny reader for the files' shape: an array of comment strings and flat objects whose
 * members are strings, null, true or false. Strings may hold \uXXXX (pairs included) and
 * the usual escapes; they are decoded to UTF-8, NULs included (lengths are kept). */
typedef struct {
  const char *p, *end;
  bool bad;
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

static unsigned hex4(cur_t *c) {
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    if (c->p >= c->end) {
      c->bad = true;
      return 0;
    }
    char h = *c->p++;
    v = v * 16 + (unsigned)(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
  }
  return v;
}

static void put_utf8(isl_buf_t *b, unsigned cp) {
  if (cp < 0x80) {
    isl_buf_putc(b, (char)cp);
  } else if (cp < 0x800) {
    isl_buf_putc(b, (char)(0xC0 | (cp >> 6)));
    isl_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    isl_buf_putc(b, (char)(0xE0 | (cp >> 12)));
    isl_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
    isl_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
  } else {
    isl_buf_putc(b, (char)(0xF0 | (cp >> 18)));
    isl_buf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
    isl_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
    isl_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
  }
}

/* A JSON string at c->p (after optional whitespace) into out. */
static bool read_string(cur_t *c, isl_buf_t *out) {
  if (!eat(c, '"')) return false;
  while (c->p < c->end && *c->p != '"') {
    char ch = *c->p++;
    if (ch != '\\') {
      isl_buf_putc(out, ch);
      continue;
    }
    if (c->p >= c->end) return false;
    char e = *c->p++;
    switch (e) {
      case 'n': isl_buf_putc(out, '\n'); break;
      case 'r': isl_buf_putc(out, '\r'); break;
      case 't': isl_buf_putc(out, '\t'); break;
      case 'b': isl_buf_putc(out, '\b'); break;
      case 'f': isl_buf_putc(out, '\f'); break;
      case 'u': {
        unsigned cp = hex4(c);
        if (cp >= 0xD800 && cp <= 0xDBFF && c->p + 6 <= c->end && c->p[0] == '\\' &&
            c->p[1] == 'u') {
          c->p += 2;
          unsigned lo = hex4(c);
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        put_utf8(out, cp);
        break;
      }
      default: isl_buf_putc(out, e); break; /* \" \\ \/ */
    }
  }
  return eat(c, '"') && !c->bad;
}

/* A string, null, true or false: *is_null tells which of string and null it was. */
static bool read_scalar(cur_t *c, isl_buf_t *out, bool *is_null) {
  ws(c);
  *is_null = false;
  static const char *const words[] = {"null", "true", "false"};
  for (int i = 0; i < 3; i++) {
    size_t l = strlen(words[i]);
    if ((size_t)(c->end - c->p) >= l && memcmp(c->p, words[i], l) == 0) {
      c->p += l;
      *is_null = i == 0;
      return true;
    }
  }
  return read_string(c, out);
}

static char *read_file(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  isl_buf_t b = {0};
  char tmp[65536];
  size_t got;
  while ((got = fread(tmp, 1, sizeof(tmp), f)) > 0) isl_buf_append(&b, tmp, got);
  fclose(f);
  *n = b.len;
  return isl_buf_take(&b);
}

/* Shows a string with its control and non-ASCII bytes escaped, for failure messages. */
static const char *show(const char *s, size_t n) {
  static isl_buf_t b;
  b.len = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    if (ch < 0x20 || ch >= 0x7F) isl_buf_printf(&b, "\\x%02x", ch);
    else isl_buf_putc(&b, (char)ch);
  }
  isl_buf_putc(&b, 0);
  return b.p;
}

/* One case: parse input; output NULL means it must fail, else serialise to output. */
static void check_case(const char *in, size_t inlen, const char *out, size_t outlen, bool fail) {
  isl_mime_t m;
  bool ok = isl_mime_parse(&m, in, inlen);
  if (fail) {
    if (ok) {
      isl_buf_t s = {0};
      isl_mime_serialize(&s, &m);
      printf("FAIL parse %s: expected failure, got %s\n", show(in, inlen), s.p);
      isl_buf_free(&s);
      check_failed++;
    } else {
      check_passed++;
    }
  } else if (!ok) {
    printf("FAIL parse %s: failed, expected %s\n", show(in, inlen), out);
    check_failed++;
  } else {
    isl_buf_t s = {0};
    isl_mime_serialize(&s, &m);
    if (s.len == outlen && memcmp(s.p, out, outlen) == 0) {
      check_passed++;
    } else {
      printf("FAIL parse %s:\n  got:      %s\n", show(in, inlen), show(s.p, s.len));
      printf("  expected: %s\n", show(out, outlen));
      check_failed++;
    }
    isl_buf_free(&s);
  }
  isl_mime_dispose(&m);
}

/* Runs every case of one data file; returns how many it found. */
static int run_file(const char *path) {
  size_t n;
  char *data = read_file(path, &n);
  if (!data) {
    printf("FAIL cannot read %s\n", path);
    check_failed++;
    return 0;
  }
  cur_t c = {data, data + n, false};
  int cases = 0;
  isl_buf_t key = {0}, input = {0}, output = {0}, scratch = {0};
  bool ok = eat(&c, '[');
  while (ok && !eat(&c, ']')) {
    eat(&c, ','); /* between items; optional here, which is lenient enough */
    ws(&c);
    if (c.p < c.end && *c.p == '"') {
      scratch.len = 0;
      ok = read_string(&c, &scratch); /* a comment */
      continue;
    }
    ok = eat(&c, '{');
    bool out_null = true, have_input = false;
    input.len = output.len = 0;
    while (ok && !eat(&c, '}')) {
      eat(&c, ',');
      key.len = 0;
      ok = read_string(&c, &key) && eat(&c, ':');
      if (!ok) break;
      bool is_null;
      if (strcmp(key.p, "input") == 0) {
        ok = read_scalar(&c, &input, &is_null);
        have_input = true;
      } else if (strcmp(key.p, "output") == 0) {
        ok = read_scalar(&c, &output, &out_null);
      } else {
        scratch.len = 0;
        ok = read_scalar(&c, &scratch, &is_null);
      }
    }
    if (!ok || !have_input) break;
    check_case(input.p ? input.p : "", input.len, output.p ? output.p : "", output.len,
               out_null);
    cases++;
  }
  if (!ok) {
    printf("FAIL %s: unexpected JSON near offset %ld\n", path, (long)(c.p - data));
    check_failed++;
  }
  isl_buf_free(&key);
  isl_buf_free(&input);
  isl_buf_free(&output);
  isl_buf_free(&scratch);
  free(data);
  return cases;
}

/* Fetch's extract: the combined header value, and what it should give ("" = failure). */
static void check_extract(const char *value, const char *expected) {
  isl_mime_t m;
  isl_buf_t s = {0};
  if (isl_mime_extract(&m, value, strlen(value))) isl_mime_serialize(&s, &m);
  else isl_buf_puts(&s, "");
  if (strcmp(s.p, expected) == 0) {
    check_passed++;
  } else {
    printf("FAIL extract %s:\n  got:      %s\n  expected: %s\n", value, s.p, expected);
    check_failed++;
  }
  isl_buf_free(&s);
  isl_mime_dispose(&m);
}

static void test_extract(void) {
  check_extract("text/plain", "text/plain");
  check_extract("", "");
  check_extract("nonsense", "");
  /* The last valid value wins; invalid pieces and the wildcard are skipped. */
  check_extract("text/plain, text/html", "text/html");
  check_extract("text/html, nonsense", "text/html");
  check_extract("text/html, */*", "text/html");
  check_extract("*/*", "");
  /* A later value of the same essence without a charset keeps the earlier charset... */
  check_extract("text/plain;charset=gbk, text/plain", "text/plain;charset=gbk");
  /* ...but not across a different essence. */
  check_extract("text/plain;charset=gbk, text/html", "text/html");
  check_extract("text/plain;charset=gbk, text/html, text/plain", "text/plain");
  /* The same essence with its own charset keeps its own. */
  check_extract("text/plain;charset=gbk, text/plain;charset=utf-8", "text/plain;charset=utf-8");
  /* Commas inside a quoted string do not split. */
  check_extract("text/plain;x=\"a,b\"", "text/plain;x=\"a,b\"");
  check_extract("text/plain;x=\"a\\\",b\"", "text/plain;x=\"a\\\",b\"");
  /* An unquoted comma does (mime-types.json expects a parser alone to keep it). */
  check_extract("x/x;x=,;bonus=x", "x/x");
  /* Bytes above 0x7F are code points U+0080 to U+00FF, output as UTF-8. */
  check_extract("x/x;x=\"\xe9\"", "x/x;x=\"\xc3\xa9\"");
  check_extract("\xe9/x", "");
}

static void test_api(void) {
  isl_mime_t m;
  CHECK(isl_mime_parse(&m, "Multipart/Form-Data; Boundary=\"a b\"", 35));
  CHECK(isl_mime_essence_is(&m, "multipart/form-data"));
  CHECK(!isl_mime_essence_is(&m, "multipart/form"));
  CHECK(!isl_mime_essence_is(&m, "multipart/form-datax"));
  CHECK_STR(isl_mime_param(&m, "boundary"), "a b");
  CHECK(isl_mime_param(&m, "Boundary") == NULL);
  isl_mime_set_param(&m, "boundary", "x");
  isl_mime_set_param(&m, "charset", "");
  isl_buf_t s = {0};
  isl_mime_serialize(&s, &m);
  CHECK_STR(s.p, "multipart/form-data;boundary=x;charset=\"\"");
  isl_buf_free(&s);
  isl_mime_dispose(&m);
  /* A NUL inside a value is not a quoted-string token code point. */
  CHECK(isl_mime_parse(&m, "a/b;x=\"\0\";y=1", 13));
  CHECK(isl_mime_param(&m, "x") == NULL);
  CHECK_STR(isl_mime_param(&m, "y"), "1");
  isl_mime_dispose(&m);
  CHECK(!isl_mime_parse(&m, "a/", 2));
  CHECK(m.type == NULL);
}

int main(void) {
  int a = run_file(DATA_DIR "mime-types.json");
  int b = run_file(DATA_DIR "generated-mime-types.json");
  /* Guard against a reader that silently stops early. */
  CHECK(a == 74);
  CHECK(b == 881);
  test_extract();
  test_api();
  return check_summary();
}
