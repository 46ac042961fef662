// WritableStream (Streams Standard §5): the underlying sink's start/write/close/abort, the
// writer (ready, closed, desiredSize, write, close, abort, releaseLock), back-pressure
// through desiredSize and the ready promise, the erroring → errored states, the
// controller's error() and signal, and the order in which the promises settle.
import { eq, ok, throws, rejects, deepEq } from "./assert.js";

const delay = (ms) => new Promise((r) => setTimeout(r, ms));
const flush = () => delay(0);
const error1 = new Error("error1");
const error2 = new Error("error2");

// A sink that records its calls; write/close/abort behaviour can be replaced.
function recording(overrides = {}, strategy) {
  const events = [];
  let controller;
  const ws = new WritableStream({
    start(c) { controller = c; return overrides.start?.(c); },
    write(chunk, c) { events.push("write", chunk); return overrides.write?.(chunk, c); },
    close() { events.push("close"); return overrides.close?.(); },
    abort(r) { events.push("abort", r); return overrides.abort?.(r); },
  }, strategy);
  ws.events = events;
  ws.controller = () => controller;
  return ws;
}

// ---- Shape -----------------------------------------------------------------------------

export const webIdlShape = { async test() {
  deepEq(Object.getOwnPropertyNames(WritableStream.prototype).sort(),
         ["abort", "close", "constructor", "getWriter", "locked"]);
  deepEq(Object.getOwnPropertyNames(WritableStreamDefaultWriter.prototype).sort(),
         ["abort", "close", "closed", "constructor", "desiredSize", "ready", "releaseLock", "write"]);
  deepEq(Object.getOwnPropertyNames(WritableStreamDefaultController.prototype).sort(),
         ["constructor", "error", "signal"]);
  eq(WritableStream.length, 0);
  eq(WritableStreamDefaultWriter.length, 1);
  eq(WritableStreamDefaultWriter.prototype.write.length, 0);
  eq(WritableStream.prototype.abort.length, 0);
  throws(() => WritableStream(), TypeError);
  throws(() => new WritableStreamDefaultController(), TypeError);
  throws(() => WritableStream.prototype.getWriter.call({}), TypeError);
  await rejects(WritableStream.prototype.abort.call({}), TypeError);
  await rejects(WritableStream.prototype.close.call({}), TypeError);
  await rejects(WritableStreamDefaultWriter.prototype.write.call({}), TypeError);
  const closed = Object.getOwnPropertyDescriptor(WritableStreamDefaultWriter.prototype, "closed").get;
  await rejects(closed.call({}), TypeError);
  eq(Object.prototype.toString.call(new WritableStream()), "[object WritableStream]");
} };

export const constructorArguments = { test() {
  new WritableStream();
  new WritableStream(undefined);
  new WritableStream({});
  throws(() => new WritableStream(null), TypeError);
  throws(() => new WritableStream({ write: 1 }), TypeError);
  throws(() => new WritableStream({ close: "x" }), TypeError);
  throws(() => new WritableStream({ type: "bytes" }), RangeError);
  throws(() => new WritableStream({ type: null }), RangeError, undefined, "null is a value, not absent");
  throws(() => new WritableStream({}, { highWaterMark: -1 }), RangeError);
  throws(() => new WritableStream({}, { size: {} }), TypeError);
  const log = [];
  new WritableStream(new Proxy({}, { get(t, k) { if (typeof k === "string") log.push(k); } }),
                     new Proxy({}, { get(t, k) { if (typeof k === "string") log.push("s." + k); } }));
  deepEq(log, ["s.highWaterMark", "s.size", "abort", "close", "start", "type", "write"]);
} };

export const startIsSynchronousAndItsErrorsAreRethrown = { test() {
  let self, ctrl;
  const sink = { start(c) { self = this; ctrl = c; } };
  new WritableStream(sink);
  eq(self, sink);
  ok(ctrl instanceof WritableStreamDefaultController);
  ok(ctrl.signal instanceof AbortSignal);
  throws(() => new WritableStream({ start() { throw error1; } }), Error, /error1/);
} };

