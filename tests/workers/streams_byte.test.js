// Readable byte streams (Streams Standard §4.7-4.9): the ReadableByteStreamController, BYOB
// readers with read(view, { min }), the BYOB request (respond, respondWithNewView),
// autoAllocateChunkSize, buffer transfer (the caller's buffer is detached), alignment of
// multi-byte views, release and cancel with reads pending, and tee() of a byte stream.
import { eq, ok, throws, rejects, deepEq } from "./assert.js";

const delay = (ms) => new Promise((r) => setTimeout(r, ms));
const flush = () => delay(0);

function byteStream(extra = {}) {
  let controller;
  const rs = new ReadableStream({
    type: "bytes",
    start(c) { controller = c; return extra.start?.(c); },
    pull(c) { return extra.pull?.(c); },
    cancel(r) { return extra.cancel?.(r); },
    autoAllocateChunkSize: extra.autoAllocateChunkSize,
  }, extra.strategy);
  rs.controller = () => controller;
  return rs;
}

export const shape = { test() {
  deepEq(Object.getOwnPropertyNames(ReadableByteStreamController.prototype).sort(),
         ["byobRequest", "close", "constructor", "desiredSize", "enqueue", "error"]);
  deepEq(Object.getOwnPropertyNames(ReadableStreamBYOBReader.prototype).sort(),
         ["cancel", "closed", "constructor", "read", "releaseLock"]);
  deepEq(Object.getOwnPropertyNames(ReadableStreamBYOBRequest.prototype).sort(),
         ["constructor", "respond", "respondWithNewView", "view"]);
  eq(ReadableByteStreamController.prototype.enqueue.length, 1);
  eq(ReadableStreamBYOBReader.prototype.read.length, 1);
  eq(ReadableStreamBYOBRequest.prototype.respond.length, 1);
  eq(ReadableStreamBYOBRequest.prototype.respondWithNewView.length, 1);
  eq(ReadableStreamBYOBReader.length, 1);
  throws(() => new ReadableByteStreamController(), TypeError);
  throws(() => new ReadableStreamBYOBRequest(), TypeError);
  const rs = byteStream();
  ok(rs.controller() instanceof ReadableByteStreamController);
  ok(new ReadableStreamBYOBReader(rs) instanceof ReadableStreamBYOBReader);
  throws(() => new ReadableStreamBYOBReader(new ReadableStream()), TypeError, /byte stream/);
} };

export const constructorChecks = { test() {
  throws(() => new ReadableStream({ type: "bytes" }, { size: () => 1 }), RangeError);
  throws(() => new ReadableStream({ type: "bytes", autoAllocateChunkSize: 0 }), TypeError);
  throws(() => new ReadableStream({ type: "bytes", autoAllocateChunkSize: -1 }), TypeError);
  throws(() => new ReadableStream({ type: "bytes", autoAllocateChunkSize: Infinity }), TypeError);
  const rs = byteStream();
  eq(rs.controller().desiredSize, 0, "a byte stream's high water mark defaults to 0");
  eq(byteStream({ strategy: { highWaterMark: 10 } }).controller().desiredSize, 10);
  eq(rs.controller().byobRequest, null);
} };

export const enqueueChecksAndTransfers = { async test() {
  const rs = byteStream({ strategy: { highWaterMark: 16 } });
  const c = rs.controller();
  throws(() => c.enqueue("bytes"), TypeError);
  throws(() => c.enqueue(new ArrayBuffer(4)), TypeError, undefined, "a buffer is not a view");
  throws(() => c.enqueue(new Uint8Array(0)), TypeError);
  const detached = new Uint8Array(4);
  detached.buffer.transfer();
  throws(() => c.enqueue(detached), TypeError);
  const chunk = new Uint8Array([1, 2, 3, 4, 5]).subarray(1, 4);
  c.enqueue(chunk);
  eq(chunk.buffer.detached, true, "the chunk's buffer now belongs to the stream");
  eq(c.desiredSize, 13, "desiredSize counts bytes");
  const { value } = await rs.getReader().read();
  ok(value instanceof Uint8Array);
  deepEq(Array.from(value), [2, 3, 4]);
  eq(value.byteOffset, 1, "the same memory, same offset");
} };

