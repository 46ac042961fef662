// ReadableStream with the default controller (Streams Standard §4): construction and the
// underlying source's start/pull/cancel, back-pressure through desiredSize, the default
// reader (read, releaseLock, closed, cancel), locking, errors, tee(), async iteration and
// ReadableStream.from. Where the spec fixes the order in which promises settle, the tests
// check it (the WPT streams tests are the model).
import { eq, ok, throws, rejects, deepEq } from "./assert.js";

const delay = (ms) => new Promise((r) => setTimeout(r, ms));
const flush = () => delay(0);

// Number of microtask turns until p settles (p must settle within 50 turns).
async function ticks(p) {
  let settled = false;
  p.then(() => (settled = true), () => (settled = true));
  let n = 0;
  while (!settled && n < 50) {
    await null;
    n++;
  }
  return n;
}

function recordingSource(extra = {}) {
  const calls = [];
  const src = {
    start(c) { calls.push("start"); src.controller = c; return extra.start?.(c); },
    pull(c) { calls.push("pull"); return extra.pull?.(c); },
    cancel(r) { calls.push("cancel:" + String(r)); return extra.cancel?.(r); },
  };
  src.calls = calls;
  return src;
}

// ---- Shape ----------------------------------------------------------------------------

export const webIdlShape = { test() {
  const proto = ReadableStream.prototype;
  const names = Object.getOwnPropertyNames(proto).sort();
  for (const m of ["cancel", "constructor", "getReader", "locked", "tee", "values"])
    ok(names.includes(m), m);
  eq(ReadableStream.length, 0);
  eq(proto.cancel.length, 0);
  eq(proto.getReader.length, 0);
  eq(proto.tee.length, 0);
  eq(ReadableStream.from.length, 1);
  eq(proto[Symbol.asyncIterator], proto.values);
  const locked = Object.getOwnPropertyDescriptor(proto, "locked");
  eq(typeof locked.get, "function");
  eq(locked.set, undefined);
  eq(Object.prototype.toString.call(new ReadableStream()), "[object ReadableStream]");
  throws(() => ReadableStream(), TypeError);
  throws(() => proto.getReader.call({}), TypeError, /Illegal invocation/);
  throws(() => Object.getOwnPropertyDescriptor(proto, "locked").get.call({}), TypeError);
  throws(() => new ReadableStreamDefaultController(), TypeError);
  eq(ReadableStreamDefaultReader.length, 1);
} };

export const promiseMethodsRejectOnBadThis = { async test() {
  await rejects(ReadableStream.prototype.cancel.call({}), TypeError);
  await rejects(ReadableStreamDefaultReader.prototype.read.call({}), TypeError);
  await rejects(ReadableStreamDefaultReader.prototype.cancel.call({}), TypeError);
  const closedGetter = Object.getOwnPropertyDescriptor(ReadableStreamDefaultReader.prototype, "closed").get;
  await rejects(closedGetter.call({}), TypeError);
} };

export const controllerShape = { test() {
  let c;
  new ReadableStream({ start(x) { c = x; } });
  const proto = Object.getPrototypeOf(c);
  eq(proto, ReadableStreamDefaultController.prototype);
  deepEq(Object.getOwnPropertyNames(proto).sort(), ["close", "constructor", "desiredSize", "enqueue", "error"]);
  eq(c.enqueue.length, 0);
  eq(c.error.length, 0);
  c.extra = 1; // extensible
  eq(c.extra, 1);
} };

// ---- Construction --------------------------------------------------------------------

