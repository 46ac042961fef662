/* The Encoding Standard's indexes (https://encoding.spec.whatwg.org/#indexes), built on
 * first use from ICU's converters plus a list of corrections per index.
 *
 * How: for every pointer of an index, the byte sequence the standard assigns to it (e.g.
 * for index jis0208 the Shift_JIS bytes of that pointer) is decoded once with the ICU
 * converter named below, whose table is the nearest one ICU ships (windows-31j for
 * jis0208, Big5-HKSCS:2008 for big5, windows-949 for euc-kr, …). Where ICU's table differs
 * from the standard's index, the pointer is listed in that index's fixes[] with the
 * standard's code point (0: the standard has no code point there), as runs of pointers.
 * The lists were made by comparing every pointer of every table built this way with a
 * copy of the standard's index files (the one in Debian's libjs-text-encoding, 2018), plus
 * the 18 two-byte gb18030 mappings GB18030-2022 changed, which the standard adopted in
 * 2024 (whatwg/encoding#336). They are complete for the ICU data they were checked against
 * (ICU 72): after the fixes every table equals the standard's. tests/unit/encoding_test.c
 * checks each fixed region. A newer ICU that already agrees with the standard at a fixed
 * pointer does no harm: a fix is an absolute value, not a delta.
 *
 * ISO-8859-16 has no ICU converter: it is built as ISO-8859-1 plus its 40 differences.
 *
 * Tables are built once per process (pthread_once), about 200 KB for all of them, and
 * only for encodings a worker actually decodes. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ucnv.h>
#include <unicode/utf16.h>

#include "../base/base.h"
#include "encoding.h"

/* Pointers first..last map to code_point, code_point + 1, …; code_point 0 means the
 * standard has no code point for them. */
typedef struct {
  uint32_t first, last, code_point;
} fix_t;

static uint32_t fix_value(const fix_t *f, uint32_t pointer) {
  return f->code_point ? f->code_point + (pointer - f->first) : 0;
}

/* Decodes one byte sequence with cv; the code point, or 0 when ICU maps it to nothing or
 * to more than one code point. */
static uint32_t icu_decode(UConverter *cv, const uint8_t *b, int n) {
  UChar u[4];
  UErrorCode e = U_ZERO_ERROR;
  ucnv_reset(cv);
  int32_t len = ucnv_toUChars(cv, u, 4, (const char *)b, n, &e);
  if (U_FAILURE(e)) return 0;
  if (len == 1 && !U16_IS_SURROGATE(u[0])) return u[0];
  if (len == 2 && U16_IS_LEAD(u[0]) && U16_IS_TRAIL(u[1]))
    return U16_GET_SUPPLEMENTARY(u[0], u[1]);
  return 0;
}

/* An ICU converter that reports unmapped bytes instead of substituting them. */
static UConverter *icu_open(const char *name) {
  UErrorCode e = U_ZERO_ERROR;
  UConverter *cv = ucnv_open(name, &e);
  ISL_CHECK(cv && U_SUCCESS(e));
  ucnv_setToUCallBack(cv, UCNV_TO_U_CALLBACK_STOP, NULL, NULL, NULL, &e);
  ISL_CHECK(U_SUCCESS(e));
  return cv;
}

/* ---- Single-byte indexes --------------------------------------------------------------- */

typedef struct {
  const char *icu; /* NULL: the table is written out in fixes */
  const fix_t *fixes;
  size_t nfixes;
  pthread_once_t once;
  uint16_t table[128];
} sb_index_t;

#define FIXES(a) a, sizeof(a) / sizeof(a[0])
#define NOFIXES NULL, 0

/* Where ICU's single-byte tables differ from the standard's indexes, by byte. ISO-8859-16
 * (no ICU converter) is ISO-8859-1 with these 40 bytes changed; koi8-u is the standard's
 * KOI8-RU variant; ICU maps windows-874's unassigned bytes to private-use code points and
 * windows-1253's 0xAA to U+00AA, where the standard has none; windows-1255's 0xCA is
 * U+05BA in the standard and unmapped in ICU. */
