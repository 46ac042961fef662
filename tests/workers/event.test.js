// Event and CustomEvent (DOM Standard §2.2-2.4): constructor and EventInit, attributes,
// the flags (canceled, stop propagation, passive), initEvent, the unforgeable isTrusted,
// and the Web IDL shape.
import { eq, ok, throws, deepEq } from "./assert.js";

export const constructorDefaults = { test() {
  const e = new Event("ping");
  eq(e.type, "ping");
  eq(e.bubbles, false);
  eq(e.cancelable, false);
  eq(e.composed, false);
  eq(e.defaultPrevented, false);
  eq(e.returnValue, true);
  eq(e.cancelBubble, false);
  eq(e.eventPhase, Event.NONE);
  eq(e.target, null);
  eq(e.currentTarget, null);
  eq(e.srcElement, null);
  eq(e.isTrusted, false);
  deepEq(e.composedPath(), []);
} };

export const constructorNeedsATypeAndNew = { test() {
  throws(() => new Event(), TypeError, /1 argument required/);
  throws(() => Event("x"), TypeError);
  eq(Event.length, 1);
  eq(new Event(undefined).type, "undefined");
  eq(new Event(null).type, "null");
  eq(new Event(12).type, "12");
  eq(new Event("").type, "");
  throws(() => new Event(Symbol()), TypeError);
} };

export const eventInitMembers = { test() {
  const e = new Event("x", { bubbles: true, cancelable: 1, composed: "yes" });
  eq(e.bubbles, true);
  eq(e.cancelable, true);
  eq(e.composed, true);
  const f = new Event("x", { bubbles: 0, cancelable: "", composed: undefined });
  eq(f.bubbles, false);
  eq(f.cancelable, false);
  eq(f.composed, false);
  eq(new Event("x", null).bubbles, false);
  eq(new Event("x", undefined).cancelable, false);
  // A function is an object, so it is a dictionary too.
  const fn = () => {};
  fn.bubbles = true;
  eq(new Event("x", fn).bubbles, true);
} };

export const eventInitIsReadInOrder = { test() {
  const log = [];
  const dict = {};
  for (const k of ["composed", "bubbles", "cancelable", "other"])
    Object.defineProperty(dict, k, { get() { log.push(k); return true; } });
  new Event("x", dict);
  deepEq(log, ["bubbles", "cancelable", "composed"]);
  log.length = 0;
  Object.defineProperty(dict, "detail", { get() { log.push("detail"); return 1; } });
  new CustomEvent("x", dict);
  deepEq(log, ["bubbles", "cancelable", "composed", "detail"]);
} };

export const eventInitMustBeAnObject = { test() {
  throws(() => new Event("x", 1), TypeError, /EventInit/);
  throws(() => new Event("x", "bubbles"), TypeError);
  throws(() => new Event("x", true), TypeError);
  throws(() => new CustomEvent("x", 5), TypeError, /CustomEventInit/);
  const err = new Error("getter");
  const e = throws(() => new Event("x", { get bubbles() { throw err; } }));
  eq(e, err, "a getter's exception propagates");
} };

export const isTrustedIsUnforgeable = { test() {
  const a = new Event("a"), b = new Event("b");
  const da = Object.getOwnPropertyDescriptor(a, "isTrusted");
  const db = Object.getOwnPropertyDescriptor(b, "isTrusted");
  ok(da && db, "an own property of each instance");
  eq(typeof da.get, "function");
  eq(da.get, db.get, "one getter shared by every instance");
  eq(da.set, undefined);
  eq(da.enumerable, true);
  eq(da.configurable, false);
  eq(Object.getOwnPropertyDescriptor(Event.prototype, "isTrusted"), undefined);
  throws(() => delete a.isTrusted, TypeError); // strict code: non-configurable
  throws(() => Object.defineProperty(a, "isTrusted", { value: true }), TypeError);
  throws(() => da.get.call({}), TypeError);
  const c = new CustomEvent("c");
  eq(Object.getOwnPropertyDescriptor(c, "isTrusted").get, da.get);
} };

export const timeStampIsRelativeToTheTimeOrigin = { test() {
  const before = performance.now();
  const e = new Event("x");
  const after = performance.now();
  eq(typeof e.timeStamp, "number");
  ok(e.timeStamp >= 0, "not negative");
  ok(e.timeStamp <= after + 1, e.timeStamp + " <= " + after);
  ok(e.timeStamp >= before - 1, e.timeStamp + " >= " + before);
  eq(e.timeStamp, e.timeStamp, "fixed at creation");
} };

