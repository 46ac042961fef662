// TextDecoder for the legacy encodings of the Encoding Standard (encoding.spec.whatwg.org):
// labels, the single-byte and multi-byte decoders with their indexes, errors in fatal and
// replacement mode, streaming across chunk boundaries, and the BOM. Expected strings are
// written by hand from the standard's index tables (pointer → code point).
import { eq, ok, throws } from "./assert.js";

const bytes = (a) => new Uint8Array(a);
const dec = (label, a, opts) => new TextDecoder(label, opts).decode(bytes(a));
const hex = (s) => [...s].map((c) => "U+" + c.codePointAt(0).toString(16).toUpperCase()).join(" ");
const same = (got, want, what) => eq(hex(got), hex(want), what);

// The standard's table of encodings and labels.
const LABELS = {
  "utf-8": ["unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "utf-8", "utf8",
    "x-unicode20utf8"],
  "ibm866": ["866", "cp866", "csibm866", "ibm866"],
  "iso-8859-2": ["csisolatin2", "iso-8859-2", "iso-ir-101", "iso8859-2", "iso88592", "iso_8859-2",
    "iso_8859-2:1987", "l2", "latin2"],
  "iso-8859-3": ["csisolatin3", "iso-8859-3", "iso-ir-109", "iso8859-3", "iso88593", "iso_8859-3",
    "iso_8859-3:1988", "l3", "latin3"],
  "iso-8859-4": ["csisolatin4", "iso-8859-4", "iso-ir-110", "iso8859-4", "iso88594", "iso_8859-4",
    "iso_8859-4:1988", "l4", "latin4"],
  "iso-8859-5": ["csisolatincyrillic", "cyrillic", "iso-8859-5", "iso-ir-144", "iso8859-5",
    "iso88595", "iso_8859-5", "iso_8859-5:1988"],
  "iso-8859-6": ["arabic", "asmo-708", "csiso88596e", "csiso88596i", "csisolatinarabic", "ecma-114",
    "iso-8859-6", "iso-8859-6-e", "iso-8859-6-i", "iso-ir-127", "iso8859-6", "iso88596",
    "iso_8859-6", "iso_8859-6:1987"],
  "iso-8859-7": ["csisolatingreek", "ecma-118", "elot_928", "greek", "greek8", "iso-8859-7",
    "iso-ir-126", "iso8859-7", "iso88597", "iso_8859-7", "iso_8859-7:1987", "sun_eu_greek"],
  "iso-8859-8": ["csiso88598e", "csisolatinhebrew", "hebrew", "iso-8859-8", "iso-8859-8-e",
    "iso-ir-138", "iso8859-8", "iso88598", "iso_8859-8", "iso_8859-8:1988", "visual"],
  "iso-8859-8-i": ["csiso88598i", "iso-8859-8-i", "logical"],
  "iso-8859-10": ["csisolatin6", "iso-8859-10", "iso-ir-157", "iso8859-10", "iso885910", "l6",
    "latin6"],
  "iso-8859-13": ["iso-8859-13", "iso8859-13", "iso885913"],
  "iso-8859-14": ["iso-8859-14", "iso8859-14", "iso885914"],
  "iso-8859-15": ["csisolatin9", "iso-8859-15", "iso8859-15", "iso885915", "iso_8859-15", "l9"],
  "iso-8859-16": ["iso-8859-16"],
  "koi8-r": ["cskoi8r", "koi", "koi8", "koi8-r", "koi8_r"],
  "koi8-u": ["koi8-ru", "koi8-u"],
  "macintosh": ["csmacintosh", "mac", "macintosh", "x-mac-roman"],
  "windows-874": ["dos-874", "iso-8859-11", "iso8859-11", "iso885911", "tis-620", "windows-874"],
  "windows-1250": ["cp1250", "windows-1250", "x-cp1250"],
  "windows-1251": ["cp1251", "windows-1251", "x-cp1251"],
  "windows-1252": ["ansi_x3.4-1968", "ascii", "cp1252", "cp819", "csisolatin1", "ibm819",
    "iso-8859-1", "iso-ir-100", "iso8859-1", "iso88591", "iso_8859-1", "iso_8859-1:1987", "l1",
    "latin1", "us-ascii", "windows-1252", "x-cp1252"],
  "windows-1253": ["cp1253", "windows-1253", "x-cp1253"],
  "windows-1254": ["cp1254", "csisolatin5", "iso-8859-9", "iso-ir-148", "iso8859-9", "iso88599",
    "iso_8859-9", "iso_8859-9:1989", "l5", "latin5", "windows-1254", "x-cp1254"],
  "windows-1255": ["cp1255", "windows-1255", "x-cp1255"],
  "windows-1256": ["cp1256", "windows-1256", "x-cp1256"],
  "windows-1257": ["cp1257", "windows-1257", "x-cp1257"],
  "windows-1258": ["cp1258", "windows-1258", "x-cp1258"],
  "x-mac-cyrillic": ["x-mac-cyrillic", "x-mac-ukrainian"],
  "gbk": ["chinese", "csgb2312", "csiso58gb231280", "gb2312", "gb_2312", "gb_2312-80", "gbk",
    "iso-ir-58", "x-gbk"],
  "gb18030": ["gb18030"],
  "big5": ["big5", "big5-hkscs", "cn-big5", "csbig5", "x-x-big5"],
  "euc-jp": ["cseucpkdfmtjapanese", "euc-jp", "x-euc-jp"],
  "iso-2022-jp": ["csiso2022jp", "iso-2022-jp"],
  "shift_jis": ["csshiftjis", "ms932", "ms_kanji", "shift-jis", "shift_jis", "sjis", "windows-31j",
    "x-sjis"],
  "euc-kr": ["cseuckr", "csksc56011987", "euc-kr", "iso-ir-149", "korean", "ks_c_5601-1987",
    "ks_c_5601-1989", "ksc5601", "ksc_5601", "windows-949"],
  "replacement": ["csiso2022kr", "hz-gb-2312", "iso-2022-cn", "iso-2022-cn-ext", "iso-2022-kr",
    "replacement"],
  "utf-16be": ["unicodefffe", "utf-16be"],
  "utf-16le": ["csunicode", "iso-10646-ucs-2", "ucs-2", "unicode", "unicodefeff", "utf-16",
    "utf-16le"],
  "x-user-defined": ["x-user-defined"],
};


