// EventTarget (DOM Standard §2.7-2.9): adding and removing listeners (options, dedup,
// signal), dispatch (order, phases, listener changes during dispatch, handleEvent,
// exceptions, once, cancelation), dispatchEvent's exceptions and the Web IDL shape.
import { eq, ok, throws, deepEq } from "./assert.js";

export const constructible = { test() {
  const t = new EventTarget();
  ok(t instanceof EventTarget);
  eq(Object.prototype.toString.call(t), "[object EventTarget]");
  throws(() => EventTarget(), TypeError);
  eq(EventTarget.length, 0);
  deepEq(Object.getOwnPropertyNames(t), []);
} };

export const methodsOnThePrototypeWithBrandChecks = { test() {
  const lengths = { addEventListener: 2, removeEventListener: 2, dispatchEvent: 1 };
  for (const [m, len] of Object.entries(lengths)) {
    const d = Object.getOwnPropertyDescriptor(EventTarget.prototype, m);
    eq(typeof d.value, "function", m);
    ok(d.writable && d.enumerable && d.configurable, m);
    eq(d.value.length, len, m);
    throws(() => d.value.call({}, "x", () => {}), TypeError, /Illegal invocation/);
  }
} };

export const subclassOfEventTarget = { test() {
  class Emitter extends EventTarget {
    emit(type) { return this.dispatchEvent(new Event(type)); }
  }
  const e = new Emitter();
  let got = 0;
  e.addEventListener("go", () => got++);
  e.emit("go");
  eq(got, 1);
  ok(e instanceof EventTarget);
} };

export const argumentsAreChecked = { test() {
  const t = new EventTarget();
  throws(() => t.addEventListener("x"), TypeError, /2 arguments required/);
  throws(() => t.removeEventListener("x"), TypeError, /2 arguments required/);
  throws(() => t.dispatchEvent(), TypeError, /1 argument required/);
  throws(() => t.addEventListener("x", 1), TypeError, /EventListener/);
  throws(() => t.addEventListener("x", "f"), TypeError);
  throws(() => t.removeEventListener("x", true), TypeError);
  throws(() => t.dispatchEvent({ type: "x" }), TypeError, /Event/);
  throws(() => t.dispatchEvent("x"), TypeError);
  throws(() => t.addEventListener(Symbol(), () => {}), TypeError);
  // A null or undefined callback is allowed and does nothing.
  eq(t.addEventListener("x", null), undefined);
  eq(t.addEventListener("x", undefined), undefined);
  eq(t.removeEventListener("x", null), undefined);
  eq(t.dispatchEvent(new Event("x")), true);
} };

export const listenersRunInOrderWithTargetAsThis = { test() {
  const t = new EventTarget();
  const log = [];
  const e = new Event("x");
  t.addEventListener("x", function (ev) { log.push(["a", this === t, ev === e]); });
  t.addEventListener("x", function () { log.push(["b"]); });
  t.addEventListener("y", function () { log.push(["y"]); });
  t.addEventListener("X", function () { log.push(["X"]); });
  t.dispatchEvent(e);
  deepEq(log, [["a", true, true], ["b"]]);
} };

export const captureListenersRunFirstAtTheTarget = { test() {
  const t = new EventTarget();
  const log = [];
  t.addEventListener("x", () => log.push("bubble1"));
  t.addEventListener("x", () => log.push("capture1"), true);
  t.addEventListener("x", () => log.push("bubble2"), { capture: false });
  t.addEventListener("x", () => log.push("capture2"), { capture: true });
  t.dispatchEvent(new Event("x", { bubbles: true }));
  deepEq(log, ["capture1", "capture2", "bubble1", "bubble2"]);
} };