export const phaseConstants = { test() {
  const names = ["NONE", "CAPTURING_PHASE", "AT_TARGET", "BUBBLING_PHASE"];
  names.forEach((n, i) => {
    for (const o of [Event, Event.prototype]) {
      const d = Object.getOwnPropertyDescriptor(o, n);
      eq(d.value, i, n);
      ok(!d.writable && d.enumerable && !d.configurable, n);
    }
  });
  eq(CustomEvent.AT_TARGET, 2, "inherited by the subclass constructor");
} };

export const preventDefaultNeedsCancelable = { test() {
  const e = new Event("x");
  e.preventDefault();
  eq(e.defaultPrevented, false);
  eq(e.returnValue, true);
  const c = new Event("x", { cancelable: true });
  c.preventDefault();
  eq(c.defaultPrevented, true);
  eq(c.returnValue, false);
} };

export const returnValueSetter = { test() {
  const c = new Event("x", { cancelable: true });
  c.returnValue = true;
  eq(c.defaultPrevented, false, "true does nothing");
  c.returnValue = 0;
  eq(c.defaultPrevented, true, "a false value cancels");
  c.returnValue = true;
  eq(c.defaultPrevented, true, "and cannot be undone");
  const n = new Event("x");
  n.returnValue = false;
  eq(n.defaultPrevented, false, "not cancelable");
} };

export const cancelBubbleSetter = { test() {
  const e = new Event("x");
  e.cancelBubble = false;
  eq(e.cancelBubble, false);
  e.cancelBubble = "yes";
  eq(e.cancelBubble, true);
  e.cancelBubble = false;
  eq(e.cancelBubble, true, "false does not clear the flag");
  const f = new Event("x");
  f.stopPropagation();
  eq(f.cancelBubble, true);
  const g = new Event("x");
  g.stopImmediatePropagation();
  eq(g.cancelBubble, true);
} };

export const stopPropagationBeforeDispatchSkipsListeners = { test() {
  const t = new EventTarget();
  let calls = 0;
  t.addEventListener("x", () => calls++);
  const e = new Event("x");
  e.stopPropagation();
  eq(t.dispatchEvent(e), true);
  eq(calls, 0);
  eq(e.target, t, "the target is set even so");
  eq(e.cancelBubble, false, "the flag is cleared after dispatch");
  t.dispatchEvent(e);
  eq(calls, 1, "so the next dispatch runs the listener");
} };

export const passiveListenerCannotCancel = { test() {
  const t = new EventTarget();
  const seen = [];
  t.addEventListener("x", (e) => { e.preventDefault(); seen.push(e.defaultPrevented); }, { passive: true });
  t.addEventListener("x", (e) => { e.returnValue = false; seen.push(e.defaultPrevented); }, { passive: true });
  const e = new Event("x", { cancelable: true });
  eq(t.dispatchEvent(e), true);
  deepEq(seen, [false, false]);
  t.addEventListener("x", (e) => { e.preventDefault(); });
  eq(t.dispatchEvent(new Event("x", { cancelable: true })), false, "a non-passive listener can");
} };

export const passiveIsUnsetAfterTheListener = { test() {
  const t = new EventTarget();
  t.addEventListener("x", () => {}, { passive: true });
  t.addEventListener("x", (e) => e.preventDefault());
  const e = new Event("x", { cancelable: true });
  t.dispatchEvent(e);
  eq(e.defaultPrevented, true);
} };

export const initEventReinitializes = { test() {
  const e = new Event("a", { cancelable: true });
  e.preventDefault();
  e.stopImmediatePropagation();
  const t = new EventTarget();
  t.dispatchEvent(e);
  eq(e.target, t);
  e.initEvent("b", true, true);
  eq(e.type, "b");
  eq(e.bubbles, true);
  eq(e.cancelable, true);
  eq(e.defaultPrevented, false);
  eq(e.cancelBubble, false);
  eq(e.target, null);
  e.initEvent("c");
  eq(e.bubbles, false, "defaults to false");
  eq(e.cancelable, false);
  throws(() => e.initEvent(), TypeError);
  eq(Event.prototype.initEvent.length, 1);
} };

export const initEventDuringDispatchIsIgnored = { test() {
  const t = new EventTarget();
  const e = new Event("x");
  let type;
  t.addEventListener("x", (ev) => { ev.initEvent("y", true, true); type = ev.type; });
  t.dispatchEvent(e);
  eq(type, "x");
  eq(e.bubbles, false);
} };

