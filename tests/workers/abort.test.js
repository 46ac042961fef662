// AbortController and AbortSignal (DOM Standard §3.1-3.2): abort and its reason, the
// abort event and onabort, throwIfAborted, AbortSignal.abort/timeout/any with the
// dependent-signal semantics, and the Web IDL shape.
import { eq, ok, throws, deepEq } from "./assert.js";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export const controllerShape = { test() {
  const c = new AbortController();
  const s = c.signal;
  ok(s instanceof AbortSignal && s instanceof EventTarget);
  eq(c.signal, s, "the same signal every time");
  eq(s.aborted, false);
  eq(s.reason, undefined);
  eq(s.onabort, null);
  eq(Object.prototype.toString.call(c), "[object AbortController]");
  eq(Object.prototype.toString.call(s), "[object AbortSignal]");
  deepEq(Object.getOwnPropertyNames(c), []);
  deepEq(Object.getOwnPropertyNames(s), []);
  throws(() => AbortController(), TypeError);
  eq(AbortController.length, 0);
} };

export const webIdlShape = { test() {
  const accessor = (o, k) => Object.getOwnPropertyDescriptor(o, k);
  eq(typeof accessor(AbortController.prototype, "signal").get, "function");
  eq(accessor(AbortController.prototype, "signal").set, undefined);
  eq(typeof AbortController.prototype.abort, "function");
  eq(AbortController.prototype.abort.length, 0);
  for (const k of ["aborted", "reason"]) {
    eq(typeof accessor(AbortSignal.prototype, k).get, "function", k);
    eq(accessor(AbortSignal.prototype, k).set, undefined, k);
  }
  const on = accessor(AbortSignal.prototype, "onabort");
  ok(on.get && on.set, "onabort is read-write");
  eq(typeof AbortSignal.prototype.throwIfAborted, "function");
  eq(AbortSignal.abort.length, 0);
  eq(AbortSignal.timeout.length, 1);
  eq(AbortSignal.any.length, 1);
  eq(Object.getPrototypeOf(AbortSignal), EventTarget);
  eq(Object.getPrototypeOf(AbortSignal.prototype), EventTarget.prototype);
} };

export const brandChecks = { test() {
  const get = (o, k) => Object.getOwnPropertyDescriptor(o, k).get;
  throws(() => get(AbortController.prototype, "signal").call({}), TypeError, /Illegal invocation/);
  throws(() => AbortController.prototype.abort.call(new EventTarget()), TypeError);
  throws(() => get(AbortSignal.prototype, "aborted").call(new EventTarget()), TypeError);
  throws(() => get(AbortSignal.prototype, "reason").call({}), TypeError);
  throws(() => get(AbortSignal.prototype, "onabort").call(new EventTarget()), TypeError);
  throws(() => AbortSignal.prototype.throwIfAborted.call(new AbortController()), TypeError);
  throws(() => AbortSignal.prototype.aborted, TypeError);
} };

export const signalIsNotConstructible = { test() {
  throws(() => new AbortSignal(), TypeError, /Illegal constructor/);
  throws(() => AbortSignal(), TypeError);
} };

export const abortWithoutReasonGivesAnAbortError = { test() {
  const c = new AbortController();
  c.abort();
  eq(c.signal.aborted, true);
  const r = c.signal.reason;
  ok(r instanceof DOMException, String(r));
  eq(r.name, "AbortError");
  eq(r.code, 20);
  eq(c.signal.reason, r, "the same object each time");
  const d = new AbortController();
  d.abort(undefined);
  eq(d.signal.reason.name, "AbortError", "undefined means no reason");
} };

export const abortWithAReason = { test() {
  for (const reason of [null, 0, "", "why", { a: 1 }, new Error("e"), false]) {
    const c = new AbortController();
    c.abort(reason);
    eq(c.signal.aborted, true);
    eq(c.signal.reason, reason);
  }
} };

