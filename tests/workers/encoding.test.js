// TextEncoder / TextDecoder (Encoding Standard), UTF-8.
import { eq, ok, throws, deepEq } from "./assert.js";

const bytes = (u8) => Array.from(u8);

export const encoderEncodesUtf8 = { test() {
  const e = new TextEncoder();
  eq(e.encoding, "utf-8");
  deepEq(bytes(e.encode("a\u00e9\u20ac\u{1F600}")), [0x61, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80]);
  ok(e.encode("x") instanceof Uint8Array);
  eq(e.encode().length, 0);
  eq(e.encode(undefined).length, 0);
  deepEq(bytes(e.encode(null)), [0x6e, 0x75, 0x6c, 0x6c]);
} };

export const encoderReplacesLoneSurrogates = { test() {
  const e = new TextEncoder();
  deepEq(bytes(e.encode("\ud800")), [0xef, 0xbf, 0xbd]);
  deepEq(bytes(e.encode("a\udc00b")), [0x61, 0xef, 0xbf, 0xbd, 0x62]);
  deepEq(bytes(e.encode("\udc00\ud800")), [0xef, 0xbf, 0xbd, 0xef, 0xbf, 0xbd]);
} };

export const encodeIntoStopsBeforeSplittingACodePoint = { test() {
  const e = new TextEncoder();
  const u8 = new Uint8Array(5).fill(0xff);
  // "a" (1) + "€" (3) fit in 5 bytes with one left; the emoji (4) does not.
  deepEq(e.encodeInto("a\u20ac\u{1F600}", u8), { read: 2, written: 4 });
  deepEq(bytes(u8), [0x61, 0xe2, 0x82, 0xac, 0xff]);
} };

export const encodeIntoCountsSurrogatePairsAsTwoUnitsRead = { test() {
  const e = new TextEncoder();
  const u8 = new Uint8Array(8);
  deepEq(e.encodeInto("\u{1F600}x", u8), { read: 3, written: 5 });
  deepEq(e.encodeInto("\ud800", u8), { read: 1, written: 3 });
  deepEq(e.encodeInto("abc", new Uint8Array(0)), { read: 0, written: 0 });
} };

export const encodeIntoWritesAtTheViewOffset = { test() {
  const buf = new Uint8Array(6);
  const view = new Uint8Array(buf.buffer, 2, 3);
  deepEq(new TextEncoder().encodeInto("abcd", view), { read: 3, written: 3 });
  deepEq(bytes(buf), [0, 0, 0x61, 0x62, 0x63, 0]);
} };

export const encodeIntoRejectsNonUint8Array = { test() {
  const e = new TextEncoder();
  throws(() => e.encodeInto("a", new Uint16Array(4)), TypeError);
  throws(() => e.encodeInto("a", new ArrayBuffer(4)), TypeError);
  throws(() => e.encodeInto("a"), TypeError);
} };

export const encoderHasWebIdlShape = { test() {
  throws(() => TextEncoder(), TypeError);
  eq(TextEncoder.prototype.encodeInto.length, 2);
  eq(Object.prototype.toString.call(new TextEncoder()), "[object TextEncoder]");
  const get = Object.getOwnPropertyDescriptor(TextEncoder.prototype, "encoding").get;
  throws(() => get.call({}), TypeError, /Illegal invocation/);
  throws(() => TextEncoder.prototype.encode.call({}, "a"), TypeError);
} };

export const decoderDecodesUtf8 = { test() {
  const d = new TextDecoder();
  eq(d.decode(new Uint8Array([0x61, 0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80])), "a\u00e9\u{1F600}");
  eq(d.decode(), "");
  eq(d.decode(new Uint8Array([0x68, 0x69]).buffer), "hi");
  eq(d.decode(new DataView(new Uint8Array([0x41, 0x42, 0x43]).buffer, 1, 2)), "BC");
  eq(d.decode(new Uint8Array([0x30, 0x31, 0x32, 0x33]).subarray(1, 3)), "12");
} };

export const decoderLabelsAreCaseInsensitiveAndTrimmed = { test() {
  for (const label of ["utf-8", "UTF8", " unicode-1-1-utf-8\n", "\tUnicode20UTF8 ", "x-unicode20utf8", "unicode11utf8"]) {
    eq(new TextDecoder(label).encoding, "utf-8", label);
  }
} };

export const decoderRejectsUnknownLabels = { test() {
  throws(() => new TextDecoder("latin2-nope"), RangeError);
  throws(() => new TextDecoder("utf-8\u00a0"), RangeError); // NBSP is not ASCII whitespace
  throws(() => new TextDecoder("replacement"), RangeError);
  throws(() => new TextDecoder(""), RangeError);
} };

