// setTimeout / setInterval / clear* (HTML "Timers"), queueMicrotask, scheduler.wait.
import { eq, ok, throws, deepEq } from "./assert.js";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export const setTimeoutPassesExtraArguments = { async test() {
  const got = await new Promise((resolve) => setTimeout((a, b) => resolve([a, b]), 1, "x", 2));
  deepEq(got, ["x", 2]);
} };

export const setTimeoutCallsWithGlobalThis = { async test() {
  const self_ = await new Promise((resolve) => setTimeout(function () { resolve(this); }, 0));
  eq(self_, globalThis);
} };

export const idsArePositiveAndDistinct = { test() {
  const ids = [setTimeout(() => {}, 0), setTimeout(() => {}, 0), setInterval(() => {}, 1000)];
  for (const id of ids) {
    ok(Number.isInteger(id) && id > 0, "id " + id);
    clearTimeout(id);
  }
  eq(new Set(ids).size, 3);
} };

export const equalDelaysFireInCreationOrder = { async test() {
  const order = [];
  for (let i = 0; i < 10; i++) setTimeout(() => order.push(i), 5);
  await sleep(20);
  deepEq(order, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
} };

export const shorterDelaysFireFirst = { async test() {
  const order = [];
  setTimeout(() => order.push("30"), 30);
  setTimeout(() => order.push("10"), 10);
  setTimeout(() => order.push("0"), 0);
  await sleep(50);
  deepEq(order, ["0", "10", "30"]);
} };

export const delayIsConvertedLikeWebIdlLong = { async test() {
  const order = [];
  // NaN, negative and non-numeric delays are 0; "15" is 15; 2**32 + 5 wraps to 5.
  setTimeout(() => order.push("str15"), "15");
  setTimeout(() => order.push("wrap5"), 2 ** 32 + 5);
  setTimeout(() => order.push("nan"), NaN);
  setTimeout(() => order.push("neg"), -100);
  setTimeout(() => order.push("obj"), { valueOf() { return 0; } });
  await sleep(40);
  deepEq(order, ["nan", "neg", "obj", "wrap5", "str15"]);
} };

export const delayConversionErrorsPropagate = { test() {
  throws(() => setTimeout(() => {}, { valueOf() { throw new RangeError("x"); } }), RangeError);
  throws(() => setTimeout(() => {}, Symbol("s")), TypeError);
} };

export const nonCallableHandlerIsATypeError = { test() {
  throws(() => setTimeout("1 + 1", 0), TypeError);
  throws(() => setInterval({}, 0), TypeError);
  throws(() => setTimeout(), TypeError);
} };

export const clearTimeoutCancels = { async test() {
  let fired = false;
  const id = setTimeout(() => { fired = true; }, 1);
  clearTimeout(id);
  await sleep(10);
  eq(fired, false);
} };

export const clearingUnknownIdsIsANoOp = { test() {
  clearTimeout(0);
  clearTimeout(-1);
  clearTimeout(123456789);
  clearTimeout("nope");
  clearTimeout();
  clearInterval(undefined);
  clearTimeout(null);
} };

export const clearTimeoutAndClearIntervalShareIds = { async test() {
  let n = 0;
  const a = setTimeout(() => n++, 1);
  const b = setInterval(() => n++, 1);
  clearInterval(a);
  clearTimeout(b);
  await sleep(10);
  eq(n, 0);
} };

export const clearTimeoutInsideAnEarlierCallbackCancelsALaterOne = { async test() {
  const order = [];
  let second;
  setTimeout(() => { order.push(1); clearTimeout(second); }, 2);
  second = setTimeout(() => order.push(2), 2);
  await sleep(15);
  deepEq(order, [1]);
} };

export const intervalRepeatsUntilCleared = { async test() {
  let n = 0;
  const id = setInterval(() => { if (++n === 3) clearInterval(id); }, 1);
  await sleep(50);
  eq(n, 3);
} };

export const intervalClearedFromOutsideStops = { async test() {
  let n = 0;
  const id = setInterval(() => n++, 2);
  await sleep(15);
  clearInterval(id);
  const at = n;
  ok(at >= 2, "ran a few times (" + at + ")");
  await sleep(15);
  eq(n, at);
} };

export const clearingItsOwnIdInsideTheCallbackIsSafe = { async test() {
  let n = 0;
  const id = setTimeout(() => { n++; clearTimeout(id); clearTimeout(id); }, 0);
  await sleep(5);
  eq(n, 1);
} };

export const nestedTimersAreClampedAfterFiveLevels = { async test() {
  // Each level schedules the next with 0 ms. Levels 1-5 are not clamped; from the sixth
  // nested call on the delay is at least 4 ms.
  const times = [];
  await new Promise((resolve) => {
    const step = () => {
      times.push(performance.now());
      if (times.length < 10) setTimeout(step, 0);
      else resolve();
    };
    setTimeout(step, 0);
  });
  const gaps = times.slice(1).map((t, i) => t - times[i]);
  // Only the lower bound is certain on a busy machine: a clamped gap can't be shorter than
  // 4 ms (less libuv's millisecond rounding); unclamped ones are merely usually short.
  ok(Math.min(...gaps.slice(0, 4)) < 3, "some early gap unclamped: " + gaps.slice(0, 4));
  for (let i = 5; i < gaps.length; i++) ok(gaps[i] >= 3, "gap " + i + " clamped to 4 ms: " + gaps[i]);
} };

export const intervalsAreClampedAfterFiveRepeats = { async test() {
  const times = [];
  await new Promise((resolve) => {
    const id = setInterval(() => {
      times.push(performance.now());
      if (times.length === 9) { clearInterval(id); resolve(); }
    }, 0);
  });
  const gaps = times.slice(1).map((t, i) => t - times[i]);
  // Only the lower bound is certain on a busy machine: a clamped gap can't be shorter than
  // 4 ms (less libuv's millisecond rounding); unclamped ones are merely usually short.
  ok(Math.min(...gaps.slice(0, 4)) < 3, "some early gap unclamped: " + gaps.slice(0, 4));
  for (let i = 5; i < gaps.length; i++) ok(gaps[i] >= 3, "gap " + i + " clamped to 4 ms: " + gaps[i]);
} };

export const throwingCallbackDoesNotStopOtherTimers = { async test() {
  let ran = false;
  setTimeout(() => { throw new Error("expected test error from a timer (ignore)"); }, 0);
  setTimeout(() => { ran = true; }, 1);
  await sleep(10);
  eq(ran, true);
} };

export const queueMicrotaskRunsBeforeTimers = { async test() {
  const order = [];
  setTimeout(() => order.push("timeout"), 0);
  queueMicrotask(() => order.push("micro1"));
  Promise.resolve().then(() => order.push("promise"));
  queueMicrotask(() => order.push("micro2"));
  order.push("sync");
  await sleep(5);
  deepEq(order, ["sync", "micro1", "promise", "micro2", "timeout"]);
} };

export const queueMicrotaskRequiresAFunction = { test() {
  throws(() => queueMicrotask(), TypeError);
  throws(() => queueMicrotask("x"), TypeError);
  throws(() => queueMicrotask({}), TypeError);
} };

export const queueMicrotaskExceptionsAreReportedNotRejected = { async test() {
  let after = false;
  queueMicrotask(() => { throw new Error("expected test error from a microtask (ignore)"); });
  queueMicrotask(() => { after = true; });
  await sleep(1);
  eq(after, true);
} };

export const schedulerWaitResolvesAfterTheDelay = { async test() {
  const t0 = performance.now();
  const v = await scheduler.wait(10);
  eq(v, undefined);
  ok(performance.now() - t0 >= 9.5, "waited ~10 ms");
} };