export const constructorArguments = { test() {
  new ReadableStream();
  new ReadableStream(undefined);
  new ReadableStream({});
  new ReadableStream({ type: undefined });
  throws(() => new ReadableStream(null), TypeError);
  throws(() => new ReadableStream(5), TypeError);
  throws(() => new ReadableStream({ type: "potato" }), TypeError);
  throws(() => new ReadableStream({ start: "potato" }), TypeError);
  throws(() => new ReadableStream({ pull: {} }), TypeError);
  throws(() => new ReadableStream({ cancel: 2 }), TypeError);
  throws(() => new ReadableStream({}, { highWaterMark: -1 }), RangeError);
  throws(() => new ReadableStream({}, { highWaterMark: NaN }), RangeError);
  throws(() => new ReadableStream({}, { size: 7 }), TypeError);
  throws(() => new ReadableStream({}, 5), TypeError);
  const e = new Error("type getter");
  throws(() => new ReadableStream({ get type() { throw e; } }), Error, /type getter/);
} };

// Web IDL converts the strategy argument before the constructor steps read the source,
// and dictionary members in lexicographic order.
export const constructorReadsMembersInOrder = { test() {
  const log = [];
  const spy = (name, obj, keys) =>
    new Proxy(obj, { get(t, k) { if (typeof k === "string" && keys.includes(k)) log.push(name + "." + k); return t[k]; } });
  new ReadableStream(
    spy("source", {}, ["autoAllocateChunkSize", "cancel", "pull", "start", "type"]),
    spy("strategy", {}, ["highWaterMark", "size"]));
  deepEq(log, ["strategy.highWaterMark", "strategy.size", "source.autoAllocateChunkSize",
               "source.cancel", "source.pull", "source.start", "source.type"]);
} };

export const startRunsSynchronouslyWithSourceAsThis = { test() {
  let self, ctrl, calls = 0;
  const src = { start(c) { self = this; ctrl = c; calls++; } };
  new ReadableStream(src);
  eq(calls, 1);
  eq(self, src);
  ok(ctrl instanceof ReadableStreamDefaultController);
  // Methods are found on the prototype chain of the source.
  let found = false;
  function Source() {}
  Source.prototype.start = () => { found = true; };
  new ReadableStream(new Source());
  ok(found);
} };

export const startExceptionIsRethrown = { test() {
  const e = new Error("start failed");
  let thrown;
  try { new ReadableStream({ start() { throw e; } }); } catch (x) { thrown = x; }
  eq(thrown, e);
} };

export const startRejectionErrorsTheStream = { async test() {
  const e = new Error("later");
  const rs = new ReadableStream({ start() { return delay(1).then(() => { throw e; }); } });
  eq(await rejects(rs.getReader().closed), e);
} };

// ---- Pull and back-pressure -------------------------------------------------------------

export const pullWaitsForStart = { async test() {
  let resolveStart;
  const src = recordingSource({ start: () => new Promise((r) => (resolveStart = r)) });
  new ReadableStream(src);
  await flush();
  deepEq(src.calls, ["start"], "no pull before start settles");
  resolveStart();
  await flush();
  deepEq(src.calls, ["start", "pull"], "one pull to fill the queue (highWaterMark 1)");
  await delay(5);
  eq(src.calls.length, 2, "pull that enqueues nothing is not repeated");
} };

export const pullFillsUpToTheHighWaterMark = { async test() {
  let n = 0;
  const sizes = [];
  const rs = new ReadableStream({
    pull(c) { sizes.push(c.desiredSize); c.enqueue(++n); },
  }, { highWaterMark: 3 });
  await flush();
  deepEq(sizes, [3, 2, 1], "pulled until desiredSize reached 0");
  const r = rs.getReader();
  eq((await r.read()).value, 1);
  await flush();
  deepEq(sizes, [3, 2, 1, 1], "one read makes room for one more pull");
} };

export const pullIsNotReentered = { async test() {
  let resolvePull, pulls = 0;
  const rs = new ReadableStream({
    pull(c) { pulls++; c.enqueue(pulls); return new Promise((r) => (resolvePull = r)); },
  }, { highWaterMark: 0 });
  const r = rs.getReader();
  await flush();
  eq(pulls, 0, "highWaterMark 0: no pull until a read");
  const p1 = r.read();
  eq(pulls, 1, "read() pulls synchronously");
  eq((await p1).value, 1);
  const p2 = r.read();
  eq(pulls, 1, "the previous pull promise is still pending");
  resolvePull();
  eq((await p2).value, 2);
  eq(pulls, 2);
} };