export const everyLabelNamesItsEncoding = { test() {
  let n = 0;
  for (const [name, labels] of Object.entries(LABELS)) {
    for (const label of labels) {
      n++;
      if (name === "replacement") {
        throws(() => new TextDecoder(label), RangeError);
        continue;
      }
      eq(new TextDecoder(label).encoding, name, label);
      eq(new TextDecoder(label.toUpperCase()).encoding, name, label.toUpperCase());
    }
  }
  eq(n, 228);
} };

export const labelsIgnoreAsciiWhitespaceAndCase = { test() {
  eq(new TextDecoder(" \t\n\f\rShift_JIS\r\n").encoding, "shift_jis");
  eq(new TextDecoder("sHiFt-JiS").encoding, "shift_jis");
  eq(new TextDecoder("  UTF-16  ").encoding, "utf-16le");
  eq(new TextDecoder("ISO_8859-1:1987").encoding, "windows-1252");
  // Only ASCII whitespace is trimmed and only ASCII letters fold.
  throws(() => new TextDecoder("\vutf-8"), RangeError);
  throws(() => new TextDecoder("\u00a0utf-8"), RangeError);
  throws(() => new TextDecoder("utf-8\u3000"), RangeError);
  throws(() => new TextDecoder("\u212aoi8-r"), RangeError); // KELVIN SIGN lower-cases to k
  throws(() => new TextDecoder("utf-8\0"), RangeError);
  throws(() => new TextDecoder("utf 8"), RangeError);
} };

export const unknownAndReplacementLabelsAreRangeErrors = { test() {
  for (const l of ["", "utf-7", "utf-32", "ucs-4", "latin-1", "x-mac-greek", "cp932", "ebcdic",
                   "iso-2022-kr", "hz-gb-2312", "iso-2022-cn", "iso-2022-cn-ext", "csiso2022kr",
                   "replacement", "a".repeat(300)]) {
    const e = throws(() => new TextDecoder(l), RangeError);
    ok(e.message.includes("is invalid"), e.message);
  }
  // The label is converted with ToString first.
  eq(new TextDecoder({ toString: () => "latin2" }).encoding, "iso-8859-2");
  throws(() => new TextDecoder(null), RangeError); // "null"
} };

