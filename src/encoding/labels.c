/* The Encoding Standard's names and labels (https://encoding.spec.whatwg.org/#names-and-labels)
 * and "get an encoding". All 228 labels of the standard, sorted for binary search. */
#include <stdlib.h>
#include <string.h>

#include "encoding.h"

static const char *const names[ISL_ENC_COUNT] = {
    [ISL_ENC_UTF8] = "utf-8",
    [ISL_ENC_IBM866] = "ibm866",
    [ISL_ENC_ISO_8859_2] = "iso-8859-2",
    [ISL_ENC_ISO_8859_3] = "iso-8859-3",
    [ISL_ENC_ISO_8859_4] = "iso-8859-4",
    [ISL_ENC_ISO_8859_5] = "iso-8859-5",
    [ISL_ENC_ISO_8859_6] = "iso-8859-6",
    [ISL_ENC_ISO_8859_7] = "iso-8859-7",
    [ISL_ENC_ISO_8859_8] = "iso-8859-8",
    [ISL_ENC_ISO_8859_8_I] = "iso-8859-8-i",
    [ISL_ENC_ISO_8859_10] = "iso-8859-10",
    [ISL_ENC_ISO_8859_13] = "iso-8859-13",
    [ISL_ENC_ISO_8859_14] = "iso-8859-14",
    [ISL_ENC_ISO_8859_15] = "iso-8859-15",
    [ISL_ENC_ISO_8859_16] = "iso-8859-16",
    [ISL_ENC_KOI8_R] = "koi8-r",
    [ISL_ENC_KOI8_U] = "koi8-u",
    [ISL_ENC_MACINTOSH] = "macintosh",
    [ISL_ENC_WINDOWS_874] = "windows-874",
    [ISL_ENC_WINDOWS_1250] = "windows-1250",
    [ISL_ENC_WINDOWS_1251] = "windows-1251",
    [ISL_ENC_WINDOWS_1252] = "windows-1252",
    [ISL_ENC_WINDOWS_1253] = "windows-1253",
    [ISL_ENC_WINDOWS_1254] = "windows-1254",
    [ISL_ENC_WINDOWS_1255] = "windows-1255",
    [ISL_ENC_WINDOWS_1256] = "windows-1256",
    [ISL_ENC_WINDOWS_1257] = "windows-1257",
    [ISL_ENC_WINDOWS_1258] = "windows-1258",
    [ISL_ENC_X_MAC_CYRILLIC] = "x-mac-cyrillic",
    [ISL_ENC_GBK] = "gbk",
    [ISL_ENC_GB18030] = "gb18030",
    [ISL_ENC_BIG5] = "big5",
    [ISL_ENC_EUC_JP] = "euc-jp",
    [ISL_ENC_ISO_2022_JP] = "iso-2022-jp",
    [ISL_ENC_SHIFT_JIS] = "shift_jis",
    [ISL_ENC_EUC_KR] = "euc-kr",
    [ISL_ENC_REPLACEMENT] = "replacement",
    [ISL_ENC_UTF16BE] = "utf-16be",
    [ISL_ENC_UTF16LE] = "utf-16le",
    [ISL_ENC_X_USER_DEFINED] = "x-user-defined",
};

const char *isl_encoding_name(isl_enc_t enc) { return names[enc]; }

typedef struct {
  const char *label;
  isl_enc_t enc;
} label_t;