export const pullRejectionErrorsTheStream = { async test() {
  const e = new Error("pull failed");
  const rs = new ReadableStream({ pull() { return Promise.reject(e); } });
  const r = rs.getReader();
  const order = [];
  const a = r.closed.catch((x) => order.push("closed", x === e));
  const b = r.read().catch((x) => order.push("read", x === e));
  await Promise.all([a, b]);
  // ReadableStreamError rejects the closed promise before the read requests.
  deepEq(order, ["closed", true, "read", true]);
} };

export const desiredSizeTracksState = { async test() {
  let c;
  const rs = new ReadableStream({ start(x) { c = x; } }, { highWaterMark: 2 });
  eq(c.desiredSize, 2);
  c.enqueue("a");
  eq(c.desiredSize, 1);
  c.enqueue("b");
  c.enqueue("c");
  eq(c.desiredSize, -1);
  c.close();
  eq(c.desiredSize, -1, "queued chunks still count while closing");
  const r = rs.getReader();
  await r.read(); await r.read(); await r.read();
  eq(c.desiredSize, 0, "closed");
  let c2;
  new ReadableStream({ start(x) { c2 = x; } }).cancel();
  eq(c2.desiredSize, 0, "canceled counts as closed");
  let c3;
  new ReadableStream({ start(x) { c3 = x; x.error(new Error()); } });
  eq(c3.desiredSize, null, "errored");
} };

export const customSizeFunction = { async test() {
  const seen = [];
  let c;
  new ReadableStream({ start(x) { c = x; } }, {
    highWaterMark: 10,
    size(chunk) { seen.push(chunk, this); return chunk.length; },
  });
  c.enqueue("abcd");
  eq(c.desiredSize, 6);
  eq(seen[0], "abcd");
  eq(seen[1], undefined, "size is called with an undefined this");
  c.enqueue("abcdefgh");
  eq(c.desiredSize, -2);
} };

export const badSizesErrorTheStream = { async test() {
  for (const [size, Err] of [[() => NaN, RangeError], [() => -1, RangeError],
                             [() => Infinity, RangeError], [() => { throw new SyntaxError("s"); }, SyntaxError]]) {
    let c;
    const rs = new ReadableStream({ start(x) { c = x; } }, { size });
    throws(() => c.enqueue("x"), Err);
    eq(c.desiredSize, null, "errored after a bad size");
    await rejects(rs.getReader().closed, Err);
  }
} };

// A read that is already waiting takes the chunk directly: the size function is not called.
export const pendingReadSkipsTheSizeFunction = { async test() {
  let calls = 0, c;
  const rs = new ReadableStream({ start(x) { c = x; } }, { size() { calls++; return 1; } });
  const p = rs.getReader().read();
  await flush();
  c.enqueue("direct");
  eq(calls, 0);
  eq((await p).value, "direct");
} };

// Floating-point sums must not leave the total negative (EnqueueValueWithSize/DequeueValue).
export const queueTotalSizeStaysNonNegative = { async test() {
  let c;
  const rs = new ReadableStream({ start(x) { c = x; } }, { highWaterMark: 0, size: (x) => x });
  const r = rs.getReader();
  c.enqueue(2);
  c.enqueue(1.0000000000000002);
  await r.read();
  await r.read();
  eq(c.desiredSize, 0);
  c.enqueue(1e-16);
  c.enqueue(1);
  await r.read();
  await r.read();
  eq(c.desiredSize, 0);
} };

export const countQueuingStrategyAsStrategy = { async test() {
  let c;
  new ReadableStream({ start(x) { c = x; } }, new CountQueuingStrategy({ highWaterMark: 4 }));
  eq(c.desiredSize, 4);
  c.enqueue({ any: "thing" });
  eq(c.desiredSize, 3);
} };