// [name, bytes, expected, unmapped bytes] from the single-byte indexes.
const SINGLE_BYTE = [
  ["ibm866", [0x80, 0xA0, 0xBF, 0xDE, 0xFF], "\u0410\u0430\u2510\u2590\u00A0", []],
  ["iso-8859-2", [0x80, 0xA0, 0xBF, 0xDE, 0xFF], "\u0080\u00A0\u017C\u0162\u02D9", []],
  ["iso-8859-3", [0x80, 0xA0, 0xBF, 0xDE, 0xFF], "\u0080\u00A0\u017C\u015C\u02D9",
    [0xA5, 0xAE, 0xBE, 0xC3, 0xD0, 0xE3, 0xF0]],
  ["iso-8859-4", [0x80, 0xA0, 0xBF, 0xDE, 0xFF], "\u0080\u00A0\u014B\u016A\u02D9", []],
  ["iso-8859-5", [0x80, 0xA0, 0xBF, 0xDE, 0xFF], "\u0080\u00A0\u041F\u043E\u045F", []],
  ["iso-8859-6", [0x80, 0xA0, 0xBF, 0xC1, 0xF2], "\u0080\u00A0\u061F\u0621\u0652",
    [0xA1, 0xA2, 0xA3, 0xA5, 0xAE, 0xBE, 0xC0, 0xDB, 0xDF, 0xF3, 0xFF]],
  ["iso-8859-7", [0x80, 0xA0, 0xBF, 0xDE, 0xA4], "\u0080\u00A0\u038F\u03AE\u20AC", [0xAE, 0xD2, 0xFF]],
  ["iso-8859-8", [0x80, 0xA0, 0xDF, 0xE0, 0xFA], "\u0080\u00A0\u2017\u05D0\u05EA",
    [0xA1, 0xBF, 0xC0, 0xDE, 0xFB, 0xFC, 0xFF]],
  ["iso-8859-8-i", [0x80, 0xA0, 0xDF, 0xE0, 0xFA], "\u0080\u00A0\u2017\u05D0\u05EA", [0xA1, 0xFF]],
  ["iso-8859-10", [0x80, 0xA0, 0xBF, 0xDE, 0xFF], "\u0080\u00A0\u014B\u00DE\u0138", []],
  ["iso-8859-13", [0x80, 0xA0, 0xBF, 0xDE, 0xFF], "\u0080\u00A0\u00E6\u017D\u2019", []],
  ["iso-8859-14", [0x80, 0xA0, 0xBF, 0xDE, 0xFF], "\u0080\u00A0\u1E61\u0176\u00FF", []],
  ["iso-8859-15", [0x80, 0xA4, 0xBF, 0xDE, 0xFF], "\u0080\u20AC\u00BF\u00DE\u00FF", []],
  ["iso-8859-16", [0x80, 0xA4, 0xAA, 0xDE, 0xFF], "\u0080\u20AC\u0218\u021A\u00FF", []],
  ["koi8-r", [0x80, 0xA0, 0xAE, 0xDE, 0xFF], "\u2500\u2550\u255D\u0447\u042A", []],
  ["koi8-u", [0x80, 0xA0, 0xAE, 0xBE, 0xFF], "\u2500\u2550\u045E\u040E\u042A", []],
  ["macintosh", [0x80, 0xA0, 0xBF, 0xDE, 0xFF], "\u00C4\u2020\u00F8\uFB01\u02C7", []],
  ["windows-874", [0x80, 0xA0, 0xBF, 0xDA, 0xFB], "\u20AC\u00A0\u0E1F\u0E3A\u0E5B",
    [0xDB, 0xDC, 0xDD, 0xDE, 0xFC, 0xFD, 0xFE, 0xFF]],
  ["windows-1250", [0x80, 0xA0, 0xBF, 0xDE, 0xFF], "\u20AC\u00A0\u017C\u0162\u02D9", []],
  ["windows-1251", [0x80, 0xA0, 0xBF, 0xDE, 0xFF], "\u0402\u00A0\u0457\u042E\u044F", []],
  // windows-1252 maps every byte: 0x81, 0x8D, 0x8F, 0x90, 0x9D are the C1 controls.
  ["windows-1252", [0x80, 0x81, 0x8D, 0x9F, 0xFF], "\u20AC\u0081\u008D\u0178\u00FF", []],
  ["windows-1253", [0x80, 0xA0, 0xBF, 0xDE, 0x81], "\u20AC\u00A0\u038F\u03AE\u0081", [0xAA, 0xD2, 0xFF]],
  ["windows-1254", [0x80, 0xA0, 0xBF, 0xDE, 0xFF], "\u20AC\u00A0\u00BF\u015E\u00FF", []],
  ["windows-1255", [0x80, 0xA0, 0xCA, 0xE0, 0xFD], "\u20AC\u00A0\u05BA\u05D0\u200E",
    [0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF, 0xFB, 0xFC, 0xFF]],
  ["windows-1256", [0x80, 0xA0, 0xBF, 0xDE, 0xFF], "\u20AC\u00A0\u061F\u0642\u06D2", []],
  ["windows-1257", [0x80, 0xA0, 0xBF, 0xDE, 0xFF], "\u20AC\u00A0\u00E6\u017D\u02D9", [0xA1, 0xA5]],
  ["windows-1258", [0x80, 0xA0, 0xBF, 0xDE, 0xFF], "\u20AC\u00A0\u00BF\u0303\u00FF", []],
  ["x-mac-cyrillic", [0x80, 0xA0, 0xBF, 0xDE, 0xFF], "\u0410\u2020\u045A\u0451\u20AC", []],
];

