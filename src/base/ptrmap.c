/* See ptrmap.h. The table stays at most half full, so probes stay short. */
#include "ptrmap.h"

#include <stdlib.h>

static size_t slot_of(const void *key, size_t cap) {
  /* Objects are aligned, so the low bits carry little; Fibonacci hashing spreads the rest. */
  uint64_t h = (uint64_t)(uintptr_t)key * 0x9E3779B97F4A7C15ull;
  return (size_t)(h >> 32) & (cap - 1);
}

static void grow(isl_ptrmap_t *m) {
  isl_ptrmap_t bigger = {0};
  bigger.cap = m->cap ? m->cap * 2 : 16;
  bigger.keys = isl_calloc(bigger.cap, sizeof(*bigger.keys));
  bigger.vals = isl_malloc(bigger.cap * sizeof(*bigger.vals));
  for (size_t i = 0; i < m->cap; i++)
    if (m->keys[i]) isl_ptrmap_put(&bigger, m->keys[i], m->vals[i]);
  isl_ptrmap_free(m);
  *m = bigger;
}

void isl_ptrmap_put(isl_ptrmap_t *m, const void *key, size_t val) {
  ISL_CHECK(key != NULL);
  if ((m->n + 1) * 2 > m->cap) grow(m);
  size_t i = slot_of(key, m->cap);
  while (m->keys[i] && m->keys[i] != key) i = (i + 1) & (m->cap - 1);
  if (!m->keys[i]) {
    m->keys[i] = key;
    m->n++;
  }
  m->vals[i] = val;
}

bool isl_ptrmap_get(const isl_ptrmap_t *m, const void *key, size_t *val) {
  if (!m->cap || !key) return false;
  for (size_t i = slot_of(key, m->cap); m->keys[i]; i = (i + 1) & (m->cap - 1)) {
    if (m->keys[i] == key) {
      *val = m->vals[i];
      return true;
    }
  }
  return false;
}

void isl_ptrmap_free(isl_ptrmap_t *m) {
  free(m->keys);
  free(m->vals);
  *m = (isl_ptrmap_t){0};
}
