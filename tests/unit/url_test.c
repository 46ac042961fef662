/* Unit tests for src/url: percent-encoding, the urlencoded format, hosts and the parser. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "url/percent.h"
#include "url/url.h"
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


/* ---- Hosts ------------------------------------------------------------------------------- */

static char *host(const char *in, bool opaque) {
  isl_host_t h;
  if (!isl_host_parse(in, strlen(in), opaque, &h)) return isl_strdup("FAIL");
  char *s = isl_strdup(h.text.p ? h.text.p : "");
  isl_host_dispose(&h);
  return s;
}

#define HOST(in, opaque, want)    \
  do {                            \
    char *got_ = host(in, opaque); \
    CHECK_STR(got_, want);        \
    free(got_);                   \
  } while (0)

static void test_ipv4_forms(void) {
  HOST("192.168.0.1", false, "192.168.0.1");
  /* Hex, octal and decimal parts, and the last part filling the remaining bytes. */
  HOST("0xC0.0250.1", false, "192.168.0.1");
  HOST("0xc0a80001", false, "192.168.0.1");
  HOST("3232235521", false, "192.168.0.1");
  HOST("192.11010049", false, "192.168.0.1");
  HOST("192.168.1", false, "192.168.0.1");
  HOST("0", false, "0.0.0.0");
  HOST("0x", false, "0.0.0.0");
  HOST("0X.0x0", false, "0.0.0.0");
  HOST("1.2.3.4.", false, "1.2.3.4");
  HOST("4294967295", false, "255.255.255.255");
  /* Failures: out of range, too many parts, bad digits, empty parts. */
  HOST("4294967296", false, "FAIL");
  HOST("256.0.0.1", false, "FAIL");
  HOST("1.2.3.256", false, "FAIL");
  HOST("1.2.65536", false, "FAIL");
  HOST("1.2.3.4.5", false, "FAIL");
  HOST("09", false, "FAIL");
  HOST("foo.0x1g", false, "foo.0x1g"); /* not a number: a domain */
  HOST("1..2", false, "FAIL");
  HOST("0xffffffffffffffffffff", false, "FAIL");
  /* Not ending in a number: a domain. */
  HOST("1.2.3.a", false, "1.2.3.a");
  HOST("foo.0x", false, "FAIL");
  HOST("foo.09", false, "FAIL");
  HOST("09.foo", false, "09.foo");
  /* Percent-encoded digits decode before the IPv4 parser sees them. */
  HOST("%31%32%37.1", false, "127.0.0.1");
  CHECK(isl_host_ends_in_number("a.1.", 4));
  CHECK(!isl_host_ends_in_number(".", 1));
  CHECK(!isl_host_ends_in_number("a.b", 3));
  CHECK(isl_host_ends_in_number("a.0X1f", 6));
}

static void test_ipv6_forms(void) {
  HOST("[::]", false, "[::]");
  HOST("[0:0:0:0:0:0:0:1]", false, "[::1]");
  HOST("[1:0:0:2:0:0:0:3]", false, "[1:0:0:2::3]"); /* the longest run is compressed */
  HOST("[1:0:0:2:0:0:3:4]", false, "[1::2:0:0:3:4]"); /* the first of equal runs */
  HOST("[1:2:3:4:5:6:7:0]", false, "[1:2:3:4:5:6:7:0]"); /* a single 0 is not compressed */
  HOST("[ABCD::EF01]", false, "[abcd::ef01]");
  HOST("[::ffff:192.168.0.1]", false, "[::ffff:c0a8:1]");
  HOST("[::127.0.0.1]", false, "[::7f00:1]");
  HOST("[1:2:3:4:5:6:1.2.3.4]", false, "[1:2:3:4:5:6:102:304]");
  HOST("[0001:0002::]", false, "[1:2::]");
  /* Failures. */
  HOST("[:1]", false, "FAIL");
  HOST("[1::2::3]", false, "FAIL");
  HOST("[1:2:3:4:5:6:7:8:9]", false, "FAIL");
  HOST("[1:2:3:4:5:6:7]", false, "FAIL");
  HOST("[12345::]", false, "FAIL");
  HOST("[1:]", false, "FAIL");
  HOST("[::1.2.3]", false, "FAIL");
  HOST("[::1.2.3.4.5]", false, "FAIL");
  HOST("[::01.2.3.4]", false, "FAIL");
  HOST("[::256.2.3.4]", false, "FAIL");
  HOST("[1:2:3:4:5:6:7:1.2.3.4]", false, "FAIL");
  HOST("[::1", false, "FAIL");
  HOST("[::%31]", false, "FAIL");
  HOST("[g::]", false, "FAIL");
}

