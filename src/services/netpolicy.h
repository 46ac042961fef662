/* The allow/deny address policy of a `network` service (workerd's Network.allow and
 * Network.deny). Pure: no I/O, no DNS; the outbound HTTP client (http_client.c) asks it about
 * each address it is about to connect to.
 *
 * An entry is one of:
 * - a CIDR: "a.b.c.d/n" (n 0..32) or an IPv6 "x::y/n" (n 0..128); a bare address means
 *   /32 or /128. Host bits below the prefix are ignored ("10.1.2.3/8" is 10.0.0.0/8).
 * - "local": 0.0.0.0/8, 127.0.0.0/8, ::/128 (unspecified) and ::1/128.
 * - "private": 10/8, 172.16/12, 192.168/16, 100.64/10 (CGNAT), 169.254/16 and fe80::/10
 *   (link-local), fc00::/7 (unique local), and everything "local" matches (workerd: "a
 *   superset of local").
 * - "public": every IP address that is neither private, local nor reserved (multicast,
 *   240/4 and broadcast, documentation and benchmark ranges, 192.0.0.0/24, 100::/64).
 * - "network": every IP address that is not local (workerd: "opposite of local").
 * - "unix": unix domain sockets with a path; "unix-abstract": Linux abstract sockets.
 * An address is allowed when some allow entry matches it and no deny entry does. Unix
 * sockets are allowed only by "unix"/"unix-abstract" in the allow list; in the deny list
 * "local" and "private" also refuse them (workerd counts unix addresses as local).
 *
 * IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are the IPv4 address in every respect: as
 * addresses being checked and as CIDRs ("::ffff:10.0.0.0/104" is "10.0.0.0/8"). IPv4 is
 * matched as mapped IPv6, so "::/0" matches IPv4 addresses too. */
#ifndef ISL_NETPOLICY_H
#define ISL_NETPOLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

typedef struct isl_netpolicy isl_netpolicy_t;

/* A policy from the entries of allow and deny (copied). allow == NULL means workerd's
 * default, ["public"]; an empty allow list that is not NULL allows nothing (workerd's
 * explicit `allow = []`). On a bad entry: NULL, with "network: invalid address pattern '…'" in err
 * (errlen bytes, may be 0). Free with isl_netpolicy_free. */
isl_netpolicy_t *isl_netpolicy_new(const char *const *allow, size_t nallow,
                                   const char *const *deny, size_t ndeny, char *err,
                                   size_t errlen);

/* Whether connecting to addr is allowed: AF_INET, AF_INET6 or AF_UNIX (an abstract
 * address when sun_path starts with NUL; the sockaddr must then be a full sockaddr_un).
 * Any other family, or NULL, is refused. The port is ignored. */
bool isl_netpolicy_allows(const isl_netpolicy_t *p, const struct sockaddr *addr);

/* Whether a unix domain socket with a filesystem path is allowed. */
bool isl_netpolicy_allows_unix(const isl_netpolicy_t *p);

void isl_netpolicy_free(isl_netpolicy_t *p);

#endif