static const fix_t fix_iso_8859_16[] = {
    {0xA1, 0xA2, 0x0104}, {0xA3, 0xA3, 0x0141}, {0xA4, 0xA4, 0x20AC}, {0xA5, 0xA5, 0x201E},
    {0xA6, 0xA6, 0x0160}, {0xA8, 0xA8, 0x0161}, {0xAA, 0xAA, 0x0218}, {0xAC, 0xAC, 0x0179},
    {0xAE, 0xAF, 0x017A}, {0xB2, 0xB2, 0x010C}, {0xB3, 0xB3, 0x0142}, {0xB4, 0xB4, 0x017D},
    {0xB5, 0xB5, 0x201D}, {0xB8, 0xB8, 0x017E}, {0xB9, 0xB9, 0x010D}, {0xBA, 0xBA, 0x0219},
    {0xBC, 0xBD, 0x0152}, {0xBE, 0xBE, 0x0178}, {0xBF, 0xBF, 0x017C}, {0xC3, 0xC3, 0x0102},
    {0xC5, 0xC5, 0x0106}, {0xD0, 0xD0, 0x0110}, {0xD1, 0xD1, 0x0143}, {0xD5, 0xD5, 0x0150},
    {0xD7, 0xD7, 0x015A}, {0xD8, 0xD8, 0x0170}, {0xDD, 0xDD, 0x0118}, {0xDE, 0xDE, 0x021A},
    {0xE3, 0xE3, 0x0103}, {0xE5, 0xE5, 0x0107}, {0xF0, 0xF0, 0x0111}, {0xF1, 0xF1, 0x0144},
    {0xF5, 0xF5, 0x0151}, {0xF7, 0xF7, 0x015B}, {0xF8, 0xF8, 0x0171}, {0xFD, 0xFD, 0x0119},
    {0xFE, 0xFE, 0x021B},
};
static const fix_t fix_koi8_u[] = {
    {0xAE, 0xAE, 0x045E}, {0xBE, 0xBE, 0x040E},
};
static const fix_t fix_windows_874[] = {
    {0xDB, 0xDE, 0x0000}, {0xFC, 0xFF, 0x0000},
};
static const fix_t fix_windows_1253[] = {
    {0xAA, 0xAA, 0x0000},
};
static const fix_t fix_windows_1255[] = {
    {0xCA, 0xCA, 0x05BA},
};


