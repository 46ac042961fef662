// TextEncoderStream and TextDecoderStream (Encoding Standard, "Interface TextDecoderStream"
// and "Interface TextEncoderStream"): the GenericTransformStream shape, the common
// attributes, streaming encode (surrogate pairs split across chunks) and decode (multi-byte
// sequences split across chunks, BOM handling, every family of encodings), fatal errors
// and bad chunks erroring the stream, and pipe chains.
import { eq, ok, throws, rejects, deepEq } from "./assert.js";

// Writes chunks to a transform's writable side (then closes it) while reading its readable
// side; returns what was read. Rejects with the readable side's error.
async function run(ts, chunks) {
  const w = ts.writable.getWriter();
  const writes = chunks.map((c) => w.write(c));
  const closed = w.close();
  writes.forEach((p) => p.catch(() => {}));
  closed.catch(() => {});
  const out = [];
  for await (const c of ts.readable) out.push(c);
  return out;
}

const encode = async (chunks) => (await run(new TextEncoderStream(), chunks)).map((u) => [...u]);
const decode = async (chunks, label, opts) =>
  (await run(new TextDecoderStream(label, opts), chunks.map((c) => new Uint8Array(c)))).join("");

function getter(C, name) {
  return Object.getOwnPropertyDescriptor(C.prototype, name).get;
}

// ---- Shape --------------------------------------------------------------------------------

export const webIdlShape = { test() {
  deepEq(Object.getOwnPropertyNames(TextEncoderStream.prototype).sort(),
         ["constructor", "encoding", "readable", "writable"]);
  deepEq(Object.getOwnPropertyNames(TextDecoderStream.prototype).sort(),
         ["constructor", "encoding", "fatal", "ignoreBOM", "readable", "writable"]);
  eq(TextEncoderStream.length, 0);
  eq(TextDecoderStream.length, 0);
  for (const C of [TextEncoderStream, TextDecoderStream]) {
    for (const name of Object.getOwnPropertyNames(C.prototype)) {
      if (name === "constructor") continue;
      const d = Object.getOwnPropertyDescriptor(C.prototype, name);
      eq(typeof d.get, "function", C.name + "." + name + " is an accessor");
      eq(d.set, undefined, C.name + "." + name + " is read-only");
      ok(d.enumerable && d.configurable);
    }
    eq(Object.prototype.toString.call(new C()), "[object " + C.name + "]");
    throws(() => C(), TypeError);
  }
} };

export const genericTransformStreamSides = { test() {
  for (const s of [new TextEncoderStream(), new TextDecoderStream()]) {
    ok(s.readable instanceof ReadableStream);
    ok(s.writable instanceof WritableStream);
    eq(s.readable, s.readable, "the same readable every time");
    eq(s.writable, s.writable, "the same writable every time");
    ok(!(s instanceof TransformStream), "a GenericTransformStream is not a TransformStream");
    deepEq(Reflect.ownKeys(s), [], "no own properties");
  }
} };

export const brandChecks = { test() {
  const strangers = [{}, new TransformStream(), new TextDecoder(), Object.create(TextEncoderStream.prototype)];
  for (const [C, names] of [[TextEncoderStream, ["encoding", "readable", "writable"]],
                            [TextDecoderStream, ["encoding", "fatal", "ignoreBOM", "readable", "writable"]]]) {
    for (const name of names)
      for (const s of strangers) throws(() => getter(C, name).call(s), TypeError, /Illegal invocation/);
  }
  // Each class checks its own brand.
  throws(() => getter(TextDecoderStream, "readable").call(new TextEncoderStream()), TypeError);
  throws(() => getter(TextEncoderStream, "writable").call(new TextDecoderStream()), TypeError);
} };

export const subclassesKeepTheirPrototype = { async test() {
  class Upper extends TextDecoderStream {
    get shout() { return this.encoding.toUpperCase(); }
  }
  const u = new Upper("latin1");
  eq(Object.getPrototypeOf(u), Upper.prototype);
  eq(u.shout, "WINDOWS-1252");
  eq((await run(u, [new Uint8Array([0xE9])])).join(""), "é");
} };

// ---- Decoder attributes and constructor -------------------------------------------------------