export const dispatchState = { test() {
  const t = new EventTarget();
  const e = new Event("x");
  let seen;
  t.addEventListener("x", (ev) => {
    seen = { phase: ev.eventPhase, target: ev.target, current: ev.currentTarget,
             src: ev.srcElement, path: ev.composedPath() };
  });
  t.dispatchEvent(e);
  eq(seen.phase, Event.AT_TARGET);
  eq(seen.target, t);
  eq(seen.current, t);
  eq(seen.src, t);
  eq(seen.path.length, 1);
  eq(seen.path[0], t);
  // Afterwards: no phase, no current target, empty path; the target stays.
  eq(e.eventPhase, Event.NONE);
  eq(e.currentTarget, null);
  eq(e.target, t);
  deepEq(e.composedPath(), []);
} };

export const capturePhaseIsAtTargetToo = { test() {
  const t = new EventTarget();
  let phase;
  t.addEventListener("x", (e) => { phase = e.eventPhase; }, true);
  t.dispatchEvent(new Event("x"));
  eq(phase, 2);
} };

export const duplicatesAreIgnored = { test() {
  const t = new EventTarget();
  let n = 0;
  const f = () => n++;
  t.addEventListener("x", f);
  t.addEventListener("x", f);
  t.addEventListener("x", f, false);
  t.addEventListener("x", f, { once: true, passive: true });
  t.dispatchEvent(new Event("x"));
  eq(n, 1, "(type, callback, capture) identifies a listener");
  t.addEventListener("x", f, true);
  t.dispatchEvent(new Event("x"));
  eq(n, 3, "a capture listener is another listener");
  const g = () => n++;
  t.addEventListener("y", g);
  t.addEventListener("z", g);
  t.dispatchEvent(new Event("y"));
  eq(n, 4);
} };

export const removeMatchesCapture = { test() {
  const t = new EventTarget();
  const log = [];
  const f = (e) => log.push(e.eventPhase + ":" + log.length);
  t.addEventListener("x", f, true);
  t.addEventListener("x", f);
  t.removeEventListener("x", f, { capture: true, once: true });
  t.dispatchEvent(new Event("x"));
  eq(log.length, 1);
  t.removeEventListener("x", f, true);
  t.dispatchEvent(new Event("x"));
  eq(log.length, 2, "capture: true does not remove the non-capture listener");
  t.removeEventListener("x", f, {});
  t.dispatchEvent(new Event("x"));
  eq(log.length, 2);
  t.removeEventListener("x", f); // nothing left: no error
  t.removeEventListener("nope", () => {});
} };

export const optionsAreReadInOrder = { test() {
  const t = new EventTarget();
  const log = [];
  const opts = {};
  for (const k of ["signal", "passive", "once", "capture", "other"])
    Object.defineProperty(opts, k, { get() { log.push(k); return undefined; } });
  t.addEventListener("x", () => {}, opts);
  deepEq(log, ["capture", "once", "passive", "signal"]);
  log.length = 0;
  t.removeEventListener("x", () => {}, opts);
  deepEq(log, ["capture"]);
} };

export const optionsThatAreNotObjectsAreCapture = { test() {
  const t = new EventTarget();
  const log = [];
  t.addEventListener("x", () => log.push("c"), "yes");
  t.addEventListener("x", () => log.push("b"), 0);
  t.addEventListener("x", () => log.push("c2"), 1);
  t.dispatchEvent(new Event("x"));
  deepEq(log, ["c", "c2", "b"]);
} };

export const signalOptionMustBeAnAbortSignal = { test() {
  const t = new EventTarget();
  throws(() => t.addEventListener("x", () => {}, { signal: null }), TypeError, /AbortSignal/);
  throws(() => t.addEventListener("x", () => {}, { signal: {} }), TypeError);
  throws(() => t.addEventListener("x", () => {}, { signal: new EventTarget() }), TypeError);
  t.addEventListener("x", () => {}, { signal: undefined });
} };

export const signalRemovesTheListener = { test() {
  const t = new EventTarget();
  const c = new AbortController();
  let n = 0;
  t.addEventListener("x", () => n++, { signal: c.signal });
  t.dispatchEvent(new Event("x"));
  eq(n, 1);
  c.abort();
  t.dispatchEvent(new Event("x"));
  eq(n, 1);
  // An already aborted signal: the listener is never added.
  t.addEventListener("x", () => n++, { signal: AbortSignal.abort() });
  t.dispatchEvent(new Event("x"));
  eq(n, 1);
} };

