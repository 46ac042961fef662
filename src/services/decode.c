/* Content-Encoding decoders (see decode.h). */
#include "decode.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <brotli/decode.h>
#include <zlib.h>

typedef enum { DEC_GZIP, DEC_DEFLATE, DEC_BR } dec_kind_t;

struct isl_decoder {
  dec_kind_t kind;
  bool started; /* zlib: inflateInit2 done (deflate picks its format on the first bytes) */
  bool ended;   /* the encoded stream reached its end */
  z_stream z;
  BrotliDecoderState *br;
};

enum { OUT_CHUNK = 16384 };

isl_decoder_t *isl_decoder_new(const char *coding) {
  if (!coding) return NULL;
  while (*coding == ' ' || *coding == '\t') coding++;
  size_t n = strlen(coding);
  while (n && (coding[n - 1] == ' ' || coding[n - 1] == '\t')) n--;
  dec_kind_t kind;
  if ((n == 4 && strncasecmp(coding, "gzip", 4) == 0) ||
      (n == 6 && strncasecmp(coding, "x-gzip", 6) == 0))
    kind = DEC_GZIP;
  else if (n == 7 && strncasecmp(coding, "deflate", 7) == 0)
    kind = DEC_DEFLATE;
  else if (n == 2 && strncasecmp(coding, "br", 2) == 0)
    kind = DEC_BR;
  else
    return NULL;
  isl_decoder_t *d = isl_calloc(1, sizeof(*d));
  d->kind = kind;
  if (kind == DEC_BR) {
    d->br = BrotliDecoderCreateInstance(NULL, NULL, NULL);
    ISL_CHECK(d->br != NULL); /* fails only when out of memory, fatal everywhere in islet */
  }
  return d;
}

/* "deflate" is meant to be the zlib format (RFC 9110 §8.4.1.2), but some servers send a
 * raw deflate stream: a zlib header is recognised by its checksum (RFC 1950 §2.2). */
static bool looks_like_zlib(const unsigned char *p, size_t n) {
  if (n < 2) return n == 0 || (p[0] & 0x0f) == 8;
  return (p[0] & 0x0f) == 8 && (p[0] >> 4) <= 7 && ((p[0] << 8) | p[1]) % 31 == 0;
}

static bool start_zlib(isl_decoder_t *d, const char *p, size_t n) {
  int bits = d->kind == DEC_GZIP ? 15 + 16 : looks_like_zlib((const unsigned char *)p, n) ? 15 : -15;
  d->started = true;
  return inflateInit2(&d->z, bits) == Z_OK;
}

static bool write_zlib(isl_decoder_t *d, const char *p, size_t n, isl_decode_emit_fn emit,
                       void *data, const char **err) {
  if (!d->started && !start_zlib(d, p, n)) {
    *err = "cannot start the zlib decoder";
    return false;
  }
  char out[OUT_CHUNK];
  d->z.next_in = (Bytef *)p;
  d->z.avail_in = (uInt)n;
  while (d->z.avail_in > 0) {
    if (d->ended) {
      /* gzip allows several members one after another (RFC 1952 §2.2); after a deflate
       * stream's end, anything more is ignored. */
      if (d->kind != DEC_GZIP) return true;
      if (inflateReset(&d->z) != Z_OK) break;
      d->ended = false;
    }
    d->z.next_out = (Bytef *)out;
    d->z.avail_out = sizeof(out);
    int rc = inflate(&d->z, Z_NO_FLUSH);
    size_t got = sizeof(out) - d->z.avail_out;
    if (got && !emit(data, out, got)) {
      *err = NULL;
      return false;
    }
    if (rc == Z_STREAM_END) {
      d->ended = true;
      continue;
    }
    if (rc != Z_OK && !(rc == Z_BUF_ERROR && got == 0 && d->z.avail_in == 0)) {
      *err = d->kind == DEC_GZIP ? "invalid gzip data" : "invalid deflate data";
      return false;
    }
  }
  return true;
}

static bool write_br(isl_decoder_t *d, const char *p, size_t n, isl_decode_emit_fn emit,
                     void *data, const char **err) {
  const uint8_t *in = (const uint8_t *)p;
  size_t avail_in = n;
  for (;;) {
    uint8_t out[OUT_CHUNK];
    uint8_t *next_out = out;
    size_t avail_out = sizeof(out);
    BrotliDecoderResult rc =
        BrotliDecoderDecompressStream(d->br, &avail_in, &in, &avail_out, &next_out, NULL);
    size_t got = sizeof(out) - avail_out;
    if (got && !emit(data, (const char *)out, got)) {
      *err = NULL;
      return false;
    }
    if (rc == BROTLI_DECODER_RESULT_ERROR) {
      *err = "invalid brotli data";
      return false;
    }
    if (rc == BROTLI_DECODER_RESULT_SUCCESS) {
      d->ended = true;
      return true; /* bytes after the end are ignored */
    }
    if (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT) return true;
    /* NEEDS_MORE_OUTPUT: go round again with a fresh buffer. */
  }
}

bool isl_decoder_write(isl_decoder_t *d, const char *p, size_t n, isl_decode_emit_fn emit,
                       void *data, const char **err) {
  *err = NULL;
  if (n == 0) return true;
  if (d->kind == DEC_BR) return d->ended || write_br(d, p, n, emit, data, err);
  return write_zlib(d, p, n, emit, data, err);
}

bool isl_decoder_finish(isl_decoder_t *d, const char **err) {
  *err = NULL;
  /* An empty body is an empty body, whatever its Content-Encoding claims. */
  bool empty = d->kind == DEC_BR ? false : !d->started;
  if (d->kind == DEC_BR && !d->ended) empty = !BrotliDecoderHasMoreOutput(d->br) &&
                                                BrotliDecoderIsUsed(d->br) == BROTLI_FALSE;
  if (d->ended || empty) return true;
  *err = "the encoded body ended early";
  return false;
}

void isl_decoder_free(isl_decoder_t *d) {
  if (!d) return;
  if (d->started) inflateEnd(&d->z);
  if (d->br) BrotliDecoderDestroyInstance(d->br);
  free(d);
}