export const decoderAttributes = { test() {
  const d = new TextDecoderStream();
  eq(d.encoding, "utf-8");
  eq(d.fatal, false);
  eq(d.ignoreBOM, false);
  const e = new TextDecoderStream(" UTF-16 ", { fatal: 1, ignoreBOM: "yes" });
  eq(e.encoding, "utf-16le");
  eq(e.fatal, true);
  eq(e.ignoreBOM, true);
  eq(new TextDecoderStream("latin1").encoding, "windows-1252");
  eq(new TextDecoderStream("sjis").encoding, "shift_jis");
  eq(new TextDecoderStream(undefined, null).encoding, "utf-8");
  eq(new TextEncoderStream().encoding, "utf-8");
} };

export const decoderConstructorErrors = { test() {
  throws(() => new TextDecoderStream("no-such-encoding"), RangeError, /TextDecoderStream/);
  throws(() => new TextDecoderStream("replacement"), RangeError);
  throws(() => new TextDecoderStream("iso-2022-kr"), RangeError, null, "a label of replacement");
  throws(() => new TextDecoderStream("utf-8", 5), TypeError);
  throws(() => new TextDecoderStream(Symbol()), TypeError);
  const log = [];
  new TextDecoderStream("utf-8", { get fatal() { log.push("fatal"); }, get ignoreBOM() { log.push("ignoreBOM"); } });
  deepEq(log, ["fatal", "ignoreBOM"], "dictionary members are read in order");
} };

// ---- TextEncoderStream --------------------------------------------------------------------------

export const encodesUtf8AsUint8Arrays = { async test() {
  const out = await run(new TextEncoderStream(), ["a€", "", "😀"]);
  ok(out.every((c) => c instanceof Uint8Array));
  deepEq(out.map((c) => [...c]), [[0x61, 0xE2, 0x82, 0xAC], [0xF0, 0x9F, 0x98, 0x80]],
         "an empty chunk enqueues nothing");
} };

export const surrogatePairSplitAcrossChunks = { async test() {
  deepEq(await encode(["a\uD83D", "\uDE00b"]), [[0x61], [0xF0, 0x9F, 0x98, 0x80, 0x62]]);
  deepEq(await encode(["\uD83D", "\uDE00"]), [[0xF0, 0x9F, 0x98, 0x80]], "a chunk of only a lead");
  deepEq(await encode(["\uD83D", "", "", "\uDE00"]), [[0xF0, 0x9F, 0x98, 0x80]],
         "empty chunks leave the lead waiting");
} };

export const loneLeadSurrogateAtTheEndIsReplacedOnFlush = { async test() {
  deepEq(await encode(["x\uD800"]), [[0x78], [0xEF, 0xBF, 0xBD]]);
  deepEq(await encode(["\uD800"]), [[0xEF, 0xBF, 0xBD]]);
} };

export const leadFollowedByNonTrail = { async test() {
  // The lead becomes U+FFFD and the next chunk's first unit is read afresh.
  deepEq(await encode(["\uD800", "a"]), [[0xEF, 0xBF, 0xBD, 0x61]]);
  deepEq(await encode(["\uD800", "\uD800", "\uDC00"]), [[0xEF, 0xBF, 0xBD], [0xF0, 0x90, 0x80, 0x80]]);
} };

export const loneSurrogatesInsideAChunk = { async test() {
  deepEq(await encode(["\uDC00a\uD800b"]), [[0xEF, 0xBF, 0xBD, 0x61, 0xEF, 0xBF, 0xBD, 0x62]]);
  deepEq(await encode(["\uDC00"]), [[0xEF, 0xBF, 0xBD]], "a lone trail at the start");
} };

export const chunksAreConvertedToStrings = { async test() {
  deepEq(await encode([1.5, null, undefined, { toString: () => "o" }, true]),
         [[0x31, 0x2E, 0x35], [0x6E, 0x75, 0x6C, 0x6C], [0x75, 0x6E, 0x64, 0x65, 0x66, 0x69, 0x6E, 0x65, 0x64],
          [0x6F], [0x74, 0x72, 0x75, 0x65]]);
} };

