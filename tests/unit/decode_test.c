/* Content-Encoding decoders (src/services/decode.c): gzip (several members too), zlib and
 * raw deflate, brotli; fed whole and byte by byte; corrupt and truncated input; a sink
 * that stops; codings that are not decoded. */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "check.h"
#include "services/decode.h"

static const char TEXT[] = "hello brotli hello brotli hello brotli";

/* TEXT compressed by libbrotlienc (quality 5, window 22). */
static const unsigned char BR[] = {0x1b, 0x25, 0x00, 0x00, 0x04, 0x1c, 0x87, 0xd7,
                                   0xbb, 0xfb, 0xee, 0x8b, 0x88, 0x54, 0x83, 0xf0,
                                   0x53, 0x8d, 0xe7, 0x74, 0x43, 0xeb, 0x63, 0x00};

/* zlib's deflate with windowBits: 15+16 gzip, 15 zlib, -15 raw. */
static size_t compress_with(int bits, const char *s, size_t n, unsigned char *out, size_t cap) {
  z_stream z = {0};
  deflateInit2(&z, 6, Z_DEFLATED, bits, 8, Z_DEFAULT_STRATEGY);
  z.next_in = (Bytef *)s;
  z.avail_in = (uInt)n;
  z.next_out = out;
  z.avail_out = (uInt)cap;
  deflate(&z, Z_FINISH);
  size_t got = cap - z.avail_out;
  deflateEnd(&z);
  return got;
}

static bool collect(void *data, const char *p, size_t n) {
  isl_buf_append(data, p, n);
  return true;
}

static bool refuse(void *data, const char *p, size_t n) {
  (void)data, (void)p, (void)n;
  return false;
}

/* Decodes in pieces of `step` bytes (0: all at once); returns the output or NULL on error. */
static char *decode(const char *coding, const unsigned char *in, size_t n, size_t step,
                    const char **err) {
  isl_decoder_t *d = isl_decoder_new(coding);
  if (!d) return NULL;
  isl_buf_t out = {0};
  bool ok = true;
  for (size_t i = 0; ok && i < n; i += step ? step : n) {
    size_t k = step && n - i > step ? step : n - i;
    ok = isl_decoder_write(d, (const char *)in + i, k, collect, &out, err);
  }
  if (ok) ok = isl_decoder_finish(d, err);
  isl_decoder_free(d);
  isl_buf_putc(&out, 0);
  if (!ok) {
    isl_buf_free(&out);
    return NULL;
  }
  return isl_buf_take(&out);
}

static bool decodes_to(const char *coding, const unsigned char *in, size_t n, const char *want) {
  const char *err = NULL;
  bool all = true;
  for (size_t step = 0; step <= 3; step++) {
    char *got = decode(coding, in, n, step, &err);
    all = all && got && strcmp(got, want) == 0;
    if (!got) printf("  %s step %zu: %s\n", coding, step, err ? err : "?");
    free(got);
  }
  return all;
}

static void test_formats(void) {
  unsigned char buf[512];
  size_t n = compress_with(15 + 16, TEXT, strlen(TEXT), buf, sizeof(buf));
  CHECK(decodes_to("gzip", buf, n, TEXT));
  CHECK(decodes_to("x-gzip", buf, n, TEXT));
  CHECK(decodes_to(" GZip\t", buf, n, TEXT));
  n = compress_with(15, TEXT, strlen(TEXT), buf, sizeof(buf));
  CHECK(decodes_to("deflate", buf, n, TEXT));
  n = compress_with(-15, TEXT, strlen(TEXT), buf, sizeof(buf));
  CHECK(decodes_to("deflate", buf, n, TEXT));
  CHECK(decodes_to("br", BR, sizeof(BR), TEXT));
}

static void test_gzip_members(void) {
  unsigned char buf[512];
  size_t a = compress_with(15 + 16, "first ", 6, buf, sizeof(buf));
  size_t b = compress_with(15 + 16, "second", 6, buf + a, sizeof(buf) - a);
  CHECK(decodes_to("gzip", buf, a + b, "first second"));
}

static void test_errors(void) {
  const char *err = NULL;
  const unsigned char junk[] = "this is not compressed at all";
  CHECK(decode("gzip", junk, sizeof(junk) - 1, 0, &err) == NULL);
  CHECK_STR(err, "invalid gzip data");
  CHECK(decode("br", junk, sizeof(junk) - 1, 0, &err) == NULL);
  CHECK_STR(err, "invalid brotli data");
  unsigned char buf[512];
  size_t n = compress_with(15 + 16, TEXT, strlen(TEXT), buf, sizeof(buf));
  CHECK(decode("gzip", buf, n - 4, 0, &err) == NULL);
  CHECK_STR(err, "the encoded body ended early");
  CHECK(decode("br", BR, sizeof(BR) - 3, 0, &err) == NULL);
  CHECK_STR(err, "the encoded body ended early");
  /* An empty body is fine whatever the coding says. */
  char *e = decode("gzip", buf, 0, 0, &err);
  CHECK(e && !*e);
  free(e);
  e = decode("br", BR, 0, 0, &err);
  CHECK(e && !*e);
  free(e);
}

static void test_sink_stops(void) {
  unsigned char buf[512];
  size_t n = compress_with(15 + 16, TEXT, strlen(TEXT), buf, sizeof(buf));
  isl_decoder_t *d = isl_decoder_new("gzip");
  const char *err = "unset";
  CHECK(!isl_decoder_write(d, (const char *)buf, n, refuse, NULL, &err));
  CHECK(err == NULL);
  isl_decoder_free(d);
  d = isl_decoder_new("br");
  err = "unset";
  CHECK(!isl_decoder_write(d, (const char *)BR, sizeof(BR), refuse, NULL, &err));
  CHECK(err == NULL);
  isl_decoder_free(d);
}

static void test_not_decoded(void) {
  CHECK(isl_decoder_new("identity") == NULL);
  CHECK(isl_decoder_new("zstd") == NULL);
  CHECK(isl_decoder_new("gzip, br") == NULL);
  CHECK(isl_decoder_new("") == NULL);
  CHECK(isl_decoder_new(NULL) == NULL);
}

int main(void) {
  test_formats();
  test_gzip_members();
  test_errors();
  test_sink_stops();
  test_not_decoded();
  return check_summary();
}
