/* An identity map from pointers to sizes: open addressing with linear probing. Used where
 * C must remember objects it has already seen (the structured clone's "memory"). Keys are
 * compared by address only and must not be NULL. No JS here. */
#ifndef ISL_PTRMAP_H
#define ISL_PTRMAP_H

#include "base.h"

typedef struct {
  const void **keys; /* NULL: an empty slot */
  size_t *vals;
  size_t n, cap;     /* cap is 0 or a power of two */
} isl_ptrmap_t;

/* Zero-initialised is an empty, valid map. */
void isl_ptrmap_free(isl_ptrmap_t *m);
/* Stores val under key (replacing any earlier value). */
void isl_ptrmap_put(isl_ptrmap_t *m, const void *key, size_t val);
/* True and *val set if key is in the map. */
bool isl_ptrmap_get(const isl_ptrmap_t *m, const void *key, size_t *val);

#endif
