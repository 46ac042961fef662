/* What TextDecoder (encoding.c) and TextDecoderStream (textstreams.c) share: the
 * standard's TextDecoderCommon (https://encoding.spec.whatwg.org/#textdecodercommon), i.e.
 * the decoder with its flags, the constructor's label and options, and one decoding step
 * with the BOM handling of "serialize I/O queue". */
#ifndef ISL_API_ENCODING_API_H
#define ISL_API_ENCODING_API_H

#include "../encoding/encoding.h"
#include "api.h"

typedef struct {
  isl_decoder_t dec;
  bool ignore_bom;
  bool bom_seen;
} isl_text_decoder_t;

/* The constructor's steps for iface ("TextDecoder", "TextDecoderStream"): the encoding
 * from label (undefined: UTF-8; RangeError for an unknown label or "replacement") and the
 * TextDecoderOptions dictionary (fatal, ignoreBOM). false with *exc set if it threw. */
bool isl_text_decoder_init(JSContextRef ctx, isl_text_decoder_t *d, JSValueRef label,
                           JSValueRef options, const char *iface, JSValueRef *exc);

/* Decodes p[0..n) after what the decoder holds (flush: the end of the stream), appending
 * UTF-16 to out, and sets *skip to 1 when out starts with a byte order mark that "serialize
 * I/O queue" drops (the first output of a Unicode encoding, unless ignoreBOM), else 0.
 * false on an error in fatal mode (then nothing of out is to be used). */
bool isl_text_decoder_step(isl_text_decoder_t *d, const uint8_t *p, size_t n, bool flush,
                           isl_u16buf_t *out, size_t *skip);

#endif