export const abortTwiceKeepsTheFirstReasonAndFiresOnce = { test() {
  const c = new AbortController();
  let n = 0;
  c.signal.addEventListener("abort", () => n++);
  c.abort("first");
  c.abort("second");
  eq(c.signal.reason, "first");
  eq(n, 1);
} };

export const abortEvent = { test() {
  const c = new AbortController();
  let ev, aborted, reason;
  c.signal.addEventListener("abort", (e) => { ev = e; aborted = c.signal.aborted; reason = c.signal.reason; });
  c.abort("r");
  eq(ev.type, "abort");
  eq(ev.isTrusted, true);
  eq(ev.bubbles, false);
  eq(ev.cancelable, false);
  eq(ev.target, c.signal);
  ok(ev instanceof Event);
  eq(aborted, true, "aborted before the event");
  eq(reason, "r");
} };

export const onabortHandler = { test() {
  const c = new AbortController();
  const s = c.signal;
  const log = [];
  s.addEventListener("abort", () => log.push("first"));
  const h = function (e) { log.push(["onabort", this === s, e.type]); };
  s.onabort = h;
  eq(s.onabort, h);
  s.addEventListener("abort", () => log.push("last"));
  c.abort();
  deepEq(log, ["first", ["onabort", true, "abort"], "last"]);
} };

export const onabortConversions = { test() {
  const s = new AbortController().signal;
  s.onabort = 5;
  eq(s.onabort, null, "a non-object is null");
  s.onabort = "code";
  eq(s.onabort, null);
  const o = { not: "callable" };
  s.onabort = o;
  eq(s.onabort, o, "an object is kept even if it is not callable");
  s.onabort = undefined;
  eq(s.onabort, null);
} };

export const onabortKeepsItsPlaceAndMovesWhenCleared = { test() {
  const c = new AbortController();
  const s = c.signal;
  const log = [];
  s.onabort = () => log.push("handler-v1");
  s.addEventListener("abort", () => log.push("listener"));
  s.onabort = () => log.push("handler-v2"); // replaced in place
  c.abort();
  deepEq(log, ["handler-v2", "listener"]);

  const c2 = new AbortController();
  const log2 = [];
  c2.signal.onabort = () => log2.push("h1");
  c2.signal.addEventListener("abort", () => log2.push("listener"));
  c2.signal.onabort = null; // deactivated: leaves the list
  c2.signal.onabort = () => log2.push("h2"); // activated again: at the end
  c2.abort();
  deepEq(log2, ["listener", "h2"]);
} };

export const onabortNonCallableObjectDoesNothing = { test() {
  const c = new AbortController();
  let n = 0;
  c.signal.onabort = { handleEvent() { n++; } };
  c.signal.addEventListener("abort", () => n += 10);
  c.abort();
  eq(n, 10, "an event handler is a function, not a listener object");
} };

export const abortListenerExceptionsDoNotStopAbort = { test() {
  const c = new AbortController();
  const log = [];
  c.signal.addEventListener("abort", () => { log.push(1); throw new Error("abort listener fails (expected in this test)"); });
  c.signal.onabort = () => { log.push(2); throw new TypeError("onabort fails (expected in this test)"); };
  c.signal.addEventListener("abort", () => log.push(3));
  c.abort(); // does not throw
  deepEq(log, [1, 2, 3]);
} };

export const throwIfAborted = { test() {
  const c = new AbortController();
  eq(c.signal.throwIfAborted(), undefined);
  const reason = { why: "stop" };
  c.abort(reason);
  const e = throws(() => c.signal.throwIfAborted());
  eq(e, reason, "throws the reason itself");
  const d = new AbortController();
  d.abort();
  const f = throws(() => d.signal.throwIfAborted(), DOMException);
  eq(f.name, "AbortError");
  const g = new AbortController();
  g.abort(null);
  let caught = "nothing";
  try { g.signal.throwIfAborted(); } catch (x) { caught = x; }
  eq(caught, null, "even a null reason is thrown");
} };

