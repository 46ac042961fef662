/* The Encoding Standard (https://encoding.spec.whatwg.org/) without JS: encodings and their
 * labels, and a streaming decoder for every encoding the standard defines. TextDecoder
 * (src/api/encoding.c) is a thin binding over this; other APIs may decode with it too.
 *
 * Decoders follow the standard's algorithms step by step (error positions, how many U+FFFD
 * an error yields, which bytes are "prepended to the stream" again) so output matches
 * browsers byte for byte. The legacy encodings' indexes come from ICU with corrections
 * where ICU's tables differ from the standard's (index.c says how). */
#ifndef ISL_ENCODING_H
#define ISL_ENCODING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Every encoding of the standard, in the order of its table. */
typedef enum {
  ISL_ENC_UTF8,
  /* Legacy single-byte encodings. */
  ISL_ENC_IBM866,
  ISL_ENC_ISO_8859_2,
  ISL_ENC_ISO_8859_3,
  ISL_ENC_ISO_8859_4,
  ISL_ENC_ISO_8859_5,
  ISL_ENC_ISO_8859_6,
  ISL_ENC_ISO_8859_7,
  ISL_ENC_ISO_8859_8,
  ISL_ENC_ISO_8859_8_I,
  ISL_ENC_ISO_8859_10,
  ISL_ENC_ISO_8859_13,
  ISL_ENC_ISO_8859_14,
  ISL_ENC_ISO_8859_15,
  ISL_ENC_ISO_8859_16,
  ISL_ENC_KOI8_R,
  ISL_ENC_KOI8_U,
  ISL_ENC_MACINTOSH,
  ISL_ENC_WINDOWS_874,
  ISL_ENC_WINDOWS_1250,
  ISL_ENC_WINDOWS_1251,
  ISL_ENC_WINDOWS_1252,
  ISL_ENC_WINDOWS_1253,
  ISL_ENC_WINDOWS_1254,
  ISL_ENC_WINDOWS_1255,
  ISL_ENC_WINDOWS_1256,
  ISL_ENC_WINDOWS_1257,
  ISL_ENC_WINDOWS_1258,
  ISL_ENC_X_MAC_CYRILLIC,
  /* Legacy multi-byte encodings. */
  ISL_ENC_GBK,
  ISL_ENC_GB18030,
  ISL_ENC_BIG5,
  ISL_ENC_EUC_JP,
  ISL_ENC_ISO_2022_JP,
  ISL_ENC_SHIFT_JIS,
  ISL_ENC_EUC_KR,
  /* Legacy miscellaneous encodings. */
  ISL_ENC_REPLACEMENT,
  ISL_ENC_UTF16BE,
  ISL_ENC_UTF16LE,
  ISL_ENC_X_USER_DEFINED,
  ISL_ENC_COUNT
} isl_enc_t;

/* "Get an encoding": strips leading and trailing ASCII whitespace from the label and
 * matches it ASCII case-insensitively. Returns -1 for an unknown label. */
int isl_encoding_for_label(const char *label, size_t n);

/* The encoding's name, lower-case as the standard writes it ("utf-8", "shift_jis"). */
const char *isl_encoding_name(isl_enc_t enc);

/* BOM sniff (the "decode" algorithm's first step): the encoding a UTF-8, UTF-16BE or
 * UTF-16LE byte order mark at the start of p[0..n) names, with its length in *bom_len;
 * -1 (and *bom_len = 0) when there is none. n < 3 can only be decided at the end of
 * the stream: callers sniff once they have 3 bytes or all of them. */
int isl_encoding_bom_sniff(const uint8_t *p, size_t n, size_t *bom_len);

/* UTF-16 output of a decoder: grows as needed; free p with free(). */
typedef struct {
  uint16_t *p;
  size_t len, cap;
} isl_u16buf_t;

/* One decoder instance with its state between chunks (the standard's "decoder" plus the
 * bytes it has "prepended to the stream" and not yet consumed). Embed it; no
 * allocation. */
typedef struct {
  isl_enc_t enc;
  bool fatal;
  /* UTF-8: code point, bytes needed and seen, and the allowed range of the next byte. */
  uint32_t code_point;
  int bytes_needed, bytes_seen;
  uint8_t lower, upper;
  /* The legacy multi-byte decoders' lead byte(s), 0 = none. gb18030 keeps three. */
  uint8_t lead, second, third;
  /* UTF-16: the lead byte (-1 = none) and a pending lead surrogate (0 = none). */
  int u16_byte;
  uint16_t u16_surrogate;
  /* EUC-JP: lead was 0x8F (JIS X 0212). ISO-2022-JP: state, output state, output flag. */
  bool jis0212;
  uint8_t iso_state, iso_out_state;
  bool iso_output;
  /* replacement: the error has been emitted. */
  bool replaced;
  /* Bytes "prepended to the stream" that came from earlier chunks (ISO-2022-JP's lead
   * and byte after an unknown escape): consumed before the next input byte. */
  uint8_t pending[2];
  uint8_t npending;
} isl_decoder_t;

/* A fresh decoder for enc (fatal: the first error stops decoding). */
void isl_decoder_init(isl_decoder_t *d, isl_enc_t enc, bool fatal);

/* Decodes p[0..n) after whatever the decoder holds from earlier calls, appending UTF-16
 * to out. flush: this is the end of the stream (an incomplete sequence is an error, and
 * the decoder is ready for a new stream afterwards). Returns false at the first error in
 * fatal mode (out then holds what came before it; the decoder must be re-initialised);
 * in replacement mode errors become U+FFFD and it always returns true. */
bool isl_decoder_decode(isl_decoder_t *d, const uint8_t *p, size_t n, bool flush,
                        isl_u16buf_t *out);

/* The standard's "decode" for a whole byte sequence: a byte order mark selects UTF-8,
 * UTF-16BE or UTF-16LE over fallback (and is dropped); errors become U+FFFD. Appends to
 * out. */
void isl_encoding_decode(isl_enc_t fallback, const uint8_t *p, size_t n, isl_u16buf_t *out);

/* ---- Indexes (index.c) ---------------------------------------------------------------- */

/* A single-byte encoding's index: the code point of byte 0x80 + i at [i], 0 for none. */
const uint16_t *isl_index_single_byte(isl_enc_t enc);
/* The standard's indexes by pointer; 0 when the pointer has no code point. */
uint32_t isl_index_gb18030(unsigned pointer);
uint32_t isl_index_gb18030_ranges(uint32_t pointer);
uint32_t isl_index_big5(unsigned pointer);
uint32_t isl_index_jis0208(unsigned pointer);
uint32_t isl_index_jis0212(unsigned pointer);
uint32_t isl_index_euc_kr(unsigned pointer);

#endif
