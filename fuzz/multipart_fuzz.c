/* libFuzzer driver for the multipart/form-data reader and writer (src/base/multipart.c).
 * The input is a boundary (up to the first LF, at most 70 bytes) and a body. Besides "no
 * crash, no leak, no undefined behaviour" it checks:
 *  - every part's contents lie inside the body, in order, and every part has a name;
 *  - writing the parts again (with another boundary) and reading that gives as many parts,
 *    with the same file contents and the same filename presence.
 * See fuzz/README.md. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/multipart.h"

#define ASSERT(c)                                                                 \
  do {                                                                            \
    if (!(c)) {                                                                   \
      fprintf(stderr, "invariant failed at %s:%d: %s\n", __FILE__, __LINE__, #c); \
      abort();                                                                    \
    }                                                                             \
  } while (0)

static const char OTHER[] = "fuzz-boundary-7Qx";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *s = (const char *)data;
  const char *nl = memchr(s, '\n', size < 71 ? size : 71);
  if (!nl) return 0;
  size_t blen = (size_t)(nl - s);
  const char *body = nl + 1;
  size_t n = size - blen - 1;
  isl_mp_parts_t parts;
  if (!isl_multipart_parse(body, n, s, blen, &parts)) return 0;
  size_t last = 0;
  bool clean = true;
  for (size_t i = 0; i < parts.n; i++) {
    const isl_mp_part_t *p = &parts.v[i];
    ASSERT(p->name);
    ASSERT(p->off >= last && p->off + p->len <= n);
    last = p->off + p->len;
    /* Contents holding the other boundary cannot round-trip with it. */
    if (memmem(body + p->off, p->len, OTHER, sizeof(OTHER) - 1)) clean = false;
  }
  if (clean) {
    isl_mp_out_t *out = calloc(parts.n ? parts.n : 1, sizeof(*out));
    for (size_t i = 0; i < parts.n; i++) {
      const isl_mp_part_t *p = &parts.v[i];
      out[i] = (isl_mp_out_t){p->name, p->name_len, p->filename, p->filename_len,
                              p->type, body + p->off, p->len};
    }
    isl_buf_t enc = {0};
    isl_multipart_encode(&enc, OTHER, out, parts.n);
    isl_mp_parts_t again;
    ASSERT(isl_multipart_parse(enc.p, enc.len, OTHER, sizeof(OTHER) - 1, &again));
    ASSERT(again.n == parts.n);
    for (size_t i = 0; i < parts.n; i++) {
      ASSERT((again.v[i].filename != NULL) == (parts.v[i].filename != NULL));
      if (parts.v[i].filename) {
        ASSERT(again.v[i].len == parts.v[i].len);
        ASSERT(memcmp(enc.p + again.v[i].off, body + parts.v[i].off, parts.v[i].len) == 0);
      }
    }
    isl_multipart_dispose(&again);
    isl_buf_free(&enc);
    free(out);
  }
  isl_multipart_dispose(&parts);
  return 0;
}