static void test_domains_and_opaque_hosts(void) {
  HOST("EXAMPLE.com", false, "example.com");
  HOST("example%2Ecom", false, "example.com");
  HOST("fa\xc3\x9f.example", false, "xn--fa-hia.example");
  HOST("\xe2\x98\x95.example", false, "xn--53h.example");
  HOST("xn--53h.example", false, "xn--53h.example");
  HOST("Xn--53H.example", false, "xn--53h.example");
  HOST("xn--a.example", false, "FAIL");          /* bad punycode */
  HOST("a\xe2\x80\x8c" "b", false, "FAIL");       /* ZWNJ without context: CheckJoiners */
  HOST("a b", false, "FAIL");                     /* forbidden host code point */
  HOST("a%20b", false, "FAIL");                   /* … also after percent-decoding */
  HOST("a%b", false, "FAIL");                     /* % is a forbidden domain code point */
  HOST("a^b", false, "FAIL");
  HOST("a\x7f" "b", false, "FAIL");
  HOST("%ff.com", false, "FAIL");                 /* invalid UTF-8 becomes U+FFFD */
  HOST("-x.xn--zca", false, "-x.xn--zca");        /* CheckHyphens is off */
  HOST("a..b", false, "a..b");                    /* VerifyDnsLength is off */
  HOST("\xc2\xad", false, "FAIL");                /* maps to nothing: empty */
  HOST("\xe1\xba\x9e.com", false, "xn--zca.com"); /* U+1E9E maps to ß (UTS #46 15.1) */
  HOST("\xe1\x82\xa0.com", false, "xn--rkj.com"); /* Georgian capital, mapped since 15.1 */
  /* Opaque hosts: forbidden host code points fail, the rest is C0-encoded. */
  HOST("EXAMPLE.COM", true, "EXAMPLE.COM");
  HOST("fa\xc3\x9f.example", true, "fa%C3%9F.example");
  HOST("0xffffffff", true, "0xffffffff");
  HOST("a%zz", true, "a%zz");
  HOST("example^example", true, "FAIL");
  HOST("a<b", true, "FAIL");
  HOST("", true, "");
}

/* ---- The parser, serializer and setters --------------------------------------------------- */

static char *parse(const char *in, const char *base) {
  char *href = isl_url_parse_href(in, strlen(in), base, base ? strlen(base) : 0, NULL);
  return href ? href : isl_strdup("FAIL");
}

#define PARSE(in, base, want)     \
  do {                            \
    char *got_ = parse(in, base); \
    CHECK_STR(got_, want);        \
    free(got_);                   \
  } while (0)

static void test_parser(void) {
  PARSE("  https://EXAMPLE.com/a/./b/../c \t", NULL, "https://example.com/a/c");
  PARSE("ht\ntp://x/\ty", NULL, "http://x/y");
  PARSE("https://example.com:443/", NULL, "https://example.com/");
  PARSE("https://example.com:0443/", NULL, "https://example.com/");
  PARSE("http://x:65535/", NULL, "http://x:65535/");
  PARSE("http://x:65536/", NULL, "FAIL");
  PARSE("http://x:8a/", NULL, "FAIL");
  PARSE("https://user:p@ss@host/", NULL, "https://user:p%40ss@host/");
  PARSE("https://@host/", NULL, "https://host/");
  PARSE("https://u@/", NULL, "FAIL");
  PARSE("http:\\\\x\\y", NULL, "http://x/y");
  PARSE("https:example.org", NULL, "https://example.org/");
  PARSE("https:example.org", "https://example.com/", "https://example.com/example.org");
  PARSE("\\example\\..\\demo/.\\", "https://example.com/", "https://example.com/demo/");
  PARSE("?q", "https://h/p?x#y", "https://h/p?q");
  PARSE("#f", "https://h/p?x#y", "https://h/p?x#f");
  PARSE("", "https://h/p?x#y", "https://h/p?x");
  PARSE("//other/x", "https://h/p", "https://other/x");
  PARSE("x", NULL, "FAIL");
  PARSE("#f", "sc:opaque", "sc:opaque#f");
  PARSE("x", "sc:opaque", "FAIL");
  PARSE("/%2e%2E/a/%2e/b", "http://h/", "http://h/a/b");
  PARSE("http://h/a b?c d#e f", NULL, "http://h/a%20b?c%20d#e%20f");
  PARSE("http://h/?'", NULL, "http://h/?%27");
  PARSE("sc://h/?'", NULL, "sc://h/?'");
  PARSE("http://h/^`{}", NULL, "http://h/%5E%60%7B%7D");
  PARSE("sc:a b ?c", NULL, "sc:a b%20?c");
  PARSE("sc:\xe2\x80\xa0", NULL, "sc:%E2%80%A0");
  PARSE("sc://h:1/", NULL, "sc://h:1/");
  PARSE("sc://", NULL, "sc://");
  PARSE("sc:/.//p", NULL, "sc:/.//p");
  PARSE("web+demo:/path/..//not-a-host/", NULL, "web+demo:/.//not-a-host/");
  PARSE("http://h/\xff", NULL, "http://h/%EF%BF%BD"); /* invalid UTF-8 → U+FFFD */
  /* Windows drive letters in file URLs. */
  PARSE("file:///C|/demo", NULL, "file:///C:/demo");
  PARSE("..", "file:///C:/demo", "file:///C:/");
  PARSE("/x", "file:///C:/a/b", "file:///C:/x");
  PARSE("file://loc%61lhost/", NULL, "file:///");
  PARSE("file://C|/x", NULL, "file:///C:/x");
  PARSE("file:c:\\foo", NULL, "file:///c:/foo");
  PARSE("file://host/share", NULL, "file://host/share");
  PARSE("/D:/x", "file:///C:/a", "file:///D:/x");
  PARSE("D:/x", "file:///C:/a", "d:/x"); /* "d" is a scheme */
  PARSE("file:..", "file:///C:/", "file:///C:/");
  PARSE("https://x/\xf0\x9f\x92\xa9", NULL, "https://x/%F0%9F%92%A9");
}

