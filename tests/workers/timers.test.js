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

// The module's fetch handler, for service calls through env.SELF.
export default { fetch() { return new Response("ok"); } };

export const timerSetFromACallbackWaitsForTheNextTurn = { async test(ctrl, env) {
  // A service call is a task of the event loop's current turn; a 0 ms timer set from a
  // timer callback belongs to the next turn, so the call completes first.
  const order = [];
  await new Promise((resolve) => {
    setTimeout(() => {
      env.SELF.fetch("http://w/").then((r) => r.text()).then((t) => order.push("fetch " + t));
      setTimeout(() => { order.push("timer"); resolve(); }, 0);
    }, 0);
  });
  await scheduler.wait(5);
  deepEq(order, ["fetch ok", "timer"]);
} };

export const manyTimersFireInDeadlineOrder = { async test() {
  // Delays are multiples of 5 ms, so creating all timers (well under 5 ms) cannot reorder
  // deadlines: the order is by delay, then by creation.
  const order = [];
  const want = [];
  for (let i = 0; i < 200; i++) {
    const delay = ((i * 7) % 5) * 5;
    setTimeout(() => order.push(i), delay);
    want.push([delay, i]);
  }
  want.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  await sleep(60);
  deepEq(order, want.map((w) => w[1]));
} };

export const clearingSomeOfManyTimersLeavesTheRestInOrder = { async test() {
  const order = [];
  const ids = [];
  for (let i = 0; i < 100; i++) ids.push(setTimeout(() => order.push(i), (i % 4) * 5));
  for (let i = 0; i < 100; i += 3) clearTimeout(ids[i]);
  await sleep(40);
  const want = [];
  for (let r = 0; r < 4; r++) for (let i = r; i < 100; i += 4) if (i % 3) want.push(i);
  deepEq(order, want);
} };

export const timersNeverFireEarly = { async test() {
  for (const ms of [1, 2, 3, 5, 8]) {
    const t0 = performance.now();
    const t1 = await new Promise((resolve) => setTimeout(() => resolve(performance.now()), ms));
    ok(t1 - t0 >= ms, `${ms} ms timer fired after ${t1 - t0} ms`);
  }
} };

export const intervalClearedWithClearTimeoutInsideItsCallbackStops = { async test() {
  let n = 0;
  const args = [];
  const id = setInterval((a, b) => {
    args.push([a, b]);
    if (++n === 2) clearTimeout(id);
  }, 1, "x", 7);
  await sleep(30);
  eq(n, 2);
  deepEq(args, [["x", 7], ["x", 7]]);
} };

export const timeoutClearedWithClearIntervalInsideAnotherCallback = { async test() {
  let fired = false;
  const victim = setTimeout(() => { fired = true; }, 5);
  setTimeout(() => clearInterval(victim), 1);
  await sleep(20);
  eq(fired, false);
} };

export const stringHandlersAreNeverEvaluated = { test() {
  globalThis.__timerString = 0;
  const e = throws(() => setTimeout("globalThis.__timerString = 1", 0), TypeError);
  ok(e.message.includes("Function"), e.message);
  throws(() => setInterval("globalThis.__timerString = 2"), TypeError);
  eq(globalThis.__timerString, 0);
  delete globalThis.__timerString;
} };

export const idsStayUniqueWhileTimersAreLive = { test() {
  const ids = new Set();
  const list = [];
  for (let i = 0; i < 500; i++) {
    const id = i % 2 ? setTimeout(() => {}, 1000) : setInterval(() => {}, 1000);
    ok(Number.isInteger(id) && id > 0);
    ids.add(id);
    list.push(id);
  }
  eq(ids.size, 500);
  for (const id of list) clearTimeout(id);
} };

export const schedulerWaitOrdersWithTimersAndAcceptsOddDelays = { async test() {
  const order = [];
  setTimeout(() => order.push("timeout"), 3);
  const w = scheduler.wait(3).then(() => order.push("wait"));
  await w;
  await sleep(5);
  deepEq(order, ["timeout", "wait"]);
  // Missing, negative and NaN delays wait 0 ms; the result is undefined.
  eq(await scheduler.wait(), undefined);
  eq(await scheduler.wait(-5), undefined);
  eq(await scheduler.wait(NaN), undefined);
  ok(scheduler.wait(1) instanceof Promise);
  throws(() => scheduler.wait(Symbol("s")), TypeError);
} };