export const dataViewChunksReadAsUint8Array = { async test() {
  const rs = byteStream();
  const dv = new DataView(new ArrayBuffer(3));
  dv.setUint8(0, 7);
  rs.controller().enqueue(dv);
  const { value } = await rs.getReader().read();
  eq(value.constructor, Uint8Array);
  deepEq(Array.from(value), [7, 0, 0]);
} };

// ---- BYOB reads ----------------------------------------------------------------------------------

export const byobReadUsesTheCallersMemory = { async test() {
  const rs = byteStream({ pull(c) {
    const req = c.byobRequest;
    ok(req instanceof ReadableStreamBYOBRequest);
    eq(req, c.byobRequest, "the same request until it is answered");
    const v = req.view;
    eq(v.constructor, Uint8Array);
    eq(v.byteOffset, 2);
    eq(v.byteLength, 6);
    v.set([10, 20, 30], 0);
    req.respond(3);
    eq(req.view, null, "answered");
    eq(c.byobRequest, null);
  } });
  const r = rs.getReader({ mode: "byob" });
  const buffer = new ArrayBuffer(8);
  const view = new Uint8Array(buffer, 2, 6);
  const { value, done } = await r.read(view);
  eq(done, false);
  eq(buffer.detached, true, "the caller's buffer was transferred");
  eq(value.buffer.byteLength, 8, "the result is on the same memory");
  eq(value.byteOffset, 2);
  deepEq(Array.from(value), [10, 20, 30]);
} };

export const byobReadOfTypedViews = { async test() {
  const rs = byteStream({ strategy: { highWaterMark: 64 } });
  const c = rs.controller();
  c.enqueue(new Uint8Array([1, 0, 2, 0, 3]));
  const r = rs.getReader({ mode: "byob" });
  const a = await r.read(new Uint16Array(4));
  eq(a.value.constructor, Uint16Array);
  deepEq(Array.from(a.value), [1, 2], "only whole elements: the odd byte stays queued");
  c.enqueue(new Uint8Array([0]));
  const b = await r.read(new Uint16Array(1));
  deepEq(Array.from(b.value), [3]);
  c.enqueue(new Uint8Array([1, 2, 3, 4]));
  const d = await r.read(new DataView(new ArrayBuffer(4)));
  ok(d.value instanceof DataView);
  eq(d.value.getUint8(3), 4);
} };

export const readArgumentChecks = { async test() {
  const rs = byteStream();
  const r = rs.getReader({ mode: "byob" });
  await rejects(r.read(), TypeError);
  await rejects(r.read(new ArrayBuffer(4)), TypeError);
  await rejects(r.read(new Uint8Array(0)), TypeError);
  const detached = new Uint8Array(4);
  detached.buffer.transfer();
  await rejects(r.read(detached), TypeError);
  await rejects(r.read(new Uint8Array(4), { min: 0 }), TypeError);
  await rejects(r.read(new Uint8Array(4), { min: 5 }), RangeError);
  await rejects(r.read(new Uint16Array(2), { min: 3 }), RangeError, undefined, "min counts elements");
  await rejects(r.read(new Uint8Array(4), { min: -1 }), TypeError);
  await rejects(ReadableStreamBYOBReader.prototype.read.call({}, new Uint8Array(1)), TypeError);
  r.releaseLock();
  await rejects(r.read(new Uint8Array(1)), TypeError);
} };

export const readWithMinWaitsForEnoughBytes = { async test() {
  const rs = byteStream();
  const c = rs.controller();
  const r = rs.getReader({ mode: "byob" });
  let settled = false;
  const p = r.read(new Uint8Array(8), { min: 4 }).then((x) => { settled = true; return x; });
  await flush();
  c.enqueue(new Uint8Array([1, 2]));
  await flush();
  eq(settled, false, "2 bytes are not enough");
  c.enqueue(new Uint8Array([3, 4, 5]));
  const { value } = await p;
  deepEq(Array.from(value), [1, 2, 3, 4, 5]);
} };

