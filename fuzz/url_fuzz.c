/* libFuzzer driver for the URL parser (src/url). Any bytes go in. The first byte picks
 * the mode; with a base, the input is split at the first NUL into base and input. Beside
 * "no crash, no leak, no undefined behaviour" it checks the URL Standard's idempotence
 * goal:
 *  - a parsed URL's href parses again (without a base) to the same href, which is ASCII;
 *  - after a setter (chosen by the first byte, given a slice of the input) the href still
 *    parses to itself;
 *  - urlencoded: serialize(parse(x)) is a fixed point of parse-then-serialize.
 * See fuzz/README.md. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "url/url.h"
#include "url/urlencoded.h"

#define ASSERT(c)                                                                  \
  do {                                                                             \
    if (!(c)) {                                                                    \
      fprintf(stderr, "invariant failed at %s:%d: %s\n", __FILE__, __LINE__, #c);  \
      abort();                                                                     \
    }                                                                              \
  } while (0)

static char *href_of(const isl_url_t *u) {
  isl_buf_t b = {0};
  isl_url_serialize(u, false, &b);
  return isl_buf_take(&b);
}

/* The href parses again, to itself, and is ASCII without controls. */
static void check_roundtrip(const isl_url_t *u) {
  char *href = href_of(u);
  for (const char *p = href; *p; p++) ASSERT(*p >= 0x20 && *p < 0x7F);
  isl_url_t again;
  ASSERT(isl_url_parse(href, strlen(href), NULL, &again));
  char *href2 = href_of(&again);
  if (strcmp(href, href2) != 0) {
    fprintf(stderr, "not idempotent:\n  %s\n  %s\n", href, href2);
    abort();
  }
  isl_buf_t origin = {0};
  isl_url_serialize_origin(&again, &origin);
  isl_buf_free(&origin);
  free(href);
  free(href2);
  isl_url_dispose(&again);
}

typedef void (*setter_t)(isl_url_t *, const char *, size_t);
static const setter_t setters[] = {
    isl_url_set_protocol, isl_url_set_username, isl_url_set_password,
    isl_url_set_host,     isl_url_set_hostname, isl_url_set_port,
    isl_url_set_pathname, isl_url_set_search,   isl_url_set_hash,
};

static void check_urlencoded(const char *s, size_t n) {
  isl_form_list_t l = {0};
  isl_buf_t a = {0}, b = {0};
  isl_urlencoded_parse(s, n, &l);
  isl_urlencoded_serialize(&l, &a);
  isl_form_list_dispose(&l);
  isl_urlencoded_parse(a.p ? a.p : "", a.len, &l);
  isl_urlencoded_serialize(&l, &b);
  ASSERT(a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0));
  isl_form_list_dispose(&l);
  isl_buf_free(&a);
  isl_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  unsigned mode = data[0];
  const char *s = (const char *)data + 1;
  size_t n = size - 1;

  isl_url_t base, url;
  bool has_base = false;
  const char *input = s;
  size_t input_len = n;
  if (mode & 1) {
    const char *nul = memchr(s, 0, n);
    if (nul) {
      has_base = isl_url_parse(s, (size_t)(nul - s), NULL, &base);
      if (has_base) check_roundtrip(&base);
      input = nul + 1;
      input_len = n - (size_t)(nul - s) - 1;
    }
  }
  if (isl_url_parse(input, input_len, has_base ? &base : NULL, &url)) {
    check_roundtrip(&url);
    /* A setter with the input's second half as its value. */
    setters[(mode >> 1) % (sizeof(setters) / sizeof(setters[0]))](
        &url, input + input_len / 2, input_len - input_len / 2);
    check_roundtrip(&url);
    isl_url_dispose(&url);
  }
  if (has_base) isl_url_dispose(&base);
  check_urlencoded(s, n);
  return 0;
}