/* Sorted by strcmp. */
static const label_t labels[] = {
    {"866", ISL_ENC_IBM866}, {"ansi_x3.4-1968", ISL_ENC_WINDOWS_1252},
    {"arabic", ISL_ENC_ISO_8859_6}, {"ascii", ISL_ENC_WINDOWS_1252},
    {"asmo-708", ISL_ENC_ISO_8859_6}, {"big5", ISL_ENC_BIG5}, {"big5-hkscs", ISL_ENC_BIG5},
    {"chinese", ISL_ENC_GBK}, {"cn-big5", ISL_ENC_BIG5}, {"cp1250", ISL_ENC_WINDOWS_1250},
    {"cp1251", ISL_ENC_WINDOWS_1251}, {"cp1252", ISL_ENC_WINDOWS_1252},
    {"cp1253", ISL_ENC_WINDOWS_1253}, {"cp1254", ISL_ENC_WINDOWS_1254},
    {"cp1255", ISL_ENC_WINDOWS_1255}, {"cp1256", ISL_ENC_WINDOWS_1256},
    {"cp1257", ISL_ENC_WINDOWS_1257}, {"cp1258", ISL_ENC_WINDOWS_1258},
    {"cp819", ISL_ENC_WINDOWS_1252}, {"cp866", ISL_ENC_IBM866}, {"csbig5", ISL_ENC_BIG5},
    {"cseuckr", ISL_ENC_EUC_KR}, {"cseucpkdfmtjapanese", ISL_ENC_EUC_JP},
    {"csgb2312", ISL_ENC_GBK}, {"csibm866", ISL_ENC_IBM866},
    {"csiso2022jp", ISL_ENC_ISO_2022_JP}, {"csiso2022kr", ISL_ENC_REPLACEMENT},
    {"csiso58gb231280", ISL_ENC_GBK}, {"csiso88596e", ISL_ENC_ISO_8859_6},
    {"csiso88596i", ISL_ENC_ISO_8859_6}, {"csiso88598e", ISL_ENC_ISO_8859_8},
    {"csiso88598i", ISL_ENC_ISO_8859_8_I}, {"csisolatin1", ISL_ENC_WINDOWS_1252},
    {"csisolatin2", ISL_ENC_ISO_8859_2}, {"csisolatin3", ISL_ENC_ISO_8859_3},
    {"csisolatin4", ISL_ENC_ISO_8859_4}, {"csisolatin5", ISL_ENC_WINDOWS_1254},
    {"csisolatin6", ISL_ENC_ISO_8859_10}, {"csisolatin9", ISL_ENC_ISO_8859_15},
    {"csisolatinarabic", ISL_ENC_ISO_8859_6}, {"csisolatincyrillic", ISL_ENC_ISO_8859_5},
    {"csisolatingreek", ISL_ENC_ISO_8859_7}, {"csisolatinhebrew", ISL_ENC_ISO_8859_8},
    {"cskoi8r", ISL_ENC_KOI8_R}, {"csksc56011987", ISL_ENC_EUC_KR},
    {"csmacintosh", ISL_ENC_MACINTOSH}, {"csshiftjis", ISL_ENC_SHIFT_JIS},
    {"csunicode", ISL_ENC_UTF16LE}, {"cyrillic", ISL_ENC_ISO_8859_5},
    {"dos-874", ISL_ENC_WINDOWS_874}, {"ecma-114", ISL_ENC_ISO_8859_6},
    {"ecma-118", ISL_ENC_ISO_8859_7}, {"elot_928", ISL_ENC_ISO_8859_7},
    {"euc-jp", ISL_ENC_EUC_JP}, {"euc-kr", ISL_ENC_EUC_KR}, {"gb18030", ISL_ENC_GB18030},
    {"gb2312", ISL_ENC_GBK}, {"gb_2312", ISL_ENC_GBK}, {"gb_2312-80", ISL_ENC_GBK},
    {"gbk", ISL_ENC_GBK}, {"greek", ISL_ENC_ISO_8859_7}, {"greek8", ISL_ENC_ISO_8859_7},
    {"hebrew", ISL_ENC_ISO_8859_8}, {"hz-gb-2312", ISL_ENC_REPLACEMENT},
    {"ibm819", ISL_ENC_WINDOWS_1252}, {"ibm866", ISL_ENC_IBM866},
    {"iso-10646-ucs-2", ISL_ENC_UTF16LE}, {"iso-2022-cn", ISL_ENC_REPLACEMENT},
    {"iso-2022-cn-ext", ISL_ENC_REPLACEMENT}, {"iso-2022-jp", ISL_ENC_ISO_2022_JP},
    {"iso-2022-kr", ISL_ENC_REPLACEMENT}, {"iso-8859-1", ISL_ENC_WINDOWS_1252},
    {"iso-8859-10", ISL_ENC_ISO_8859_10}, {"iso-8859-11", ISL_ENC_WINDOWS_874},
    {"iso-8859-13", ISL_ENC_ISO_8859_13}, {"iso-8859-14", ISL_ENC_ISO_8859_14},
    {"iso-8859-15", ISL_ENC_ISO_8859_15}, {"iso-8859-16", ISL_ENC_ISO_8859_16},
    {"iso-8859-2", ISL_ENC_ISO_8859_2}, {"iso-8859-3", ISL_ENC_ISO_8859_3},
    {"iso-8859-4", ISL_ENC_ISO_8859_4}, {"iso-8859-5", ISL_ENC_ISO_8859_5},
    {"iso-8859-6", ISL_ENC_ISO_8859_6}, {"iso-8859-6-e", ISL_ENC_ISO_8859_6},
    {"iso-8859-6-i", ISL_ENC_ISO_8859_6}, {"iso-8859-7", ISL_ENC_ISO_8859_7},
    {"iso-8859-8", ISL_ENC_ISO_8859_8}, {"iso-8859-8-e", ISL_ENC_ISO_8859_8},
    {"iso-8859-8-i", ISL_ENC_ISO_8859_8_I}, {"iso-8859-9", ISL_ENC_WINDOWS_1254},
    {"iso-ir-100", ISL_ENC_WINDOWS_1252}, {"iso-ir-101", ISL_ENC_ISO_8859_2},
    {"iso-ir-109", ISL_ENC_ISO_8859_3}, {"iso-ir-110", ISL_ENC_ISO_8859_4},
    {"iso-ir-126", ISL_ENC_ISO_8859_7}, {"iso-ir-127", ISL_ENC_ISO_8859_6},
    {"iso-ir-138", ISL_ENC_ISO_8859_8}, {"iso-ir-144", ISL_ENC_ISO_8859_5},
    {"iso-ir-148", ISL_ENC_WINDOWS_1254}, {"iso-ir-149", ISL_ENC_EUC_KR},
    {"iso-ir-157", ISL_ENC_ISO_8859_10}, {"iso-ir-58", ISL_ENC_GBK},
    {"iso8859-1", ISL_ENC_WINDOWS_1252}, {"iso8859-10", ISL_ENC_ISO_8859_10},
    {"iso8859-11", ISL_ENC_WINDOWS_874}, {"iso8859-13", ISL_ENC_ISO_8859_13},
    {"iso8859-14", ISL_ENC_ISO_8859_14}, {"iso8859-15", ISL_ENC_ISO_8859_15},
    {"iso8859-2", ISL_ENC_ISO_8859_2}, {"iso8859-3", ISL_ENC_ISO_8859_3},
    {"iso8859-4", ISL_ENC_ISO_8859_4}, {"iso8859-5", ISL_ENC_ISO_8859_5},
    {"iso8859-6", ISL_ENC_ISO_8859_6}, {"iso8859-7", ISL_ENC_ISO_8859_7},
    {"iso8859-8", ISL_ENC_ISO_8859_8}, {"iso8859-9", ISL_ENC_WINDOWS_1254},
    {"iso88591", ISL_ENC_WINDOWS_1252}, {"iso885910", ISL_ENC_ISO_8859_10},
    {"iso885911", ISL_ENC_WINDOWS_874}, {"iso885913", ISL_ENC_ISO_8859_13},
    {"iso885914", ISL_ENC_ISO_8859_14}, {"iso885915", ISL_ENC_ISO_8859_15},
    {"iso88592", ISL_ENC_ISO_8859_2}, {"iso88593", ISL_ENC_ISO_8859_3},
    {"iso88594", ISL_ENC_ISO_8859_4}, {"iso88595", ISL_ENC_ISO_8859_5},
    {"iso88596", ISL_ENC_ISO_8859_6}, {"iso88597", ISL_ENC_ISO_8859_7},
    {"iso88598", ISL_ENC_ISO_8859_8}, {"iso88599", ISL_ENC_WINDOWS_1254},
    {"iso_8859-1", ISL_ENC_WINDOWS_1252}, {"iso_8859-15", ISL_ENC_ISO_8859_15},
    {"iso_8859-1:1987", ISL_ENC_WINDOWS_1252}, {"iso_8859-2", ISL_ENC_ISO_8859_2},
    {"iso_8859-2:1987", ISL_ENC_ISO_8859_2}, {"iso_8859-3", ISL_ENC_ISO_8859_3},
    {"iso_8859-3:1988", ISL_ENC_ISO_8859_3}, {"iso_8859-4", ISL_ENC_ISO_8859_4},
    {"iso_8859-4:1988", ISL_ENC_ISO_8859_4}, {"iso_8859-5", ISL_ENC_ISO_8859_5},
    {"iso_8859-5:1988", ISL_ENC_ISO_8859_5}, {"iso_8859-6", ISL_ENC_ISO_8859_6},
    {"iso_8859-6:1987", ISL_ENC_ISO_8859_6}, {"iso_8859-7", ISL_ENC_ISO_8859_7},
    {"iso_8859-7:1987", ISL_ENC_ISO_8859_7}, {"iso_8859-8", ISL_ENC_ISO_8859_8},
    {"iso_8859-8:1988", ISL_ENC_ISO_8859_8}, {"iso_8859-9", ISL_ENC_WINDOWS_1254},
    {"iso_8859-9:1989", ISL_ENC_WINDOWS_1254}, {"koi", ISL_ENC_KOI8_R},
    {"koi8", ISL_ENC_KOI8_R}, {"koi8-r", ISL_ENC_KOI8_R}, {"koi8-ru", ISL_ENC_KOI8_U},
    {"koi8-u", ISL_ENC_KOI8_U}, {"koi8_r", ISL_ENC_KOI8_R}, {"korean", ISL_ENC_EUC_KR},
    {"ks_c_5601-1987", ISL_ENC_EUC_KR}, {"ks_c_5601-1989", ISL_ENC_EUC_KR},
    {"ksc5601", ISL_ENC_EUC_KR}, {"ksc_5601", ISL_ENC_EUC_KR}, {"l1", ISL_ENC_WINDOWS_1252},
    {"l2", ISL_ENC_ISO_8859_2}, {"l3", ISL_ENC_ISO_8859_3}, {"l4", ISL_ENC_ISO_8859_4},
    {"l5", ISL_ENC_WINDOWS_1254}, {"l6", ISL_ENC_ISO_8859_10}, {"l9", ISL_ENC_ISO_8859_15},
    {"latin1", ISL_ENC_WINDOWS_1252}, {"latin2", ISL_ENC_ISO_8859_2},
    {"latin3", ISL_ENC_ISO_8859_3}, {"latin4", ISL_ENC_ISO_8859_4},
    {"latin5", ISL_ENC_WINDOWS_1254}, {"latin6", ISL_ENC_ISO_8859_10},
    {"logical", ISL_ENC_ISO_8859_8_I}, {"mac", ISL_ENC_MACINTOSH},
    {"macintosh", ISL_ENC_MACINTOSH}, {"ms932", ISL_ENC_SHIFT_JIS},
    {"ms_kanji", ISL_ENC_SHIFT_JIS}, {"replacement", ISL_ENC_REPLACEMENT},
    {"shift-jis", ISL_ENC_SHIFT_JIS}, {"shift_jis", ISL_ENC_SHIFT_JIS},
    {"sjis", ISL_ENC_SHIFT_JIS}, {"sun_eu_greek", ISL_ENC_ISO_8859_7},
    {"tis-620", ISL_ENC_WINDOWS_874}, {"ucs-2", ISL_ENC_UTF16LE},
    {"unicode", ISL_ENC_UTF16LE}, {"unicode-1-1-utf-8", ISL_ENC_UTF8},
    {"unicode11utf8", ISL_ENC_UTF8}, {"unicode20utf8", ISL_ENC_UTF8},
    {"unicodefeff", ISL_ENC_UTF16LE}, {"unicodefffe", ISL_ENC_UTF16BE},
    {"us-ascii", ISL_ENC_WINDOWS_1252}, {"utf-16", ISL_ENC_UTF16LE},
    {"utf-16be", ISL_ENC_UTF16BE}, {"utf-16le", ISL_ENC_UTF16LE},
    {"utf-8", ISL_ENC_UTF8}, {"utf8", ISL_ENC_UTF8}, {"visual", ISL_ENC_ISO_8859_8},
    {"windows-1250", ISL_ENC_WINDOWS_1250}, {"windows-1251", ISL_ENC_WINDOWS_1251},
    {"windows-1252", ISL_ENC_WINDOWS_1252}, {"windows-1253", ISL_ENC_WINDOWS_1253},
    {"windows-1254", ISL_ENC_WINDOWS_1254}, {"windows-1255", ISL_ENC_WINDOWS_1255},
    {"windows-1256", ISL_ENC_WINDOWS_1256}, {"windows-1257", ISL_ENC_WINDOWS_1257},
    {"windows-1258", ISL_ENC_WINDOWS_1258}, {"windows-31j", ISL_ENC_SHIFT_JIS},
    {"windows-874", ISL_ENC_WINDOWS_874}, {"windows-949", ISL_ENC_EUC_KR},
    {"x-cp1250", ISL_ENC_WINDOWS_1250}, {"x-cp1251", ISL_ENC_WINDOWS_1251},
    {"x-cp1252", ISL_ENC_WINDOWS_1252}, {"x-cp1253", ISL_ENC_WINDOWS_1253},
    {"x-cp1254", ISL_ENC_WINDOWS_1254}, {"x-cp1255", ISL_ENC_WINDOWS_1255},
    {"x-cp1256", ISL_ENC_WINDOWS_1256}, {"x-cp1257", ISL_ENC_WINDOWS_1257},
    {"x-cp1258", ISL_ENC_WINDOWS_1258}, {"x-euc-jp", ISL_ENC_EUC_JP},
    {"x-gbk", ISL_ENC_GBK}, {"x-mac-cyrillic", ISL_ENC_X_MAC_CYRILLIC},
    {"x-mac-roman", ISL_ENC_MACINTOSH}, {"x-mac-ukrainian", ISL_ENC_X_MAC_CYRILLIC},
    {"x-sjis", ISL_ENC_SHIFT_JIS}, {"x-unicode20utf8", ISL_ENC_UTF8},
    {"x-user-defined", ISL_ENC_X_USER_DEFINED}, {"x-x-big5", ISL_ENC_BIG5},
};