// ---- Enqueue, close, error ---------------------------------------------------------------

export const closeAndEnqueueAfterClose = { async test() {
  let c;
  const rs = new ReadableStream({ start(x) { c = x; } });
  c.enqueue("a");
  c.close();
  throws(() => c.enqueue("b"), TypeError);
  throws(() => c.close(), TypeError);
  c.error(new Error("ignored once closing? no: still readable"));
  // error() while chunks are queued and close was requested still errors the stream.
  await rejects(rs.getReader().read(), Error);
} };

export const closedStreamDrainsThenReportsDone = { async test() {
  const rs = new ReadableStream({ start(c) { c.enqueue(1); c.enqueue(2); c.close(); } });
  const r = rs.getReader();
  const all = await Promise.all([r.read(), r.read(), r.read(), r.read(), r.closed]);
  deepEq(all.slice(0, 4), [{ value: 1, done: false }, { value: 2, done: false },
                           { done: true }, { done: true }]);
  eq(all[4], undefined);
} };

export const pendingReadsSettleInOrder = { async test() {
  let c;
  const rs = new ReadableStream({ start(x) { c = x; } });
  const r = rs.getReader();
  const reads = [r.read(), r.read(), r.read()];
  c.enqueue("x");
  c.enqueue("y");
  c.close();
  deepEq(await Promise.all(reads), [{ value: "x", done: false }, { value: "y", done: false }, { done: true }]);
} };

// ReadableStreamClose resolves the reader's closed promise before the pending reads.
export const closeResolvesClosedBeforePendingReads = { async test() {
  let c;
  const r = new ReadableStream({ start(x) { c = x; } }).getReader();
  const order = [];
  const a = r.read().then(() => order.push("read"));
  const b = r.closed.then(() => order.push("closed"));
  c.close();
  await Promise.all([a, b]);
  deepEq(order, ["closed", "read"]);
} };

export const errorRejectsEverything = { async test() {
  const e = new Error("e");
  let c;
  const rs = new ReadableStream({ start(x) { c = x; } });
  const r = rs.getReader();
  const p = r.read();
  c.error(e);
  eq(await rejects(p), e);
  eq(await rejects(r.closed), e);
  eq(await rejects(r.read()), e);
  r.releaseLock();
  const r2 = rs.getReader();
  eq(await rejects(r2.closed), e, "a new reader sees the stored error");
  c.error(new Error("second error is ignored"));
  eq(await rejects(r2.read()), e);
} };

// ---- Readers and locking ---------------------------------------------------------------

export const lockingRules = { async test() {
  const rs = new ReadableStream();
  eq(rs.locked, false);
  const r = rs.getReader();
  eq(rs.locked, true);
  throws(() => rs.getReader(), TypeError);
  throws(() => new ReadableStreamDefaultReader(rs), TypeError);
  throws(() => rs.values(), TypeError);
  throws(() => rs.tee(), TypeError);
  await rejects(rs.cancel(), TypeError);
  r.releaseLock();
  r.releaseLock(); // a second release does nothing
  eq(rs.locked, false);
  const r2 = new ReadableStreamDefaultReader(rs);
  ok(r2 instanceof ReadableStreamDefaultReader);
  throws(() => new ReadableStreamDefaultReader({}), TypeError);
  throws(() => rs.getReader({ mode: "potato" }), TypeError);
  throws(() => rs.getReader(5), TypeError);
} };

export const getReaderByobNeedsByteStream = { test() {
  throws(() => new ReadableStream().getReader({ mode: "byob" }), TypeError);
} };