static char *set(const char *href, void (*setter)(isl_url_t *, const char *, size_t),
                 const char *v) {
  isl_url_t u;
  if (!isl_url_parse(href, strlen(href), NULL, &u)) return isl_strdup("FAIL");
  setter(&u, v, strlen(v));
  isl_buf_t b = {0};
  isl_url_serialize(&u, false, &b);
  isl_url_dispose(&u);
  return isl_buf_take(&b);
}

#define SET(href, setter, v, want)            \
  do {                                        \
    char *got_ = set(href, setter, v);        \
    CHECK_STR(got_, want);                    \
    free(got_);                               \
  } while (0)

static void test_setters(void) {
  SET("http://h/", isl_url_set_protocol, "https", "https://h/");
  SET("http://h:443/", isl_url_set_protocol, "https", "https://h/"); /* default port drops */
  SET("http://h/", isl_url_set_protocol, "sc", "http://h/");        /* special ↔ not */
  SET("http://u@h/", isl_url_set_protocol, "file", "http://u@h/");
  SET("http://h/", isl_url_set_protocol, "h\xc3\xa9", "http://h/");
  SET("http://h/", isl_url_set_username, "a b:@", "http://a%20b%3A%40@h/");
  SET("file:///x", isl_url_set_username, "u", "file:///x");
  SET("http://h/", isl_url_set_password, "p", "http://:p@h/");
  SET("http://h:1/", isl_url_set_host, "x:2", "http://x:2/");
  SET("http://h:1/", isl_url_set_host, "x", "http://x:1/"); /* no port: port kept */
  SET("http://h:1/", isl_url_set_host, "x:99999", "http://x:1/");
  SET("http://h/", isl_url_set_host, "", "http://h/");
  SET("http://h/", isl_url_set_hostname, "x:2", "http://h/");
  SET("sc:opaque", isl_url_set_host, "x", "sc:opaque");
  SET("file://h/p", isl_url_set_host, "localhost", "file:///p");
  SET("http://h/", isl_url_set_port, "8080stuff", "http://h:8080/");
  SET("http://h:1/", isl_url_set_port, "", "http://h/");
  SET("http://h/", isl_url_set_port, "80", "http://h/");
  SET("http://h/", isl_url_set_pathname, "a/../b c?#", "http://h/b%20c%3F%23");
  SET("sc:/x", isl_url_set_pathname, "", "sc:/");
  SET("sc://h/x", isl_url_set_pathname, "", "sc://h");
  SET("http://h/", isl_url_set_search, "?a=b c#", "http://h/?a=b%20c%23");
  SET("http://h/?x", isl_url_set_search, "", "http://h/");
  SET("http://h/", isl_url_set_hash, "#a b", "http://h/#a%20b");
  SET("sc:space ?q", isl_url_set_search, "", "sc:space%20");
  SET("http://h/#x", isl_url_set_hash, "", "http://h/");
}

static void test_origin(void) {
  const char *cases[][2] = {
      {"https://h:8443/x", "https://h:8443"}, {"http://h:80/", "http://h"},
      {"blob:https://a.example/uuid", "https://a.example"}, {"blob:sc:x", "null"},
      {"file:///x", "null"}, {"sc://h/", "null"}, {"ws://[::1]:81/", "ws://[::1]:81"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    isl_url_t u;
    CHECK(isl_url_parse(cases[i][0], strlen(cases[i][0]), NULL, &u));
    isl_buf_t b = {0};
    isl_url_serialize_origin(&u, &b);
    CHECK_STR(b.p, cases[i][1]);
    isl_buf_free(&b);
    isl_url_dispose(&u);
  }
  bool cred = false;
  char *h = isl_url_parse_href("https://u:p@h/", 14, NULL, 0, &cred);
  CHECK(cred);
  free(h);
}

int main(void) {
  test_percent_sets();
  test_percent_decode();
  test_utf8_sanitize();
  test_urlencoded_parse();
  test_urlencoded_serialize();
  test_ipv4_forms();
  test_ipv6_forms();
  test_domains_and_opaque_hosts();
  test_parser();
  test_setters();
  test_origin();
  return check_summary();
}
