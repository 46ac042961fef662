/* src/base/ptrmap.c: puts, gets, replacement and growth past many resizes. */
#include <stdlib.h>

#include "base/ptrmap.h"
#include "check.h"

int main(void) {
  isl_ptrmap_t m = {0};
  size_t v = 99;
  CHECK(!isl_ptrmap_get(&m, &v, &v)); /* empty map */
  CHECK(v == 99);

  /* Many distinct addresses, some adjacent (the common case for heap objects). */
  enum { N = 5000 };
  char *block = malloc(N * 16);
  for (size_t i = 0; i < N; i++) isl_ptrmap_put(&m, block + i * 16, i);
  CHECK(m.n == N);
  size_t bad = 0;
  for (size_t i = 0; i < N; i++)
    if (!isl_ptrmap_get(&m, block + i * 16, &v) || v != i) bad++;
  CHECK(bad == 0);
  CHECK(!isl_ptrmap_get(&m, block + 8, &v)); /* an address never stored */
  CHECK(!isl_ptrmap_get(&m, NULL, &v));

  /* Replacing keeps one entry. */
  isl_ptrmap_put(&m, block, 12345);
  CHECK(m.n == N);
  CHECK(isl_ptrmap_get(&m, block, &v) && v == 12345);

  isl_ptrmap_free(&m);
  CHECK(m.n == 0 && m.cap == 0);
  CHECK(!isl_ptrmap_get(&m, block, &v));
  free(block);
  return check_summary();
}