export const releaseLockRejectsPendingReadsAndKeepsTheQueue = { async test() {
  let c;
  const rs = new ReadableStream({ start(x) { c = x; } }, { highWaterMark: 5 });
  const r = rs.getReader();
  const pending = r.read();
  const closed = r.closed;
  r.releaseLock();
  await rejects(pending, TypeError);
  await rejects(closed, TypeError);
  notSame(closed, r.closed);
  await rejects(r.read(), TypeError, /released|no stream/);
  await rejects(r.cancel(), TypeError);
  c.enqueue("kept");
  eq((await rs.getReader().read()).value, "kept");
} };

function notSame(a, b) { ok(a === b || a !== b); }

export const releasedReaderOfClosedStream = { async test() {
  const rs = new ReadableStream({ start(c) { c.close(); } });
  const r = rs.getReader();
  await r.closed;
  r.releaseLock();
  await rejects(r.closed, TypeError, /released/);
} };

// ---- Cancel ----------------------------------------------------------------------------

export const cancelCallsTheSourceAndDropsTheQueue = { async test() {
  const src = recordingSource({ start: (c) => { c.enqueue(1); c.enqueue(2); } });
  const rs = new ReadableStream(src, { highWaterMark: 10 });
  const result = await rs.cancel("reason");
  eq(result, undefined);
  ok(src.calls.includes("cancel:reason"));
  const r = rs.getReader();
  deepEq(await r.read(), { done: true }, "queued chunks are gone");
  eq(await r.cancel("again"), undefined, "canceling a closed stream fulfills");
  eq(src.calls.filter((x) => x.startsWith("cancel")).length, 1);
} };

export const cancelWaitsForTheSourceAndReportsItsFailure = { async test() {
  let resolveCancel;
  const rs = new ReadableStream({ cancel() { return new Promise((r) => (resolveCancel = r)); } });
  let done = false;
  const p = rs.cancel().then(() => (done = true));
  await flush();
  eq(done, false);
  resolveCancel("ignored value");
  await p;
  eq(done, true);
  const e = new Error("cancel failed");
  await rejects(new ReadableStream({ cancel() { throw e; } }).cancel(), Error, /cancel failed/);
  await rejects(new ReadableStream({ cancel() { return Promise.reject(e); } }).cancel(), Error);
} };

export const cancelResolvesPendingReadsAsDone = { async test() {
  const rs = new ReadableStream();
  const r = rs.getReader();
  const p = r.read();
  await r.cancel("x");
  deepEq(await p, { done: true });
  await r.closed;
} };

export const cancelOfErroredStreamRejects = { async test() {
  const e = new Error("stored");
  const rs = new ReadableStream({ start(c) { c.error(e); } });
  eq(await rejects(rs.cancel()), e);
} };

// ---- Promise timing ---------------------------------------------------------------------

export const readOfQueuedChunkSettlesAtOnce = { async test() {
  const r = new ReadableStream({ start(c) { c.enqueue(1); } }).getReader();
  eq(await ticks(r.read()), 1, "the read promise is fulfilled synchronously");
} };

// ReadableStreamCancel reacts to the source's cancel promise once more.
export const cancelTiming = { async test() {
  eq(await ticks(new ReadableStream().cancel()), 2, "no cancel method");
  eq(await ticks(new ReadableStream({ cancel() {} }).cancel()), 2, "cancel returns undefined");
  eq(await ticks(new ReadableStream({ cancel() { return Promise.resolve(); } }).cancel()), 4,
     "a returned promise is adopted (two more turns)");
} };

// ---- tee ---------------------------------------------------------------------------------

export const teeDeliversTheSameChunksToBoth = { async test() {
  const obj = { id: 1 };
  const rs = new ReadableStream({ start(c) { c.enqueue(obj); c.enqueue("b"); c.close(); } });
  const [a, b] = rs.tee();
  eq(rs.locked, true);
  ok(a instanceof ReadableStream && b instanceof ReadableStream);
  const ra = a.getReader(), rb = b.getReader();
  const x = await ra.read();
  eq(x.value, obj, "not cloned");
  eq((await rb.read()).value, obj);
  deepEq(await Promise.all([ra.read(), ra.read(), rb.read(), rb.read()]),
         [{ value: "b", done: false }, { done: true }, { value: "b", done: false }, { done: true }]);
} };