// ---- Writing and back-pressure -------------------------------------------------------------

export const writesWaitForStartAndRunOneAtATime = { async test() {
  let resolveStart, resolveWrite;
  const ws = recording({
    start: () => new Promise((r) => (resolveStart = r)),
    write: () => new Promise((r) => (resolveWrite = r)),
  }, { highWaterMark: 10 });
  const w = ws.getWriter();
  const p1 = w.write("a"), p2 = w.write("b");
  await flush();
  deepEq(ws.events, [], "no write before start settles");
  resolveStart();
  await flush();
  deepEq(ws.events, ["write", "a"]);
  resolveWrite();
  await p1;
  await flush();
  deepEq(ws.events, ["write", "a", "write", "b"], "the next write starts after the previous one");
  resolveWrite();
  await p2;
} };

export const desiredSizeAndReady = { async test() {
  const resolvers = [];
  const ws = new WritableStream({ write: () => new Promise((r) => resolvers.push(r)) },
                                { highWaterMark: 2 });
  const w = ws.getWriter();
  eq(w.desiredSize, 2);
  const ready0 = w.ready;
  await ready0;
  w.write(1);
  eq(w.desiredSize, 1);
  w.write(2);
  eq(w.desiredSize, 0);
  ok(w.ready !== ready0, "back-pressure: a new ready promise");
  let readyNow = false;
  w.ready.then(() => (readyNow = true));
  await flush();
  eq(readyNow, false, "pending while desiredSize <= 0");
  resolvers.shift()();
  await flush();
  eq(w.desiredSize, 1);
  eq(readyNow, true, "resolved once a write completed");
} };

export const sizeFunctionAndBadSizes = { async test() {
  const ws = new WritableStream({}, { highWaterMark: 10, size: (c) => c.length });
  const w = ws.getWriter();
  w.write("abcd");
  eq(w.desiredSize, 6);
  const bad = new WritableStream({}, { size: () => -1 }).getWriter();
  await rejects(bad.write("x"), RangeError);
  await rejects(bad.closed, RangeError, undefined, "the stream is errored");
  const throwing = new WritableStream({}, { size() { throw error1; } }).getWriter();
  eq(await rejects(throwing.write("x")), error1);
  eq(throwing.desiredSize, null);
} };

export const writeRejectsWhenTheSinkWriteFails = { async test() {
  const ws = recording({ write: () => Promise.reject(error1) });
  const w = ws.getWriter();
  eq(await rejects(w.write("a")), error1);
  eq(await rejects(w.closed), error1);
  eq(await rejects(w.write("b")), error1, "errored: later writes reject with the stored error");
  eq(w.desiredSize, null);
} };

export const writeAfterCloseRejects = { async test() {
  const w = new WritableStream().getWriter();
  w.close();
  await rejects(w.write("late"), TypeError, /closing or closed/);
  await rejects(w.close(), TypeError);
} };

// ---- Close ----------------------------------------------------------------------------

export const closeWaitsForQueuedWrites = { async test() {
  const ws = recording({ write: () => delay(1) }, { highWaterMark: 5 });
  const w = ws.getWriter();
  w.write(1);
  w.write(2);
  const closed = w.close();
  eq(w.desiredSize, 3, "the close sentinel has size 0");
  await closed;
  deepEq(ws.events, ["write", 1, "write", 2, "close"]);
  eq(await w.closed, undefined);
  eq(w.desiredSize, 0);
} };

export const closeResolvesReadyUnderBackpressure = { async test() {
  const w = new WritableStream({ write: () => new Promise(() => {}) }, { highWaterMark: 1 }).getWriter();
  await w.ready;
  w.write("x");
  w.write("y");
  const ready = w.ready;
  w.close();
  await ready; // WritableStreamClose resolves a pending ready promise
} };

export const closeRejectsWhenTheSinkCloseFails = { async test() {
  const w = recording({ close: () => { throw error1; } }).getWriter();
  eq(await rejects(w.close()), error1);
  eq(await rejects(w.closed), error1);
} };

