#include "base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void isl_check_failed(const char *file, int line, const char *what) {
  fprintf(stderr, "islet: internal check failed at %s:%d: %s\n", file, line, what);
  abort();
}

void *isl_malloc(size_t n) {
  void *p = malloc(n ? n : 1);
  ISL_CHECK(p != NULL);
  return p;
}

void *isl_calloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  ISL_CHECK(p != NULL);
  return p;
}

void *isl_realloc(void *p, size_t n) {
  p = realloc(p, n ? n : 1);
  ISL_CHECK(p != NULL);
  return p;
}

char *isl_strndup(const char *s, size_t n) {
  char *p = isl_malloc(n + 1);
  if (n) memcpy(p, s, n);
  p[n] = 0;
  return p;
}

char *isl_strdup(const char *s) { return isl_strndup(s, strlen(s)); }

void isl_buf_reserve(isl_buf_t *b, size_t extra) {
  size_t need = b->len + extra + 1;
  if (need <= b->cap) return;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < need) cap *= 2;
  b->p = isl_realloc(b->p, cap);
  b->cap = cap;
}

void isl_buf_append(isl_buf_t *b, const void *p, size_t n) {
  isl_buf_reserve(b, n);
  if (n) memcpy(b->p + b->len, p, n);
  b->len += n;
  b->p[b->len] = 0;
}

void isl_buf_putc(isl_buf_t *b, char c) { isl_buf_append(b, &c, 1); }

void isl_buf_puts(isl_buf_t *b, const char *s) { isl_buf_append(b, s, strlen(s)); }

void isl_buf_put_uint(isl_buf_t *b, uint64_t v) {
  char d[20];
  size_t n = 0;
  do {
    d[sizeof(d) - ++n] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  isl_buf_append(b, d + sizeof(d) - n, n);
}

void isl_buf_vprintf(isl_buf_t *b, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0) return;
  isl_buf_reserve(b, (size_t)n);
  vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
  b->len += (size_t)n;
}

void isl_buf_printf(isl_buf_t *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  isl_buf_vprintf(b, fmt, ap);
  va_end(ap);
}

char *isl_buf_take(isl_buf_t *b) {
  char *p = b->p ? b->p : isl_strdup("");
  b->p = NULL;
  b->len = b->cap = 0;
  return p;
}

void isl_buf_free(isl_buf_t *b) {
  free(b->p);
  b->p = NULL;
  b->len = b->cap = 0;
}

int isl_log_level = ISL_LOG_INFO;

void isl_log(int level, const char *fmt, ...) {
  static const char *names[] = {"debug", "info", "warn", "error"};
  if (level < isl_log_level) return;
  isl_buf_t b = {0};
  isl_buf_printf(&b, "islet %s: ", names[level]);
  va_list ap;
  va_start(ap, fmt);
  isl_buf_vprintf(&b, fmt, ap);
  va_end(ap);
  isl_buf_putc(&b, '\n');
  fwrite(b.p, 1, b.len, stderr);
  isl_buf_free(&b);
}

uint64_t isl_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