static sb_index_t sb_indexes[ISL_ENC_COUNT] = {
    [ISL_ENC_IBM866] = {"ibm-866_P100-1995", NOFIXES, PTHREAD_ONCE_INIT, {0}},
    [ISL_ENC_ISO_8859_2] = {"ibm-912_P100-1995", NOFIXES, PTHREAD_ONCE_INIT, {0}},
    [ISL_ENC_ISO_8859_3] = {"ibm-913_P100-2000", NOFIXES, PTHREAD_ONCE_INIT, {0}},
    [ISL_ENC_ISO_8859_4] = {"ibm-914_P100-1995", NOFIXES, PTHREAD_ONCE_INIT, {0}},
    [ISL_ENC_ISO_8859_5] = {"ibm-915_P100-1995", NOFIXES, PTHREAD_ONCE_INIT, {0}},
    [ISL_ENC_ISO_8859_6] = {"ibm-1089_P100-1995", NOFIXES, PTHREAD_ONCE_INIT, {0}},
    [ISL_ENC_ISO_8859_7] = {"ibm-9005_X110-2007", NOFIXES, PTHREAD_ONCE_INIT, {0}},
    [ISL_ENC_ISO_8859_8] = {"ibm-5012_P100-1999", NOFIXES, PTHREAD_ONCE_INIT, {0}},
    [ISL_ENC_ISO_8859_8_I] = {"ibm-5012_P100-1999", NOFIXES, PTHREAD_ONCE_INIT, {0}},
    [ISL_ENC_ISO_8859_10] = {"iso-8859_10-1998", NOFIXES, PTHREAD_ONCE_INIT, {0}},
    [ISL_ENC_ISO_8859_13] = {"ibm-921_P100-1995", NOFIXES, PTHREAD_ONCE_INIT, {0}},
    [ISL_ENC_ISO_8859_14] = {"iso-8859_14-1998", NOFIXES, PTHREAD_ONCE_INIT, {0}},
    [ISL_ENC_ISO_8859_15] = {"ibm-923_P100-1998", NOFIXES, PTHREAD_ONCE_INIT, {0}},
    [ISL_ENC_ISO_8859_16] = {"ISO-8859-1", FIXES(fix_iso_8859_16), PTHREAD_ONCE_INIT, {0}},
    [ISL_ENC_KOI8_R] = {"ibm-878_P100-1996", NOFIXES, PTHREAD_ONCE_INIT, {0}},
    [ISL_ENC_KOI8_U] = {"ibm-1168_P100-2002", FIXES(fix_koi8_u), PTHREAD_ONCE_INIT, {0}},
    [ISL_ENC_MACINTOSH] = {"macos-0_2-10.2", NOFIXES, PTHREAD_ONCE_INIT, {0}},
    [ISL_ENC_WINDOWS_874] =
        {"windows-874-2000", FIXES(fix_windows_874), PTHREAD_ONCE_INIT, {0}},
    [ISL_ENC_WINDOWS_1250] = {"ibm-5346_P100-1998", NOFIXES, PTHREAD_ONCE_INIT, {0}},
    [ISL_ENC_WINDOWS_1251] = {"ibm-5347_P100-1998", NOFIXES, PTHREAD_ONCE_INIT, {0}},
    [ISL_ENC_WINDOWS_1252] = {"ibm-5348_P100-1997", NOFIXES, PTHREAD_ONCE_INIT, {0}},
    [ISL_ENC_WINDOWS_1253] =
        {"ibm-5349_P100-1998", FIXES(fix_windows_1253), PTHREAD_ONCE_INIT, {0}},
    [ISL_ENC_WINDOWS_1254] = {"ibm-5350_P100-1998", NOFIXES, PTHREAD_ONCE_INIT, {0}},
    [ISL_ENC_WINDOWS_1255] =
        {"ibm-9447_P100-2002", FIXES(fix_windows_1255), PTHREAD_ONCE_INIT, {0}},
    [ISL_ENC_WINDOWS_1256] = {"ibm-9448_X100-2005", NOFIXES, PTHREAD_ONCE_INIT, {0}},
    [ISL_ENC_WINDOWS_1257] = {"ibm-9449_P100-2002", NOFIXES, PTHREAD_ONCE_INIT, {0}},
    [ISL_ENC_WINDOWS_1258] = {"ibm-5354_P100-1998", NOFIXES, PTHREAD_ONCE_INIT, {0}},
    [ISL_ENC_X_MAC_CYRILLIC] = {"macos-7_3-10.2", NOFIXES, PTHREAD_ONCE_INIT, {0}},
};

/* pthread_once takes no argument, so each table has its own tiny init function. */
static void sb_build(isl_enc_t enc) {
  sb_index_t *x = &sb_indexes[enc];
  UConverter *cv = icu_open(x->icu);
  for (unsigned i = 0; i < 128; i++) {
    uint8_t b = (uint8_t)(0x80 + i);
    x->table[i] = (uint16_t)icu_decode(cv, &b, 1);
  }
  ucnv_close(cv);
  for (const fix_t *f = x->fixes; f < x->fixes + x->nfixes; f++)
    for (uint32_t b = f->first; b <= f->last; b++) x->table[b - 0x80] = (uint16_t)fix_value(f, b);
}

#define SB_INIT(E) \
  static void sb_init_##E(void) { sb_build(ISL_ENC_##E); }