export const streamCloseAndAbortNeedAnUnlockedStream = { async test() {
  const ws = new WritableStream();
  const w = ws.getWriter();
  await rejects(ws.close(), TypeError);
  await rejects(ws.abort(), TypeError);
  w.releaseLock();
  await ws.close();
  await rejects(ws.close(), TypeError, /closed/);
} };

// ---- Abort --------------------------------------------------------------------------------

export const abortErrorsEverything = { async test() {
  const ws = recording();
  const w = ws.getWriter(); // not started yet: abort leaves the stream "erroring" for now
  const order = [];
  const ready = w.ready;
  const abort = w.abort(error1);
  ok(w.ready !== ready, "a fulfilled ready promise is replaced by a rejected one");
  w.ready.catch(() => order.push("ready"));
  w.closed.catch(() => order.push("closed"));
  // Called while the stream is erroring: both reject with the abort reason.
  const write = w.write("x"), close = w.close();
  eq(await rejects(write), error1);
  eq(await rejects(close), error1);
  eq(await abort, undefined);
  await rejects(w.close(), TypeError, /errored/, "once errored, close() is a TypeError");
  // A started stream with nothing in flight goes straight to "errored".
  const w2 = new WritableStream().getWriter();
  await flush();
  w2.abort(error1);
  await rejects(w2.close(), TypeError);
  eq(await rejects(w2.write()), error1);
  deepEq(ws.events, ["abort", error1]);
  deepEq(order, ["ready", "closed"], "ready rejects before closed");
  eq(w.desiredSize, null);
} };

export const abortWaitsForTheWriteInFlight = { async test() {
  let resolveWrite;
  const ws = recording({ write: () => new Promise((r) => (resolveWrite = r)) }, { highWaterMark: 4 });
  const w = ws.getWriter();
  await w.ready;
  const p1 = w.write(1), p2 = w.write(2);
  const abort = w.abort("why");
  await flush();
  deepEq(ws.events, ["write", 1], "the sink's abort waits for the write in flight");
  const order = [];
  p1.then(() => order.push(1));
  p2.catch((e) => order.push(2, e));
  resolveWrite();
  await abort;
  deepEq(ws.events, ["write", 1, "abort", "why"]);
  deepEq(order, [1, 2, "why"], "the queued write rejects with the reason, in order");
} };

export const abortDuringCloseIsIgnored = { async test() {
  let resolveClose;
  const ws = recording({ close: () => new Promise((r) => (resolveClose = r)) });
  const w = ws.getWriter();
  await w.ready;
  const closed = w.close();
  await flush();
  const abort = w.abort(error1);
  resolveClose();
  await Promise.all([closed, abort, w.closed]);
  deepEq(ws.events, ["close"], "no abort once close started");
} };

export const abortResultFollowsTheSink = { async test() {
  eq(await new WritableStream({ abort() { return "ignored"; } }).abort("x"), undefined);
  const ws = new WritableStream({ abort() { throw error1; } });
  const w = ws.getWriter();
  const a = w.abort(), b = w.abort();
  eq(a, b, "a pending abort is returned again");
  eq(await rejects(a), error1);
  let thenCalled = false;
  await new WritableStream({ abort() { return { then(f) { thenCalled = true; f(); } }; } }).abort();
  ok(thenCalled, "a thenable result is followed");
} };

export const abortOfClosedOrErroredStreamFulfills = { async test() {
  const ws = new WritableStream();
  const w = ws.getWriter();
  await w.close();
  w.releaseLock();
  eq(await ws.abort(), undefined);
  const errored = new WritableStream({ start(c) { c.error(error1); } });
  await flush();
  eq(await errored.abort(), undefined, "errored: nothing to do");
  // Still erroring (start has not settled): the abort reports the stored error.
  const erroring = new WritableStream({ start(c) { c.error(error1); } });
  eq(await rejects(erroring.abort(error2)), error1);
} };

export const abortSignalsTheController = { async test() {
  let c;
  const ws = new WritableStream({ start(x) { c = x; } });
  ws.abort(error1);
  ok(c.signal.aborted, "synchronously");
  eq(c.signal.reason, error1);
  let c2;
  const ws2 = new WritableStream({ start(x) { c2 = x; } });
  ws2.abort();
  eq(c2.signal.reason.name, "AbortError", "no reason: an AbortError DOMException");
} };

