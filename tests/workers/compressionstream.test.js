// CompressionStream and DecompressionStream (Compression Standard): the Web IDL shape, the
// formats, round trips (empty input, 1-byte chunks, megabytes), interoperability with
// zlib's output as other programs make it (literals made by Python's gzip and zlib
// modules), incremental output in bounded chunks, and the errors: bad chunks, corrupt,
// truncated and trailing data, cancel and abort.
import { eq, ok, throws, rejects, deepEq } from "./assert.js";

const FORMATS = ["gzip", "deflate", "deflate-raw"];

// The text below, compressed by Python 3: gzip.compress(data, mtime=1700000000),
// zlib.compress(data, 9), and zlib.compressobj(6, zlib.DEFLATED, -15).
const PY_TEXT = "islet: the quick brown fox jumps over the lazy dog\n".repeat(3) + "café ☃ 😀\n";
const PY_RAW_BODY = [203, 44, 206, 73, 45, 177, 82, 40, 201, 72, 85, 40, 44, 205, 76, 206, 86, 72, 42,
  202, 47, 207, 83, 72, 203, 175, 80, 200, 42, 205, 45, 40, 86, 200, 47, 75, 45, 2, 75, 231, 36, 86, 85,
  42, 164, 228, 167, 115, 101, 210, 69, 75, 114, 98, 218, 225, 149, 10, 143, 102, 52, 43, 124, 152, 63,
  163, 129, 11, 0];
const PY = {
  "gzip": new Uint8Array([31, 139, 8, 0, 0, 241, 83, 101, 2, 255, ...PY_RAW_BODY, 173, 145, 141, 1, 168, 0, 0, 0]),
  "deflate": new Uint8Array([120, 218, ...PY_RAW_BODY, 72, 75, 62, 255]),
  "deflate-raw": new Uint8Array(PY_RAW_BODY),
};
// Two gzip members back to back (gzip.compress(b"ab") + gzip.compress(b"cd")), an empty
// gzip member, and a zlib stream that needs a preset dictionary.
const PY_TWO_MEMBERS = new Uint8Array([31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 75, 76, 2, 0, 109, 72, 131, 158,
  2, 0, 0, 0, 31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 75, 78, 1, 0, 218, 143, 214, 69, 2, 0, 0, 0]);
const PY_EMPTY_GZIP = new Uint8Array([31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
const PY_WITH_DICTIONARY = new Uint8Array([120, 187, 26, 11, 4, 93, 203, 64, 48, 21, 192, 108, 0, 59, 32, 6, 145]);

// ---- Helpers -----------------------------------------------------------------------------------

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// Writes chunks (then closes) while reading; resolves with the chunks read.
async function runChunks(ts, chunks) {
  const w = ts.writable.getWriter();
  for (const c of chunks) w.write(c).catch(() => {});
  w.close().catch(() => {});
  const out = [];
  for await (const c of ts.readable) out.push(c);
  return out;
}

const run = async (ts, chunks) => concat(await runChunks(ts, chunks));
const compress = (format, chunks) => run(new CompressionStream(format), chunks);
const decompress = (format, chunks) => run(new DecompressionStream(format), chunks);

// Deterministic bytes that do not compress (xorshift).
function noise(n, seed = 1) {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[i] = x & 0xFF;
  }
  return out;
}

function sameBytes(a, b, msg) {
  eq(a.length, b.length, (msg || "") + " length");
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) eq(a[i], b[i], (msg || "") + " byte " + i);
}

