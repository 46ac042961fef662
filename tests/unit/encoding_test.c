/* src/encoding: labels, BOM sniffing, the "decode" algorithm, the indexes built from ICU
 * (at pointers where ICU's tables and the standard's differ, so a lost correction fails
 * here) and decoder state kept across chunks. Code points are the standard's index
 * values, written out by hand. */
#include <stdlib.h>

#include "check.h"
#include "encoding/encoding.h"

#define B(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})
#define U16(...) ((const uint16_t[]){__VA_ARGS__}), sizeof((const uint16_t[]){__VA_ARGS__}) / 2

static int label(const char *s) { return isl_encoding_for_label(s, strlen(s)); }

static void test_labels(void) {
  CHECK(label("utf-8") == ISL_ENC_UTF8);
  CHECK(label(" \tUTF8\r\n") == ISL_ENC_UTF8);
  CHECK(label("x-sjis") == ISL_ENC_SHIFT_JIS);
  CHECK(label("ISO-2022-JP") == ISL_ENC_ISO_2022_JP);
  CHECK(label("l9") == ISL_ENC_ISO_8859_15);
  CHECK(label("cseucpkdfmtjapanese") == ISL_ENC_EUC_JP);
  CHECK(label("iso-2022-kr") == ISL_ENC_REPLACEMENT);
  CHECK(label("x-user-defined") == ISL_ENC_X_USER_DEFINED);
  CHECK(label("") == -1);
  CHECK(label("   ") == -1);
  CHECK(label("utf-32") == -1);
  CHECK(label("cseucpkdfmtjapanesex") == -1);
  CHECK(label("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa") == -1);
  CHECK(isl_encoding_for_label("utf-8\0x", 7) == -1);
  CHECK_STR(isl_encoding_name(ISL_ENC_SHIFT_JIS), "shift_jis");
  CHECK_STR(isl_encoding_name(ISL_ENC_UTF16LE), "utf-16le");
  CHECK_STR(isl_encoding_name(ISL_ENC_ISO_8859_8_I), "iso-8859-8-i");
  /* Every encoding has a name. */
  for (int e = 0; e < ISL_ENC_COUNT; e++) CHECK(isl_encoding_name((isl_enc_t)e) != NULL);
}

static void test_bom_sniff(void) {
  size_t n;
  CHECK(isl_encoding_bom_sniff(B(0xEF, 0xBB, 0xBF, 0x41), &n) == ISL_ENC_UTF8 && n == 3);
  CHECK(isl_encoding_bom_sniff(B(0xFE, 0xFF), &n) == ISL_ENC_UTF16BE && n == 2);
  CHECK(isl_encoding_bom_sniff(B(0xFF, 0xFE, 0x00), &n) == ISL_ENC_UTF16LE && n == 2);
  CHECK(isl_encoding_bom_sniff(B(0xEF, 0xBB), &n) == -1 && n == 0);
  CHECK(isl_encoding_bom_sniff(NULL, 0, &n) == -1);
}

/* Decodes in one go and compares the UTF-16 output. */
static int decodes(isl_enc_t enc, const uint8_t *p, size_t n, const uint16_t *want, size_t m) {
  isl_decoder_t d;
  isl_decoder_init(&d, enc, false);
  isl_u16buf_t out = {0};
  isl_decoder_decode(&d, p, n, true, &out);
  int ok = out.len == m && (m == 0 || memcmp(out.p, want, m * 2) == 0);
  if (!ok) {
    printf("  got:");
    for (size_t i = 0; i < out.len; i++) printf(" %04X", out.p[i]);
    printf("\n");
  }
  free(out.p);
  return ok;
}

/* The "decode" algorithm: a BOM wins over the given encoding. */
static int sniffs(isl_enc_t enc, const uint8_t *p, size_t n, const uint16_t *want, size_t m) {
  isl_u16buf_t out = {0};
  isl_encoding_decode(enc, p, n, &out);
  int ok = out.len == m && (m == 0 || memcmp(out.p, want, m * 2) == 0);
  free(out.p);
  return ok;
}