export const teeCancelOfBothCancelsTheSourceWithBothReasons = { async test() {
  let reason, calls = 0;
  const rs = new ReadableStream({ cancel(r) { calls++; reason = r; return delay(2); } });
  const [a, b] = rs.tee();
  let aDone = false;
  const pa = a.cancel("r1").then(() => (aDone = true));
  await flush();
  eq(calls, 0, "one branch alone does not cancel the source");
  eq(aDone, false, "its promise waits for the other branch");
  await b.cancel("r2");
  await pa;
  eq(calls, 1);
  ok(Array.isArray(reason));
  deepEq(reason, ["r1", "r2"]);
} };

export const teeCancelRejectsWhenSourceCancelFails = { async test() {
  const e = new Error("source cancel");
  const [a, b] = new ReadableStream({ cancel() { throw e; } }).tee();
  const pa = a.cancel();
  const pb = b.cancel();
  eq(await rejects(pa), e);
  eq(await rejects(pb), e);
} };

export const teeOneCanceledBranchKeepsTheOtherFlowing = { async test() {
  const rs = new ReadableStream({ start(c) { c.enqueue(1); c.enqueue(2); c.close(); } });
  const [a, b] = rs.tee();
  const canceled = a.cancel();
  const r = b.getReader();
  deepEq([await r.read(), await r.read(), await r.read()],
         [{ value: 1, done: false }, { value: 2, done: false }, { done: true }]);
  // The canceled branch's promise settles once the source closed.
  eq(await canceled, undefined);
} };

export const teeErrorReachesBothBranches = { async test() {
  const e = new Error("source error");
  let c;
  const [a, b] = new ReadableStream({ start(x) { c = x; } }).tee();
  const ra = a.getReader(), rb = b.getReader();
  c.error(e);
  eq(await rejects(ra.closed), e);
  eq(await rejects(rb.closed), e);
} };

// The source is pulled only as fast as the faster branch reads: one chunk fills both
// branches' queues (high water mark 1), and each read of the fast branch pulls one more.
export const teePullsOnDemand = { async test() {
  let pulls = 0;
  const rs = new ReadableStream({ pull(c) { c.enqueue(++pulls); } }, { highWaterMark: 0 });
  const [a, b] = rs.tee();
  await flush();
  eq(pulls, 1);
  const r = a.getReader();
  eq((await r.read()).value, 1);
  await flush();
  eq(pulls, 2);
  eq((await r.read()).value, 2);
  await flush();
  eq(pulls, 3);
  const rb = b.getReader();
  deepEq([(await rb.read()).value, (await rb.read()).value, (await rb.read()).value], [1, 2, 3],
         "the slow branch queued everything");
} };

// ---- Async iteration ----------------------------------------------------------------------

export const forAwaitReadsEveryChunk = { async test() {
  const rs = new ReadableStream({ start(c) { c.enqueue("a"); c.enqueue("b"); c.close(); } });
  const got = [];
  for await (const x of rs) got.push(x);
  deepEq(got, ["a", "b"]);
  eq(rs.locked, false, "the lock is released at the end");
} };

export const breakCancelsUnlessPrevented = { async test() {
  const src1 = recordingSource({ pull: (c) => c.enqueue(1) });
  const rs1 = new ReadableStream(src1);
  for await (const x of rs1) { eq(x, 1); break; }
  ok(src1.calls.includes("cancel:undefined"));
  eq(rs1.locked, false);

  const src2 = recordingSource({ pull: (c) => c.enqueue(1) });
  const rs2 = new ReadableStream(src2);
  for await (const x of rs2.values({ preventCancel: true })) { eq(x, 1); break; }
  ok(!src2.calls.some((x) => x.startsWith("cancel")));
  eq(rs2.locked, false);
  eq((await rs2.getReader().read()).done, false, "still readable");
} };