export const singleByteEncodingsDecodeTheirIndexes = { test() {
  const ascii = Array.from({ length: 128 }, (_, i) => i);
  const asciiText = String.fromCharCode(...ascii);
  for (const [name, input, want] of SINGLE_BYTE) {
    same(dec(name, input), want, name);
    same(dec(name, ascii), asciiText, name + " ASCII");
  }
} };

export const singleByteUnmappedBytesAreErrors = { test() {
  for (const [name, , , unmapped] of SINGLE_BYTE) {
    for (const b of unmapped) {
      same(dec(name, [0x41, b, 0x42]), "A\uFFFDB", name + " 0x" + b.toString(16));
      throws(() => dec(name, [0x41, b], { fatal: true }), TypeError);
    }
    // Every byte decodes to exactly one code unit.
    const all = Array.from({ length: 256 }, (_, i) => i);
    eq(dec(name, all).length, 256, name);
  }
} };

export const xUserDefinedMapsHighBytesToPrivateUse = { test() {
  eq(new TextDecoder("x-user-defined").encoding, "x-user-defined");
  same(dec("x-user-defined", [0x00, 0x7F, 0x80, 0xFF]), "\u0000\u007F\uF780\uF7FF");
} };

export const gbkAndGb18030DecodeTwoByteSequences = { test() {
  for (const label of ["gbk", "gb18030"]) {
    same(dec(label, [0x81, 0x40, 0xA1, 0xA1, 0xB0, 0xA1, 0xA1, 0xA4, 0xFE, 0x4F]),
         "\u4E02\u3000\u554A\u00B7\uFA29", label);
    same(dec(label, [0x80, 0xA2, 0xE3]), "\u20AC\u20AC", label + " euro");
    // 0xA3 0xA0 is U+3000, not ICU's U+E5E5; GB18030-2022's remappings apply to both.
    same(dec(label, [0xA3, 0xA0, 0xFE, 0xFE]), "\u3000\uE4C5", label);
    same(dec(label, [0xA6, 0xD9, 0xA6, 0xDA, 0xA6, 0xF3, 0xFE, 0x59, 0xFE, 0xA0]),
         "\uFE10\uFE12\uFE19\u9FB4\u9FBB", label + " GB18030-2022");
  }
} };

export const gb18030DecodesFourByteSequences = { test() {
  same(dec("gb18030", [0x81, 0x30, 0x81, 0x30]), "\u0080"); // pointer 0
  same(dec("gb18030", [0x81, 0x35, 0xF4, 0x37]), "\uE7C7"); // pointer 7457
  same(dec("gb18030", [0x84, 0x31, 0xA4, 0x39]), "\uFFFF"); // pointer 39419
  same(dec("gb18030", [0x82, 0x35, 0x90, 0x37]), "\u9FB4"); // ranges keep GB18030-2005
  same(dec("gb18030", [0x90, 0x30, 0x81, 0x30]), "\u{10000}");
  same(dec("gb18030", [0xE3, 0x32, 0x9A, 0x35]), "\u{10FFFF}");
  // Pointers between the BMP ranges and the supplementary planes, and past U+10FFFF.
  same(dec("gb18030", [0x84, 0x31, 0xA5, 0x30, 0x41]), "\uFFFDA");
  same(dec("gb18030", [0xE3, 0x32, 0x9A, 0x36]), "\uFFFD");
  // GBK shares the decoder, so it reads four-byte sequences too.
  same(dec("gbk", [0x81, 0x30, 0x81, 0x30]), "\u0080");
} };

export const gb18030ErrorsPrependTheRightBytes = { test() {
  // An invalid fourth byte: the second, third and fourth bytes are decoded again.
  same(dec("gb18030", [0x81, 0x30, 0x81, 0x41]), "\uFFFD0\u4E04"); // 0x81 0x41 is pointer 1
  // An invalid third byte: second and third again.
  same(dec("gb18030", [0x81, 0x30, 0x41]), "\uFFFD0A");
  // An invalid second byte: an ASCII byte is decoded again, others are swallowed.
  same(dec("gb18030", [0x81, 0x7F]), "\uFFFD\u007F");
  same(dec("gb18030", [0x81, 0xFF, 0x41]), "\uFFFDA");
  same(dec("gb18030", [0xFF, 0x41]), "\uFFFDA");
  // An incomplete sequence at the end is one error.
  same(dec("gb18030", [0x81, 0x30, 0x81]), "\uFFFD");
  throws(() => dec("gb18030", [0x81, 0x30, 0x81], { fatal: true }), TypeError);
  throws(() => dec("gbk", [0xFF], { fatal: true }), TypeError);
} };