static void test_decode_with_bom_sniffing(void) {
  CHECK(sniffs(ISL_ENC_WINDOWS_1252, B(0xEF, 0xBB, 0xBF, 0xC3, 0xA9), U16(0xE9)));
  CHECK(sniffs(ISL_ENC_UTF8, B(0xFF, 0xFE, 0x41, 0x00), U16('A')));
  CHECK(sniffs(ISL_ENC_SHIFT_JIS, B(0xFE, 0xFF, 0x30, 0x42), U16(0x3042)));
  CHECK(sniffs(ISL_ENC_WINDOWS_1252, B(0xC3, 0xA9), U16(0xC3, 0xA9)));
  /* Only one BOM is removed; a second one is text. */
  CHECK(sniffs(ISL_ENC_UTF8, B(0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF), U16(0xFEFF)));
  CHECK(sniffs(ISL_ENC_UTF8, NULL, 0, NULL, 0));
}

/* Single-byte tables at the bytes ICU maps differently from the standard. */
static void test_single_byte_corrections(void) {
  CHECK(isl_index_single_byte(ISL_ENC_ISO_8859_16)[0xA4 - 0x80] == 0x20AC);
  CHECK(isl_index_single_byte(ISL_ENC_ISO_8859_16)[0xFE - 0x80] == 0x021B);
  CHECK(isl_index_single_byte(ISL_ENC_ISO_8859_16)[0xFF - 0x80] == 0x00FF);
  CHECK(isl_index_single_byte(ISL_ENC_KOI8_U)[0xAE - 0x80] == 0x045E);
  CHECK(isl_index_single_byte(ISL_ENC_KOI8_U)[0xBE - 0x80] == 0x040E);
  CHECK(isl_index_single_byte(ISL_ENC_WINDOWS_874)[0xDB - 0x80] == 0);
  CHECK(isl_index_single_byte(ISL_ENC_WINDOWS_874)[0xFF - 0x80] == 0);
  CHECK(isl_index_single_byte(ISL_ENC_WINDOWS_1253)[0xAA - 0x80] == 0);
  CHECK(isl_index_single_byte(ISL_ENC_WINDOWS_1255)[0xCA - 0x80] == 0x05BA);
  CHECK(isl_index_single_byte(ISL_ENC_WINDOWS_1252)[0x81 - 0x80] == 0x0081);
  CHECK(isl_index_single_byte(ISL_ENC_WINDOWS_1252)[0x80 - 0x80] == 0x20AC);
  CHECK(isl_index_single_byte(ISL_ENC_ISO_8859_8_I)[0xE0 - 0x80] == 0x05D0);
}

static void test_multi_byte_corrections(void) {
  /* gb18030: 0xA3A0, and GB18030-2022's two-byte remappings. */
  CHECK(isl_index_gb18030(6555) == 0x3000);
  CHECK(isl_index_gb18030(7182) == 0xFE10);
  CHECK(isl_index_gb18030(7208) == 0xFE19);
  CHECK(isl_index_gb18030(23775) == 0x9FB4);
  CHECK(isl_index_gb18030(23845) == 0x9FBB);
  CHECK(isl_index_gb18030(0) == 0x4E02);
  CHECK(isl_index_gb18030(23940) == 0); /* past the end */
  /* Ranges: both ends, the special pointer, and the 2005 mappings kept by the standard. */
  CHECK(isl_index_gb18030_ranges(0) == 0x0080);
  CHECK(isl_index_gb18030_ranges(7457) == 0xE7C7);
  CHECK(isl_index_gb18030_ranges(19057) == 0x9FB4);
  CHECK(isl_index_gb18030_ranges(39076) == 0xFE10);
  CHECK(isl_index_gb18030_ranges(39419) == 0xFFFF);
  CHECK(isl_index_gb18030_ranges(39420) == 0);
  CHECK(isl_index_gb18030_ranges(189000) == 0x10000);
  CHECK(isl_index_gb18030_ranges(1237575) == 0x10FFFF);
  CHECK(isl_index_gb18030_ranges(1237576) == 0);
  /* big5: no private use where the standard has nothing, HKSCS and ETEN additions. */
  CHECK(isl_index_big5(0) == 0);
  CHECK(isl_index_big5(627) == 0);
  CHECK(isl_index_big5(1133) == 0);
  CHECK(isl_index_big5(1099) == 0x31C0);
  CHECK(isl_index_big5(2082) == 0x7BB8);
  CHECK(isl_index_big5(5432) == 0x2400);
  CHECK(isl_index_big5(5464) == 0x2421);
  CHECK(isl_index_big5(19748) == 0x7809);
  CHECK(isl_index_big5((0xA4 - 0x81) * 157) == 0x4E00);
  CHECK(isl_index_big5((0xC8 - 0x81) * 157 + 0xA4 - 0x62) == 0x27607);
  /* jis0208 and euc-kr: nothing in the user-defined areas. */
  CHECK(isl_index_jis0208(8836) == 0);
  CHECK(isl_index_jis0208(10715) == 0);
  CHECK(isl_index_jis0208(0) == 0x3000);
  CHECK(isl_index_euc_kr(13776) == 0);
  CHECK(isl_index_euc_kr(23939) == 0);
  CHECK(isl_index_euc_kr(0) == 0xAC02);
  /* jis0212: no IBM extensions in row 83. */
  CHECK(isl_index_jis0212(7708) == 0);
  CHECK(isl_index_jis0212(7730) == 0);
  CHECK(isl_index_jis0212(1410) == 0x4E02);
}