export const abortWhileErroringGetsTheStoredError = { async test() {
  let resolveWrite;
  const ws = new WritableStream({ write: () => new Promise((r) => (resolveWrite = r)) });
  const w = ws.getWriter();
  await w.ready;
  w.write("x");
  ws.controller;
  const first = w.abort(error1);
  const second = w.abort(error2);
  eq(first, second, "the pending abort request is shared");
  resolveWrite();
  await first;
  eq(await rejects(w.closed), error1);
} };

// ---- Controller error ---------------------------------------------------------------------

export const controllerErrorErrorsTheStream = { async test() {
  const ws = recording();
  const w = ws.getWriter();
  ws.controller().error(error1);
  eq(await rejects(w.ready), error1);
  eq(await rejects(w.write("x")), error1);
  eq(await rejects(w.closed), error1);
  ws.controller().error(error2); // no effect once errored
  eq(await rejects(w.closed), error1);
  deepEq(ws.events, [], "abort is not called for controller.error()");
} };

export const startRejectionErrorsTheStream = { async test() {
  const w = new WritableStream({ start: () => Promise.reject(error1) }).getWriter();
  eq(await rejects(w.closed), error1);
} };

// ---- Writers and locking -------------------------------------------------------------------

export const writerLocking = { async test() {
  const ws = new WritableStream();
  const w = ws.getWriter();
  eq(ws.locked, true);
  throws(() => ws.getWriter(), TypeError);
  throws(() => new WritableStreamDefaultWriter(ws), TypeError);
  const closed = w.closed;
  w.releaseLock();
  w.releaseLock();
  eq(ws.locked, false);
  await rejects(closed, TypeError, /released/);
  await rejects(w.ready, TypeError);
  await rejects(w.write(), TypeError);
  await rejects(w.close(), TypeError);
  await rejects(w.abort(), TypeError);
  throws(() => w.desiredSize, TypeError);
  const w2 = new WritableStreamDefaultWriter(ws);
  eq(w2.desiredSize, 1);
  throws(() => new WritableStreamDefaultWriter({}), TypeError);
} };

export const writerOfErroredStream = { async test() {
  const ws = new WritableStream({ start(c) { c.error(error1); } });
  await flush();
  const w = ws.getWriter();
  eq(await rejects(w.ready), error1);
  eq(await rejects(w.closed), error1);
  eq(w.desiredSize, null);
} };

export const writerOfClosedStream = { async test() {
  const ws = new WritableStream();
  await ws.close();
  const w = ws.getWriter();
  await w.ready;
  await w.closed;
  eq(w.desiredSize, 0);
} };

// A size function that releases the lock while write() runs.
export const sizeFunctionReleasingTheWriter = { async test() {
  let w;
  const ws = new WritableStream({}, { size() { w.releaseLock(); return 1; } });
  w = ws.getWriter();
  await rejects(w.write("x"), TypeError);
  eq(ws.locked, false);
} };

// ---- Timing -------------------------------------------------------------------------------

// A write's promise settles right after the sink's write promise: the reaction resolves it.
export const writeSettlesInOrderWithClose = { async test() {
  const ws = new WritableStream();
  const w = ws.getWriter();
  const order = [];
  w.write("a").then(() => order.push("write a"));
  w.write("b").then(() => order.push("write b"));
  w.close().then(() => order.push("close"));
  w.closed.then(() => order.push("closed"));
  await w.closed;
  await flush();
  deepEq(order, ["write a", "write b", "close", "closed"]);
} };

export const manyWrites = { async test() {
  let total = 0;
  const ws = new WritableStream({ write(c) { total += c; } }, { highWaterMark: 16 });
  const w = ws.getWriter();
  for (let i = 0; i < 5000; i++) {
    if (w.desiredSize <= 0) await w.ready;
    w.write(i);
  }
  await w.close();
  eq(total, 4999 * 2500);
} };