export const decoderReplacesInvalidSequences = { test() {
  const d = new TextDecoder();
  eq(d.decode(new Uint8Array([0xff])), "\ufffd");
  // Maximal subparts: E2 82 is one error, then "a".
  eq(d.decode(new Uint8Array([0xe2, 0x82, 0x61])), "\ufffda");
  // Surrogates encoded in UTF-8 (ED A0 80) are three errors.
  eq(d.decode(new Uint8Array([0xed, 0xa0, 0x80])), "\ufffd\ufffd\ufffd");
  // Overlong form of "/".
  eq(d.decode(new Uint8Array([0xc0, 0xaf])), "\ufffd\ufffd");
  // Truncated at the end.
  eq(d.decode(new Uint8Array([0x61, 0xf0, 0x9f, 0x98])), "a\ufffd");
} };

export const decoderFatalThrowsTypeError = { test() {
  const d = new TextDecoder("utf-8", { fatal: true });
  eq(d.fatal, true);
  throws(() => d.decode(new Uint8Array([0x61, 0xff])), TypeError);
  throws(() => d.decode(new Uint8Array([0xf0, 0x9f])), TypeError);
  // The decoder is usable again afterwards.
  eq(d.decode(new Uint8Array([0x6f, 0x6b])), "ok");
} };

export const decoderFatalStreamingReportsTruncationOnlyAtTheEnd = { test() {
  const d = new TextDecoder("utf-8", { fatal: true });
  eq(d.decode(new Uint8Array([0xf0, 0x9f]), { stream: true }), "");
  throws(() => d.decode(), TypeError);
} };

export const decoderStreamingJoinsAFourByteSequence = { test() {
  const d = new TextDecoder();
  const all = [0xf0, 0x9f, 0x98, 0x80];
  let out = "";
  for (const b of all) out += d.decode(new Uint8Array([b]), { stream: true });
  out += d.decode();
  eq(out, "\u{1F600}");
  eq(d.decode(new Uint8Array([0xf0, 0x9f]), { stream: true }), "");
  eq(d.decode(new Uint8Array([0x98, 0x80, 0x41]), { stream: true }), "\u{1F600}A");
  eq(d.decode(), "");
} };

export const decoderFlushEmitsReplacementForPendingBytes = { test() {
  const d = new TextDecoder();
  eq(d.decode(new Uint8Array([0xe2, 0x82]), { stream: true }), "");
  eq(d.decode(), "\ufffd");
  // A non-streaming call after that starts fresh.
  eq(d.decode(new Uint8Array([0x41])), "A");
} };

export const decoderStripsBomOnce = { test() {
  const d = new TextDecoder();
  eq(d.ignoreBOM, false);
  eq(d.decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x41])), "A");
  eq(d.decode(new Uint8Array([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf])), "\ufeff");
  // Streaming: the BOM split across calls is still stripped, but only at the start.
  eq(d.decode(new Uint8Array([0xef, 0xbb]), { stream: true }), "");
  eq(d.decode(new Uint8Array([0xbf, 0x42]), { stream: true }), "B");
  eq(d.decode(new Uint8Array([0xef, 0xbb, 0xbf]), { stream: true }), "\ufeff");
  eq(d.decode(), "");
} };

export const decoderIgnoreBomKeepsIt = { test() {
  const d = new TextDecoder("utf-8", { ignoreBOM: true });
  eq(d.ignoreBOM, true);
  eq(d.decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x41])), "\ufeffA");
} };

export const decoderRejectsBadArguments = { test() {
  const d = new TextDecoder();
  throws(() => d.decode("abc"), TypeError);
  throws(() => d.decode([1, 2]), TypeError);
  throws(() => new TextDecoder("utf-8", 5), TypeError);
  throws(() => d.decode(new Uint8Array(1), 5), TypeError);
  throws(() => TextDecoder(), TypeError);
} };

export const decoderOptionsAreReadAsBooleans = { test() {
  const seen = [];
  const opts = { get fatal() { seen.push("fatal"); return 1; }, get ignoreBOM() { seen.push("ignoreBOM"); return ""; } };
  const d = new TextDecoder(undefined, opts);
  deepEq(seen, ["fatal", "ignoreBOM"]);
  eq(d.fatal, true);
  eq(d.ignoreBOM, false);
  eq(d.encoding, "utf-8");
} };

export const decoderAttributesAreBrandChecked = { test() {
  for (const name of ["encoding", "fatal", "ignoreBOM"]) {
    const get = Object.getOwnPropertyDescriptor(TextDecoder.prototype, name).get;
    throws(() => get.call(new TextEncoder()), TypeError, /Illegal invocation/);
  }
} };

export const decoderRoundTripsEveryPlane = { test() {
  let s = "";
  for (let cp = 0; cp < 0x110000; cp += 0x3fb) if (cp < 0xd800 || cp > 0xdfff) s += String.fromCodePoint(cp);
  eq(new TextDecoder().decode(new TextEncoder().encode(s)), s);
} };