#define SB_LIST(X)                                                                   \
  X(IBM866) X(ISO_8859_2) X(ISO_8859_3) X(ISO_8859_4) X(ISO_8859_5) X(ISO_8859_6)    \
  X(ISO_8859_7) X(ISO_8859_8) X(ISO_8859_8_I) X(ISO_8859_10) X(ISO_8859_13)          \
  X(ISO_8859_14) X(ISO_8859_15) X(ISO_8859_16) X(KOI8_R) X(KOI8_U) X(MACINTOSH)      \
  X(WINDOWS_874) X(WINDOWS_1250) X(WINDOWS_1251) X(WINDOWS_1252) X(WINDOWS_1253)     \
  X(WINDOWS_1254) X(WINDOWS_1255) X(WINDOWS_1256) X(WINDOWS_1257) X(WINDOWS_1258)    \
  X(X_MAC_CYRILLIC)
SB_LIST(SB_INIT)
#define SB_CASE(E) \
  case ISL_ENC_##E: pthread_once(&sb_indexes[enc].once, sb_init_##E); break;

const uint16_t *isl_index_single_byte(isl_enc_t enc) {
  switch (enc) {
    SB_LIST(SB_CASE)
    default: ISL_CHECK(!"not a single-byte encoding");
  }
  return sb_indexes[enc].table;
}

/* ---- Multi-byte indexes ---------------------------------------------------------------- */

typedef struct {
  const char *icu;
  unsigned count; /* pointers 0..count-1 */
  /* The bytes the standard's decoder turns into pointer p. */
  int (*bytes)(unsigned p, uint8_t *b);
  const fix_t *fixes;
  size_t nfixes;
  pthread_once_t once;
  uint32_t *table;
} mb_index_t;

/* gb18030 two-byte: lead 0x81..0xFE, trail 0x40..0x7E and 0x80..0xFE (190 each). */
static int gb18030_bytes(unsigned p, uint8_t *b) {
  unsigned trail = p % 190;
  b[0] = (uint8_t)(0x81 + p / 190);
  b[1] = (uint8_t)(trail + (trail < 0x3F ? 0x40 : 0x41));
  return 2;
}

/* Big5: lead 0x81..0xFE, trail 0x40..0x7E and 0xA1..0xFE (157 each). */
static int big5_bytes(unsigned p, uint8_t *b) {
  unsigned trail = p % 157;
  b[0] = (uint8_t)(0x81 + p / 157);
  b[1] = (uint8_t)(trail + (trail < 0x3F ? 0x40 : 0x62));
  return 2;
}

/* jis0208 through Shift_JIS: lead 0x81..0x9F, 0xE0..0xFC, trail 0x40..0x7E, 0x80..0xFC. */
static int jis0208_bytes(unsigned p, uint8_t *b) {
  unsigned lead = p / 188, trail = p % 188;
  b[0] = (uint8_t)(lead + (lead < 0x1F ? 0x81 : 0xC1));
  b[1] = (uint8_t)(trail + (trail < 0x3F ? 0x40 : 0x41));
  return 2;
}

/* jis0212 through EUC-JP's G3 set: 0x8F, then two bytes 0xA1..0xFE. */
static int jis0212_bytes(unsigned p, uint8_t *b) {
  b[0] = 0x8F;
  b[1] = (uint8_t)(0xA1 + p / 94);
  b[2] = (uint8_t)(0xA1 + p % 94);
  return 3;
}

/* euc-kr (windows-949): lead 0x81..0xFE, trail 0x41..0xFE (190 each). */
static int euc_kr_bytes(unsigned p, uint8_t *b) {
  b[0] = (uint8_t)(0x81 + p / 190);
  b[1] = (uint8_t)(0x41 + p % 190);
  return 2;
}

/* Where ICU's tables differ from the standard's indexes, by pointer:
 * - gb18030: 0xA3A0 is U+3000 (not U+E5E5), and the 18 two-byte mappings GB18030-2022 moved
 *   out of the private use area (0xA6D9.. → U+FE10.., 0xFE59.. → U+9FB4..).
 * - big5: ICU's Big5-HKSCS:2008 has private-use code points where the standard has none
 *   (pointers 0-627, and 1133/1135/1164/1166, which the decoder turns into two code points
 *   itself), private-use code points where the standard has the Unicode 4.1+ characters
 *   (U+31C0.., U+9FA6..), and lacks some HKSCS characters and the ETEN extensions at
 *   0xC6A1.. (U+2400..) and 0xF9D6.. that the standard has.
 * - jis0208, euc-kr: ICU maps the user-defined areas to private use; the standard does not
 *   (Shift_JIS's decoder handles its own user-defined area).
 * - jis0212: ICU's EUC-JP adds IBM extensions (U+2170.., U+2160.., U+3231) in row 83. */