export const staticAbort = { test() {
  const s = AbortSignal.abort();
  eq(s.aborted, true);
  ok(s.reason instanceof DOMException);
  eq(s.reason.name, "AbortError");
  eq(AbortSignal.abort("r").reason, "r");
  eq(AbortSignal.abort(undefined).reason.name, "AbortError");
  ok(AbortSignal.abort() !== AbortSignal.abort(), "a new signal each time");
  let n = 0;
  s.addEventListener("abort", () => n++);
  eq(n, 0, "no event: it was aborted before anyone could listen");
} };

export const timeoutAborts = { async test() {
  const s = AbortSignal.timeout(10);
  ok(s instanceof AbortSignal);
  eq(s.aborted, false);
  let ev;
  s.onabort = (e) => { ev = e; };
  await sleep(40);
  eq(s.aborted, true);
  ok(s.reason instanceof DOMException, String(s.reason));
  eq(s.reason.name, "TimeoutError");
  eq(s.reason.code, 23);
  eq(ev && ev.isTrusted, true);
} };

export const timeoutZeroIsAsynchronous = { async test() {
  const s = AbortSignal.timeout(0);
  eq(s.aborted, false);
  await null;
  eq(s.aborted, false, "not in a microtask either");
  await sleep(10);
  eq(s.aborted, true);
} };

export const timeoutWithoutListenersStillAborts = { async test() {
  const s = AbortSignal.timeout(5);
  await sleep(30);
  eq(s.aborted, true);
  eq(s.reason.name, "TimeoutError");
} };

export const timeoutArgumentIsEnforcedRange = { test() {
  throws(() => AbortSignal.timeout(), TypeError);
  throws(() => AbortSignal.timeout(NaN), TypeError);
  throws(() => AbortSignal.timeout(Infinity), TypeError);
  throws(() => AbortSignal.timeout(-1), TypeError);
  throws(() => AbortSignal.timeout(2 ** 53), TypeError);
  throws(() => AbortSignal.timeout("x"), TypeError);
  throws(() => AbortSignal.timeout(Symbol()), TypeError);
  eq(AbortSignal.timeout(-0.5).aborted, false, "truncated to 0");
  eq(AbortSignal.timeout("1e3").aborted, false);
  eq(AbortSignal.timeout(2 ** 53 - 1).aborted, false);
} };

export const anyOfNothingNeverAborts = { test() {
  const s = AbortSignal.any([]);
  ok(s instanceof AbortSignal);
  eq(s.aborted, false);
} };

export const anyOfAnAbortedSignalIsAborted = { test() {
  const a = new AbortController(), b = new AbortController();
  b.abort("b's reason");
  a.abort("a's reason");
  const s = AbortSignal.any([new AbortController().signal, b.signal, a.signal]);
  eq(s.aborted, true);
  eq(s.reason, "b's reason", "the first aborted signal in order");
  let n = 0;
  s.onabort = () => n++;
  eq(n, 0);
} };

export const anyFollowsItsSources = { test() {
  const a = new AbortController(), b = new AbortController();
  const s = AbortSignal.any([a.signal, b.signal]);
  eq(s.aborted, false);
  let ev;
  s.addEventListener("abort", (e) => { ev = e; });
  const reason = new Error("b");
  b.abort(reason);
  eq(s.aborted, true);
  eq(s.reason, reason, "the source's reason, the same object");
  eq(ev.isTrusted, true);
  a.abort("later");
  eq(s.reason, reason, "later aborts change nothing");
} };

export const anyWithoutListenersStillReportsAborted = { test() {
  const a = new AbortController();
  const s = AbortSignal.any([a.signal]);
  a.abort("r");
  eq(s.aborted, true);
  eq(s.reason, "r");
  const t = AbortSignal.any([a.signal]);
  eq(t.reason, "r");
} };

export const anyOfDependentSignalsUsesTheirSources = { test() {
  const a = new AbortController(), b = new AbortController();
  const ab = AbortSignal.any([a.signal, b.signal]);
  const outer = AbortSignal.any([ab]);
  const log = [];
  ab.onabort = () => log.push("ab");
  outer.onabort = () => log.push("outer");
  a.signal.onabort = () => log.push("a");
  a.abort("x");
  deepEq(log, ["a", "ab", "outer"], "the source first, then dependents in creation order");
  eq(outer.reason, "x");
} };