function crc32(bytes) {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xEDB88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function adler32(bytes) {
  let a = 1, b = 0;
  for (const x of bytes) {
    a = (a + x) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

const le32 = (u, o) => (u[o] | (u[o + 1] << 8) | (u[o + 2] << 16) | (u[o + 3] << 24)) >>> 0;
const be32 = (u, o) => ((u[o] << 24) | (u[o + 1] << 16) | (u[o + 2] << 8) | u[o + 3]) >>> 0;

const utf8 = (s) => new TextEncoder().encode(s);
const text = (u) => new TextDecoder().decode(u);

// A transform whose writable side is written while its readable side is read; resolves
// with the readable side's error (or null if it closed).
async function readError(ts, chunks) {
  try {
    await runChunks(ts, chunks);
    return null;
  } catch (e) {
    return e;
  }
}

// ---- Shape --------------------------------------------------------------------------------------

export const webIdlShape = { test() {
  for (const C of [CompressionStream, DecompressionStream]) {
    eq(C.length, 1, C.name + ".length");
    deepEq(Object.getOwnPropertyNames(C.prototype).sort(), ["constructor", "readable", "writable"]);
    for (const name of ["readable", "writable"]) {
      const d = Object.getOwnPropertyDescriptor(C.prototype, name);
      eq(typeof d.get, "function");
      eq(d.set, undefined);
      ok(d.enumerable && d.configurable);
      eq(d.get.name, "get " + name);
    }
    eq(Object.prototype.toString.call(new C("gzip")), "[object " + C.name + "]");
    throws(() => C("gzip"), TypeError);
    const s = new C("deflate");
    ok(s.readable instanceof ReadableStream);
    ok(s.writable instanceof WritableStream);
    eq(s.readable, s.readable);
    eq(s.writable, s.writable);
    ok(!(s instanceof TransformStream));
    deepEq(Reflect.ownKeys(s), []);
  }
} };

export const brandChecks = { test() {
  for (const C of [CompressionStream, DecompressionStream]) {
    for (const name of ["readable", "writable"]) {
      const get = Object.getOwnPropertyDescriptor(C.prototype, name).get;
      for (const s of [{}, new TransformStream(), new TextDecoderStream(), Object.create(C.prototype)])
        throws(() => get.call(s), TypeError, /Illegal invocation/);
    }
  }
  const get = Object.getOwnPropertyDescriptor(CompressionStream.prototype, "readable").get;
  throws(() => get.call(new DecompressionStream("gzip")), TypeError, /Illegal invocation/);
} };

export const formatsAreAnEnum = { test() {
  for (const C of [CompressionStream, DecompressionStream]) {
    throws(() => new C(), TypeError, /1 argument required/);
    for (const bad of ["GZIP", "Deflate", "br", "brotli", "", " gzip", "gzip\0", "x-gzip", undefined, null, 1])
      throws(() => new C(bad), TypeError, null, String(bad));
    throws(() => new C(Symbol()), TypeError);
    const boom = new Error("boom");
    eq((() => { try { new C({ toString() { throw boom; } }); } catch (e) { return e; } })(), boom);
    ok(new C({ toString: () => "deflate-raw" }) instanceof C, "the format is converted with ToString");
  }
} };

export const subclassing = { async test() {
  class Gz extends CompressionStream {
    constructor() { super("gzip"); }
  }
  const g = new Gz();
  eq(Object.getPrototypeOf(g), Gz.prototype);
  const out = await run(g, [utf8("x")]);
  deepEq([...out.subarray(0, 3)], [0x1F, 0x8B, 8]);
} };

// ---- Round trips ----------------------------------------------------------------------------------

export const roundTripEveryFormat = { async test() {
  const input = utf8("Grüße, 世界! ".repeat(200));
  for (const f of FORMATS) {
    const c = await compress(f, [input]);
    ok(c.length < input.length / 4, f + " compresses");
    sameBytes(await decompress(f, [c]), input, f);
  }
} };

export const roundTripEmptyInput = { async test() {
  for (const f of FORMATS) {
    const c = await compress(f, []);
    ok(c.length > 0, f + ": even empty input has a final block");
    eq((await decompress(f, [c])).length, 0, f);
    const c2 = await compress(f, [new Uint8Array(0), new ArrayBuffer(0)]);
    sameBytes(c2, c, f + ": empty chunks change nothing");
  }
  eq((await decompress("gzip", [PY_EMPTY_GZIP])).length, 0, "Python's empty gzip member");
} };

export const roundTripOneByteChunks = { async test() {
  const input = utf8("one byte at a time, both ways: €😀");
  for (const f of FORMATS) {
    const c = await compress(f, [...input].map((b) => new Uint8Array([b])));
    const d = await decompress(f, [...c].map((b) => new Uint8Array([b])));
    eq(text(d), text(input), f);
  }
} };

export const roundTripMegabytes = { async test() {
  // 3 MiB: half noise (does not compress), half text (does), written in 100 KB chunks.
  const input = concat([noise(3 << 19), utf8("islet ".repeat(Math.ceil((3 << 19) / 6))).subarray(0, 3 << 19)]);
  const chunks = [];
  for (let i = 0; i < input.length; i += 100000) chunks.push(input.subarray(i, i + 100000));
  for (const f of FORMATS) {
    const parts = await runChunks(new CompressionStream(f), chunks);
    ok(parts.length > 10, f + ": output comes in many chunks, got " + parts.length);
    ok(parts.every((p) => p instanceof Uint8Array && p.length > 0 && p.length <= 65536), f + ": chunks of at most 64 KiB");
    const outParts = await runChunks(new DecompressionStream(f), parts);
    ok(outParts.every((p) => p.length <= 65536), f + ": decompressed chunks of at most 64 KiB");
    sameBytes(concat(outParts), input, f);
  }
} };

export const chunkKinds = { async test() {
  const bytes = utf8("__hello, chunk kinds__");
  const buffer = bytes.buffer;
  const c = await compress("deflate", [
    buffer.slice(2, 7),                           // ArrayBuffer "hello"
    new DataView(buffer, 7, 2),                   // ", "
    new Uint8Array(buffer, 9, 5),                 // "chunk"
    new Int16Array(buffer.slice(14, 20)),         // " kinds"
  ]);
  eq(text(await decompress("deflate", [new DataView(c.buffer)])), "hello, chunk kinds");
} };

// ---- Interoperability with zlib ----------------------------------------------------------------

export const decompressesWhatPythonMade = { async test() {
  for (const f of FORMATS) {
    eq(text(await decompress(f, [PY[f]])), PY_TEXT, f);
    // The same data split at every third byte.
    const parts = [];
    for (let i = 0; i < PY[f].length; i += 3) parts.push(PY[f].slice(i, i + 3));
    eq(text(await decompress(f, parts)), PY_TEXT, f + " in pieces");
  }
} };

export const gzipFraming = { async test() {
  const input = utf8(PY_TEXT);
  const g = await compress("gzip", [input]);
  deepEq([...g.subarray(0, 4)], [0x1F, 0x8B, 8, 0], "magic, deflate, no flags");
  eq(le32(g, g.length - 8), crc32(input), "CRC-32 trailer");
  eq(le32(g, g.length - 4), input.length, "ISIZE trailer");
  const raw = await compress("deflate-raw", [input]);
  sameBytes(g.subarray(10, g.length - 8), raw, "the body is the raw deflate stream");
} };

export const zlibFraming = { async test() {
  const input = utf8(PY_TEXT);
  const z = await compress("deflate", [input]);
  eq(z[0], 0x78, "CMF: deflate, 32K window");
  eq(((z[0] << 8) | z[1]) % 31, 0, "FCHECK");
  eq(z[1] & 0x20, 0, "no preset dictionary");
  eq(be32(z, z.length - 4), adler32(input), "Adler-32 trailer");
  sameBytes(z.subarray(2, z.length - 4), await compress("deflate-raw", [input]), "the body is the raw deflate stream");
} };

export const formatsAreNotInterchangeable = { async test() {
  ok(await readError(new DecompressionStream("gzip"), [PY.deflate]) instanceof TypeError, "zlib data as gzip");
  ok(await readError(new DecompressionStream("deflate"), [PY.gzip]) instanceof TypeError, "gzip data as zlib");
  ok(await readError(new DecompressionStream("deflate-raw"), [PY.gzip]) instanceof TypeError, "gzip data as raw");
} };

// ---- Incremental output -----------------------------------------------------------------------------

export const outputBeforeTheEnd = { async test() {
  // A write that makes more than one buffer of output delivers it before the stream ends.
  for (const f of FORMATS) {
    const cs = new CompressionStream(f);
    const w = cs.writable.getWriter();
    const r = cs.readable.getReader();
    const first = r.read();
    w.write(noise(200000, 7));
    const { value, done } = await first;
    eq(done, false);
    eq(value.length, 65536, f + ": a full buffer first");
    w.close();
    while (!(await r.read()).done);
  }
  const ds = new DecompressionStream("gzip");
  const w = ds.writable.getWriter();
  const r = ds.readable.getReader();
  const first = r.read();
  w.write(await compress("gzip", [new Uint8Array(1 << 20)]));
  const { value } = await first;
  eq(value.length, 65536, "decompression output before close");
  await w.abort();
} };

// ---- Errors ---------------------------------------------------------------------------------------------

export const nonBufferSourceChunksError = { async test() {
  const shared = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer;
  const bad = ["text", 1, null, undefined, true, [1, 2], {}, { byteLength: 1 }, Symbol(), shared, new Uint8Array(shared)];
  for (const C of [CompressionStream, DecompressionStream]) {
    for (const chunk of bad) {
      const ts = new C("gzip");
      const w = ts.writable.getWriter();
      const read = ts.readable.getReader().read();
      const e = await rejects(w.write(chunk), TypeError, /ArrayBuffer/, C.name + " " + String(chunk));
      eq(await read.catch((x) => x), e, "the readable side errors with the same TypeError");
      eq(await w.closed.catch((x) => x), e);
    }
  }
} };

export const corruptDataErrors = { async test() {
  for (const f of FORMATS) {
    const bad = PY[f].slice();
    bad[f === "deflate-raw" ? 0 : f === "gzip" ? 10 : 2] ^= 0xFF; // first body byte
    const e = await readError(new DecompressionStream(f), [bad]);
    ok(e instanceof TypeError, f + ": " + e);
  }
  ok(await readError(new DecompressionStream("gzip"), [utf8("definitely not gzip")]) instanceof TypeError);
} };

export const checksumMismatchErrors = { async test() {
  const g = PY.gzip.slice();
  g[g.length - 8] ^= 1; // CRC-32
  ok(await readError(new DecompressionStream("gzip"), [g]) instanceof TypeError, "gzip CRC");
  const s = PY.gzip.slice();
  s[s.length - 1] ^= 1; // ISIZE
  ok(await readError(new DecompressionStream("gzip"), [s]) instanceof TypeError, "gzip size");
  const z = PY.deflate.slice();
  z[z.length - 1] ^= 1; // Adler-32
  ok(await readError(new DecompressionStream("deflate"), [z]) instanceof TypeError, "zlib Adler-32");
} };

export const truncatedDataErrorsAtClose = { async test() {
  for (const f of FORMATS) {
    for (const cut of [1, 5, PY[f].length - 1]) {
      const ds = new DecompressionStream(f);
      const w = ds.writable.getWriter();
      const reading = (async () => { let n = 0; for await (const c of ds.readable) n += c.length; return n; })();
      await w.write(PY[f].slice(0, cut));
      await rejects(w.close(), TypeError, /ended before/, f + " cut at " + cut);
      await rejects(reading, TypeError);
    }
  }
  ok(await readError(new DecompressionStream("gzip"), []) instanceof TypeError, "no data at all");
} };

export const trailingDataErrors = { async test() {
  for (const f of FORMATS) {
    const e = await readError(new DecompressionStream(f), [concat([PY[f], new Uint8Array([0])])]);
    ok(e instanceof TypeError && /after the end/.test(e.message), f + " in the same chunk: " + e);
    const e2 = await readError(new DecompressionStream(f), [PY[f], new Uint8Array([1, 2])]);
    ok(e2 instanceof TypeError && /after the end/.test(e2.message), f + " in a later chunk: " + e2);
    eq(text(await decompress(f, [PY[f], new Uint8Array(0)])), PY_TEXT, f + ": an empty chunk after the end is fine");
  }
  ok(await readError(new DecompressionStream("gzip"), [PY_TWO_MEMBERS]) instanceof TypeError,
     "a second gzip member is data after the end");
} };

export const presetDictionaryIsAnError = { async test() {
  const e = await readError(new DecompressionStream("deflate"), [PY_WITH_DICTIONARY]);
  ok(e instanceof TypeError && /dictionary/.test(e.message), String(e));
} };

export const cancelAndAbort = { async test() {
  for (const C of [CompressionStream, DecompressionStream]) {
    const a = new C("gzip");
    const reason = new Error("stop");
    await a.readable.cancel(reason);
    const w = a.writable.getWriter();
    eq(await w.closed.catch((e) => e), reason, C.name + ": cancel reaches the writable side");
    const b = new C("deflate");
    await b.writable.abort(reason);
    eq(await b.readable.getReader().read().catch((e) => e), reason, C.name + ": abort reaches the readable side");
  }
  // Cancel with output still queued: later writes fail with the reason.
  const cs = new CompressionStream("deflate");
  const w = cs.writable.getWriter();
  const r = cs.readable.getReader();
  const first = r.read();
  await w.write(noise(300000, 3));
  eq((await first).value.length, 65536);
  await r.cancel(new Error("enough"));
  await rejects(w.write(new Uint8Array(1)), Error, /enough/);
  await rejects(w.closed, Error, /enough/);
} };

export const userCodeRunningDuringOutputCannotBreakIt = { async test() {
  // Resolving a read with a chunk looks up `then` on the result object, running user code in
  // the middle of a transform: it may detach the input's buffer or cancel the stream.
  const input = noise(300000, 11);
  const buffer = input.buffer;
  const cs = new CompressionStream("deflate-raw");
  const w = cs.writable.getWriter();
  const r = cs.readable.getReader();
  let calls = 0;
  Object.defineProperty(Object.prototype, "then", {
    configurable: true,
    get() {
      if (++calls === 1) { try { buffer.transfer(); } catch {} }
      return undefined;
    },
  });
  const parts = [];
  let reads;
  try {
    reads = (async () => { for (;;) { const { value, done } = await r.read(); if (done) return; parts.push(value); } })();
    await w.write(input);
    await w.close();
    await reads;
  } finally {
    delete Object.prototype.then;
  }
  ok(calls > 1);
  sameBytes(await decompress("deflate-raw", parts), noise(300000, 11), "the output is that of the original bytes");

  const cs2 = new CompressionStream("gzip");
  const w2 = cs2.writable.getWriter();
  const r2 = cs2.readable.getReader();
  Object.defineProperty(Object.prototype, "then", {
    configurable: true,
    get() { delete Object.prototype.then; r2.cancel(new Error("cancelled inside")); return undefined; },
  });
  try {
    const read = r2.read();
    const written = w2.write(noise(300000, 5));
    await read.catch(() => {});
    await written.catch(() => {});
  } finally {
    delete Object.prototype.then;
  }
  eq(await w2.closed.catch((e) => e.message), "cancelled inside");
} };

export const abandonedStreamsAreCollected = { async test() {
  // Unfinished streams nobody references: their zlib state is freed when they are collected
  // (the sanitizer build's leak check covers the rest).
  for (let i = 0; i < 200; i++) {
    const s = new (i % 2 ? CompressionStream : DecompressionStream)(FORMATS[i % 3]);
    const w = s.writable.getWriter();
    w.write(i % 2 ? noise(1000, i + 1) : PY[FORMATS[i % 3]].subarray(0, 20)).catch(() => {});
    s.readable.getReader().read().catch(() => {});
  }
  await new Promise((r) => setTimeout(r, 0));
} };

// ---- Chains ---------------------------------------------------------------------------------------------

export const pipeThroughChain = { async test() {
  const words = [];
  for (let i = 0; i < 5000; i++) words.push("word" + i + " ☃ ");
  const rs = ReadableStream.from(words)
    .pipeThrough(new TextEncoderStream())
    .pipeThrough(new CompressionStream("gzip"))
    .pipeThrough(new DecompressionStream("gzip"))
    .pipeThrough(new CompressionStream("deflate-raw"))
    .pipeThrough(new DecompressionStream("deflate-raw"))
    .pipeThrough(new TextDecoderStream());
  let out = "";
  for await (const s of rs) out += s;
  eq(out, words.join(""));
} };

export const responseBodies = { async test() {
  const body = new Response("compressed body ".repeat(100)).body.pipeThrough(new CompressionStream("gzip"));
  const gz = new Uint8Array(await new Response(body).arrayBuffer());
  deepEq([...gz.subarray(0, 2)], [0x1F, 0x8B]);
  const back = await new Response(new Blob([gz]).stream().pipeThrough(new DecompressionStream("gzip"))).text();
  eq(back, "compressed body ".repeat(100));
  const bad = new Response(new Blob([utf8("junk")]).stream().pipeThrough(new DecompressionStream("deflate")));
  await rejects(bad.text(), TypeError);
} };