export const big5DecodesHkscsAndCombiningPairs = { test() {
  same(dec("big5", [0xA4, 0x40, 0xA1, 0x40, 0x87, 0x40, 0xC6, 0xA1, 0xF9, 0xFE, 0xFE, 0xFE]),
       "\u4E00\u3000\u43F0\u2460\uFFED\u79D4");
  same(dec("big5", [0x88, 0x40, 0x8E, 0x69]), "\u31C0\u7BB8"); // where ICU differs
  same(dec("big5", [0xC8, 0xA4]), "\u{27607}"); // outside the BMP
  // Pointers 1133, 1135, 1164 and 1166 are two code points each.
  same(dec("big5", [0x88, 0x62, 0x88, 0x64, 0x88, 0xA3, 0x88, 0xA5]),
       "\u00CA\u0304\u00CA\u030C\u00EA\u0304\u00EA\u030C");
  // An unmapped pointer is an error; an ASCII trail byte is decoded again.
  same(dec("big5", [0x81, 0x40]), "\uFFFD@"); // pointer 0 has no code point
  same(dec("big5", [0x81, 0xA1]), "\uFFFD");
  same(dec("big5", [0xA4, 0x20]), "\uFFFD ");
  same(dec("big5", [0xA4, 0x80]), "\uFFFD");
  same(dec("big5", [0x80, 0xFF]), "\uFFFD\uFFFD");
  throws(() => dec("big5", [0xA4], { fatal: true }), TypeError);
} };

export const eucJpDecodesJis0208Jis0212AndKatakana = { test() {
  same(dec("euc-jp", [0xA4, 0xA2, 0xB0, 0xA1, 0x8E, 0xB1, 0x8E, 0xDF]), "\u3042\u4E9C\uFF71\uFF9F");
  same(dec("euc-jp", [0x8F, 0xB0, 0xA1, 0x8F, 0xA2, 0xAF, 0x8F, 0xED, 0xE3]), "\u4E02\u02D8\u9FA5");
  // ICU's IBM extensions in JIS X 0212 row 83 are not in the standard's index.
  same(dec("euc-jp", [0x8F, 0xF3, 0xF3]), "\uFFFD");
  same(dec("euc-jp", [0x8E, 0xE0]), "\uFFFD"); // katakana lead, bad trail (consumed)
  same(dec("euc-jp", [0xA4, 0x41]), "\uFFFDA");
  same(dec("euc-jp", [0x8F, 0xB0]), "\uFFFD");
  same(dec("euc-jp", [0xFF, 0x80]), "\uFFFD\uFFFD");
  throws(() => dec("euc-jp", [0x8F, 0xB0], { fatal: true }), TypeError);
} };

export const shiftJisDecodesJis0208AndUserDefinedArea = { test() {
  same(dec("shift_jis", [0x81, 0x40, 0x82, 0xA0, 0x88, 0x9F, 0x87, 0x40, 0xED, 0x40, 0xFA, 0x40]),
       "\u3000\u3042\u4E9C\u2460\u7E8A\u2170");
  same(dec("shift_jis", [0x5C, 0x7E, 0x80, 0xA1, 0xDF]), "\\~\u0080\uFF61\uFF9F");
  same(dec("shift_jis", [0xF0, 0x40, 0xF9, 0xFC]), "\uE000\uE757"); // pointers 8836, 10715
  same(dec("shift_jis", [0x81, 0x20]), "\uFFFD ");
  same(dec("shift_jis", [0x81, 0xFD]), "\uFFFD");
  same(dec("shift_jis", [0xA0, 0xFD, 0xFE, 0xFF]), "\uFFFD\uFFFD\uFFFD\uFFFD");
  same(dec("shift_jis", [0x85, 0x40]), "\uFFFD@"); // an unmapped pointer; 0x40 is ASCII
  same(dec("shift_jis", [0x85, 0x9F]), "\uFFFD");
  throws(() => dec("shift_jis", [0x85, 0x40], { fatal: true }), TypeError);
} };

