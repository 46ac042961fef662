/* Unit tests for src/base/unixaddr.c: workerd's unix:PATH and unix-abstract:NAME addresses
 * turned into a sockaddr_un, with kj's length limits. */
#include <stddef.h>

#include "base/unixaddr.h"
#include "check.h"

#define BASE offsetof(struct sockaddr_un, sun_path)

/* "unix:" or "unix-abstract:" followed by n copies of 'a'. */
static const char *addr_of(const char *prefix, size_t n) {
  static char buf[512];
  size_t k = strlen(prefix);
  memcpy(buf, prefix, k);
  memset(buf + k, 'a', n);
  buf[k + n] = 0;
  return buf;
}

static void test_recognised(void) {
  CHECK(isl_unixaddr_is("unix:/tmp/x.sock"));
  CHECK(isl_unixaddr_is("unix-abstract:name"));
  CHECK(isl_unixaddr_is("unix:")); /* recognised, refused by the parser */
  CHECK(!isl_unixaddr_is("127.0.0.1:8080"));
  CHECK(!isl_unixaddr_is("unix.example:80")); /* a host named unix… */
  CHECK(!isl_unixaddr_is("UNIX:/tmp/x"));     /* kj compares case-sensitively */
  CHECK(!isl_unixaddr_is("*:80"));
  CHECK(!isl_unixaddr_is(NULL));
}

static void test_path(void) {
  isl_unixaddr_t a;
  char err[256] = "";
  CHECK(isl_unixaddr_parse("unix:/run/islet.sock", &a, err, sizeof(err)));
  CHECK(a.sa.sun_family == AF_UNIX);
  CHECK(!a.abstract);
  CHECK_STR(a.sa.sun_path, "/run/islet.sock");
  CHECK_STR(isl_unixaddr_path(&a), "/run/islet.sock");
  CHECK(a.len == BASE + strlen("/run/islet.sock") + 1);
  /* Relative paths are kept as written (relative to the working directory). */
  CHECK(isl_unixaddr_parse("unix:rel/s.sock", &a, err, sizeof(err)));
  CHECK_STR(a.sa.sun_path, "rel/s.sock");
  /* Only the prefix is taken off: "unix://x" is the path "//x", as kj reads it. */
  CHECK(isl_unixaddr_parse("unix://x", &a, err, sizeof(err)));
  CHECK_STR(a.sa.sun_path, "//x");
}

static void test_path_limits(void) {
  isl_unixaddr_t a;
  char err[256] = "";
  size_t room = sizeof(a.sa.sun_path);
  CHECK(isl_unixaddr_parse(addr_of("unix:", room - 1), &a, err, sizeof(err)));
  CHECK(a.sa.sun_path[room - 1] == 0);
  CHECK(a.len == sizeof(struct sockaddr_un));
  CHECK(!isl_unixaddr_parse(addr_of("unix:", room), &a, err, sizeof(err)));
  CHECK(strstr(err, "too long") && strstr(err, "at most 107"));
  CHECK(!isl_unixaddr_parse("unix:", &a, err, sizeof(err)));
  CHECK(strstr(err, "path is empty") != NULL);
}

static void test_abstract(void) {
  isl_unixaddr_t a;
  char err[256] = "";
  CHECK(isl_unixaddr_parse("unix-abstract:islet", &a, err, sizeof(err)));
  CHECK(a.abstract);
  CHECK(a.sa.sun_path[0] == 0);
  CHECK(memcmp(a.sa.sun_path + 1, "islet", 5) == 0);
  /* The name is length-delimited: no trailing NUL counted, as kj counts it. */
  CHECK(a.len == BASE + 1 + 5);
  CHECK(isl_unixaddr_path(&a) == NULL);
  size_t room = sizeof(a.sa.sun_path);
  CHECK(isl_unixaddr_parse(addr_of("unix-abstract:", room - 2), &a, err, sizeof(err)));
  CHECK(!isl_unixaddr_parse(addr_of("unix-abstract:", room - 1), &a, err, sizeof(err)));
  CHECK(strstr(err, "name is too long") && strstr(err, "at most 106"));
  CHECK(!isl_unixaddr_parse("unix-abstract:", &a, err, sizeof(err)));
  CHECK(strstr(err, "name is empty") != NULL);
}

static void test_not_unix(void) {
  isl_unixaddr_t a;
  char err[256] = "";
  CHECK(!isl_unixaddr_parse("127.0.0.1:80", &a, err, sizeof(err)));
  CHECK(strstr(err, "not a unix socket address") != NULL);
  /* A zero-sized message buffer is allowed. */
  CHECK(!isl_unixaddr_parse("unix:", &a, NULL, 0));
}

int main(void) {
  test_recognised();
  test_path();
  test_path_limits();
  test_abstract();
  test_not_unix();
  return check_summary();
}
