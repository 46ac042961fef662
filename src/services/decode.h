/* Content-Encoding decoders for response bodies (RFC 9110 §8.4.1): gzip (and x-gzip),
 * deflate (the zlib format, or raw deflate as some servers send it) and br (RFC 7932),
 * on zlib and libbrotlidec. Streaming: bytes go in as they arrive and decoded bytes come
 * out through a callback, so the HTTP client can decode a body chunk by chunk. No I/O,
 * no JavaScript. */
#ifndef ISL_DECODE_H
#define ISL_DECODE_H

#include "../base/base.h"

typedef struct isl_decoder isl_decoder_t;

/* Receives decoded bytes; returns false to stop decoding (e.g. the body is too large). */
typedef bool (*isl_decode_emit_fn)(void *data, const char *p, size_t n);

/* A decoder for a Content-Encoding value, or NULL if islet does not decode it: anything
 * but one of "gzip", "x-gzip", "deflate", "br" (case-insensitive, surrounding whitespace
 * ignored). A list of several codings is not decoded either. */
isl_decoder_t *isl_decoder_new(const char *coding);

/* Decodes p[0..n), passing the output to emit. false on corrupt input (*err says why,
 * static) or when emit returned false (*err NULL). */
bool isl_decoder_write(isl_decoder_t *d, const char *p, size_t n, isl_decode_emit_fn emit,
                       void *data, const char **err);

/* At the end of the body: false (with *err) if the encoded stream did not end. */
bool isl_decoder_finish(isl_decoder_t *d, const char **err);

void isl_decoder_free(isl_decoder_t *d);

#endif
