#include "netpolicy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "../base/base.h"

/* Every address is kept as 16 bytes, IPv4 as its mapped IPv6 form, so one comparison
 * serves both families and a mapped address can never slip past an IPv4 rule. */
typedef struct {
  uint8_t a[16];
  unsigned prefix; /* 0..128, counted on the 16-byte form */
} cidr_t;

typedef enum { E_CIDR, E_LOCAL, E_PRIVATE, E_PUBLIC, E_NETWORK, E_UNIX, E_UNIX_ABSTRACT } kind_t;

typedef struct {
  kind_t kind;
  cidr_t cidr; /* E_CIDR */
} entry_t;

struct isl_netpolicy {
  entry_t *allow, *deny;
  size_t nallow, ndeny;
};

#define V4(a, b, c, d, n) {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d}, 96 + (n)}

static const cidr_t local_ranges[] = {
    V4(0, 0, 0, 0, 8),                        /* "this network"; 0.0.0.0 is unspecified */
    V4(127, 0, 0, 0, 8),                      /* loopback */
    {{0}, 128},                               /* :: unspecified */
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128}, /* ::1 loopback */
};

static const cidr_t private_ranges[] = {
    V4(10, 0, 0, 0, 8),     V4(172, 16, 0, 0, 12), V4(192, 168, 0, 0, 16), /* RFC 1918 */
    V4(100, 64, 0, 0, 10),                                                  /* CGNAT, RFC 6598 */
    V4(169, 254, 0, 0, 16),                                                 /* link-local */
    {{0xfc}, 7},                                                            /* unique local, RFC 4193 */
    {{0xfe, 0x80}, 10},                                                     /* link-local */
};

/* Neither private nor public: special-purpose ranges (RFC 6890) nobody means to reach as
 * "the internet". */
static const cidr_t reserved_ranges[] = {
    V4(192, 0, 0, 0, 24),    /* IETF protocol assignments */
    V4(192, 0, 2, 0, 24),    V4(198, 51, 100, 0, 24), V4(203, 0, 113, 0, 24), /* documentation */
    V4(198, 18, 0, 0, 15),   /* benchmarking */
    V4(224, 0, 0, 0, 4),     /* multicast */
    V4(240, 0, 0, 0, 4),     /* reserved, and 255.255.255.255 broadcast */
    {{0x01, 0x00}, 64},      /* 100::/64 discard */
    {{0x20, 0x01, 0x0d, 0xb8}, 32}, /* 2001:db8::/32 documentation */
    {{0xff}, 8},             /* multicast */
};

static bool cidr_match(const cidr_t *c, const uint8_t a[16]) {
  unsigned full = c->prefix / 8, rest = c->prefix % 8;
  if (memcmp(c->a, a, full) != 0) return false;
  if (rest == 0) return true;
  uint8_t mask = (uint8_t)(0xff << (8 - rest));
  return (c->a[full] & mask) == (a[full] & mask);
}

static bool in_ranges(const cidr_t *r, size_t n, const uint8_t a[16]) {
  for (size_t i = 0; i < n; i++)
    if (cidr_match(&r[i], a)) return true;
  return false;
}

#define IN(table, a) in_ranges(table, sizeof(table) / sizeof(table[0]), a)

/* Whether entry e matches the IP address a (16-byte form). */
static bool entry_matches_ip(const entry_t *e, const uint8_t a[16]) {
  switch (e->kind) {
  case E_CIDR: return cidr_match(&e->cidr, a);
  case E_LOCAL: return IN(local_ranges, a);
  case E_PRIVATE: return IN(private_ranges, a) || IN(local_ranges, a);
  case E_PUBLIC:
    return !IN(private_ranges, a) && !IN(local_ranges, a) && !IN(reserved_ranges, a);
  case E_NETWORK: return !IN(local_ranges, a);
  case E_UNIX:
  case E_UNIX_ABSTRACT: return false;
  }
  return false;
}

