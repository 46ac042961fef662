/* Unit tests for src/url: percent-encoding, the urlencoded format, hosts and the parser. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "url/percent.h"
#include "url/urlencoded.h"

/* ---- Percent-encoding ------------------------------------------------------------------ */

static char *enc(const char *s, isl_pct_set_t set) {
  isl_buf_t b = {0};
  isl_pct_encode(&b, s, strlen(s), set, false);
  return isl_buf_take(&b);
}

static void test_percent_sets(void) {
  char *s;
  /* The C0 set: controls, DEL and non-ASCII only. */
  s = enc("a b\x01\x7f\xc3\xa9", ISL_PCT_C0);
  CHECK_STR(s, "a b%01%7F%C3%A9");
  free(s);
  s = enc(" \"#<>`?^{}'", ISL_PCT_FRAGMENT);
  CHECK_STR(s, "%20%22#%3C%3E%60?^{}'");
  free(s);
  s = enc(" \"#<>`?^{}'", ISL_PCT_QUERY);
  CHECK_STR(s, "%20%22%23%3C%3E`?^{}'");
  free(s);
  s = enc("'", ISL_PCT_SPECIAL_QUERY);
  CHECK_STR(s, "%27");
  free(s);
  s = enc(" \"#<>`?^{}'/", ISL_PCT_PATH);
  CHECK_STR(s, "%20%22%23%3C%3E%60%3F%5E%7B%7D'/");
  free(s);
  s = enc("/:;=@[\\]|$%&+,", ISL_PCT_USERINFO);
  CHECK_STR(s, "%2F%3A%3B%3D%40%5B%5C%5D%7C$%&+,");
  free(s);
  s = enc("$%&+,!'()~*-._", ISL_PCT_COMPONENT);
  CHECK_STR(s, "%24%25%26%2B%2C!'()~*-._");
  free(s);
  s = enc("!'()~*-._aZ9", ISL_PCT_FORM);
  CHECK_STR(s, "%21%27%28%29%7E*-._aZ9");
  free(s);
}

static void test_percent_decode(void) {
  isl_buf_t b = {0};
  isl_pct_decode(&b, "%25%s%1G%4a%", 12);
  CHECK(b.len == 8 && memcmp(b.p, "%%s%1GJ%", 8) == 0);
  isl_buf_free(&b);
}

static void test_utf8_sanitize(void) {
  isl_buf_t b = {0};
  /* A truncated 3-byte sequence is one U+FFFD; a lone continuation byte is another. */
  isl_utf8_sanitize(&b, "a\xe2\x82" "b\x80\xef\xbf\xbd", 8);
  CHECK_STR(b.p, "a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd");
  isl_buf_free(&b);
}

/* ---- application/x-www-form-urlencoded ------------------------------------------------- */

static void test_urlencoded_parse(void) {
  isl_form_list_t l = {0};
  const char *in = "a=1&&b=x+y%20z&=v&c&d=%zz%41&e==f&%FF=%E2%82";
  isl_urlencoded_parse(in, strlen(in), &l);
  CHECK(l.n == 7);
  CHECK_STR(l.v[0].name, "a");
  CHECK_STR(l.v[0].value, "1");
  CHECK_STR(l.v[1].value, "x y z");
  CHECK_STR(l.v[2].name, "");
  CHECK_STR(l.v[2].value, "v");
  CHECK_STR(l.v[3].name, "c");
  CHECK_STR(l.v[3].value, "");
  CHECK_STR(l.v[4].value, "%zzA");
  CHECK_STR(l.v[5].value, "=f");
  CHECK_STR(l.v[6].name, "\xef\xbf\xbd");
  CHECK_STR(l.v[6].value, "\xef\xbf\xbd");
  isl_form_list_dispose(&l);
  /* NUL survives with its length. */
  isl_urlencoded_parse("%00=a", 5, &l);
  CHECK(l.n == 1 && l.v[0].name_len == 1 && l.v[0].name[0] == 0);
  isl_form_list_dispose(&l);
  isl_urlencoded_parse("", 0, &l);
  CHECK(l.n == 0);
  isl_urlencoded_parse("&&&", 3, &l);
  CHECK(l.n == 0);
  isl_form_list_dispose(&l);
}

static void test_urlencoded_serialize(void) {
  isl_form_list_t l = {0};
  isl_form_list_add(&l, "a b", 3, "1+1=2", 5);
  isl_form_list_add(&l, "\xe2\x80\xa0", 3, "~*-._!", 6);
  isl_form_list_add(&l, "", 0, "", 0);
  isl_buf_t b = {0};
  isl_urlencoded_serialize(&l, &b);
  CHECK_STR(b.p, "a+b=1%2B1%3D2&%E2%80%A0=%7E*-._%21&=");
  isl_buf_free(&b);
  isl_form_list_remove(&l, 0);
  CHECK(l.n == 2);
  CHECK_STR(l.v[0].name, "\xe2\x80\xa0");
  isl_form_list_dispose(&l);
}

int main(void) {
  test_percent_sets();
  test_percent_decode();
  test_utf8_sanitize();
  test_urlencoded_parse();
  test_urlencoded_serialize();
  return check_summary();
}