export const eucKrDecodesWindows949 = { test() {
  same(dec("euc-kr", [0xA1, 0xA1, 0xB0, 0xA1, 0x81, 0x41, 0xC8, 0xFE, 0xA1, 0xAA]),
       "\u3000\uAC00\uAC02\uD79D\u2015");
  same(dec("euc-kr", [0xC9, 0xA1]), "\uFFFD"); // user-defined: no code point
  same(dec("euc-kr", [0xB0, 0x30]), "\uFFFD0");
  same(dec("euc-kr", [0xB0, 0xFF]), "\uFFFD");
  same(dec("euc-kr", [0x80]), "\uFFFD");
  throws(() => dec("euc-kr", [0xB0], { fatal: true }), TypeError);
} };

const ESC = 0x1B;
export const iso2022JpSwitchesStatesWithEscapes = { test() {
  same(dec("iso-2022-jp", [0x41, ESC, 0x24, 0x42, 0x30, 0x21, 0x24, 0x22, ESC, 0x28, 0x42, 0x42]),
       "A\u4E9C\u3042B");
  same(dec("iso-2022-jp", [ESC, 0x24, 0x40, 0x30, 0x21, ESC, 0x28, 0x42]), "\u4E9C");
  // Roman: yen sign and overline.
  same(dec("iso-2022-jp", [ESC, 0x28, 0x4A, 0x5C, 0x7E, 0x41, ESC, 0x28, 0x42, 0x5C]),
       "\u00A5\u203EA\\");
  // Katakana.
  same(dec("iso-2022-jp", [ESC, 0x28, 0x49, 0x21, 0x5F, ESC, 0x28, 0x42]), "\uFF61\uFF9F");
} };

export const iso2022JpErrors = { test() {
  // Shift-out, shift-in and bytes above 0x7F are errors.
  same(dec("iso-2022-jp", [0x0E, 0x0F, 0x80, 0x41]), "\uFFFD\uFFFD\uFFFDA");
  // Two escape sequences with nothing between them: the second is an error.
  same(dec("iso-2022-jp", [ESC, 0x28, 0x4A, ESC, 0x28, 0x42, 0x41]), "\uFFFDA");
  // An unknown escape: ESC is an error, the rest is decoded again.
  same(dec("iso-2022-jp", [ESC, 0x28, 0x43, 0x41]), "\uFFFD(CA");
  same(dec("iso-2022-jp", [ESC, 0x41]), "\uFFFDA");
  // At the end of the stream.
  same(dec("iso-2022-jp", [ESC]), "\uFFFD");
  same(dec("iso-2022-jp", [ESC, 0x24]), "\uFFFD$");
  // A lead byte without its trail byte, and a trail byte interrupted by ESC.
  same(dec("iso-2022-jp", [ESC, 0x24, 0x42, 0x30]), "\uFFFD");
  same(dec("iso-2022-jp", [ESC, 0x24, 0x42, 0x30, ESC, 0x28, 0x42, 0x41]), "\uFFFDA");
  same(dec("iso-2022-jp", [ESC, 0x24, 0x42, 0x22, 0x2F]), "\uFFFD"); // unmapped pointer
  same(dec("iso-2022-jp", [ESC, 0x28, 0x49, 0x60]), "\uFFFD");
  throws(() => dec("iso-2022-jp", [ESC, 0x28, 0x43], { fatal: true }), TypeError);
} };

export const utf16DecodesSurrogatePairsAndErrors = { test() {
  same(dec("utf-16le", [0x41, 0x00, 0x3D, 0xD8, 0x00, 0xDE]), "A\u{1F600}");
  same(dec("utf-16be", [0x00, 0x41, 0xD8, 0x3D, 0xDE, 0x00]), "A\u{1F600}");
  same(dec("utf-16le", [0x00, 0xDC, 0x41, 0x00]), "\uFFFDA"); // lone trail
  same(dec("utf-16le", [0x3D, 0xD8, 0x41, 0x00]), "\uFFFDA"); // lead, then not a trail
  same(dec("utf-16le", [0x3D, 0xD8, 0x3D, 0xD8, 0x00, 0xDE]), "\uFFFD\u{1F600}");
  same(dec("utf-16le", [0x3D, 0xD8]), "\uFFFD"); // lead at the end
  same(dec("utf-16le", [0x41, 0x00, 0x42]), "A\uFFFD"); // odd byte at the end
  same(dec("utf-16le", [0x3D, 0xD8, 0x42]), "\uFFFD"); // both pending: one error
  throws(() => dec("utf-16be", [0xDC, 0x00], { fatal: true }), TypeError);
  throws(() => dec("utf-16le", [0x41], { fatal: true }), TypeError);
} };