export const respondChecks = { async test() {
  let req;
  const rs = byteStream({ pull(c) { req = c.byobRequest; } });
  const r = rs.getReader({ mode: "byob" });
  const p = r.read(new Uint8Array(4));
  await flush();
  throws(() => req.respond(0), TypeError, /greater than 0/);
  throws(() => req.respond(5), RangeError);
  throws(() => req.respond(-1), TypeError);
  throws(() => req.respond(NaN), TypeError);
  throws(() => req.respondWithNewView(new Uint8Array(5)), RangeError);
  throws(() => req.respondWithNewView("x"), TypeError);
  req.view[0] = 99;
  req.respond(1);
  throws(() => req.respond(1), TypeError, /already/);
  deepEq(Array.from((await p).value), [99]);
} };

export const respondWithNewView = { async test() {
  const rs = byteStream({ pull(c) {
    const v = c.byobRequest.view;
    const mine = new Uint8Array(v.buffer, v.byteOffset, 2);
    mine.set([5, 6]);
    c.byobRequest.respondWithNewView(mine);
  } });
  const r = rs.getReader({ mode: "byob" });
  const { value } = await r.read(new Uint8Array(4));
  deepEq(Array.from(value), [5, 6]);
} };

export const closeWithPendingByobRead = { async test() {
  let ctl;
  const rs = byteStream({ start(c) { ctl = c; } });
  const r = rs.getReader({ mode: "byob" });
  const p = r.read(new Uint8Array(4));
  await flush();
  ctl.close();
  eq(ctl.byobRequest.view.byteLength, 4, "the request stays until answered");
  throws(() => ctl.byobRequest.respond(1), TypeError, /closed/);
  ctl.byobRequest.respond(0);
  const { value, done } = await p;
  eq(done, true);
  eq(value.byteLength, 0, "the memory comes back, empty");
  eq(value.buffer.byteLength, 4);
  const after = await r.read(new Uint8Array(2));
  eq(after.done, true);
  eq(after.value.byteLength, 0);
} };

export const closeWithPartialElementErrors = { async test() {
  const rs = byteStream();
  const c = rs.controller();
  const r = rs.getReader({ mode: "byob" });
  const p = r.read(new Uint16Array(2));
  await flush();
  c.byobRequest.respond(1); // half an element
  throws(() => c.close(), TypeError);
  await rejects(p, TypeError);
} };

export const queuedBytesThenClose = { async test() {
  const rs = byteStream();
  const c = rs.controller();
  c.enqueue(new Uint8Array([1, 2, 3]));
  c.close();
  const r = rs.getReader({ mode: "byob" });
  deepEq(Array.from((await r.read(new Uint8Array(2))).value), [1, 2]);
  deepEq(Array.from((await r.read(new Uint8Array(2))).value), [3]);
  eq((await r.read(new Uint8Array(2))).done, true);
} };

export const cancelResolvesPendingByobReads = { async test() {
  let reason;
  const rs = byteStream({ cancel(r) { reason = r; } });
  const r = rs.getReader({ mode: "byob" });
  const p = r.read(new Uint8Array(4));
  await r.cancel("stop");
  deepEq(await p, { done: true }, "canceled: value undefined");
  eq(reason, "stop");
} };

export const releaseLockWithPendingByobRead = { async test() {
  let req;
  const rs = byteStream({ pull(c) { req = c.byobRequest; } });
  const r = rs.getReader({ mode: "byob" });
  const p = r.read(new Uint8Array(4));
  await flush();
  r.releaseLock();
  await rejects(p, TypeError);
  // The source may still answer the request; the bytes go to the queue for the next reader.
  req.view.set([7, 8]);
  req.respond(2);
  const { value } = await rs.getReader().read();
  deepEq(Array.from(value), [7, 8]);
} };

export const errorRejectsByobReads = { async test() {
  const e = new Error("byte error");
  const rs = byteStream();
  const r = rs.getReader({ mode: "byob" });
  const p = r.read(new Uint8Array(1));
  rs.controller().error(e);
  eq(await rejects(p), e);
  eq(await rejects(r.closed), e);
  eq(await rejects(r.read(new Uint8Array(1))), e);
} };

// ---- autoAllocateChunkSize ------------------------------------------------------------------

export const autoAllocateGivesDefaultReadersARequest = { async test() {
  const sizes = [];
  const rs = byteStream({ autoAllocateChunkSize: 32, pull(c) {
    const req = c.byobRequest;
    ok(req, "a BYOB request even for a default reader");
    sizes.push(req.view.byteLength);
    req.view.fill(1, 0, 5);
    req.respond(5);
  } });
  const { value } = await rs.getReader().read();
  eq(value.constructor, Uint8Array);
  eq(value.byteLength, 5);
  eq(value.buffer.byteLength, 32);
  deepEq(sizes, [32]);
} };

