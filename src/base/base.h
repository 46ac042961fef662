/* base: no JavaScript, no I/O. Byte spans, growable buffers, UTF-8/UTF-16 conversion,
 * checks and logging. Everything else in islet may include this. */
#ifndef ISL_BASE_H
#define ISL_BASE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdarg.h>

/* A borrowed pointer+length. Never owns its bytes. */
typedef struct {
  const char *p;
  size_t len;
} isl_span_t;
#define ISL_LIT(s) ((isl_span_t){(s), sizeof(s) - 1})
#define ISL_SPAN(p, n) ((isl_span_t){(p), (n)})

/* A growable byte buffer that owns its storage. Zero-initialised is empty and valid.
 * p is always NUL-terminated once anything was appended (the NUL is not in len). */
typedef struct {
  char *p;
  size_t len, cap;
} isl_buf_t;

void isl_buf_reserve(isl_buf_t *b, size_t extra);
void isl_buf_append(isl_buf_t *b, const void *p, size_t n);
void isl_buf_putc(isl_buf_t *b, char c);
void isl_buf_puts(isl_buf_t *b, const char *s);
/* v in decimal (no printf: URLs serialize ports and IPv4 addresses on every request). */
void isl_buf_put_uint(isl_buf_t *b, uint64_t v);
void isl_buf_printf(isl_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void isl_buf_vprintf(isl_buf_t *b, const char *fmt, va_list ap);
/* Gives the storage to the caller (malloc'ed, NUL-terminated, never NULL) and resets b. */
char *isl_buf_take(isl_buf_t *b);
void isl_buf_free(isl_buf_t *b);

/* Allocation that aborts on failure: islet treats out-of-memory in C as fatal. */
void *isl_malloc(size_t n);
void *isl_calloc(size_t n, size_t size);
void *isl_realloc(void *p, size_t n);
char *isl_strndup(const char *s, size_t n);
char *isl_strdup(const char *s);

/* Bugs abort with file:line; never used for bad input. */
#define ISL_CHECK(cond)                                                     \
  do {                                                                      \
    if (!(cond)) isl_check_failed(__FILE__, __LINE__, #cond);               \
  } while (0)
_Noreturn void isl_check_failed(const char *file, int line, const char *what);

/* Logging to stderr. Levels are filtered by isl_log_level (default INFO). */
enum { ISL_LOG_DEBUG, ISL_LOG_INFO, ISL_LOG_WARN, ISL_LOG_ERROR };
extern int isl_log_level;
void isl_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* UTF-16 → UTF-8. Lone surrogates become U+FFFD (the USVString conversion).
 * Appends to out. */
void isl_utf16_to_utf8(isl_buf_t *out, const uint16_t *s, size_t n);
/* UTF-8 → UTF-16 with U+FFFD for each maximal invalid subpart (the Encoding Standard's
 * decoder). Returns a malloc'ed array and stores its length in *out_n. */
uint16_t *isl_utf8_to_utf16(const char *s, size_t n, size_t *out_n);
/* True if s[0..n) is valid UTF-8. */
bool isl_utf8_valid(const char *s, size_t n);

/* Monotonic time in nanoseconds. */
uint64_t isl_now_ns(void);

#endif