static const fix_t fix_gb18030[] = {
    {6555, 6555, 0x3000}, {7182, 7182, 0xFE10}, {7183, 7183, 0xFE12}, {7184, 7184, 0xFE11},
    {7185, 7188, 0xFE13}, {7201, 7202, 0xFE17}, {7208, 7208, 0xFE19},
    {23775, 23775, 0x9FB4}, {23783, 23783, 0x9FB5}, {23788, 23789, 0x9FB6},
    {23795, 23795, 0x9FB8}, {23812, 23812, 0x9FB9}, {23829, 23829, 0x9FBA},
    {23845, 23845, 0x9FBB},
};
static const fix_t fix_big5[] = {
    {0, 627, 0x0000}, {1008, 1008, 0x9F97}, {1016, 1016, 0x9F96}, {1099, 1103, 0x31C0},
    {1105, 1105, 0x31C5}, {1108, 1109, 0x31C6}, {1112, 1112, 0x31C8}, {1114, 1117, 0x31C9},
    {1119, 1120, 0x31CD}, {1133, 1133, 0x0000}, {1135, 1135, 0x0000}, {1164, 1164, 0x0000},
    {1166, 1166, 0x0000}, {1170, 1171, 0x23DA}, {1730, 1730, 0x9FA6}, {1772, 1772, 0x9FA7},
    {1779, 1779, 0x9FA8}, {1812, 1812, 0x9FA9}, {1814, 1814, 0x9FAA}, {1816, 1816, 0x9FAB},
    {1821, 1821, 0x9FAC}, {1844, 1845, 0x9FAD}, {1847, 1847, 0x9FAF}, {1866, 1866, 0x9FB2},
    {1892, 1892, 0x9FB3}, {2082, 2082, 0x7BB8}, {2088, 2088, 0x7C06}, {2103, 2103, 0x7CCE},
    {2114, 2114, 0x7DD2}, {2123, 2123, 0x7E1D}, {2148, 2148, 0x8005}, {2151, 2151, 0x8028},
    {2221, 2221, 0x83C1}, {2239, 2239, 0x84A8}, {2244, 2244, 0x840F}, {2303, 2303, 0x89A6},
    {2304, 2304, 0x89A9}, {2354, 2354, 0x8D77}, {2400, 2400, 0x90FD}, {2413, 2413, 0x92B9},
    {2477, 2477, 0x975C}, {2498, 2498, 0x97FF}, {2605, 2605, 0x9F16}, {2673, 2673, 0x8503},
    {2746, 2746, 0x5159}, {2747, 2747, 0x515B}, {2748, 2749, 0x515D}, {2771, 2771, 0x936E},
    {2780, 2780, 0x7479}, {2990, 2990, 0x6D67}, {3087, 3087, 0x799B}, {3259, 3259, 0x9097},
    {3301, 3301, 0x975D}, {3436, 3436, 0x701E}, {3451, 3451, 0x5B28}, {4136, 4136, 0x7201},
    {4138, 4138, 0x77D7}, {4141, 4141, 0x7E87}, {4182, 4182, 0x99D6}, {4206, 4206, 0x91D4},
    {4220, 4220, 0x60DE}, {4230, 4230, 0x6FB6}, {4241, 4241, 0x8F36}, {4258, 4258, 0x4FBB},
    {4273, 4273, 0x71DF}, {4279, 4279, 0x9104}, {4282, 4282, 0x9DF0}, {4294, 4294, 0x83CF},
    {4329, 4329, 0x5C10}, {4330, 4330, 0x79E3}, {4349, 4349, 0x5A67}, {4419, 4419, 0x8F0B},
    {4422, 4422, 0x7B51}, {4494, 4494, 0x62D0}, {4624, 4624, 0x6062}, {4694, 4694, 0x75F9},
    {4708, 4708, 0x6C4A}, {4742, 4742, 0x9B2E}, {4748, 4748, 0x9F17}, {4815, 4815, 0x50ED},
    {4828, 4828, 0x5F0C}, {4902, 4902, 0x880F}, {4922, 4922, 0x62CE}, {4982, 4982, 0x7468},
    {4992, 4992, 0x7162}, {4997, 4997, 0x7250}, {5432, 5463, 0x2400}, {5464, 5464, 0x2421},
    {10942, 10942, 0x5EF4}, {10946, 10946, 0x65E0}, {10948, 10948, 0x7676},
    {10950, 10950, 0x96B6}, {10957, 10957, 0x3003}, {10958, 10958, 0x4EDD},
    {11204, 11204, 0x31CF}, {11210, 11210, 0x9FB0}, {11212, 11212, 0x9FB1},
    {19028, 19028, 0x5029}, {19035, 19035, 0x507D}, {19088, 19088, 0x5305},
    {19096, 19096, 0x5344}, {19112, 19112, 0x537F}, {19162, 19162, 0x5605},
    {19240, 19240, 0x5A77}, {19299, 19299, 0x5E75}, {19305, 19305, 0x5ED0},
    {19326, 19326, 0x5F58}, {19355, 19355, 0x60A4}, {19398, 19398, 0x6490},
    {19439, 19439, 0x6674}, {19454, 19454, 0x675E}, {19553, 19553, 0x6C9C},
    {19554, 19554, 0x6E1D}, {19557, 19557, 0x6E2F}, {19611, 19611, 0x716E},
    {19643, 19643, 0x732A}, {19672, 19672, 0x745C}, {19697, 19697, 0x74E9},
    {19748, 19748, 0x7809},
};
static const fix_t fix_jis0208[] = {
    {8836, 10715, 0x0000},
};
static const fix_t fix_jis0212[] = {
    {7708, 7727, 0x0000}, {7730, 7730, 0x0000},
};
static const fix_t fix_euc_kr[] = {
    {13776, 13869, 0x0000}, {23846, 23939, 0x0000},
};


