// performance.now() and performance.timeOrigin (High Resolution Time).
import { eq, ok, throws } from "./assert.js";

export const nowIsMonotonicMilliseconds = { async test() {
  const a = performance.now();
  ok(typeof a === "number" && a >= 0, "now() is a non-negative number");
  await scheduler.wait(15);
  const b = performance.now();
  ok(b - a >= 14, "15 ms later now() advanced by about 15 (got " + (b - a) + ")");
  ok(b - a < 1000, "and not by seconds");
  let prev = performance.now();
  for (let i = 0; i < 1000; i++) {
    const t = performance.now();
    ok(t >= prev, "never goes back");
    prev = t;
  }
} };

export const nowHasSubMillisecondResolution = { test() {
  let fractional = false;
  for (let i = 0; i < 100 && !fractional; i++) fractional = performance.now() % 1 !== 0;
  ok(fractional);
} };

export const timeOriginIsEpochMilliseconds = { test() {
  const o = performance.timeOrigin;
  ok(o > 1.6e12 && o <= Date.now(), "timeOrigin is a recent epoch time in ms");
  const drift = Math.abs(o + performance.now() - Date.now());
  ok(drift < 50, "timeOrigin + now() is the wall clock (drift " + drift + " ms)");
  eq(performance.timeOrigin, o, "stable");
} };

export const performanceHasWebIdlShape = { test() {
  ok(performance instanceof Performance);
  throws(() => new Performance(), TypeError);
  throws(() => Performance.prototype.now.call({}), TypeError, /Illegal invocation/);
  eq(typeof Object.getOwnPropertyDescriptor(Performance.prototype, "timeOrigin").get, "function");
  eq(performance.toJSON().timeOrigin, performance.timeOrigin);
} };
