/* For C unit tests that run in a real realm: the realm under test (set by the test's
 * main) and eval helpers that print the exception of a script that throws. A test names
 * its scripts (stack traces show it) by defining REALM_EVAL_URL before including this. */
#ifndef ISL_REALM_EVAL_TEST_H
#define ISL_REALM_EVAL_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsc/jsc.h"

#ifndef REALM_EVAL_URL
#define REALM_EVAL_URL "unit_test"
#endif

static isl_realm_t *realm;

/* The value of src, or undefined (and a message) if it throws. */
static inline JSValueRef eval(const char *src) {
  JSValueRef exc = NULL;
  JSValueRef v = isl_eval(realm->ctx, src, strlen(src), REALM_EVAL_URL, 1, &exc);
  if (exc) {
    char *d = isl_exception_describe(realm->ctx, exc);
    printf("eval failed: %s\n  %s\n", src, d);
    free(d);
    return JSValueMakeUndefined(realm->ctx);
  }
  return v;
}

/* Whether src evaluates to true (a boolean). */
static inline bool eval_true(const char *src) {
  JSValueRef v = eval(src);
  return JSValueIsBoolean(realm->ctx, v) && JSValueToBoolean(realm->ctx, v);
}

#endif