static mb_index_t idx_gb18030 = {"gb18030", 126 * 190, gb18030_bytes, FIXES(fix_gb18030),
                                 PTHREAD_ONCE_INIT, NULL};
static mb_index_t idx_big5 = {"ibm-1375_P100-2008", 126 * 157, big5_bytes, FIXES(fix_big5),
                              PTHREAD_ONCE_INIT, NULL};
static mb_index_t idx_jis0208 = {"ibm-943_P15A-2003", 60 * 188, jis0208_bytes, FIXES(fix_jis0208),
                                 PTHREAD_ONCE_INIT, NULL};
static mb_index_t idx_jis0212 = {"euc-jp-2007", 94 * 94, jis0212_bytes, FIXES(fix_jis0212),
                                 PTHREAD_ONCE_INIT, NULL};
static mb_index_t idx_euc_kr = {"windows-949-2000", 126 * 190, euc_kr_bytes, FIXES(fix_euc_kr),
                                PTHREAD_ONCE_INIT, NULL};

static void mb_build(mb_index_t *x) {
  UConverter *cv = icu_open(x->icu);
  x->table = isl_calloc(x->count, sizeof(uint32_t));
  uint8_t b[4];
  for (unsigned p = 0; p < x->count; p++) x->table[p] = icu_decode(cv, b, x->bytes(p, b));
  ucnv_close(cv);
  for (const fix_t *f = x->fixes; f < x->fixes + x->nfixes; f++)
    for (uint32_t p = f->first; p <= f->last; p++) x->table[p] = fix_value(f, p);
}

static void init_gb18030(void) { mb_build(&idx_gb18030); }
static void init_big5(void) { mb_build(&idx_big5); }
static void init_jis0208(void) { mb_build(&idx_jis0208); }
static void init_jis0212(void) { mb_build(&idx_jis0212); }
static void init_euc_kr(void) { mb_build(&idx_euc_kr); }

