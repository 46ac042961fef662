// pipeTo and pipeThrough (Streams Standard, ReadableStreamPipeTo): locking, back-pressure
// (no read while the destination does not want data), forward and backward propagation of
// errors and closing with preventAbort/preventCancel/preventClose, chunks already read
// being written before shutdown, and AbortSignal.
import { eq, ok, throws, rejects, deepEq } from "./assert.js";

const delay = (ms) => new Promise((r) => setTimeout(r, ms));
const flush = () => delay(0);
const error1 = new Error("error1");
const error2 = new Error("error2");

function source(chunks, extra = {}) {
  const events = [];
  let controller;
  const rs = new ReadableStream({
    start(c) { controller = c; for (const x of chunks) c.enqueue(x); if (extra.close) c.close(); },
    pull(c) { events.push("pull"); return extra.pull?.(c); },
    cancel(r) { events.push("cancel", r); return extra.cancel?.(r); },
  }, extra.strategy);
  rs.events = events;
  rs.controller = () => controller;
  return rs;
}

function sink(extra = {}, strategy) {
  const events = [];
  let controller;
  const ws = new WritableStream({
    start(c) { controller = c; return extra.start?.(c); },
    write(chunk) { events.push("write", chunk); return extra.write?.(chunk); },
    close() { events.push("close"); return extra.close?.(); },
    abort(r) { events.push("abort", r); return extra.abort?.(r); },
  }, strategy);
  ws.events = events;
  ws.controller = () => controller;
  return ws;
}

export const shape = { test() {
  eq(ReadableStream.prototype.pipeTo.length, 1);
  eq(ReadableStream.prototype.pipeThrough.length, 1);
} };

export const pipesEverythingAndCloses = { async test() {
  const rs = source(["a", "b", "c"], { close: true });
  const ws = sink();
  const p = rs.pipeTo(ws);
  ok(rs.locked && ws.locked, "both streams are locked while piping");
  eq(await p, undefined);
  deepEq(ws.events, ["write", "a", "write", "b", "write", "c", "close"]);
  ok(!rs.locked && !ws.locked, "unlocked afterwards");
} };

export const argumentsAndLocks = { async test() {
  const rs = new ReadableStream();
  await rejects(rs.pipeTo({}), TypeError);
  await rejects(rs.pipeTo(), TypeError);
  await rejects(ReadableStream.prototype.pipeTo.call({}, new WritableStream()), TypeError);
  await rejects(rs.pipeTo(new WritableStream(), { signal: {} }), TypeError);
  await rejects(rs.pipeTo(new WritableStream(), 5), TypeError);
  const ws = new WritableStream();
  ws.getWriter();
  await rejects(rs.pipeTo(ws), TypeError, /locked/);
  rs.getReader();
  await rejects(rs.pipeTo(new WritableStream()), TypeError, /locked/);
  throws(() => new ReadableStream().pipeThrough(), TypeError);
  throws(() => new ReadableStream().pipeThrough({ readable: new ReadableStream() }), TypeError);
  throws(() => new ReadableStream().pipeThrough({ writable: new WritableStream() }), TypeError);
  throws(() => rs.pipeThrough(new TransformStream()), TypeError, /locked/);
  const ts = new TransformStream();
  ts.writable.getWriter();
  throws(() => new ReadableStream().pipeThrough(ts), TypeError, /locked/);
} };

export const pipeThroughReturnsTheReadableSide = { async test() {
  const ts = new TransformStream();
  const rs = source([1, 2], { close: true });
  eq(rs.pipeThrough(ts), ts.readable);
  const out = [];
  for await (const x of ts.readable) out.push(x);
  deepEq(out, [1, 2]);
  // Any { readable, writable } pair works; the pipe's own failure is not reported.
  const pair = { readable: new ReadableStream(), writable: new WritableStream({ write() { throw error1; } }) };
  eq(source([1]).pipeThrough(pair), pair.readable);
  await delay(5);
} };

export const pipeOptionsAreReadInOrder = { async test() {
  const log = [];
  const options = new Proxy({}, { get(t, k) { if (typeof k === "string") log.push(k); } });
  await source([], { close: true }).pipeTo(new WritableStream(), options);
  deepEq(log, ["preventAbort", "preventCancel", "preventClose", "signal"]);
} };

// ---- Back-pressure -----------------------------------------------------------------------

