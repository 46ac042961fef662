// TransformStream (Streams Standard §6): the transformer's start/transform/flush/cancel,
// the identity transform, the controller (desiredSize, enqueue, error, terminate), the
// back-pressure between the writable and readable sides, and how errors, cancel and abort
// of either side reach the other.
import { eq, ok, throws, rejects, deepEq } from "./assert.js";

const delay = (ms) => new Promise((r) => setTimeout(r, ms));
const flush = () => delay(0);
const error1 = new Error("error1");
const error2 = new Error("error2");

async function readAll(readable) {
  const out = [];
  for await (const x of readable) out.push(x);
  return out;
}

export const webIdlShape = { test() {
  deepEq(Object.getOwnPropertyNames(TransformStream.prototype).sort(), ["constructor", "readable", "writable"]);
  deepEq(Object.getOwnPropertyNames(TransformStreamDefaultController.prototype).sort(),
         ["constructor", "desiredSize", "enqueue", "error", "terminate"]);
  eq(TransformStream.length, 0);
  throws(() => TransformStream(), TypeError);
  throws(() => new TransformStreamDefaultController(), TypeError);
  throws(() => Object.getOwnPropertyDescriptor(TransformStream.prototype, "readable").get.call({}), TypeError);
  const ts = new TransformStream();
  ok(ts.readable instanceof ReadableStream);
  ok(ts.writable instanceof WritableStream);
  eq(ts.readable, ts.readable, "the same object every time");
  eq(Object.prototype.toString.call(ts), "[object TransformStream]");
} };

export const constructorArguments = { test() {
  throws(() => new TransformStream(null), TypeError);
  throws(() => new TransformStream({ transform: 1 }), TypeError);
  throws(() => new TransformStream({ readableType: "bytes" }), RangeError);
  throws(() => new TransformStream({ writableType: "bytes" }), RangeError);
  throws(() => new TransformStream({}, { highWaterMark: -1 }), RangeError);
  throws(() => new TransformStream({}, {}, { highWaterMark: NaN }), RangeError);
  throws(() => new TransformStream({ start() { throw error1; } }), Error, /error1/);
  const log = [];
  const spy = (name) => new Proxy({}, { get(t, k) { if (typeof k === "string") log.push(name + k); } });
  new TransformStream(spy(""), spy("w."), spy("r."));
  deepEq(log, ["w.highWaterMark", "w.size", "r.highWaterMark", "r.size",
               "cancel", "flush", "readableType", "start", "transform", "writableType"]);
} };

export const identityTransform = { async test() {
  const ts = new TransformStream();
  const w = ts.writable.getWriter();
  w.write("a");
  w.write("b");
  w.close();
  deepEq(await readAll(ts.readable), ["a", "b"]);
  await w.closed;
} };

export const transformerMethodsAndThis = { async test() {
  const calls = [];
  const transformer = {
    start(c) { calls.push(["start", this === transformer, c instanceof TransformStreamDefaultController]); c.enqueue("prefix"); },
    transform(chunk, c) { calls.push(["transform", chunk, this === transformer]); c.enqueue(chunk.toUpperCase()); c.enqueue(chunk); },
    flush(c) { calls.push(["flush", this === transformer]); c.enqueue("suffix"); },
  };
  const ts = new TransformStream(transformer);
  const w = ts.writable.getWriter();
  w.write("x");
  w.close();
  deepEq(await readAll(ts.readable), ["prefix", "X", "x", "suffix"]);
  deepEq(calls, [["start", true, true], ["transform", "x", true], ["flush", true]]);
} };

export const asyncTransformsRunOneAtATime = { async test() {
  let active = 0, maxActive = 0;
  const ts = new TransformStream({
    async transform(chunk, c) {
      active++;
      maxActive = Math.max(maxActive, active);
      await delay(1);
      c.enqueue(chunk * 2);
      active--;
    },
  }, { highWaterMark: 10 }, { highWaterMark: 10 });
  const w = ts.writable.getWriter();
  for (let i = 0; i < 5; i++) w.write(i);
  w.close();
  deepEq(await readAll(ts.readable), [0, 2, 4, 6, 8]);
  eq(maxActive, 1);
} };

// The readable side's high water mark is 0 by default: nothing is transformed until someone
// reads, and the writer sees back-pressure once its own queue is full.
export const backpressureBetweenTheSides = { async test() {
  const transformed = [];
  const ts = new TransformStream({ transform(chunk, c) { transformed.push(chunk); c.enqueue(chunk); } });
  const w = ts.writable.getWriter();
  eq(w.desiredSize, 1, "the writable side's high water mark is 1");
  w.write(1);
  w.write(2);
  await flush();
  deepEq(transformed, [], "no transform while the readable side has back-pressure");
  eq(w.desiredSize, -1);
  const r = ts.readable.getReader();
  eq((await r.read()).value, 1);
  await flush();
  eq((await r.read()).value, 2);
  await flush();
  eq(w.desiredSize, 1);
  deepEq(transformed, [1, 2]);
} };