static uint32_t mb_get(mb_index_t *x, void (*init)(void), unsigned p) {
  pthread_once(&x->once, init);
  return p < x->count ? x->table[p] : 0;
}

uint32_t isl_index_gb18030(unsigned p) { return mb_get(&idx_gb18030, init_gb18030, p); }
uint32_t isl_index_big5(unsigned p) { return mb_get(&idx_big5, init_big5, p); }
uint32_t isl_index_jis0208(unsigned p) { return mb_get(&idx_jis0208, init_jis0208, p); }
uint32_t isl_index_jis0212(unsigned p) { return mb_get(&idx_jis0212, init_jis0212, p); }
uint32_t isl_index_euc_kr(unsigned p) { return mb_get(&idx_euc_kr, init_euc_kr, p); }

/* ---- gb18030 ranges -------------------------------------------------------------------- */

/* "Index gb18030 ranges": pairs of (pointer, code point) where the four-byte sequences'
 * mapping to BMP code points restarts a linear run. Built from ICU's gb18030 converter:
 * every four-byte pointer up to 39419 is decoded and a new range starts wherever the code
 * point is not the previous one plus one. Pointer 7457 (U+E7C7) is special-cased by the
 * standard and skipped here. */
typedef struct {
  uint32_t pointer, code_point;
} range_t;

static pthread_once_t ranges_once = PTHREAD_ONCE_INIT;
static range_t *ranges;
static size_t nranges;

/* The four-byte sequences GB18030-2022 remapped to private use, which the standard's
 * ranges keep as GB18030-2005 had them; listed so a newer ICU cannot change them. */
static const fix_t fix_ranges[] = {{19057, 19064, 0x9FB4}, {39076, 39085, 0xFE10}};

static int gb18030_four_bytes(uint32_t p, uint8_t *b) {
  b[3] = (uint8_t)(0x30 + p % 10);
  p /= 10;
  b[2] = (uint8_t)(0x81 + p % 126);
  p /= 126;
  b[1] = (uint8_t)(0x30 + p % 10);
  b[0] = (uint8_t)(0x81 + p / 10);
  return 4;
}

static void init_ranges(void) {
  UConverter *cv = icu_open("gb18030");
  size_t cap = 256;
  ranges = isl_malloc(cap * sizeof(range_t));
  uint32_t prev = 0;
  uint8_t b[4];
  for (uint32_t p = 0; p <= 39419; p++) {
    if (p == 7457) continue;
    uint32_t cp = icu_decode(cv, b, gb18030_four_bytes(p, b));
    for (const fix_t *f = fix_ranges; f < fix_ranges + 2; f++)
      if (p >= f->first && p <= f->last) cp = fix_value(f, p);
    ISL_CHECK(cp != 0);
    if (nranges == 0 || cp != prev + 1 || p == 7458) {
      if (nranges == cap) ranges = isl_realloc(ranges, (cap *= 2) * sizeof(range_t));
      ranges[nranges++] = (range_t){p, cp};
    }
    prev = cp;
  }
  ucnv_close(cv);
}

/* "Index gb18030 ranges code point". */
uint32_t isl_index_gb18030_ranges(uint32_t pointer) {
  /* 1. If pointer is greater than 39419 and less than 189000, or pointer is greater than
   * 1237575, return null. */
  if ((pointer > 39419 && pointer < 189000) || pointer > 1237575) return 0;
  /* 2. If pointer is 7457, return code point U+E7C7. */
  if (pointer == 7457) return 0xE7C7;
  /* 3-5. Supplementary planes are one linear range. */
  if (pointer >= 189000) return 0x10000 + pointer - 189000;
  pthread_once(&ranges_once, init_ranges);
  /* The last range whose pointer is less than or equal to pointer. */
  size_t lo = 0, hi = nranges;
  while (hi - lo > 1) {
    size_t mid = (lo + hi) / 2;
    if (ranges[mid].pointer <= pointer) lo = mid;
    else hi = mid;
  }
  return ranges[lo].code_point + pointer - ranges[lo].pointer;
}