export const signalOnAListenerRemovedEarlierDoesNothing = { test() {
  const t = new EventTarget();
  const c = new AbortController();
  let n = 0;
  const f = () => n++;
  t.addEventListener("x", f, { signal: c.signal });
  t.removeEventListener("x", f);
  t.addEventListener("x", f); // the same callback again, without a signal
  c.abort();
  t.dispatchEvent(new Event("x"));
  eq(n, 1, "the abort removes only the listener it was added with");
} };

export const oneSignalForManyListeners = { test() {
  const c = new AbortController();
  const t1 = new EventTarget(), t2 = new EventTarget();
  let n = 0;
  for (const t of [t1, t2]) for (const type of ["a", "b"]) t.addEventListener(type, () => n++, { signal: c.signal });
  for (const t of [t1, t2]) for (const type of ["a", "b"]) t.dispatchEvent(new Event(type));
  eq(n, 4);
  c.abort();
  for (const t of [t1, t2]) for (const type of ["a", "b"]) t.dispatchEvent(new Event(type));
  eq(n, 4);
} };

export const abortingDuringDispatchRemovesLaterListeners = { test() {
  const t = new EventTarget();
  const c = new AbortController();
  const log = [];
  t.addEventListener("x", () => { log.push(1); c.abort(); });
  t.addEventListener("x", () => log.push(2), { signal: c.signal });
  t.dispatchEvent(new Event("x"));
  deepEq(log, [1]);
} };

export const handleEventObjects = { test() {
  const t = new EventTarget();
  const log = [];
  const obj = { handleEvent(e) { log.push([this === obj, e.currentTarget === t]); } };
  t.addEventListener("x", obj);
  t.dispatchEvent(new Event("x"));
  deepEq(log, [[true, true]]);
  // handleEvent is looked up each time the listener is called.
  obj.handleEvent = function () { log.push("replaced"); };
  t.dispatchEvent(new Event("x"));
  eq(log[1], "replaced");
  // A callable listener is called itself, even if it has a handleEvent.
  const fn = () => log.push("fn");
  fn.handleEvent = () => log.push("fn.handleEvent");
  t.addEventListener("y", fn);
  t.dispatchEvent(new Event("y"));
  eq(log[2], "fn");
  // The same object is identified as one listener.
  t.addEventListener("x", obj);
  log.length = 0;
  t.dispatchEvent(new Event("x"));
  eq(log.length, 1);
} };

export const brokenHandleEventIsReportedAndOthersRun = { test() {
  const t = new EventTarget();
  const log = [];
  t.addEventListener("x", {});
  t.addEventListener("x", { handleEvent: 42 });
  t.addEventListener("x", { get handleEvent() { throw new Error("getter"); } });
  t.addEventListener("x", () => log.push("ran"));
  eq(t.dispatchEvent(new Event("x")), true);
  deepEq(log, ["ran"]);
} };

export const listenerExceptionsAreReportedNotThrown = { test() {
  const t = new EventTarget();
  const log = [];
  t.addEventListener("x", () => { log.push(1); throw new Error("listener 1 fails (expected in this test)"); });
  t.addEventListener("x", () => { log.push(2); throw "a string (expected in this test)"; });
  t.addEventListener("x", (e) => { log.push(3); e.preventDefault(); });
  const r = t.dispatchEvent(new Event("x", { cancelable: true }));
  deepEq(log, [1, 2, 3]);
  eq(r, false);
} };

export const dispatchReturnsNotCanceled = { test() {
  const t = new EventTarget();
  eq(t.dispatchEvent(new Event("x", { cancelable: true })), true, "no listeners");
  t.addEventListener("x", (e) => e.preventDefault());
  eq(t.dispatchEvent(new Event("x", { cancelable: true })), false);
  eq(t.dispatchEvent(new Event("x")), true, "not cancelable");
  const e = new Event("x", { cancelable: true });
  t.dispatchEvent(e);
  eq(e.defaultPrevented, true, "stays canceled after dispatch");
} };