static void test_decoders(void) {
  CHECK(decodes(ISL_ENC_GB18030, B(0x81, 0x30, 0x81, 0x30, 0xA1, 0xA1), U16(0x0080, 0x3000)));
  CHECK(decodes(ISL_ENC_BIG5, B(0x88, 0x62), U16(0x00CA, 0x0304)));
  CHECK(decodes(ISL_ENC_SHIFT_JIS, B(0x82, 0xA0, 0x81), U16(0x3042, 0xFFFD)));
  CHECK(decodes(ISL_ENC_ISO_2022_JP, B(0x1B, 0x28, 0x43), U16(0xFFFD, '(', 'C')));
  CHECK(decodes(ISL_ENC_UTF16BE, B(0xD8, 0x3D, 0xDE, 0x00), U16(0xD83D, 0xDE00)));
  CHECK(decodes(ISL_ENC_REPLACEMENT, B(0x41, 0x42), U16(0xFFFD)));
  CHECK(decodes(ISL_ENC_REPLACEMENT, NULL, 0, NULL, 0));
  CHECK(decodes(ISL_ENC_X_USER_DEFINED, B(0x80), U16(0xF780)));
  CHECK(decodes(ISL_ENC_WINDOWS_1252, B(0x00, 0x80), U16(0x0000, 0x20AC)));
}

/* Bytes prepended from an earlier chunk are kept in the decoder until the next call. */
static void test_pending_bytes_across_chunks(void) {
  isl_decoder_t d;
  isl_u16buf_t out = {0};
  isl_decoder_init(&d, ISL_ENC_GB18030, false);
  CHECK(isl_decoder_decode(&d, B(0x81, 0x30, 0x81), false, &out) && out.len == 0);
  /* The fourth byte is invalid: second and third come back from the decoder's state. */
  CHECK(isl_decoder_decode(&d, B(0x41), true, &out));
  CHECK(out.len == 3 && out.p[0] == 0xFFFD && out.p[1] == '0' && out.p[2] == 0x4E04);
  free(out.p);

  out = (isl_u16buf_t){0};
  isl_decoder_init(&d, ISL_ENC_ISO_2022_JP, true);
  CHECK(isl_decoder_decode(&d, B(0x1B, 0x24), false, &out) && out.len == 0);
  /* Fatal: the unknown escape fails, and the decoder can be used again afterwards. */
  CHECK(!isl_decoder_decode(&d, B(0x41), false, &out));
  CHECK(d.npending == 0);
  CHECK(isl_decoder_decode(&d, B(0x41), true, &out) && out.len == 1 && out.p[0] == 'A');
  free(out.p);
}

int main(void) {
  test_labels();
  test_bom_sniff();
  test_decode_with_bom_sniffing();
  test_single_byte_corrections();
  test_multi_byte_corrections();
  test_decoders();
  test_pending_bytes_across_chunks();
  return check_summary();
}