static int compare_label(const void *key, const void *entry) {
  return strcmp(key, ((const label_t *)entry)->label);
}

static bool is_ascii_ws(char c) {
  return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

int isl_encoding_for_label(const char *s, size_t n) {
  /* 1. Remove any leading and trailing ASCII whitespace from label. */
  while (n && is_ascii_ws(s[0])) s++, n--;
  while (n && is_ascii_ws(s[n - 1])) n--;
  /* 2. If label is an ASCII case-insensitive match for any of the labels listed in the
   * table below, then return the corresponding encoding; otherwise return failure. The
   * longest label has 19 characters, so anything longer fails without a search. */
  char lower[24];
  if (n == 0 || n >= sizeof(lower)) return -1;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '\0') return -1; /* an embedded NUL never matches */
    lower[i] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
  }
  lower[n] = 0;
  const label_t *hit =
      bsearch(lower, labels, sizeof(labels) / sizeof(labels[0]), sizeof(labels[0]), compare_label);
  return hit ? (int)hit->enc : -1;
}

int isl_encoding_bom_sniff(const uint8_t *p, size_t n, size_t *bom_len) {
  *bom_len = 0;
  if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
    *bom_len = 3;
    return ISL_ENC_UTF8;
  }
  if (n >= 2 && p[0] == 0xFE && p[1] == 0xFF) {
    *bom_len = 2;
    return ISL_ENC_UTF16BE;
  }
  if (n >= 2 && p[0] == 0xFF && p[1] == 0xFE) {
    *bom_len = 2;
    return ISL_ENC_UTF16LE;
  }
  return -1;
}
