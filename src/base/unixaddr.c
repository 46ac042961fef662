/* Unix domain socket addresses from config text (see unixaddr.h). */
#include "unixaddr.h"

#include <stdio.h>
#include <string.h>

#define UNIX_PREFIX "unix:"
#define ABSTRACT_PREFIX "unix-abstract:"

bool isl_unixaddr_is(const char *address) {
  return address && (strncmp(address, UNIX_PREFIX, strlen(UNIX_PREFIX)) == 0 ||
                     strncmp(address, ABSTRACT_PREFIX, strlen(ABSTRACT_PREFIX)) == 0);
}

bool isl_unixaddr_parse(const char *address, isl_unixaddr_t *out, char *err, size_t errlen) {
  memset(out, 0, sizeof(*out));
  out->sa.sun_family = AF_UNIX;
  size_t room = sizeof(out->sa.sun_path); /* 108 on Linux */
  const char *name;
  if (strncmp(address, ABSTRACT_PREFIX, strlen(ABSTRACT_PREFIX)) == 0) {
    out->abstract = true;
    name = address + strlen(ABSTRACT_PREFIX);
  } else if (strncmp(address, UNIX_PREFIX, strlen(UNIX_PREFIX)) == 0) {
    name = address + strlen(UNIX_PREFIX);
  } else {
    snprintf(err, errlen, "'%s' is not a unix socket address (unix:PATH or unix-abstract:NAME)",
             address);
    return false;
  }
  size_t n = strlen(name);
  if (n == 0) {
    snprintf(err, errlen, "'%s': the unix socket %s is empty", address,
             out->abstract ? "name" : "path");
    return false;
  }
  /* A path needs its NUL after it; an abstract name the NUL before it (kj copies one
   * after it too, and so does islet, so both fit in room - 1). */
  size_t max = out->abstract ? room - 2 : room - 1;
  if (n > max) {
    snprintf(err, errlen, "'%s': the unix socket %s is too long (%zu bytes, at most %zu)",
             address, out->abstract ? "name" : "path", n, max);
    return false;
  }
  if (out->abstract) {
    memcpy(out->sa.sun_path + 1, name, n);
    out->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
  } else {
    memcpy(out->sa.sun_path, name, n);
    out->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
  }
  return true;
}

const char *isl_unixaddr_path(const isl_unixaddr_t *a) {
  return a->abstract ? NULL : a->sa.sun_path;
}