// The destination takes one chunk at a time (high water mark 1, slow writes): the pipe
// reads only when the writer's desiredSize is positive.
export const doesNotReadWhileTheDestinationIsFull = { async test() {
  let n = 0;
  const rs = new ReadableStream({ pull(c) { c.enqueue(++n); } }, { highWaterMark: 0 });
  const resolvers = [];
  const ws = sink({ write: () => new Promise((r) => resolvers.push(r)) }, { highWaterMark: 1 });
  rs.pipeTo(ws);
  await delay(5);
  deepEq(ws.events, ["write", 1]);
  ok(n <= 2, "at most one chunk read ahead of the write in flight, got " + n);
  resolvers.shift()();
  await delay(5);
  deepEq(ws.events, ["write", 1, "write", 2]);
  ok(n <= 3);
} };

export const zeroHighWaterMarkDestinationNeverReads = { async test() {
  let pulls = 0;
  const rs = new ReadableStream({ pull(c) { pulls++; c.enqueue(pulls); } }, { highWaterMark: 0 });
  const ws = new WritableStream({}, { highWaterMark: 0 });
  rs.pipeTo(ws);
  await delay(5);
  eq(pulls, 0, "desiredSize 0: the pipe must not read");
} };

// ---- Errors forward and backward -------------------------------------------------------------

export const sourceErrorAbortsTheDestination = { async test() {
  const rs = source([]);
  const ws = sink();
  const p = rs.pipeTo(ws);
  rs.controller().error(error1);
  eq(await rejects(p), error1);
  deepEq(ws.events, ["abort", error1]);
} };

export const sourceErrorWithPreventAbort = { async test() {
  const rs = source([]);
  const ws = sink();
  const p = rs.pipeTo(ws, { preventAbort: true });
  rs.controller().error(error1);
  eq(await rejects(p), error1);
  deepEq(ws.events, []);
  const w = ws.getWriter();
  await w.write("still writable");
  deepEq(ws.events, ["write", "still writable"]);
} };

export const abortFailureIsReported = { async test() {
  const rs = source([]);
  const ws = sink({ abort: () => { throw error2; } });
  const p = rs.pipeTo(ws);
  rs.controller().error(error1);
  eq(await rejects(p), error2, "the error of the abort wins");
} };

export const sourceAlreadyErrored = { async test() {
  const rs = new ReadableStream({ start(c) { c.error(error1); } });
  const ws = sink();
  eq(await rejects(rs.pipeTo(ws)), error1);
  deepEq(ws.events, ["abort", error1]);
} };

export const destinationErrorCancelsTheSource = { async test() {
  const rs = source([]);
  const ws = sink();
  const p = rs.pipeTo(ws);
  await flush();
  ws.controller().error(error1);
  eq(await rejects(p), error1);
  deepEq(rs.events.slice(rs.events.indexOf("cancel")), ["cancel", error1]);
} };

export const destinationWriteFailureCancelsTheSource = { async test() {
  const rs = source(["a", "b"]);
  const ws = sink({ write: () => Promise.reject(error1) });
  eq(await rejects(rs.pipeTo(ws)), error1);
  ok(rs.events.includes("cancel"));
  eq(rs.events[rs.events.indexOf("cancel") + 1], error1);
} };

export const destinationErrorWithPreventCancel = { async test() {
  const rs = source(["x"]);
  const ws = sink({ start: (c) => c.error(error1) });
  eq(await rejects(rs.pipeTo(ws, { preventCancel: true })), error1);
  ok(!rs.events.includes("cancel"));
  deepEq(await rs.getReader().read(), { value: "x", done: false }, "the source is intact");
} };

// ---- Closing forward and backward ------------------------------------------------------------

export const preventCloseLeavesTheDestinationOpen = { async test() {
  const rs = source(["a"], { close: true });
  const ws = sink();
  await rs.pipeTo(ws, { preventClose: true });
  deepEq(ws.events, ["write", "a"]);
  const w = ws.getWriter();
  await w.write("b");
  await w.close();
  deepEq(ws.events, ["write", "a", "write", "b", "close"]);
} };

export const closeFailureIsReported = { async test() {
  const rs = source(["a"], { close: true });
  const ws = sink({ close: () => { throw error1; } });
  eq(await rejects(rs.pipeTo(ws)), error1);
} };

export const closedDestinationCancelsTheSource = { async test() {
  const ws = sink();
  await ws.close();
  const rs = source(["never"]);
  await rejects(rs.pipeTo(ws), TypeError, /closed/);
  eq(rs.events[rs.events.indexOf("cancel") + 1] instanceof TypeError, true);
  const rs2 = source(["kept"]);
  await rejects(rs2.pipeTo(ws, { preventCancel: true }), TypeError);
  ok(!rs2.events.includes("cancel"));
} };

