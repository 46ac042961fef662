/* Unix domain socket addresses as workerd's config writes them (Socket.address and
 * ExternalServer.address in workerd.capnp, parsed by kj's network layer): "unix:PATH" is a
 * socket file (PATH used as written: relative to the working directory unless it starts
 * with '/'), "unix-abstract:NAME" a Linux abstract socket (no file). No I/O here: the
 * text becomes a sockaddr_un, or a message saying why it cannot.
 *
 * Limits as kj applies them: a path must fit sun_path with its NUL (at most 107 bytes on
 * Linux), an abstract name with the leading NUL (at most 106). islet also refuses an empty
 * path or name, which kj would pass on to bind() or connect() to fail there. */
#ifndef ISL_UNIXADDR_H
#define ISL_UNIXADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

typedef struct {
  struct sockaddr_un sa;
  socklen_t len;  /* what bind()/connect() take: the family plus the used part of sun_path */
  bool abstract;  /* sun_path[0] is NUL and the name follows */
} isl_unixaddr_t;

/* True if address names a unix socket (starts with "unix:" or "unix-abstract:"), valid
 * or not: such an address is never taken as host:port. */
bool isl_unixaddr_is(const char *address);

/* Parses a unix socket address. false with a message in err (errlen bytes) when it is not
 * one or cannot be used (empty, too long, a NUL in the path cannot occur in a C string). */
bool isl_unixaddr_parse(const char *address, isl_unixaddr_t *out, char *err, size_t errlen);

/* The file path of a "unix:" address (sun_path), or NULL for an abstract one. */
const char *isl_unixaddr_path(const isl_unixaddr_t *a);

#endif