export const controllerDesiredSize = { async test() {
  let c;
  const ts = new TransformStream({ start(x) { c = x; } }, undefined, { highWaterMark: 2 });
  eq(c.desiredSize, 2);
  c.enqueue("a");
  eq(c.desiredSize, 1);
  await ts.readable.cancel();
  eq(c.desiredSize, 0);
} };

export const transformRejectionErrorsBothSides = { async test() {
  const ts = new TransformStream({ transform() { throw error1; } });
  const w = ts.writable.getWriter();
  const r = ts.readable.getReader();
  const write = w.write("x");
  await flush();
  const read = r.read(); // the pull that lets the transform run
  eq(await rejects(write), error1);
  eq(await rejects(read), error1);
  eq(await rejects(r.closed), error1);
  eq(await rejects(w.closed), error1);
} };

export const flushRejectionErrorsBothSides = { async test() {
  const ts = new TransformStream({ flush() { return Promise.reject(error1); } });
  const w = ts.writable.getWriter();
  const r = ts.readable.getReader();
  eq(await rejects(w.close()), error1);
  eq(await rejects(r.closed), error1);
} };

export const controllerErrorErrorsBothSides = { async test() {
  let c;
  const ts = new TransformStream({ start(x) { c = x; } });
  const w = ts.writable.getWriter(), r = ts.readable.getReader();
  c.error(error1);
  eq(await rejects(r.read()), error1);
  eq(await rejects(w.closed), error1);
  throws(() => c.enqueue("late"), TypeError);
} };

export const terminateClosesReadableAndErrorsWritable = { async test() {
  let flushed = false;
  const ts = new TransformStream({
    transform(chunk, c) { c.enqueue(chunk); c.terminate(); },
    flush() { flushed = true; },
  });
  const w = ts.writable.getWriter();
  const r = ts.readable.getReader();
  w.write("only");
  deepEq(await r.read(), { value: "only", done: false });
  deepEq(await r.read(), { done: true });
  await rejects(w.closed, TypeError, /terminated/);
  await rejects(w.write("more"), TypeError);
  eq(flushed, false, "terminate does not flush");
} };

export const readableCancelCallsTransformerCancel = { async test() {
  let reason, flushed = false;
  const ts = new TransformStream({ cancel(r) { reason = r; }, flush() { flushed = true; } });
  const w = ts.writable.getWriter();
  eq(await ts.readable.cancel(error1), undefined);
  eq(reason, error1);
  eq(await rejects(w.closed), error1, "the writable side is errored with the reason");
  eq(flushed, false);
} };

export const writableAbortCallsTransformerCancel = { async test() {
  let reason;
  const ts = new TransformStream({ cancel(r) { reason = r; }, flush() { throw new Error("no flush"); } });
  const r = ts.readable.getReader();
  eq(await ts.writable.abort(error1), undefined);
  eq(reason, error1);
  eq(await rejects(r.closed), error1, "the readable side is errored with the reason");
} };

export const cancelFailureIsReported = { async test() {
  const ts = new TransformStream({ cancel() { throw error2; } });
  const w = ts.writable.getWriter();
  eq(await rejects(ts.readable.cancel(error1)), error2);
  eq(await rejects(w.closed), error2);
  const ts2 = new TransformStream({ cancel() { throw error2; } });
  const r = ts2.readable.getReader();
  eq(await rejects(ts2.writable.abort(error1)), error2);
  eq(await rejects(r.closed), error2);
} };

// cancel, close and abort share one finish promise: a parallel close waits for cancel().
export const closeDuringCancelSharesItsOutcome = { async test() {
  const ts = new TransformStream({ async cancel() { throw error1; }, flush() { throw new Error("no flush"); } });
  const cancel = ts.readable.cancel("reason");
  const close = ts.writable.close();
  eq(await rejects(cancel), error1);
  eq(await rejects(close), error1);
} };

export const enqueueErrorsWhenTheReadableSizeThrows = { async test() {
  let c;
  const ts = new TransformStream({ start(x) { c = x; } }, undefined, { size() { throw error1; } });
  const w = ts.writable.getWriter();
  throws(() => c.enqueue("x"), Error, /error1/);
  eq(await rejects(w.closed), error1, "the writable side is errored too");
} };

export const pipeThroughTransformChain = { async test() {
  const double = () => new TransformStream({ transform(c, k) { k.enqueue(c * 2); } });
  const out = await readAll(ReadableStream.from([1, 2, 3]).pipeThrough(double()).pipeThrough(double()));
  deepEq(out, [4, 8, 12]);
} };

export const manyChunksThroughATransform = { async test() {
  const ts = new TransformStream({ transform(c, k) { k.enqueue(c + 1); } });
  const w = ts.writable.getWriter();
  (async () => {
    for (let i = 0; i < 3000; i++) { await w.ready; w.write(i); }
    w.close();
  })();
  let sum = 0;
  for await (const x of ts.readable) sum += x;
  eq(sum, 3000 * 3001 / 2);
} };