export const unconvertibleChunkErrorsTheStream = { async test() {
  // (A write waits until the readable side is read: its high water mark is 0.)
  const ts = new TextEncoderStream();
  const w = ts.writable.getWriter();
  const read = ts.readable.getReader().read();
  const err = await rejects(w.write(Symbol("s")), TypeError);
  eq(await read.catch((e) => e), err, "the readable side errors with it");
  await rejects(w.closed, TypeError);
  const boom = new Error("boom");
  const ts2 = new TextEncoderStream();
  ts2.readable.getReader().read().catch(() => {});
  eq(await ts2.writable.getWriter().write({ toString() { throw boom; } }).catch((e) => e), boom);
} };

// ---- TextDecoderStream ----------------------------------------------------------------------------

export const decodesToStrings = { async test() {
  const out = await run(new TextDecoderStream(), [new Uint8Array([0x68, 0x69]), new Uint8Array(0), new Uint8Array([0x21])]);
  deepEq(out, ["hi", "!"], "strings out, nothing for an empty chunk");
} };

export const multiByteSequenceSplitAcrossChunks = { async test() {
  // € is E2 82 AC, 😀 is F0 9F 98 80: one byte per chunk still gives one code point each.
  const bytes = [0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80];
  const out = await run(new TextDecoderStream(), bytes.map((b) => new Uint8Array([b])));
  deepEq(out, ["€", "😀"]);
} };

export const incompleteSequenceAtTheEnd = { async test() {
  eq(await decode([[0x61, 0xE2], [0x82]]), "a\uFFFD", "replaced at the end");
  eq(await decode([[0xE2, 0x82], [0x41]]), "\uFFFDA", "an invalid continuation");
} };

export const fatalErrorErrorsTheStream = { async test() {
  const ts = new TextDecoderStream("utf-8", { fatal: true });
  const w = ts.writable.getWriter();
  const r = ts.readable.getReader();
  const first = r.read();
  await w.write(new Uint8Array([0x61]));
  eq((await first).value, "a");
  const second = r.read();
  const e = await rejects(w.write(new Uint8Array([0xFF])), TypeError, /utf-8/);
  eq(await second.catch((x) => x), e, "the readable side errors with the same TypeError");
  await rejects(w.closed, TypeError);
} };

export const fatalIncompleteSequenceAtClose = { async test() {
  const ts = new TextDecoderStream("utf-8", { fatal: true });
  const w = ts.writable.getWriter();
  const reading = (async () => { for await (const c of ts.readable) void c; })();
  await w.write(new Uint8Array([0xF0, 0x9F]));
  await rejects(w.close(), TypeError);
  await rejects(reading, TypeError);
} };

export const byteOrderMarkStrippedOnce = { async test() {
  eq(await decode([[0xEF], [0xBB, 0xBF, 0x61], [0xEF, 0xBB, 0xBF]]), "a\uFEFF", "a BOM split across chunks");
  eq(await decode([[0xEF, 0xBB, 0xBF, 0x61]], "utf-8", { ignoreBOM: true }), "\uFEFFa");
  eq(await decode([[], [0xEF, 0xBB, 0xBF]]), "", "an empty first chunk does not count");
  eq(await decode([[0xFF, 0xFE], [0x61, 0x00]], "utf-16le"), "a");
  eq(await decode([[0xFE, 0xFF, 0x00, 0x61]], "utf-16be"), "a");
  eq(await decode([[0xFE, 0xFF, 0x00, 0x61]], "utf-16le"), "\uFFFE\u6100", "another encoding's BOM stays");
  eq(await decode([[0xEF, 0xBB, 0xBF]], "windows-1252"), "ï»¿", "legacy encodings keep it");
} };

export const utf16SplitUnitsAndPairs = { async test() {
  // U+1F600 in UTF-16LE is 3D D8 00 DE; every byte in its own chunk.
  eq(await decode([[0x61], [0x00], [0x3D], [0xD8], [0x00], [0xDE]], "utf-16le"), "a😀");
  eq(await decode([[0x00]], "utf-16be"), "\uFFFD", "an odd byte at the end");
  eq(await decode([[0xD8, 0x3D]], "utf-16be"), "\uFFFD", "a lone lead surrogate at the end");
} };