export const bomIsStrippedOnlyForUnicodeEncodings = { test() {
  same(dec("utf-8", [0xEF, 0xBB, 0xBF, 0x41]), "A");
  same(dec("utf-16le", [0xFF, 0xFE, 0x41, 0x00]), "A");
  same(dec("utf-16be", [0xFE, 0xFF, 0x00, 0x41]), "A");
  // TextDecoder does not sniff: the other byte order's BOM is U+FFFE, a UTF-8 BOM under a
  // UTF-16 label is text, and a BOM under a legacy label is its bytes.
  same(dec("utf-16le", [0xFE, 0xFF, 0x41, 0x00]), "\uFFFEA");
  same(dec("utf-16be", [0xFF, 0xFE, 0x00, 0x41]), "\uFFFEA");
  same(dec("utf-8", [0xFF, 0xFE, 0x41]), "\uFFFD\uFFFDA");
  same(dec("windows-1252", [0xEF, 0xBB, 0xBF]), "\u00EF\u00BB\u00BF");
  same(dec("x-user-defined", [0xFF, 0xFE]), "\uF7FF\uF7FE");
  // Only one BOM, and only at the start.
  same(dec("utf-16le", [0xFF, 0xFE, 0xFF, 0xFE]), "\uFEFF");
  same(dec("utf-8", [0x41, 0xEF, 0xBB, 0xBF]), "A\uFEFF");
  // ignoreBOM keeps it.
  same(dec("utf-16be", [0xFE, 0xFF, 0x00, 0x41], { ignoreBOM: true }), "\uFEFFA");
  same(dec("utf-8", [0xEF, 0xBB, 0xBF], { ignoreBOM: true }), "\uFEFF");
} };

export const bomSplitAcrossStreamChunksIsStrippedOnce = { test() {
  for (const [label, bom] of [["utf-8", [0xEF, 0xBB, 0xBF]], ["utf-16le", [0xFF, 0xFE]],
                              ["utf-16be", [0xFE, 0xFF]]]) {
    const d = new TextDecoder(label);
    let s = "";
    for (const b of bom) s += d.decode(bytes([b]), { stream: true });
    for (const b of bom) s += d.decode(bytes([b]), { stream: true });
    s += d.decode();
    same(s, "\uFEFF", label);
    // A new stream after the flush strips its BOM again.
    same(d.decode(bytes(bom)), "", label + " second stream");
  }
} };

// For each encoding, input mixing valid sequences of every length with errors, decoded
// whole and split at every position (and byte by byte) in streaming mode.
const STREAM_CASES = [
  ["utf-8", [0xEF, 0xBB, 0xBF, 0x41, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80, 0xE2, 0x41, 0xF0, 0x9F]],
  ["utf-16le", [0xFF, 0xFE, 0x41, 0x00, 0x3D, 0xD8, 0x00, 0xDE, 0x3D, 0xD8, 0x41, 0x00, 0x00, 0xDC, 0x42]],
  ["utf-16be", [0xFE, 0xFF, 0x00, 0x41, 0xD8, 0x3D, 0xDE, 0x00, 0xD8, 0x3D, 0x00, 0x41, 0x42]],
  ["gb18030", [0x41, 0x81, 0x40, 0x81, 0x30, 0x81, 0x30, 0x80, 0x81, 0x30, 0x81, 0x41, 0x84, 0x31,
               0xA5, 0x30, 0x90, 0x30, 0x81, 0x30, 0x81, 0x30, 0x41, 0x81, 0x7F, 0x81]],
  ["gbk", [0xA1, 0xA1, 0x81, 0x30, 0x81, 0x30, 0xFF, 0xB0]],
  ["big5", [0xA4, 0x40, 0x88, 0x62, 0xA4, 0x20, 0xC8, 0xA4, 0x80, 0xA4]],
  ["euc-jp", [0xA4, 0xA2, 0x8E, 0xB1, 0x8F, 0xB0, 0xA1, 0x8F, 0xB0, 0x41, 0x8E, 0xE0, 0xA4]],
  ["shift_jis", [0x82, 0xA0, 0xA1, 0xF0, 0x40, 0x81, 0x20, 0x85, 0x40, 0x81]],
  ["euc-kr", [0xB0, 0xA1, 0x81, 0x41, 0xB0, 0x30, 0xC9, 0xA1, 0xB0]],
  ["iso-2022-jp", [0x41, ESC, 0x24, 0x42, 0x30, 0x21, ESC, 0x28, 0x4A, 0x5C, ESC, 0x28, 0x43,
                   ESC, 0x28, 0x49, 0x21, ESC, 0x28, 0x42, ESC, 0x28, 0x42, 0x0E, ESC, 0x24]],
  ["windows-1253", [0x41, 0xAA, 0xC1, 0x80]],
  ["x-user-defined", [0x41, 0x80, 0xFF]],
];

