/* A minimal test harness for C unit tests: CHECK records a failure with its line and goes
 * on; check_summary() prints "N passed, N failed" and gives the exit status. */
#ifndef ISL_CHECK_TEST_H
#define ISL_CHECK_TEST_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond)                                                             \
  do {                                                                          \
    if (cond) {                                                                 \
      check_passed++;                                                           \
    } else {                                                                    \
      check_failed++;                                                           \
      printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                    \
    }                                                                           \
  } while (0)

#define CHECK_STR(a, b)                                                         \
  do {                                                                          \
    const char *a_ = (a), *b_ = (b);                                            \
    if (a_ && b_ && strcmp(a_, b_) == 0) {                                      \
      check_passed++;                                                           \
    } else {                                                                    \
      check_failed++;                                                           \
      printf("FAIL %s:%d: %s\n  got:      %s\n  expected: %s\n", __FILE__, __LINE__, \
             #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)");                       \
    }                                                                           \
  } while (0)

static int check_summary(void) {
  printf("%d passed, %d failed\n", check_passed, check_failed);
  return check_failed ? 1 : 0;
}

#endif
