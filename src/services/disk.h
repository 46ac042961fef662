/* The disk service: workerd's DiskDirectory (config `disk = (path = …, writable = …,
 * allowDotfiles = …)`) as an isl_service_t. It serves the files under one directory:
 *
 * - GET/HEAD of a regular file: 200 with Content-Length, Content-Type (guessed from the
 *   extension, default application/octet-stream), Last-Modified, ETag and
 *   Accept-Ranges: bytes. HEAD answers like GET (the body is attached so the HTTP server
 *   can frame Content-Length; it never sends it).
 * - If-None-Match (weak comparison, or *) and, without it, If-Modified-Since → 304.
 * - Range: one range (a-b, a-, -n) → 206 with Content-Range; an unsatisfiable one → 416
 *   with Content-Range: bytes * /len; several ranges, a malformed header or an If-Range
 *   that does not match → 200 with the whole file.
 * - Directories, missing files, special files, symlinks and (unless allowDotfiles) any
 *   segment starting with '.' → 404. No directory listing.
 * - PUT (writable only): the body goes to a temporary file in the target's directory,
 *   then is renamed over the target; missing parent directories are created.
 *   201 when the file is new, 204 when it replaced one; 409 when the target is a
 *   directory.
 * - DELETE (writable only): 204, 404 when missing, 409 for a directory.
 * - Any other method, or PUT/DELETE on a read-only directory → 405 with Allow.
 *
 * Containment: the URL path is percent-decoded once, per segment. A segment that is "."
 * or "..", or decodes to something holding '/', '\' or NUL, is refused (404); a malformed
 * escape is a 400. Files are reached with openat() one segment at a time from a
 * descriptor of the root, with O_NOFOLLOW, so no symlink is ever followed (even one
 * that stays inside the root) and a rename racing the walk cannot lead outside. */
#ifndef ISL_SERVICES_DISK_H
#define ISL_SERVICES_DISK_H

/* A PUT body larger than this is refused (bodies are held whole before the write). */
#define ISL_DISK_MAX_PUT_BODY ((size_t)256 << 20)

#include <stdbool.h>
#include <stddef.h>

#include "../base/message.h"

/* root is resolved against the current directory (as workerd does) and must be a
 * directory. Returns NULL with a message in err when it cannot be opened. */
isl_service_t *isl_disk_service_new(const char *root, bool writable, bool allow_dotfiles,
                                    char *err, size_t errlen);
void isl_disk_service_free(isl_service_t *svc);

#endif