export const closingDestinationCancelsTheSource = { async test() {
  const ws = sink({ close: () => delay(5) });
  const w = ws.getWriter();
  w.close();
  w.releaseLock();
  const rs = source([]);
  await rejects(rs.pipeTo(ws), TypeError);
  ok(rs.events.includes("cancel"));
} };

// ---- Shutdown writes what was already read --------------------------------------------------

export const chunksReadBeforeAnErrorAreWritten = { async test() {
  const resolvers = [];
  const rs = source(["a", "b"]);
  const ws = sink({ write: () => new Promise((r) => resolvers.push(r)) }, { highWaterMark: 4 });
  const p = rejects(rs.pipeTo(ws));
  await flush();
  rs.controller().error(error1);
  await flush();
  deepEq(ws.events, ["write", "a"], "abort waits for the writes in flight");
  while (resolvers.length) { resolvers.shift()(); await flush(); }
  eq(await p, error1);
  deepEq(ws.events, ["write", "a", "write", "b", "abort", error1]);
} };

// ---- AbortSignal ------------------------------------------------------------------------------

export const alreadyAbortedSignal = { async test() {
  const rs = source(["a"]);
  const ws = sink();
  const ac = new AbortController();
  ac.abort(error1);
  eq(await rejects(rs.pipeTo(ws, { signal: ac.signal })), error1);
  deepEq(ws.events, ["abort", error1]);
  deepEq(rs.events.slice(-2), ["cancel", error1]);
  ok(!rs.locked && !ws.locked);
} };

export const abortingTheSignalStopsThePipe = { async test() {
  let n = 0;
  const rs = new ReadableStream({ async pull(c) { await delay(1); c.enqueue(++n); } });
  const ws = sink();
  const ac = new AbortController();
  const p = rs.pipeTo(ws, { signal: ac.signal });
  await delay(10);
  ac.abort();
  const e = await rejects(p);
  eq(e.name, "AbortError", "the signal's reason");
  eq(ws.events[ws.events.length - 2], "abort");
  eq(ws.events[ws.events.length - 1], e);
  ok(!rs.locked && !ws.locked);
} };

export const signalWithPreventAbortAndPreventCancel = { async test() {
  const rs = source(["x"]);
  const ws = sink();
  const ac = new AbortController();
  const p = rs.pipeTo(ws, { signal: ac.signal, preventAbort: true, preventCancel: true });
  await flush();
  ac.abort(error1);
  eq(await rejects(p), error1);
  ok(!ws.events.includes("abort"));
  ok(!rs.events.includes("cancel"));
} };

export const signalAfterThePipeFinishedChangesNothing = { async test() {
  const ac = new AbortController();
  const ws = sink();
  await source(["a"], { close: true }).pipeTo(ws, { signal: ac.signal });
  ac.abort(error1);
  await flush();
  deepEq(ws.events, ["write", "a", "close"]);
} };

// The pipe keeps running when only the signal still refers to it.
export const unreferencedPipeCompletes = { async test() {
  const ac = new AbortController();
  let written = 0;
  let done;
  const finished = new Promise((r) => (done = r));
  (() => {
    let n = 0;
    new ReadableStream({ async pull(c) { await delay(0); if (++n > 20) c.close(); else c.enqueue(n); } })
      .pipeTo(new WritableStream({ write() { written++; }, close() { done(); } }), { signal: ac.signal });
  })();
  await finished;
  eq(written, 20);
} };

// ---- Long pipes ------------------------------------------------------------------------------------

export const longPipeDoesNotRecurse = { async test() {
  const N = 20000;
  let sum = 0;
  const rs = new ReadableStream({
    start(c) { for (let i = 0; i < N; i++) c.enqueue(i); c.close(); },
  }, { highWaterMark: Infinity });
  await rs.pipeTo(new WritableStream({ write(c) { sum += c; } }, { highWaterMark: 1000 }));
  eq(sum, N * (N - 1) / 2);
} };

export const teePipedToTwoDestinations = { async test() {
  const [a, b] = source(["p", "q"], { close: true }).tee();
  const wa = sink(), wb = sink();
  await Promise.all([a.pipeTo(wa), b.pipeTo(wb)]);
  deepEq(wa.events, ["write", "p", "write", "q", "close"]);
  deepEq(wb.events, wa.events);
} };