export const legacyMultiByteEncodingsStream = { async test() {
  // Shift_JIS 82 A0 is あ; gb18030 81 30 81 30 is U+0080; EUC-KR B0 A1 is 가; Big5 A4 40 is 一.
  eq(await decode([[0x82], [0xA0]], "shift_jis"), "あ");
  eq(await decode([[0x81], [0x30], [0x81], [0x30]], "gb18030"), "\u0080");
  eq(await decode([[0xB0], [0xA1]], "euc-kr"), "가");
  eq(await decode([[0xA4], [0x40]], "big5"), "一");
  eq(await decode([[0x8F, 0xB0], [0xA1]], "euc-jp"), "丂", "JIS X 0212 split");
  // ISO-2022-JP: ESC $ B switches to JIS X 0208; 24 22 is あ; escapes split across chunks.
  eq(await decode([[0x1B], [0x24], [0x42, 0x24], [0x22], [0x1B, 0x28], [0x42, 0x61]], "iso-2022-jp"), "あa");
  eq(await decode([[0xE9, 0x80]], "windows-1252"), "é€");
  eq(await decode([[0xF7, 0x41]], "x-user-defined"), "\uF7F7A");
} };

export const legacyFatalError = { async test() {
  const ts = new TextDecoderStream("shift_jis", { fatal: true });
  const w = ts.writable.getWriter();
  const read = ts.readable.getReader().read();
  await rejects(w.write(new Uint8Array([0x82, 0x20])), TypeError, /shift_jis/);
  await rejects(read, TypeError);
} };

export const bufferSourceKinds = { async test() {
  const bytes = new Uint8Array([0x00, 0x68, 0x69, 0x21, 0x00]);
  const out = await run(new TextDecoderStream(), [
    bytes.buffer.slice(1, 3),
    new DataView(bytes.buffer, 3, 1),
    new Uint16Array([0x6968]),
    new Uint8Array(bytes.buffer, 1, 2),
  ]);
  deepEq(out, ["hi", "!", "hi", "hi"]);
} };

export const nonBufferSourceChunksError = { async test() {
  for (const bad of ["hi", 1, null, undefined, [104, 105], {}, { buffer: new ArrayBuffer(1) }]) {
    const ts = new TextDecoderStream();
    const w = ts.writable.getWriter();
    const read = ts.readable.getReader().read();
    await rejects(w.write(bad), TypeError, /ArrayBuffer/, String(bad));
    await rejects(read, TypeError);
  }
} };

// ---- Both ends, cancel, abort ------------------------------------------------------------------

export const roundTripThroughPipeThrough = { async test() {
  const text = "Grüße, 世界! 😀 ".repeat(500);
  const chunks = [];
  for (let i = 0, n = 1; i < text.length; i += n, n = n % 5 + 1) chunks.push(text.slice(i, i + n));
  ok(chunks.some((c) => /[\uD800-\uDBFF]$/.test(c)), "the test splits a surrogate pair");
  const rs = ReadableStream.from(chunks).pipeThrough(new TextEncoderStream()).pipeThrough(new TextDecoderStream());
  let out = "";
  for await (const s of rs) out += s;
  eq(out, text);
} };

export const responseBodyThroughDecoder = { async test() {
  const body = new Response("naïve café").body.pipeThrough(new TextDecoderStream());
  let out = "";
  for await (const s of body) out += s;
  eq(out, "naïve café");
  const encoded = new Response(ReadableStream.from(["a", "é"]).pipeThrough(new TextEncoderStream()));
  eq(await encoded.text(), "aé");
} };

export const cancelTheReadableSide = { async test() {
  const ts = new TextEncoderStream();
  const reason = new Error("stop");
  await ts.readable.cancel(reason);
  const w = ts.writable.getWriter();
  eq(await w.closed.catch((e) => e), reason);
  await rejects(w.write("x"), Error, /stop/);
} };

export const abortTheWritableSide = { async test() {
  const ts = new TextDecoderStream();
  const reason = new Error("aborted");
  await ts.writable.abort(reason);
  eq(await ts.readable.getReader().read().catch((e) => e), reason);
} };

export const backpressureLikeAnyTransformStream = { async test() {
  // writable high water mark 1, readable 0: the writer is ready at first, and one write
  // waits until a read takes its output.
  const ts = new TextEncoderStream();
  const w = ts.writable.getWriter();
  eq(w.desiredSize, 1);
  let done = false;
  const p = w.write("a").then(() => { done = true; });
  await new Promise((r) => setTimeout(r, 0));
  eq(done, false, "the write waits for a read");
  const r = ts.readable.getReader();
  deepEq([...(await r.read()).value], [0x61]);
  await p;
  eq(done, true);
} };