export const dispatchingTwiceAtOnceThrows = { test() {
  const t = new EventTarget(), u = new EventTarget();
  const e = new Event("x");
  let inner;
  t.addEventListener("x", () => {
    try { u.dispatchEvent(e); } catch (err) { inner = err; }
  });
  t.dispatchEvent(e);
  ok(inner instanceof DOMException, String(inner));
  eq(inner.name, "InvalidStateError");
  eq(inner.code, 11);
  // Once done, it can be dispatched again, to another target.
  let got;
  u.addEventListener("x", (ev) => { got = ev.target; });
  u.dispatchEvent(e);
  eq(got, u);
  eq(e.target, u);
} };

export const removingALaterListenerDuringDispatch = { test() {
  const t = new EventTarget();
  const log = [];
  const b = () => log.push("b");
  t.addEventListener("x", () => { log.push("a"); t.removeEventListener("x", b); });
  t.addEventListener("x", b);
  t.addEventListener("x", () => log.push("c"));
  t.dispatchEvent(new Event("x"));
  deepEq(log, ["a", "c"]);
} };

export const removingAndReaddingDuringDispatch = { test() {
  const t = new EventTarget();
  const log = [];
  const b = () => log.push("b");
  let first = true;
  t.addEventListener("x", () => {
    log.push("a");
    if (first) { t.removeEventListener("x", b); t.addEventListener("x", b); }
    first = false;
  });
  t.addEventListener("x", b);
  t.dispatchEvent(new Event("x"));
  deepEq(log, ["a"], "the removed listener is not called, the re-added one is new");
  log.length = 0;
  t.dispatchEvent(new Event("x"));
  deepEq(log, ["a", "b"]);
} };

export const listenersAddedDuringDispatchWaitForTheNextEvent = { test() {
  const t = new EventTarget();
  const log = [];
  t.addEventListener("x", () => {
    log.push("a");
    if (log.length === 1) t.addEventListener("x", () => log.push("late"));
  });
  t.dispatchEvent(new Event("x"));
  deepEq(log, ["a"]);
  t.dispatchEvent(new Event("x"));
  deepEq(log, ["a", "a", "late"]);
} };

export const captureListenerMayAddABubbleListener = { test() {
  // The list is cloned once per pass: a non-capture listener added by a capture listener
  // is in the second pass's clone.
  const t = new EventTarget();
  const log = [];
  t.addEventListener("x", () => { log.push("capture"); t.addEventListener("x", () => log.push("added")); }, true);
  t.dispatchEvent(new Event("x"));
  deepEq(log, ["capture", "added"]);
} };

export const stopImmediatePropagation = { test() {
  const t = new EventTarget();
  const log = [];
  t.addEventListener("x", (e) => { log.push("c"); e.stopImmediatePropagation(); }, true);
  t.addEventListener("x", () => log.push("c2"), true);
  t.addEventListener("x", () => log.push("b"));
  t.dispatchEvent(new Event("x"));
  deepEq(log, ["c"]);
} };

export const stopPropagationStillRunsTheTargetsListeners = { test() {
  // At the target, stopPropagation stops nothing of the current pass, but the bubble
  // pass checks the flag before running.
  const t = new EventTarget();
  const log = [];
  t.addEventListener("x", (e) => { log.push("c1"); e.stopPropagation(); }, true);
  t.addEventListener("x", () => log.push("c2"), true);
  t.addEventListener("x", () => log.push("b"));
  t.dispatchEvent(new Event("x"));
  deepEq(log, ["c1", "c2"]);
  const log2 = [];
  const u = new EventTarget();
  u.addEventListener("x", (e) => { log2.push("b1"); e.stopPropagation(); });
  u.addEventListener("x", () => log2.push("b2"));
  u.dispatchEvent(new Event("x"));
  deepEq(log2, ["b1", "b2"]);
} };