export const attributesAndMethodsOnThePrototype = { test() {
  const e = new Event("x");
  const attrs = ["type", "target", "srcElement", "currentTarget", "eventPhase", "cancelBubble",
                 "bubbles", "cancelable", "returnValue", "defaultPrevented", "composed",
                 "timeStamp"];
  for (const a of attrs) {
    eq(Object.getOwnPropertyDescriptor(e, a), undefined, a);
    const d = Object.getOwnPropertyDescriptor(Event.prototype, a);
    eq(typeof d.get, "function", a);
    ok(d.enumerable && d.configurable, a);
    throws(() => d.get.call({}), TypeError, /Illegal invocation/);
  }
  for (const a of ["cancelBubble", "returnValue"])
    eq(typeof Object.getOwnPropertyDescriptor(Event.prototype, a).set, "function", a);
  eq(Object.getOwnPropertyDescriptor(Event.prototype, "type").set, undefined);
  for (const m of ["composedPath", "stopPropagation", "stopImmediatePropagation",
                   "preventDefault", "initEvent"]) {
    eq(typeof Event.prototype[m], "function", m);
    ok(!Object.hasOwn(e, m), m);
    throws(() => Event.prototype[m].call({}, "x"), TypeError, /Illegal invocation/);
  }
  eq(Object.prototype.toString.call(e), "[object Event]");
  deepEq(Object.keys(e), ["isTrusted"]);
} };

export const readOnlyAttributesIgnoreWrites = { test() {
  const e = new Event("x");
  throws(() => { "use strict"; e.type = "y"; }, TypeError);
  throws(() => { "use strict"; e.defaultPrevented = true; }, TypeError);
  eq(e.type, "x");
} };

export const subclassOfEvent = { test() {
  class Ping extends Event {
    constructor(n) { super("ping", { cancelable: true }); this.n = n; }
  }
  const t = new EventTarget();
  let got;
  t.addEventListener("ping", (e) => { got = e; e.preventDefault(); });
  const p = new Ping(3);
  eq(t.dispatchEvent(p), false);
  eq(got, p);
  eq(got.n, 3);
  ok(p instanceof Event);
  eq(p.isTrusted, false);
} };

export const customEventDetail = { test() {
  eq(new CustomEvent("x").detail, null);
  eq(new CustomEvent("x", {}).detail, null);
  eq(new CustomEvent("x", { detail: undefined }).detail, null);
  const obj = { a: 1 };
  const e = new CustomEvent("x", { detail: obj, bubbles: true });
  eq(e.detail, obj);
  eq(e.bubbles, true);
  eq(new CustomEvent("x", { detail: 0 }).detail, 0);
  ok(e instanceof Event);
  eq(Object.getPrototypeOf(CustomEvent.prototype), Event.prototype);
  eq(Object.getPrototypeOf(CustomEvent), Event);
  eq(Object.prototype.toString.call(e), "[object CustomEvent]");
  throws(() => new CustomEvent(), TypeError);
  throws(() => CustomEvent("x"), TypeError);
  const get = Object.getOwnPropertyDescriptor(CustomEvent.prototype, "detail").get;
  throws(() => get.call(new Event("x")), TypeError, /Illegal invocation/);
} };

export const initCustomEvent = { test() {
  const e = new CustomEvent("a", { detail: 1 });
  e.initCustomEvent("b", true, false, { d: 2 });
  eq(e.type, "b");
  eq(e.bubbles, true);
  deepEq(e.detail, { d: 2 });
  e.initCustomEvent("c");
  eq(e.detail, null);
  throws(() => CustomEvent.prototype.initCustomEvent.call(new Event("x"), "y"), TypeError);
  const t = new EventTarget();
  t.addEventListener("c", (ev) => ev.initCustomEvent("z", false, false, 9));
  t.dispatchEvent(e);
  eq(e.type, "c", "ignored while dispatching");
  eq(e.detail, null);
} };

export const customEventDispatch = { test() {
  const t = new EventTarget();
  let detail;
  t.addEventListener("msg", (e) => { detail = e.detail; });
  t.dispatchEvent(new CustomEvent("msg", { detail: "hello" }));
  eq(detail, "hello");
} };

export const objectPrototypeChangesDoNotBreakConstruction = { test() {
  Object.prototype.value = 1;
  Object.prototype.set = () => {};
  try {
    const e = new Event("x");
    eq(e.isTrusted, false);
    eq(typeof Object.getOwnPropertyDescriptor(e, "isTrusted").get, "function");
  } finally {
    delete Object.prototype.value;
    delete Object.prototype.set;
  }
} };
