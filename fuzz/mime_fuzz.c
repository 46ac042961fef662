/* libFuzzer driver for MIME type parsing (src/base/mime.c). Besides "no crash, no leak, no
 * undefined behaviour" it checks:
 *  - a parsed type and subtype are non-empty and lower-case;
 *  - serialising is a fixed point: what a parse serialises to parses again and serialises
 *    to the same bytes;
 *  - Fetch's extract never fails where one comma-free piece parses, and what it gives
 *    serialises and parses again.
 * See fuzz/README.md. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mime.h"

#define ASSERT(c)                                                                 \
  do {                                                                            \
    if (!(c)) {                                                                   \
      fprintf(stderr, "invariant failed at %s:%d: %s\n", __FILE__, __LINE__, #c); \
      abort();                                                                    \
    }                                                                             \
  } while (0)

static void check_lower(const char *s) {
  ASSERT(s && *s);
  for (; *s; s++) ASSERT(!(*s >= 'A' && *s <= 'Z'));
}

/* Serialises m, then checks the fixed point. */
static void check_round_trip(const isl_mime_t *m) {
  isl_buf_t a = {0}, b = {0};
  isl_mime_serialize(&a, m);
  isl_mime_t again;
  ASSERT(isl_mime_parse(&again, a.p, a.len));
  isl_mime_serialize(&b, &again);
  ASSERT(a.len == b.len && memcmp(a.p, b.p, a.len) == 0);
  isl_mime_dispose(&again);
  isl_buf_free(&a);
  isl_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *s = (const char *)data;
  isl_mime_t m;
  bool parsed = isl_mime_parse(&m, s, size);
  if (parsed) {
    check_lower(m.type);
    check_lower(m.subtype);
    for (size_t i = 0; i < m.nparams; i++) check_lower(m.params[i].name);
    check_round_trip(&m);
    isl_mime_dispose(&m);
  }
  /* The same bytes as a Content-Type header value (Latin-1). */
  isl_mime_t e;
  bool extracted = isl_mime_extract(&e, s, size);
  if (extracted) {
    check_round_trip(&e);
    isl_mime_dispose(&e);
  }
  /* Without commas, quotes or bytes above 0x7F (the split and the Latin-1 decoding change
   * nothing then), extract parses the value trimmed of tabs and spaces. */
  bool plain = true;
  for (size_t i = 0; i < size && plain; i++)
    plain = data[i] != ',' && data[i] != '"' && data[i] < 0x80;
  if (plain && parsed) {
    isl_mime_t t;
    if (isl_mime_parse(&t, s, size) && !isl_mime_essence_is(&t, "*/*")) ASSERT(extracted);
    isl_mime_dispose(&t);
  }
  return 0;
}