export const streamingSplitsAtEveryBytePositionDecodeAlike = { test() {
  for (const [label, input] of STREAM_CASES) {
    const whole = dec(label, input);
    if (label !== "x-user-defined") ok(whole.includes("\uFFFD"), label + " case has errors");
    for (let cut = 0; cut <= input.length; cut++) {
      const d = new TextDecoder(label);
      const s = d.decode(bytes(input.slice(0, cut)), { stream: true }) +
                d.decode(bytes(input.slice(cut)));
      same(s, whole, `${label} split at ${cut}`);
    }
    for (let cut = 1; cut < input.length; cut++) {
      // Three chunks: [0, cut), [cut, cut + 1), the rest, then an empty flush.
      const d = new TextDecoder(label);
      const s = d.decode(bytes(input.slice(0, cut)), { stream: true }) +
                d.decode(bytes(input.slice(cut, cut + 1)), { stream: true }) +
                d.decode(bytes(input.slice(cut + 1)), { stream: true }) + d.decode();
      same(s, whole, `${label} three chunks at ${cut}`);
    }
    const d = new TextDecoder(label);
    let s = "";
    for (const b of input) s += d.decode(bytes([b]), { stream: true });
    same(s + d.decode(), whole, label + " byte by byte");
  }
} };

export const streamingKeepsIncompleteSequencesUntilTheFlush = { test() {
  const d = new TextDecoder("shift_jis");
  eq(d.decode(bytes([0x82]), { stream: true }), "");
  eq(d.decode(bytes([0xA0, 0x88]), { stream: true }), "\u3042");
  eq(d.decode(bytes([0x9F])), "\u4E9C");
  // A flush with a lead byte pending is one error; the next call is a new stream.
  eq(d.decode(bytes([0x82]), { stream: true }), "");
  eq(d.decode(), "\uFFFD");
  eq(d.decode(bytes([0xB1])), "\uFF71");
  const g = new TextDecoder("gb18030");
  eq(g.decode(bytes([0x81, 0x30]), { stream: true }), "");
  eq(g.decode(bytes([0x81]), { stream: true }), "");
  eq(g.decode(bytes([0x30])), "\u0080");
} };

export const fatalErrorsAreTypeErrorsAndTheDecoderRecovers = { test() {
  for (const [label, bad, good, want] of [
    ["shift_jis", [0x82, 0x20], [0x82, 0xA0], "\u3042"],
    ["big5", [0xFF], [0xA4, 0x40], "\u4E00"],
    ["iso-2022-jp", [ESC, 0x24, 0x42, 0x30, 0x21, 0x80], [ESC, 0x24, 0x42, 0x30, 0x21], "\u4E9C"],
    ["windows-874", [0xDB], [0xA1], "\u0E01"],
    ["utf-16le", [0x00, 0xDC], [0x41, 0x00], "A"],
  ]) {
    const d = new TextDecoder(label, { fatal: true });
    eq(d.fatal, true);
    const e = throws(() => d.decode(bytes(bad)), TypeError);
    ok(e.message.includes(label), e.message);
    // An error in streaming mode also ends that stream: the next call starts afresh.
    throws(() => d.decode(bytes(bad), { stream: true }), TypeError);
    same(d.decode(bytes(good)), want, label + " after an error");
  }
} };

export const encodingAttributeIsTheCanonicalName = { test() {
  eq(new TextDecoder("utf-16").encoding, "utf-16le");
  eq(new TextDecoder("unicodefffe").encoding, "utf-16be");
  eq(new TextDecoder("ucs-2").encoding, "utf-16le");
  eq(new TextDecoder("ascii").encoding, "windows-1252");
  eq(new TextDecoder("iso-8859-1").encoding, "windows-1252");
  eq(new TextDecoder("iso-8859-9").encoding, "windows-1254");
  eq(new TextDecoder("tis-620").encoding, "windows-874");
  eq(new TextDecoder("gb2312").encoding, "gbk");
  eq(new TextDecoder("windows-31j").encoding, "shift_jis");
  eq(new TextDecoder("windows-949").encoding, "euc-kr");
  eq(new TextDecoder("big5-hkscs").encoding, "big5");
  eq(new TextDecoder("logical").encoding, "iso-8859-8-i");
  eq(new TextDecoder("koi8-ru").encoding, "koi8-u");
  eq(new TextDecoder().encoding, "utf-8");
  eq(new TextDecoder(undefined).encoding, "utf-8");
} };