export const onceListeners = { test() {
  const t = new EventTarget();
  let n = 0;
  t.addEventListener("x", () => {
    n++;
    t.dispatchEvent(new Event("x")); // nested: the listener is already gone
  }, { once: true });
  t.dispatchEvent(new Event("x"));
  t.dispatchEvent(new Event("x"));
  eq(n, 1);
  // A once listener can be added again after it ran.
  const f = () => n++;
  t.addEventListener("y", f, { once: true });
  t.dispatchEvent(new Event("y"));
  t.addEventListener("y", f, { once: true });
  t.dispatchEvent(new Event("y"));
  eq(n, 3);
} };

export const nestedDispatchOfAnotherEvent = { test() {
  const t = new EventTarget();
  const log = [];
  t.addEventListener("outer", (e) => {
    log.push("outer-start");
    t.dispatchEvent(new Event("inner"));
    log.push("outer-end:" + e.type + ":" + (e.currentTarget === t));
  });
  t.addEventListener("inner", () => log.push("inner"));
  t.dispatchEvent(new Event("outer"));
  deepEq(log, ["outer-start", "inner", "outer-end:outer:true"]);
} };

export const targetsDoNotShareListeners = { test() {
  const a = new EventTarget(), b = new EventTarget();
  let n = 0;
  a.addEventListener("x", () => n++);
  b.dispatchEvent(new Event("x"));
  eq(n, 0);
} };

export const dispatchEventMakesEventsUntrusted = { async test() {
  const c = new AbortController();
  let trusted;
  c.signal.addEventListener("abort", (e) => { trusted = e; });
  c.abort();
  eq(trusted.isTrusted, true, "the platform's abort event is trusted");
  const t = new EventTarget();
  t.dispatchEvent(trusted);
  eq(trusted.isTrusted, false, "dispatchEvent resets isTrusted");
} };

export const microtasksWaitForTheScriptThatDispatched = { async test() {
  const t = new EventTarget();
  const log = [];
  t.addEventListener("x", () => { log.push("l1"); queueMicrotask(() => log.push("micro")); });
  t.addEventListener("x", () => log.push("l2"));
  t.dispatchEvent(new Event("x"));
  log.push("after");
  await null;
  deepEq(log, ["l1", "l2", "after", "micro"]);
} };

export const manyListenersAddedAndRemoved = { test() {
  // Exercises the compaction of the callbacks kept alive by a target.
  const t = new EventTarget();
  let n = 0;
  for (let round = 0; round < 50; round++) {
    const fs = [];
    for (let i = 0; i < 10; i++) {
      const f = () => n++;
      fs.push(f);
      t.addEventListener("x", f);
    }
    for (let i = 0; i < 9; i++) t.removeEventListener("x", fs[i]);
  }
  t.dispatchEvent(new Event("x"));
  eq(n, 50);
} };

export const globalScopeIsAnEventTarget = { test() {
  // As workerd's ServiceWorkerGlobalScope: the global inherits EventTarget's methods.
  ok(globalThis instanceof EventTarget);
  eq(globalThis.addEventListener, EventTarget.prototype.addEventListener);
  eq(Object.prototype.hasOwnProperty.call(globalThis, "addEventListener"), false);
  const seen = [];
  const f = (e) => seen.push([e.type, e.target === globalThis, e.currentTarget === globalThis]);
  addEventListener("ping", f); // a bare call (undefined this) means the global scope
  globalThis.addEventListener("ping", f); // the same listener: not added twice
  eq(dispatchEvent(new Event("ping")), true);
  deepEq(seen, [["ping", true, true]]);
  // Web IDL: an undefined `this` is the global object for an interface it implements.
  EventTarget.prototype.removeEventListener.call(undefined, "ping", f);
  dispatchEvent(new Event("ping"));
  eq(seen.length, 1);
  globalThis.addEventListener("once", () => seen.push("once"), { once: true });
  dispatchEvent(new Event("once"));
  dispatchEvent(new Event("once"));
  eq(seen.length, 2);
  throws(() => EventTarget.prototype.dispatchEvent.call(undefined, "x"), TypeError);
} };
