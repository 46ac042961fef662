// console: what is observable from JS. The rendered text itself is checked in
// tests/unit/inspect_test.c (which captures output through the console sink).
import { eq, ok, throws, deepEq } from "./assert.js";

export const consoleIsANamespaceWithTheStandardMethods = { test() {
  for (const m of ["log", "info", "debug", "warn", "error", "trace", "assert", "dir", "table",
                   "group", "groupCollapsed", "groupEnd"]) {
    const d = Object.getOwnPropertyDescriptor(console, m);
    ok(d && typeof d.value === "function", "console." + m);
    eq(d.enumerable, true, m + " is enumerable");
    eq(d.value.name, m);
  }
  eq(Object.getOwnPropertyDescriptor(globalThis, "console").enumerable, false);
} };

export const loggingReturnsUndefinedForOddValues = { test() {
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const values = [Object.create(null), Symbol("x"), 1n, -0, new Proxy({}, {}), revoked.proxy,
                  new Proxy(function f() {}, {}), new WeakSet(), new ArrayBuffer(100),
                  Object.assign(() => {}, { p: 1 }), new Array(1e9)];
  eq(console.log(...values), undefined);
  eq(console.error(), undefined);
} };

export const loggingDoesNotInvokeGetters = { test() {
  let called = 0;
  const o = { get g() { called++; return 1; } };
  console.log(o, [o], { nested: o });
  eq(called, 0);
} };

export const loggingDoesNotCallToStringOfPlainArguments = { test() {
  let called = 0;
  const o = { toString() { called++; return "x"; } };
  console.log(o);
  console.log("a", o);
  eq(called, 0);
} };

export const percentSCallsAUserDefinedToString = { test() {
  const calls = [];
  console.log("%s", { toString() { calls.push("own"); return "x"; } });
  class T { toString() { calls.push("class"); return "y"; } }
  console.log("%s", new T());
  deepEq(calls, ["own", "class"]);
} };

export const percentDConvertsWithToNumber = { test() {
  let called = 0;
  console.log("%d", { valueOf() { called++; return 3; } });
  eq(called, 1);
  throws(() => console.log("%d", { valueOf() { throw new RangeError("nope"); } }), RangeError);
  // Without a format argument the specifier is left alone and nothing is converted.
  console.log("%d", );
} };

export const cyclicValuesDoNotHang = { test() {
  const a = { name: "a" };
  const b = { a };
  a.b = b;
  a.list = [a, b];
  const m = new Map([["self", null]]);
  m.set("self", m);
  eq(console.log(a, m, "%j", a), undefined);
} };

export const groupsNestAndUnwindSafely = { test() {
  console.group("outer");
  console.group();
  console.groupEnd();
  console.groupEnd();
  console.groupEnd(); // one too many: ignored
  eq(console.log("after groups"), undefined);
} };

export const assertOnlyLogsOnFalsyConditions = { test() {
  eq(console.assert(true, "never shown"), undefined);
  eq(console.assert(1), undefined);
} };