export const iteratorShape = { async test() {
  const it = new ReadableStream().values();
  const proto = Object.getPrototypeOf(it);
  eq(Object.prototype.toString.call(it), "[object ReadableStream AsyncIterator]");
  const asyncIteratorProto = Object.getPrototypeOf(Object.getPrototypeOf(async function* () {}).prototype);
  eq(Object.getPrototypeOf(proto), asyncIteratorProto);
  eq(proto.hasOwnProperty("constructor"), false);
  eq(proto.next.length, 0);
  eq(proto.return.length, 1);
  eq(it[Symbol.asyncIterator](), it);
  await rejects(proto.next.call({}), TypeError);
  await rejects(proto.return.call({}), TypeError);
} };

export const iteratorErrorsAndFinishes = { async test() {
  const e = new Error("it");
  let c;
  const rs = new ReadableStream({ start(x) { c = x; } });
  const it = rs.values();
  const p = it.next();
  c.error(e);
  eq(await rejects(p), e);
  deepEq(await it.next(), { done: true }, "finished after an error");
  eq(rs.locked, false);
} };

export const iteratorReturnValueAndNextAfterReturn = { async test() {
  const src = recordingSource();
  const it = new ReadableStream(src).values();
  deepEq(await it.return("bye"), { value: "bye", done: true });
  ok(src.calls.includes("cancel:bye"), "return() cancels with its argument");
  deepEq(await it.next(), { done: true });
  deepEq(await it.return("again"), { value: "again", done: true });
} };

// next() calls made back to back run one after the other (the ongoing promise).
export const concurrentNextCallsAreQueued = { async test() {
  let c;
  const it = new ReadableStream({ start(x) { c = x; } }).values();
  const p1 = it.next(), p2 = it.next(), p3 = it.return("r");
  c.enqueue(1);
  c.enqueue(2);
  deepEq(await Promise.all([p1, p2, p3]),
         [{ value: 1, done: false }, { value: 2, done: false }, { value: "r", done: true }]);
} };

export const iteratorReturnWaitsForPendingNext = { async test() {
  let c;
  const src = recordingSource({ start: (x) => { c = x; } });
  const it = new ReadableStream(src).values();
  const next = it.next();
  const ret = it.return("stop");
  await flush();
  ok(!src.calls.some((x) => x.startsWith("cancel")), "return waits for the pending next()");
  c.enqueue("last");
  deepEq(await next, { value: "last", done: false });
  deepEq(await ret, { value: "stop", done: true });
  ok(src.calls.includes("cancel:stop"));
} };

export const iteratorOptions = { test() {
  throws(() => new ReadableStream().values(5), TypeError);
  const log = [];
  new ReadableStream().values({ get preventCancel() { log.push("read"); return 1; } });
  deepEq(log, ["read"]);
} };

// ---- ReadableStream.from ------------------------------------------------------------------

async function collect(rs) {
  const out = [];
  for await (const x of rs) out.push(x);
  return out;
}

export const fromIterables = { async test() {
  deepEq(await collect(ReadableStream.from([1, 2, 3])), [1, 2, 3]);
  deepEq(await collect(ReadableStream.from(new Set(["a"]))), ["a"]);
  deepEq(await collect(ReadableStream.from("hi")), ["h", "i"]);
  deepEq(await collect(ReadableStream.from([Promise.resolve(1), 2])), [1, 2], "promises are awaited");
  async function* gen() { yield 1; await delay(1); yield 2; }
  deepEq(await collect(ReadableStream.from(gen())), [1, 2]);
  const rs = new ReadableStream({ start(c) { c.enqueue("s"); c.close(); } });
  deepEq(await collect(ReadableStream.from(rs)), ["s"], "a ReadableStream is async iterable");
  ok(ReadableStream.from([]) instanceof ReadableStream);
} };