export const hugeAutoAllocateFailsTheRead = { async test() {
  const rs = byteStream({ autoAllocateChunkSize: 2 ** 52 });
  await rejects(rs.getReader().read(), RangeError);
} };

// ---- Default readers, iteration, piping ---------------------------------------------------------

export const defaultReaderAndBackpressure = { async test() {
  let pulls = 0;
  const rs = byteStream({ strategy: { highWaterMark: 4 }, pull(c) { pulls++; c.enqueue(new Uint8Array(3)); } });
  await flush();
  eq(pulls, 2, "pulled until 4 bytes were queued");
  eq(rs.controller().desiredSize, -2);
  const r = rs.getReader();
  eq((await r.read()).value.byteLength, 3);
  await flush();
  eq(pulls, 3);
} };

export const asyncIterationAndPipe = { async test() {
  const make = () => byteStream({ start(c) { c.enqueue(new Uint8Array([1])); c.enqueue(new Uint8Array([2, 3])); c.close(); } });
  const seen = [];
  for await (const chunk of make()) seen.push(...chunk);
  deepEq(seen, [1, 2, 3]);
  const written = [];
  await make().pipeTo(new WritableStream({ write(c) { written.push(...c); } }));
  deepEq(written, [1, 2, 3]);
} };

// ---- tee -----------------------------------------------------------------------------------------

export const teeClonesChunks = { async test() {
  const rs = byteStream();
  const [a, b] = rs.tee();
  const ra = a.getReader(), rb = b.getReader();
  const pa = ra.read(), pb = rb.read();
  rs.controller().enqueue(new Uint8Array([4, 5]));
  const [x, y] = await Promise.all([pa, pb]);
  deepEq(Array.from(x.value), [4, 5]);
  deepEq(Array.from(y.value), [4, 5]);
  ok(x.value.buffer !== y.value.buffer, "each branch has its own copy");
  x.value[0] = 0;
  eq(y.value[0], 4);
} };

export const teeWithByobReaders = { async test() {
  const rs = byteStream();
  const [a, b] = rs.tee();
  const ra = a.getReader({ mode: "byob" });
  const rb = b.getReader({ mode: "byob" });
  const pa = ra.read(new Uint8Array(8));
  await flush();
  rs.controller().enqueue(new Uint8Array([1, 2, 3]));
  deepEq(Array.from((await pa).value), [1, 2, 3]);
  deepEq(Array.from((await rb.read(new Uint8Array(2))).value), [1, 2]);
  deepEq(Array.from((await rb.read(new Uint8Array(2))).value), [3]);
  rs.controller().close();
  eq((await ra.read(new Uint8Array(1))).done, true);
  eq((await rb.read(new Uint8Array(1))).done, true);
} };

export const teeCancelBothAndErrors = { async test() {
  let reason;
  const rs = byteStream({ cancel(r) { reason = r; } });
  const [a, b] = rs.tee();
  await Promise.all([a.cancel("x"), b.cancel("y")]);
  deepEq(reason, ["x", "y"]);
  const e = new Error("tee error");
  const rs2 = byteStream();
  const [c, d] = rs2.tee();
  const rc = c.getReader({ mode: "byob" }), rd = d.getReader();
  rs2.controller().error(e);
  eq(await rejects(rc.closed), e);
  eq(await rejects(rd.closed), e);
} };

export const manyByobReads = { async test() {
  let next = 0;
  const rs = byteStream({ pull(c) {
    const v = c.byobRequest.view;
    const n = Math.min(v.byteLength, 7);
    for (let i = 0; i < n; i++) v[i] = next++ & 255;
    c.byobRequest.respond(n);
    if (next >= 20000) c.close();
  } });
  const r = rs.getReader({ mode: "byob" });
  let buffer = new ArrayBuffer(64), total = 0, expect = 0;
  for (;;) {
    const { value, done } = await r.read(new Uint8Array(buffer));
    if (done) break;
    for (const x of value) eq(x, expect++ & 255);
    total += value.byteLength;
    buffer = value.buffer;
  }
  eq(total, next);
} };