export const dependentsAreAbortedBeforeTheSourcesEvent = { test() {
  const a = new AbortController();
  const d = AbortSignal.any([a.signal]);
  const e = AbortSignal.any([a.signal]); // no listeners
  let seen;
  a.signal.addEventListener("abort", () => { seen = [d.aborted, d.reason, e.aborted, e.reason]; });
  a.abort("why");
  deepEq(seen, [true, "why", true, "why"]);
} };

export const anyAcceptsAnyIterable = { test() {
  const a = new AbortController();
  const fromSet = AbortSignal.any(new Set([a.signal, a.signal]));
  const fromGen = AbortSignal.any((function* () { yield a.signal; })());
  a.abort(1);
  eq(fromSet.reason, 1);
  eq(fromGen.reason, 1);
} };

export const anyRejectsBadInput = { test() {
  throws(() => AbortSignal.any(), TypeError);
  throws(() => AbortSignal.any(null), TypeError);
  throws(() => AbortSignal.any(5), TypeError);
  throws(() => AbortSignal.any({}), TypeError, /iterable/);
  throws(() => AbortSignal.any([new AbortController().signal, {}]), TypeError, /AbortSignal/);
  throws(() => AbortSignal.any([new AbortController()]), TypeError);
  throws(() => AbortSignal.any([new EventTarget()]), TypeError);
  // The iterator is closed when an element is rejected.
  let closed = false;
  const it = {
    [Symbol.iterator]() {
      return { next: () => ({ value: 1, done: false }), return() { closed = true; return {}; } };
    },
  };
  throws(() => AbortSignal.any(it), TypeError);
  ok(closed, "IteratorClose");
} };

export const anyWithTimeout = { async test() {
  const c = new AbortController();
  const s = AbortSignal.any([c.signal, AbortSignal.timeout(10)]);
  let fired = 0;
  s.addEventListener("abort", () => fired++);
  await sleep(40);
  eq(s.aborted, true);
  eq(s.reason.name, "TimeoutError");
  eq(fired, 1);
  c.abort();
  eq(fired, 1);
} };

export const anyListenerOnAnUnreferencedDependentStillFires = { async test() {
  // The dependent is held only by its source while it has a listener.
  const c = new AbortController();
  let fired = false;
  (() => { AbortSignal.any([c.signal]).onabort = () => { fired = true; }; })();
  for (let i = 0; i < 20000; i++) new Array(50); // give the collector a reason to run
  await sleep(1);
  c.abort();
  ok(fired);
} };

export const listenerRemovedByADependentSignal = { test() {
  const c = new AbortController();
  const t = new EventTarget();
  let n = 0;
  t.addEventListener("x", () => n++, { signal: AbortSignal.any([c.signal]) });
  c.abort();
  t.dispatchEvent(new Event("x"));
  eq(n, 0);
} };

export const signalIsAnEventTarget = { test() {
  const s = new AbortController().signal;
  let got;
  s.addEventListener("custom", (e) => { got = e.detail; });
  eq(s.dispatchEvent(new CustomEvent("custom", { detail: 7 })), true);
  eq(got, 7);
  // A synthetic abort event does not abort the signal.
  s.dispatchEvent(new Event("abort"));
  eq(s.aborted, false);
} };

export const abortEventListenerMayAbortAnotherController = { test() {
  const a = new AbortController(), b = new AbortController();
  const log = [];
  a.signal.onabort = () => { log.push("a"); b.abort("from a"); };
  b.signal.onabort = () => log.push("b:" + b.signal.reason);
  a.abort();
  deepEq(log, ["a", "b:from a"]);
} };

export const reentrantAbortFromAListener = { test() {
  const c = new AbortController();
  let n = 0;
  c.signal.onabort = () => { n++; c.abort("again"); };
  c.abort("once");
  eq(n, 1);
  eq(c.signal.reason, "once");
} };