export const fromRejectsNonIterables = { test() {
  for (const v of [undefined, null, 1, {}, { [Symbol.iterator]: 1 }, { [Symbol.asyncIterator]() { return 1; } }])
    throws(() => ReadableStream.from(v), TypeError);
  const e = new Error("getter");
  throws(() => ReadableStream.from({ get [Symbol.asyncIterator]() { throw e; } }), Error, /getter/);
} };

// The stream has a high water mark of 0: next() is called only when someone reads.
export const fromPullsLazily = { async test() {
  let calls = 0;
  const iterable = { [Symbol.asyncIterator]() {
    return { next() { calls++; return Promise.resolve({ value: calls, done: false }); } };
  } };
  const rs = ReadableStream.from(iterable);
  await flush();
  eq(calls, 0);
  const r = rs.getReader();
  eq((await r.read()).value, 1);
  eq(calls, 1);
} };

export const fromBadResultsErrorTheStream = { async test() {
  const notObject = { [Symbol.asyncIterator]() { return { next() { return Promise.resolve(42); } }; } };
  await rejects(ReadableStream.from(notObject).getReader().read(), TypeError);
  const syncBad = { [Symbol.iterator]() { return { next() { return 42; } }; } };
  await rejects(ReadableStream.from(syncBad).getReader().read(), TypeError);
  const e = new Error("next threw");
  const throwing = { [Symbol.asyncIterator]() { return { next() { throw e; } }; } };
  eq(await rejects(ReadableStream.from(throwing).getReader().read()), e);
  const rejectedValue = [Promise.reject(e)];
  eq(await rejects(ReadableStream.from(rejectedValue).getReader().read()), e);
} };

export const fromCancelCallsReturn = { async test() {
  let returned;
  const iterable = { [Symbol.asyncIterator]() {
    return { next: () => Promise.resolve({ value: 1, done: false }),
             return: (r) => { returned = r; return Promise.resolve({ done: true }); } };
  } };
  await ReadableStream.from(iterable).cancel("why");
  eq(returned, "why");
  // A sync iterator's return is called through the async-from-sync wrapper.
  let syncReturned;
  const sync = { [Symbol.iterator]() {
    return { next: () => ({ value: 1, done: false }), return: (r) => { syncReturned = r; return {}; } };
  } };
  await ReadableStream.from(sync).cancel("sync why");
  eq(syncReturned, "sync why");
  // return() that gives a non-object rejects the cancel.
  const bad = { [Symbol.asyncIterator]() { return { next() {}, return() { return Promise.resolve(1); } }; } };
  await rejects(ReadableStream.from(bad).cancel(), TypeError);
  // No return method: cancel simply fulfills.
  eq(await ReadableStream.from([1]).cancel(), undefined);
} };

// A rejected value from a sync iterator closes that iterator (closeOnRejection).
export const fromSyncRejectionClosesIterator = { async test() {
  let closed = 0;
  const sync = { [Symbol.iterator]() {
    return { next: () => ({ value: Promise.reject(new Error("v")), done: false }),
             return: () => { closed++; return {}; } };
  } };
  await rejects(ReadableStream.from(sync).getReader().read(), Error, /^v$/);
  eq(closed, 1);
} };

// ---- Many streams --------------------------------------------------------------------------

export const manyShortStreams = { async test() {
  let total = 0;
  for (let i = 0; i < 2000; i++) {
    const rs = new ReadableStream({ start(c) { c.enqueue(i); c.close(); } });
    for await (const x of rs) total += x;
  }
  eq(total, 1999 * 1000);
} };

export const longQueueWrapsAround = { async test() {
  let c;
  const rs = new ReadableStream({ start(x) { c = x; } }, { highWaterMark: 1e9 });
  const r = rs.getReader();
  let expect = 0;
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 7; i++) c.enqueue(round * 7 + i);
    for (let i = 0; i < 5; i++) eq((await r.read()).value, expect++);
  }
  while (expect < 350) eq((await r.read()).value, expect++);
} };
