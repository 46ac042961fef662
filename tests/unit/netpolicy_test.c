/* Unit tests for src/services/netpolicy.c: the allow/deny address policy of a network
 * service. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include "check.h"
#include "services/netpolicy.h"

/* Whether p allows the IP address text s (IPv4 or IPv6). */
static bool allows(const isl_netpolicy_t *p, const char *s) {
  struct sockaddr_storage ss = {0};
  struct sockaddr_in *in = (struct sockaddr_in *)&ss;
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
  if (inet_pton(AF_INET, s, &in->sin_addr) == 1) {
    in->sin_family = AF_INET;
    in->sin_port = htons(80);
  } else if (inet_pton(AF_INET6, s, &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(443);
  } else {
    printf("bad test address %s\n", s);
    return false;
  }
  return isl_netpolicy_allows(p, (const struct sockaddr *)&ss);
}

static isl_netpolicy_t *policy2(const char *allow, const char *deny) {
  char err[128] = "";
  const char *a[] = {allow}, *d[] = {deny};
  isl_netpolicy_t *p =
      isl_netpolicy_new(allow ? a : NULL, allow ? 1 : 0, d, deny ? 1 : 0, err, sizeof(err));
  if (!p) printf("unexpected error: %s\n", err);
  return p;
}

static isl_netpolicy_t *policy(const char *allow) { return policy2(allow, NULL); }

/* The error for an allow list of just s, or NULL when s is accepted. */
static const char *error_for(const char *s, char *err, size_t n) {
  const char *a[] = {s};
  isl_netpolicy_t *p = isl_netpolicy_new(a, 1, NULL, 0, err, n);
  if (p) {
    isl_netpolicy_free(p);
    return NULL;
  }
  return err;
}

static void test_public(void) {
  isl_netpolicy_t *p = policy("public");
  CHECK(allows(p, "8.8.8.8"));
  CHECK(allows(p, "1.1.1.1"));
  CHECK(allows(p, "2606:4700:4700::1111"));
  CHECK(allows(p, "::ffff:8.8.8.8"));
  /* RFC 1918 boundaries. */
  CHECK(allows(p, "9.255.255.255"));
  CHECK(!allows(p, "10.0.0.0"));
  CHECK(!allows(p, "10.255.255.255"));
  CHECK(allows(p, "11.0.0.0"));
  CHECK(allows(p, "172.15.255.255"));
  CHECK(!allows(p, "172.16.0.0"));
  CHECK(!allows(p, "172.31.255.255"));
  CHECK(allows(p, "172.32.0.0"));
  CHECK(allows(p, "192.167.255.255"));
  CHECK(!allows(p, "192.168.0.0"));
  CHECK(allows(p, "192.169.0.0"));
  /* CGNAT 100.64/10. */
  CHECK(allows(p, "100.63.255.255"));
  CHECK(!allows(p, "100.64.0.0"));
  CHECK(!allows(p, "100.127.255.255"));
  CHECK(allows(p, "100.128.0.0"));
  /* Link-local, loopback, unspecified. */
  CHECK(allows(p, "169.253.255.255"));
  CHECK(!allows(p, "169.254.1.1"));
  CHECK(allows(p, "169.255.0.0"));
  CHECK(!allows(p, "127.0.0.1"));
  CHECK(!allows(p, "0.0.0.0"));
  CHECK(!allows(p, "::1"));
  CHECK(!allows(p, "::"));
  CHECK(!allows(p, "fc00::1"));
  CHECK(!allows(p, "fdff:ffff::1"));
  CHECK(allows(p, "fbff:ffff::1"));
  CHECK(allows(p, "fe00::1"));
  CHECK(!allows(p, "fe80::1"));
  CHECK(!allows(p, "febf:ffff::1"));
  CHECK(allows(p, "fec0::1"));
  /* Reserved: multicast, broadcast, documentation. */
  CHECK(allows(p, "223.255.255.255"));
  CHECK(!allows(p, "224.0.0.1"));
  CHECK(!allows(p, "255.255.255.255"));
  CHECK(!allows(p, "192.0.2.1"));
  CHECK(!allows(p, "203.0.113.7"));
  CHECK(!allows(p, "ff02::1"));
  CHECK(!allows(p, "2001:db8::1"));
  /* Mapped addresses are their IPv4 address. */
  CHECK(!allows(p, "::ffff:10.0.0.1"));
  CHECK(!allows(p, "::ffff:127.0.0.1"));
  CHECK(!allows(p, "::ffff:192.168.1.1"));
  isl_netpolicy_free(p);
}

static void test_private(void) {
  isl_netpolicy_t *p = policy("private");
  CHECK(allows(p, "10.1.2.3"));
  CHECK(!allows(p, "172.15.255.255"));
  CHECK(allows(p, "172.16.0.0"));
  CHECK(allows(p, "172.31.255.255"));
  CHECK(!allows(p, "172.32.0.0"));
  CHECK(allows(p, "192.168.255.255"));
  CHECK(allows(p, "100.64.0.1"));
  CHECK(allows(p, "169.254.169.254"));
  CHECK(allows(p, "fd12:3456::1"));
  CHECK(allows(p, "fe80::1"));
  CHECK(allows(p, "::ffff:172.16.0.1"));
  /* workerd: private is a superset of local. */
  CHECK(allows(p, "127.0.0.1"));
  CHECK(allows(p, "::1"));
  CHECK(!allows(p, "8.8.8.8"));
  CHECK(!allows(p, "2606:4700::1"));
  CHECK(!allows(p, "224.0.0.1"));
  CHECK(!allows(p, "::ffff:8.8.8.8"));
  CHECK(!isl_netpolicy_allows_unix(p));
  isl_netpolicy_free(p);
}

static void test_local(void) {
  isl_netpolicy_t *p = policy("local");
  CHECK(allows(p, "127.0.0.1"));
  CHECK(allows(p, "127.255.255.255"));
  CHECK(!allows(p, "128.0.0.0"));
  CHECK(!allows(p, "126.255.255.255"));
  CHECK(allows(p, "0.0.0.0"));
  CHECK(allows(p, "::1"));
  CHECK(allows(p, "::"));
  CHECK(!allows(p, "::2"));
  CHECK(allows(p, "::ffff:127.0.0.1"));
  CHECK(!allows(p, "10.0.0.1"));
  CHECK(!allows(p, "fe80::1"));
  CHECK(!allows(p, "8.8.8.8"));
  isl_netpolicy_free(p);
}

static void test_network(void) {
  isl_netpolicy_t *p = policy("network");
  CHECK(allows(p, "8.8.8.8"));
  CHECK(allows(p, "10.0.0.1"));
  CHECK(allows(p, "224.0.0.1"));
  CHECK(allows(p, "fe80::1"));
  CHECK(allows(p, "2001:db8::1"));
  /* workerd: network is the opposite of local. */
  CHECK(!allows(p, "127.0.0.1"));
  CHECK(!allows(p, "::1"));
  CHECK(!allows(p, "::ffff:127.0.0.1"));
  CHECK(!isl_netpolicy_allows_unix(p));
  isl_netpolicy_free(p);
}

static void test_unix(void) {
  struct sockaddr_un path = {0}, abstract = {0};
  path.sun_family = abstract.sun_family = AF_UNIX;
  strcpy(path.sun_path, "/tmp/x.sock");
  memcpy(abstract.sun_path, "\0name", 5);

  isl_netpolicy_t *p = policy("unix");
  CHECK(isl_netpolicy_allows_unix(p));
  CHECK(isl_netpolicy_allows(p, (struct sockaddr *)&path));
  CHECK(!isl_netpolicy_allows(p, (struct sockaddr *)&abstract));
  CHECK(!allows(p, "127.0.0.1"));
  CHECK(!allows(p, "8.8.8.8"));
  isl_netpolicy_free(p);

  p = policy("unix-abstract");
  CHECK(!isl_netpolicy_allows_unix(p));
  CHECK(!isl_netpolicy_allows(p, (struct sockaddr *)&path));
  CHECK(isl_netpolicy_allows(p, (struct sockaddr *)&abstract));
  isl_netpolicy_free(p);

  /* Default and IP words never allow unix sockets. */
  p = policy(NULL);
  CHECK(!isl_netpolicy_allows_unix(p));
  CHECK(!isl_netpolicy_allows(p, (struct sockaddr *)&abstract));
  isl_netpolicy_free(p);

  /* Denying unix, local or private refuses unix sockets; denying public does not. */
  const char *denies[] = {"unix", "local", "private"};
  for (size_t i = 0; i < 3; i++) {
    p = policy2("unix", denies[i]);
    CHECK(!isl_netpolicy_allows_unix(p));
    isl_netpolicy_free(p);
  }
  p = policy2("unix", "public");
  CHECK(isl_netpolicy_allows_unix(p));
  isl_netpolicy_free(p);
  p = policy2("unix-abstract", "unix");
  CHECK(isl_netpolicy_allows(p, (struct sockaddr *)&abstract));
  isl_netpolicy_free(p);
}

static void test_cidr(void) {
  isl_netpolicy_t *p = policy("10.0.0.0/8");
  CHECK(allows(p, "10.0.0.0"));
  CHECK(allows(p, "10.255.255.255"));
  CHECK(!allows(p, "9.255.255.255"));
  CHECK(!allows(p, "11.0.0.0"));
  CHECK(allows(p, "::ffff:10.2.3.4"));
  isl_netpolicy_free(p);

  /* Non-octet prefixes. */
  p = policy("192.168.1.64/27");
  CHECK(!allows(p, "192.168.1.63"));
  CHECK(allows(p, "192.168.1.64"));
  CHECK(allows(p, "192.168.1.95"));
  CHECK(!allows(p, "192.168.1.96"));
  isl_netpolicy_free(p);
  p = policy("2001:db8:8000::/33");
  CHECK(!allows(p, "2001:db8:7fff:ffff::1"));
  CHECK(allows(p, "2001:db8:8000::"));
  CHECK(allows(p, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"));
  CHECK(!allows(p, "2001:db9::"));
  isl_netpolicy_free(p);

  /* Host bits beyond the prefix are ignored. */
  p = policy("10.1.2.3/8");
  CHECK(allows(p, "10.200.0.1"));
  isl_netpolicy_free(p);

  /* /32, a bare address, /128. */
  p = policy("203.0.113.5/32");
  CHECK(allows(p, "203.0.113.5"));
  CHECK(!allows(p, "203.0.113.4"));
  CHECK(!allows(p, "203.0.113.6"));
  isl_netpolicy_free(p);
  p = policy("203.0.113.5");
  CHECK(allows(p, "203.0.113.5"));
  CHECK(!allows(p, "203.0.113.4"));
  isl_netpolicy_free(p);
  p = policy("2001:db8::1/128");
  CHECK(allows(p, "2001:db8::1"));
  CHECK(!allows(p, "2001:db8::2"));
  CHECK(!allows(p, "2001:db8::"));
  isl_netpolicy_free(p);
  p = policy("2001:db8::1");
  CHECK(allows(p, "2001:db8::1"));
  CHECK(!allows(p, "2001:db8::3"));
  isl_netpolicy_free(p);

  /* /0. */
  p = policy("0.0.0.0/0");
  CHECK(allows(p, "0.0.0.0"));
  CHECK(allows(p, "255.255.255.255"));
  CHECK(allows(p, "127.0.0.1"));
  CHECK(allows(p, "::ffff:1.2.3.4"));
  CHECK(!allows(p, "2001:db8::1"));
  isl_netpolicy_free(p);
  p = policy("::/0");
  CHECK(allows(p, "2001:db8::1"));
  CHECK(allows(p, "::1"));
  CHECK(allows(p, "8.8.8.8")); /* IPv4 is matched as mapped IPv6 */
  isl_netpolicy_free(p);

  /* A mapped CIDR is the IPv4 one. */
  p = policy("::ffff:10.0.0.0/104");
  CHECK(allows(p, "10.9.9.9"));
  CHECK(allows(p, "::ffff:10.9.9.9"));
  CHECK(!allows(p, "11.0.0.0"));
  isl_netpolicy_free(p);
  /* An IPv4 CIDR does not match an unrelated IPv6 address with the same low bytes. */
  p = policy("10.0.0.0/8");
  CHECK(!allows(p, "::10.0.0.1"));
  CHECK(!allows(p, "2001::a00:1"));
  isl_netpolicy_free(p);
}

static void test_deny_overrides_allow(void) {
  isl_netpolicy_t *p = policy2("private", "10.0.0.0/8");
  CHECK(!allows(p, "10.1.1.1"));
  CHECK(allows(p, "192.168.1.1"));
  isl_netpolicy_free(p);

  p = policy2("network", "private");
  CHECK(allows(p, "8.8.8.8"));
  CHECK(!allows(p, "10.1.1.1"));
  CHECK(!allows(p, "::ffff:10.1.1.1"));
  isl_netpolicy_free(p);

  /* A deny wins even when it is less specific than the allow. */
  p = policy2("10.1.2.3", "10.0.0.0/8");
  CHECK(!allows(p, "10.1.2.3"));
  isl_netpolicy_free(p);

  p = policy2("public", "8.8.8.8");
  CHECK(!allows(p, "8.8.8.8"));
  CHECK(allows(p, "8.8.4.4"));
  isl_netpolicy_free(p);

  /* Several entries: any allow, no deny. */
  const char *a[] = {"10.0.0.0/8", "2001:db8::/32"};
  const char *d[] = {"10.0.0.0/24", "2001:db8::1"};
  char err[128];
  p = isl_netpolicy_new(a, 2, d, 2, err, sizeof(err));
  CHECK(p != NULL);
  CHECK(allows(p, "10.0.1.0"));
  CHECK(!allows(p, "10.0.0.255"));
  CHECK(allows(p, "2001:db8::2"));
  CHECK(!allows(p, "2001:db8::1"));
  CHECK(!allows(p, "8.8.8.8"));
  isl_netpolicy_free(p);
}

static void test_default_allow(void) {
  isl_netpolicy_t *p = policy(NULL);
  CHECK(allows(p, "8.8.8.8"));
  CHECK(allows(p, "2606:4700::1"));
  CHECK(!allows(p, "10.0.0.1"));
  CHECK(!allows(p, "127.0.0.1"));
  CHECK(!allows(p, "::1"));
  isl_netpolicy_free(p);
  /* The default still applies with a deny list. */
  p = policy2(NULL, "8.8.8.0/24");
  CHECK(!allows(p, "8.8.8.8"));
  CHECK(allows(p, "1.1.1.1"));
  isl_netpolicy_free(p);
  /* An explicit empty allow list (not NULL) allows nothing. */
  const char *none[1] = {NULL};
  char err[128];
  p = isl_netpolicy_new(none, 0, NULL, 0, err, sizeof(err));
  CHECK(p != NULL);
  CHECK(!allows(p, "8.8.8.8"));
  CHECK(!allows(p, "10.0.0.1"));
  CHECK(!isl_netpolicy_allows_unix(p));
  isl_netpolicy_free(p);
}

static void test_other_families_refused(void) {
  isl_netpolicy_t *p = policy("0.0.0.0/0");
  struct sockaddr sa = {0};
  sa.sa_family = AF_UNSPEC;
  CHECK(!isl_netpolicy_allows(p, &sa));
  CHECK(!isl_netpolicy_allows(p, NULL));
  CHECK(!isl_netpolicy_allows(NULL, &sa));
  CHECK(!isl_netpolicy_allows_unix(NULL));
  isl_netpolicy_free(p);
  isl_netpolicy_free(NULL);
}

static void test_invalid(void) {
  char err[128];
  CHECK_STR(error_for("10.0.0.0/33", err, sizeof(err)),
            "network: invalid address pattern '10.0.0.0/33'");
  CHECK_STR(error_for("::/129", err, sizeof(err)), "network: invalid address pattern '::/129'");
  const char *bad[] = {"",          "/8",        "10.0.0.0/",   "10.0.0.0/-1", "10.0.0.0/+8",
                       "10.0.0.0/ 8", "10.0.0.0/8 ", "10.0.0.0/0008", "10.0.0.0/8/8", "10.0.0",
                       "10.0.0.256", "1.2.3.4.5",  "010.0.0.1x",  "example.com", "Public",
                       "localhost",  " public",    "unix:",       "2001:db8:::1", "fe80::1%eth0",
                       "[::1]",      "::1/1a",     "garbage"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    char want[128];
    snprintf(want, sizeof(want), "network: invalid address pattern '%s'", bad[i]);
    CHECK_STR(error_for(bad[i], err, sizeof(err)), want);
  }
  /* Valid edges. */
  CHECK(error_for("10.0.0.0/32", err, sizeof(err)) == NULL);
  CHECK(error_for("10.0.0.0/0", err, sizeof(err)) == NULL);
  CHECK(error_for("::/128", err, sizeof(err)) == NULL);
  CHECK(error_for("::ffff:1.2.3.4", err, sizeof(err)) == NULL);
  /* A bad deny entry is reported too; a NULL entry is refused; errlen 0 is safe. */
  const char *ok[] = {"public"}, *d[] = {"private", "1.2.3.4/40"};
  CHECK(isl_netpolicy_new(ok, 1, d, 2, err, sizeof(err)) == NULL);
  CHECK_STR(err, "network: invalid address pattern '1.2.3.4/40'");
  const char *nul[] = {NULL};
  CHECK(isl_netpolicy_new(nul, 1, NULL, 0, err, sizeof(err)) == NULL);
  CHECK(isl_netpolicy_new(nul, 1, NULL, 0, NULL, 0) == NULL);
}

int main(void) {
  test_public();
  test_private();
  test_local();
  test_network();
  test_unix();
  test_cidr();
  test_deny_overrides_allow();
  test_default_allow();
  test_other_families_refused();
  test_invalid();
  return check_summary();
}