/* Parses a CIDR or bare address into c; false when it is neither. */
static bool parse_cidr(const char *s, cidr_t *c) {
  char buf[INET6_ADDRSTRLEN + 8];
  size_t len = strlen(s);
  if (len == 0 || len >= sizeof(buf)) return false;
  memcpy(buf, s, len + 1);
  char *slash = strchr(buf, '/');
  long prefix = -1;
  if (slash) {
    *slash = '\0';
    const char *d = slash + 1;
    /* Digits only (no sign, space or empty), at most three of them. */
    size_t nd = strspn(d, "0123456789");
    if (nd == 0 || nd > 3 || d[nd] != '\0') return false;
    prefix = strtol(d, NULL, 10);
  }
  memset(c, 0, sizeof(*c));
  struct in_addr v4;
  struct in6_addr v6;
  if (inet_pton(AF_INET, buf, &v4) == 1) {
    if (prefix > 32) return false;
    c->a[10] = c->a[11] = 0xff;
    memcpy(c->a + 12, &v4, 4);
    c->prefix = 96 + (unsigned)(prefix < 0 ? 32 : prefix);
  } else if (inet_pton(AF_INET6, buf, &v6) == 1) {
    if (prefix > 128) return false;
    memcpy(c->a, &v6, 16);
    c->prefix = (unsigned)(prefix < 0 ? 128 : prefix);
  } else {
    return false;
  }
  /* Clear the host bits so matching only ever looks at the prefix. */
  for (unsigned bit = c->prefix; bit < 128; bit++)
    c->a[bit / 8] &= (uint8_t) ~(0x80 >> (bit % 8));
  return true;
}

static bool parse_entry(const char *s, entry_t *e) {
  static const struct {
    const char *word;
    kind_t kind;
  } words[] = {{"local", E_LOCAL},     {"private", E_PRIVATE}, {"public", E_PUBLIC},
               {"network", E_NETWORK}, {"unix", E_UNIX},       {"unix-abstract", E_UNIX_ABSTRACT}};
  if (!s) return false;
  for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
    if (strcmp(s, words[i].word) == 0) {
      e->kind = words[i].kind;
      return true;
    }
  }
  e->kind = E_CIDR;
  return parse_cidr(s, &e->cidr);
}

static bool parse_list(const char *const *in, size_t n, entry_t **out, char *err,
                       size_t errlen) {
  *out = isl_calloc(n + 1, sizeof(entry_t));
  for (size_t i = 0; i < n; i++) {
    if (!parse_entry(in[i], &(*out)[i])) {
      if (errlen) snprintf(err, errlen, "network: invalid address pattern '%s'", in[i] ? in[i] : "");
      return false;
    }
  }
  return true;
}

isl_netpolicy_t *isl_netpolicy_new(const char *const *allow, size_t nallow,
                                   const char *const *deny, size_t ndeny, char *err,
                                   size_t errlen) {
  static const char *const default_allow[] = {"public"};
  if (!allow) {
    allow = default_allow;
    nallow = 1;
  }
  isl_netpolicy_t *p = isl_calloc(1, sizeof(*p));
  p->nallow = nallow;
  p->ndeny = ndeny;
  if (!parse_list(allow, nallow, &p->allow, err, errlen) ||
      !parse_list(deny, ndeny, &p->deny, err, errlen)) {
    isl_netpolicy_free(p);
    return NULL;
  }
  return p;
}

/* kind is E_UNIX or E_UNIX_ABSTRACT. */
static bool allows_unix_kind(const isl_netpolicy_t *p, kind_t kind) {
  bool allowed = false;
  for (size_t i = 0; i < p->nallow; i++)
    if (p->allow[i].kind == kind) allowed = true;
  for (size_t i = 0; i < p->ndeny; i++) {
    kind_t k = p->deny[i].kind;
    if (k == kind || k == E_LOCAL || k == E_PRIVATE) allowed = false;
  }
  return allowed;
}

bool isl_netpolicy_allows_unix(const isl_netpolicy_t *p) {
  return p && allows_unix_kind(p, E_UNIX);
}

bool isl_netpolicy_allows(const isl_netpolicy_t *p, const struct sockaddr *addr) {
  if (!p || !addr) return false;
  uint8_t a[16] = {0};
  switch (addr->sa_family) {
  case AF_INET:
    a[10] = a[11] = 0xff;
    memcpy(a + 12, &((const struct sockaddr_in *)addr)->sin_addr, 4);
    break;
  case AF_INET6:
    memcpy(a, &((const struct sockaddr_in6 *)addr)->sin6_addr, 16);
    break;
  case AF_UNIX: {
    const struct sockaddr_un *un = (const struct sockaddr_un *)addr;
    return allows_unix_kind(p, un->sun_path[0] == '\0' ? E_UNIX_ABSTRACT : E_UNIX);
  }
  default: return false;
  }
  bool allowed = false;
  for (size_t i = 0; i < p->nallow && !allowed; i++)
    if (entry_matches_ip(&p->allow[i], a)) allowed = true;
  for (size_t i = 0; i < p->ndeny && allowed; i++)
    if (entry_matches_ip(&p->deny[i], a)) allowed = false;
  return allowed;
}

void isl_netpolicy_free(isl_netpolicy_t *p) {
  if (!p) return;
  free(p->allow);
  free(p->deny);
  free(p);
}
