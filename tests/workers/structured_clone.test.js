// structuredClone() (HTML "Safe passing of structured data"): what is copied, what is kept
// shared, what is rejected with a DataCloneError, and transfers of ArrayBuffers.
import { eq, ok, deepEq, throws } from "./assert.js";

// A DataCloneError is a DOMException (code 25) once DOMException exists; until then an
// Error named "DataCloneError".
function isDataCloneError(e) {
  if (!e || e.name !== "DataCloneError") return false;
  if (typeof DOMException === "function") return e instanceof DOMException && e.code === 25;
  return e instanceof Error;
}

function rejects(value, re, options) {
  let e;
  try {
    structuredClone(value, options);
  } catch (err) {
    e = err;
  }
  ok(e !== undefined, "expected a DataCloneError, nothing was thrown");
  ok(isDataCloneError(e), "expected a DataCloneError, got " + e);
  if (re) ok(re.test(e.message), "message " + JSON.stringify(e.message) + " should match " + re);
  return e;
}

// ---- The function itself ---------------------------------------------------------------

export const functionShape = { test() {
  eq(typeof structuredClone, "function");
  eq(structuredClone.length, 1);
  eq(structuredClone.name, "structuredClone");
  const d = Object.getOwnPropertyDescriptor(globalThis, "structuredClone");
  ok(d.writable && d.enumerable && d.configurable);
} };

export const missingArgumentIsTypeError = { test() {
  throws(() => structuredClone(), TypeError, /1 argument required/);
} };

export const undefinedIsAnArgument = { test() {
  eq(structuredClone(undefined), undefined);
} };

// ---- Primitives -------------------------------------------------------------------------

export const primitivesComeBackAsThemselves = { test() {
  const values = [undefined, null, true, false, 0, 1.5, -1e300, NaN, Infinity, -Infinity, "",
    "text", "\ud800 lone surrogate", "😀", 0n, 123n, -(2n ** 200n)];
  for (const v of values) eq(structuredClone(v), v, typeof v + " " + String(v));
} };

export const negativeZeroStaysNegative = { test() {
  eq(structuredClone(-0), -0);
  eq(structuredClone([-0])[0], -0);
  eq(structuredClone({ z: -0 }).z, -0);
} };

export const symbolIsRejected = { test() {
  rejects(Symbol("s"), /Symbol/);
  rejects({ nested: Symbol.iterator });
  rejects([Symbol()]);
} };

export const symbolKeysAreSkipped = { test() {
  const c = structuredClone({ [Symbol("k")]: 1, a: 2 });
  deepEq(Object.getOwnPropertySymbols(c), []);
  eq(c.a, 2);
} };

// ---- Primitive wrappers -----------------------------------------------------------------

export const wrapperObjectsAreCopied = { test() {
  const b = structuredClone(new Boolean(false));
  ok(b instanceof Boolean);
  eq(typeof b, "object");
  eq(b.valueOf(), false);
  const n = structuredClone(new Number(-0));
  ok(n instanceof Number);
  eq(n.valueOf(), -0);
  ok(Number.isNaN(structuredClone(new Number(NaN)).valueOf()));
  const s = structuredClone(new String("abc"));
  ok(s instanceof String);
  eq(s.valueOf(), "abc");
  eq(s.length, 3);
  eq(s[1], "b");
  const big = structuredClone(Object(12n));
  eq(typeof big, "object");
  eq(big.valueOf(), 12n);
  eq(Object.prototype.toString.call(big), "[object BigInt]");
} };

export const wrapperIsANewObjectWithoutExtraProperties = { test() {
  const orig = new String("x");
  orig.extra = 1;
  const c = structuredClone(orig);
  ok(c !== orig);
  eq(c.extra, undefined);
  eq(c.valueOf(), "x");
} };

export const symbolWrapperIsRejected = { test() {
  rejects(Object(Symbol("w")), /Symbol/);
} };

export const booleanPrototypeIsABooleanObject = { test() {
  // Boolean.prototype itself has [[BooleanData]] false.
  const c = structuredClone(Boolean.prototype);
  ok(c instanceof Boolean);
  eq(c.valueOf(), false);
} };

// ---- Date, RegExp -------------------------------------------------------------------------

export const datesKeepTheirTime = { test() {
  const d = new Date(Date.UTC(2020, 1, 29, 12, 34, 56, 789));
  d.extra = 1;
  const c = structuredClone(d);
  ok(c instanceof Date);
  ok(c !== d);
  eq(c.getTime(), d.getTime());
  eq(c.extra, undefined);
  ok(Number.isNaN(structuredClone(new Date(NaN)).getTime()), "an invalid date stays invalid");
} };

export const dateTimeIsReadFromTheOriginalBuiltIn = { test() {
  const saved = Date.prototype.getTime;
  Date.prototype.getTime = () => 42;
  let c;
  try {
    c = structuredClone(new Date(1000));
  } finally {
    Date.prototype.getTime = saved;
  }
  eq(c.getTime(), 1000);
} };

export const regexpsKeepSourceAndFlags = { test() {
  for (const re of [/a+b/gimsuy, /x/d, /[/]\//, new RegExp(""), /\u{1F600}/u]) {
    const c = structuredClone(re);
    ok(c instanceof RegExp);
    ok(c !== re);
    eq(c.source, re.source);
    eq(c.flags, re.flags);
  }
} };

export const regexpLastIndexIsNotKept = { test() {
  const re = /a/g;
  re.exec("aaa");
  eq(re.lastIndex, 1);
  eq(structuredClone(re).lastIndex, 0);
} };

export const regexpFlagsComeFromTheRegExpNotItsProperties = { test() {
  const re = /a/g;
  Object.defineProperty(re, "global", { value: false });
  Object.defineProperty(re, "flags", { value: "" });
  re.extra = 1;
  const c = structuredClone(re);
  eq(c.flags, "g");
  eq(c.extra, undefined);
} };

export const regexpPrototypeIsAnOrdinaryObject = { test() {
  const c = structuredClone(RegExp.prototype);
  ok(!(c instanceof RegExp));
  eq(Object.getPrototypeOf(c), Object.prototype);
} };

// ---- Map, Set ---------------------------------------------------------------------------

export const mapsKeepEntriesInOrder = { test() {
  const key = { k: 1 };
  const m = new Map([[1, "one"], ["two", 2], [key, key], [NaN, null], [-0, "zero"]]);
  m.extra = 1;
  const c = structuredClone(m);
  ok(c instanceof Map);
  ok(c !== m);
  eq(c.size, 5);
  const keys = [...c.keys()];
  eq(keys[0], 1);
  eq(keys[1], "two");
  ok(Number.isNaN(keys[3]));
  eq(keys[4], 0);
  const ck = keys[2];
  ok(ck !== key);
  deepEq(ck, { k: 1 });
  eq(c.get(ck), ck, "the same object as key and value stays one object");
  eq(c.extra, undefined);
} };

export const setsKeepMembersInOrder = { test() {
  const obj = { a: 1 };
  const s = new Set([3, "x", obj, obj, 3n]);
  const c = structuredClone(s);
  ok(c instanceof Set);
  eq(c.size, 4);
  const v = [...c];
  eq(v[0], 3);
  eq(v[1], "x");
  deepEq(v[2], { a: 1 });
  ok(v[2] !== obj);
  eq(v[3], 3n);
} };

export const subclassedMapBecomesAPlainMap = { test() {
  class MyMap extends Map {}
  const c = structuredClone(new MyMap([[1, 2]]));
  eq(Object.getPrototypeOf(c), Map.prototype);
  eq(c.get(1), 2);
} };

export const mapEntriesAreReadWithTheOriginalBuiltIns = { test() {
  const m = new Map([[1, 2]]);
  const saved = [Map.prototype.forEach, Map.prototype.set, Map.prototype.entries];
  Map.prototype.forEach = function () { throw new Error("forEach called"); };
  Map.prototype.set = function () { throw new Error("set called"); };
  Map.prototype.entries = function () { throw new Error("entries called"); };
  let c;
  try {
    c = structuredClone(m);
  } finally {
    [Map.prototype.forEach, Map.prototype.set, Map.prototype.entries] = saved;
  }
  eq(c.get(1), 2);
} };

export const mapEntriesAreSnapshottedBeforeSerializing = { test() {
  const m = new Map();
  m.set("a", { get g() { m.delete("b"); m.set("c", 3); return 1; } });
  m.set("b", 2);
  const c = structuredClone(m);
  deepEq([...c.keys()], ["a", "b"]);
  eq(c.get("b"), 2);
  eq(c.get("a").g, 1);
} };

export const fakeMapIsAnOrdinaryObject = { test() {
  const fake = Object.create(Map.prototype);
  fake.x = 1;
  const c = structuredClone(fake);
  ok(!(c instanceof Map));
  eq(c.x, 1);
} };

// ---- ArrayBuffer, typed arrays, DataView ---------------------------------------------

export const arrayBufferIsCopied = { test() {
  const b = new ArrayBuffer(8);
  new Uint8Array(b).set([1, 2, 3, 4, 5, 6, 7, 8]);
  const c = structuredClone(b);
  ok(c instanceof ArrayBuffer);
  ok(c !== b);
  deepEq([...new Uint8Array(c)], [1, 2, 3, 4, 5, 6, 7, 8]);
  new Uint8Array(c)[0] = 99;
  eq(new Uint8Array(b)[0], 1, "the copy does not share memory");
  eq(b.detached, false);
  eq(structuredClone(new ArrayBuffer(0)).byteLength, 0);
} };

export const resizableArrayBufferStaysResizable = { test() {
  const b = new ArrayBuffer(4, { maxByteLength: 16 });
  new Uint8Array(b).set([9, 8, 7, 6]);
  const c = structuredClone(b);
  eq(c.resizable, true);
  eq(c.maxByteLength, 16);
  eq(c.byteLength, 4);
  deepEq([...new Uint8Array(c)], [9, 8, 7, 6]);
  c.resize(10);
  eq(c.byteLength, 10);
  eq(b.byteLength, 4);
  eq(structuredClone(new ArrayBuffer(4)).resizable, false);
} };

export const detachedArrayBufferIsRejected = { test() {
  const b = new ArrayBuffer(4);
  b.transfer();
  rejects(b, /detached/);
  const x = new ArrayBuffer(2);
  const view = new Uint8Array(x);
  x.transfer();
  rejects({ view }, /detached/);
} };

export const everyTypedArrayKind = { test() {
  const kinds = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array,
    Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array];
  if (typeof Float16Array === "function") kinds.push(Float16Array);
  for (const K of kinds) {
    const big = K === BigInt64Array || K === BigUint64Array;
    const buf = new ArrayBuffer(K.BYTES_PER_ELEMENT * 6);
    const v = new K(buf, K.BYTES_PER_ELEMENT, 4);
    v.set(big ? [1n, 2n, 3n, 4n] : [1, 2, 3, 4]);
    const c = structuredClone(v);
    eq(Object.getPrototypeOf(c), K.prototype, K.name);
    eq(c.length, 4, K.name + " length");
    eq(c.byteOffset, K.BYTES_PER_ELEMENT, K.name + " byteOffset");
    eq(c.buffer.byteLength, buf.byteLength, K.name + " keeps the whole buffer");
    ok(c.buffer !== buf, K.name + " has a new buffer");
    deepEq([...c].map(String), ["1", "2", "3", "4"], K.name + " values");
  }
} };

export const float16ValuesSurvive = { test() {
  if (typeof Float16Array !== "function") return;
  const c = structuredClone(new Float16Array([1.5, -0, 65504, 0.000061035]));
  eq(c[0], 1.5);
  eq(c[1], -0);
  eq(c[2], 65504);
  ok(c instanceof Float16Array);
} };

export const viewsSharingABufferShareTheClonedBuffer = { test() {
  const buf = new ArrayBuffer(16);
  const u8 = new Uint8Array(buf);
  const u32 = new Uint32Array(buf, 4, 2);
  const dv = new DataView(buf, 8);
  u8.set([1, 2, 3, 4]);
  const c = structuredClone({ u8, u32, dv, buf });
  ok(c.u8.buffer === c.u32.buffer);
  ok(c.u8.buffer === c.dv.buffer);
  ok(c.buf === c.u8.buffer, "the buffer itself is the views' buffer");
  ok(c.buf !== buf);
  c.dv.setUint8(0, 77);
  eq(c.u8[8], 77, "the cloned views see each other's writes");
  eq(u8[8], 0, "and not the original's");
  eq(c.u32.byteOffset, 4);
  eq(c.u32.length, 2);
  eq(c.dv.byteOffset, 8);
  eq(c.dv.byteLength, 8);
} };

export const dataViewIsCopied = { test() {
  const dv = new DataView(new ArrayBuffer(8), 2, 4);
  dv.setInt16(0, -2);
  const c = structuredClone(dv);
  ok(c instanceof DataView);
  eq(c.byteOffset, 2);
  eq(c.byteLength, 4);
  eq(c.getInt16(0), -2);
} };

export const viewOnAResizableBuffer = { test() {
  const rab = new ArrayBuffer(8, { maxByteLength: 32 });
  const fixed = new Uint8Array(rab, 2, 3);
  const c = structuredClone(fixed);
  eq(c.buffer.resizable, true);
  eq(c.buffer.maxByteLength, 32);
  eq(c.length, 3);
  eq(c.byteOffset, 2);
} };

export const viewOutOfBoundsIsRejected = { test() {
  const rab = new ArrayBuffer(8, { maxByteLength: 16 });
  const u = new Uint8Array(rab, 4, 4);
  const dv = new DataView(rab, 4, 4);
  rab.resize(2);
  rejects(u, /bounds/);
  rejects(dv, /bounds/);
} };

// ---- Errors -------------------------------------------------------------------------------

export const errorTypesKeepTheirPrototype = { test() {
  for (const E of [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError]) {
    const e = new E("msg " + E.name);
    const c = structuredClone(e);
    ok(c !== e);
    eq(Object.getPrototypeOf(c), E.prototype, E.name);
    ok(c instanceof E);
    eq(c.message, "msg " + E.name);
    eq(c.name, E.name);
    ok(!Object.hasOwn(c, "name"), "name comes from the prototype");
    const d = Object.getOwnPropertyDescriptor(c, "message");
    ok(d.writable && !d.enumerable && d.configurable, "message is like a constructed error's");
  }
} };

export const errorNameSelectsThePrototype = { test() {
  const e = new Error("x");
  e.name = "TypeError";
  eq(Object.getPrototypeOf(structuredClone(e)), TypeError.prototype);
  const f = new TypeError("y");
  f.name = "MyCustomError";
  const c = structuredClone(f);
  eq(Object.getPrototypeOf(c), Error.prototype, "an unknown name becomes Error");
  eq(c.name, "Error");
  eq(c.message, "y");
} };

export const errorSubclassesAndAggregateBecomeError = { test() {
  class MyError extends RangeError {}
  eq(Object.getPrototypeOf(structuredClone(new MyError("m"))), RangeError.prototype);
  const agg = new AggregateError([1], "many");
  const c = structuredClone(agg);
  eq(Object.getPrototypeOf(c), Error.prototype);
  eq(c.message, "many");
  eq(c.errors, undefined);
} };

export const errorWithoutMessageHasNone = { test() {
  const c = structuredClone(new Error());
  ok(!Object.hasOwn(c, "message"));
  eq(c.message, "");
} };

export const errorMessageIsConvertedToAString = { test() {
  const e = new Error();
  e.message = { toString() { return "converted"; } };
  eq(structuredClone(e).message, "converted");
  const f = new Error();
  f.message = 42;
  eq(structuredClone(f).message, "42");
} };

export const errorMessageGetterIsNotRun = { test() {
  let ran = false;
  const e = new Error("orig");
  Object.defineProperty(e, "message", { get() { ran = true; return "from getter"; } });
  const c = structuredClone(e);
  eq(ran, false);
  ok(!Object.hasOwn(c, "message"), "an accessor message is not a data property: undefined");
} };

export const errorStackIsKept = { test() {
  const e = new Error("with stack");
  const c = structuredClone(e);
  eq(typeof e.stack, "string");
  eq(c.stack, e.stack);
  const noStack = new Error("without");
  delete noStack.stack;
  ok(!Object.hasOwn(structuredClone(noStack), "stack"));
} };

export const errorCauseIsClonedToo = { test() {
  const cause = { detail: [1, 2] };
  const e = new Error("outer", { cause });
  const c = structuredClone(e);
  ok(Object.hasOwn(c, "cause"));
  ok(c.cause !== cause);
  deepEq(c.cause, cause);
  eq(Object.getOwnPropertyDescriptor(c, "cause").enumerable, false);
  ok(!Object.hasOwn(structuredClone(new Error("no cause")), "cause"));
  const self = new Error("self");
  self.cause = self;
  const sc = structuredClone(self);
  eq(sc.cause, sc, "a cycle through cause is kept");
} };

export const errorWithUnclonableCauseIsRejected = { test() {
  rejects(new Error("x", { cause: () => 1 }), /function/);
} };

export const errorOwnPropertiesAreDropped = { test() {
  const e = new Error("x");
  e.code = 7;
  eq(structuredClone(e).code, undefined);
} };

export const errorNameGetterRunsOnce = { test() {
  let calls = 0;
  const e = new Error("x");
  Object.defineProperty(e, "name", { get() { calls++; return "RangeError"; } });
  const c = structuredClone(e);
  eq(calls, 1);
  ok(c instanceof RangeError);
} };

// ---- Plain objects and arrays --------------------------------------------------------------

export const objectsKeepOwnEnumerableStringKeysInOrder = { test() {
  const proto = { inherited: 1 };
  const o = Object.create(proto);
  o.b = 1;
  o[2] = "two";
  o.a = 2;
  o[1] = "one";
  Object.defineProperty(o, "hidden", { value: 3, enumerable: false });
  const c = structuredClone(o);
  deepEq(Object.keys(c), ["1", "2", "b", "a"]);
  eq(c.inherited, undefined);
  ok(!("hidden" in c));
  eq(Object.getPrototypeOf(c), Object.prototype, "the prototype is not kept");
} };

export const classInstancesBecomePlainObjects = { test() {
  class Point { constructor() { this.x = 1; this.y = 2; } get sum() { return this.x + this.y; } }
  const c = structuredClone(new Point());
  eq(Object.getPrototypeOf(c), Object.prototype);
  deepEq(c, { x: 1, y: 2 });
  eq(c.sum, undefined);
} };

export const nullPrototypeObjectsGetObjectPrototype = { test() {
  const o = Object.create(null);
  o.a = 1;
  const c = structuredClone(o);
  eq(Object.getPrototypeOf(c), Object.prototype);
  eq(c.a, 1);
} };

export const gettersRunOnceInOrderDepthFirst = { test() {
  const log = [];
  const o = {
    get a() { log.push("a"); return { get inner() { log.push("a.inner"); return 1; } }; },
    b: 0,
    get c() { log.push("c"); return 3; },
  };
  const c = structuredClone(o);
  deepEq(log, ["a", "a.inner", "c"]);
  deepEq(c, { a: { inner: 1 }, b: 0, c: 3 });
  ok(Object.getOwnPropertyDescriptor(c, "a").value !== undefined, "getters become data properties");
  ok(Object.getOwnPropertyDescriptor(c, "c").writable);
} };

export const propertyDeletedByAGetterIsSkipped = { test() {
  const o = { get first() { delete this.second; return 1; }, second: 2, third: 3 };
  const c = structuredClone(o);
  deepEq(Object.keys(c), ["first", "third"]);
} };

export const propertyAddedByAGetterIsNotIncluded = { test() {
  const o = { get first() { this.later = 1; return 1; } };
  deepEq(Object.keys(structuredClone(o)), ["first"]);
} };

export const valueChangedByAGetterIsReadLate = { test() {
  const o = { get first() { this.second = "changed"; return 1; }, second: "orig" };
  eq(structuredClone(o).second, "changed", "each property is read when its turn comes");
} };

export const getterExceptionPropagatesAsIs = { test() {
  const boom = new RangeError("boom");
  let caught;
  try {
    structuredClone({ get x() { throw boom; } });
  } catch (e) {
    caught = e;
  }
  eq(caught, boom);
} };

export const dunderProtoKeyStaysAnOwnProperty = { test() {
  const o = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');
  const c = structuredClone(o);
  eq(Object.getPrototypeOf(c), Object.prototype);
  ok(Object.hasOwn(c, "__proto__"));
  eq(c.polluted, undefined);
  eq({}.polluted, undefined);
} };

export const prototypeSettersAreNotTriggered = { test() {
  let hit = 0;
  Object.defineProperty(Object.prototype, "trap", { set() { hit++; }, configurable: true });
  Object.defineProperty(Array.prototype, "extraTrap", { set() { hit++; }, configurable: true });
  let c, a;
  try {
    c = structuredClone({ trap: 1, other: 2 });
    const arr = [1, 2];
    Object.defineProperty(arr, "extraTrap", { value: 5, enumerable: true, writable: true, configurable: true });
    a = structuredClone(arr);
  } finally {
    delete Object.prototype.trap;
    delete Array.prototype.extraTrap;
  }
  eq(hit, 0);
  eq(Object.getOwnPropertyDescriptor(c, "trap").value, 1);
  eq(Object.getOwnPropertyDescriptor(a, "extraTrap").value, 5);
} };

export const frozenObjectsCloneToOrdinaryOnes = { test() {
  const c = structuredClone(Object.freeze({ a: 1 }));
  ok(!Object.isFrozen(c));
  c.a = 2;
  eq(c.a, 2);
} };

export const arraysKeepHolesLengthAndExtraProperties = { test() {
  const a = [1, , 3];
  a.length = 6;
  a.extra = "x";
  a[10] = "far";
  const c = structuredClone(a);
  ok(Array.isArray(c));
  eq(c.length, 11);
  ok(!(1 in c), "a hole stays a hole");
  ok(!(5 in c));
  eq(c[2], 3);
  eq(c[10], "far");
  eq(c.extra, "x");
  deepEq(Object.keys(c), ["0", "2", "10", "extra"]);
  eq(structuredClone(new Array(5)).length, 5);
  eq(Object.keys(structuredClone(new Array(5))).length, 0);
} };

export const denseArraysWithUndefined = { test() {
  const c = structuredClone([undefined, null, 0]);
  ok(0 in c, "undefined is a value, not a hole");
  eq(c.length, 3);
} };

export const arraySubclassBecomesArray = { test() {
  class MyArray extends Array {}
  const a = MyArray.from([1, 2]);
  const c = structuredClone(a);
  eq(Object.getPrototypeOf(c), Array.prototype);
  deepEq(c, [1, 2]);
} };

export const arrayIndexGettersRun = { test() {
  const a = [1, 2];
  let calls = 0;
  Object.defineProperty(a, 1, { get() { calls++; return "g"; }, enumerable: true });
  const c = structuredClone(a);
  eq(calls, 1);
  eq(c[1], "g");
} };

export const clonesCanBeClonedAgain = { test() {
  const v = { a: [1, { b: new Map([[1, new Set([2])]]) }] };
  const c = structuredClone(structuredClone(v));
  eq(c.a[1].b.get(1).has(2), true);
} };

// ---- Identity: cycles and shared references ----------------------------------------------

export const cyclesAreKept = { test() {
  const o = { name: "o" };
  o.self = o;
  const a = [o];
  o.list = a;
  a.push(a);
  const c = structuredClone(o);
  eq(c.self, c);
  eq(c.list[0], c);
  eq(c.list[1], c.list);
  ok(c !== o);
} };

export const sharedReferencesStayShared = { test() {
  const shared = { s: 1 };
  const d = new Date(0);
  const c = structuredClone({ x: shared, y: shared, z: [shared], d1: d, d2: d });
  eq(c.x, c.y);
  eq(c.x, c.z[0]);
  eq(c.d1, c.d2);
  ok(c.x !== shared);
} };

export const cyclesThroughMapsAndSets = { test() {
  const m = new Map();
  const s = new Set();
  m.set(m, s);
  s.add(m);
  s.add(s);
  const c = structuredClone(m);
  const cs = c.get(c);
  ok(cs instanceof Set);
  ok(cs.has(c));
  ok(cs.has(cs));
} };

export const denseArrayReferencingItself = { test() {
  const a = [1, 2];
  a.push(a);
  const c = structuredClone(a);
  eq(c[2], c);
  const b = [[]];
  b[0].push(b);
  const cb = structuredClone(b);
  eq(cb[0][0], cb);
} };

export const deepNestingIsFineUpToALimit = { test() {
  let v = {};
  const root = v;
  for (let i = 0; i < 1000; i++) v = v.n = {};
  ok(structuredClone(root).n.n.n !== undefined);
  let w = [];
  const top = w;
  for (let i = 0; i < 100000; i++) w = w[0] = [];
  throws(() => structuredClone(top), RangeError);
} };

// ---- What cannot be cloned ----------------------------------------------------------------

export const functionsAreRejected = { test() {
  rejects(function f() {}, /function/);
  rejects(() => 1, /function/);
  rejects(class {}, /function/);
  rejects(async function () {}, /function/);
  rejects(function* () {}, /function/);
  rejects((() => 1).bind(null), /function/);
  rejects({ nested: { deeper: [Math.max] } }, /function/);
} };

export const weakAndAsyncObjectsAreRejected = { test() {
  rejects(new WeakMap(), /WeakMap/);
  rejects(new WeakSet(), /WeakSet/);
  rejects(new WeakRef({}), /WeakRef/);
  rejects(new FinalizationRegistry(() => {}), /FinalizationRegistry/);
  rejects(Promise.resolve(1), /Promise/);
  rejects((async () => {})(), /Promise/);
} };

export const fakeWeakMapIsAnOrdinaryObject = { test() {
  const c = structuredClone(Object.create(WeakMap.prototype));
  ok(!(c instanceof WeakMap));
} };

export const proxiesAndTheGlobalAreRejected = { test() {
  rejects(new Proxy({}, {}), /Proxy/);
  rejects(new Proxy([], {}), /Proxy/);
  const r = Proxy.revocable({}, {});
  r.revoke();
  rejects(r.proxy, /Proxy/);
  rejects(globalThis, /global/);
} };

export const platformObjectsAreRejected = { test() {
  rejects(new Headers(), /Headers/);
  rejects(new Request("https://example.com/"), /Request/);
  rejects(new Response("x"), /Response/);
  rejects(new TextEncoder(), /TextEncoder/);
  rejects({ inside: [new Headers()] }, /Headers/);
} };

export const domExceptionsAreSerializable = { test() {
  const d = new DOMException("it stopped", "AbortError");
  const c = structuredClone(d);
  ok(c !== d);
  ok(c instanceof DOMException);
  eq(c.name, "AbortError");
  eq(c.message, "it stopped");
  eq(c.code, 20);
  eq(c.stack, d.stack);
  const q = structuredClone(new QuotaExceededError("full", { quota: 5, requested: 9 }));
  ok(q instanceof QuotaExceededError);
  eq(q.quota, 5);
  eq(q.requested, 9);
  const e = structuredClone({ e: d, again: d });
  eq(e.e, e.again, "a shared DOMException stays shared");
} };

export const blobsAndFilesAreSerializable = { async test() {
  const b = new Blob(["hello ", "world"], { type: "text/plain" });
  const c = structuredClone(b);
  ok(c !== b);
  ok(c instanceof Blob);
  eq(c.type, "text/plain");
  eq(c.size, 11);
  eq(await c.text(), "hello world");
  const f = new File(["abc"], "name.txt", { type: "a/b", lastModified: 42 });
  const cf = structuredClone([f, f]);
  ok(cf[0] instanceof File);
  eq(cf[0], cf[1]);
  eq(cf[0].name, "name.txt");
  eq(cf[0].lastModified, 42);
  eq(await cf[0].text(), "abc");
  eq(await structuredClone(b.slice(6)).text(), "world");
} };

export const otherPlatformObjectsAreRejected = { test() {
  rejects(new FormData(), /FormData/);
  rejects(new AbortController().signal, /An AbortSignal object/);
  rejects(new URL("https://example.com/"), /URL/);
  rejects(new Event("x"), /An Event object/);
  rejects(new URLSearchParams("a=1"), /URLSearchParams/);
} };

export const nothingIsPartlyClonedOnFailure = { test() {
  const buf = new ArrayBuffer(4);
  rejects({ buf, f() {} }, /function/, { transfer: [buf] });
  eq(buf.detached, false, "a failed clone detaches nothing");
} };

// ---- Transfer ---------------------------------------------------------------------------------

export const transferMovesTheBytesAndDetaches = { test() {
  const buf = new ArrayBuffer(4);
  new Uint8Array(buf).set([1, 2, 3, 4]);
  const c = structuredClone(buf, { transfer: [buf] });
  eq(buf.detached, true);
  eq(buf.byteLength, 0);
  ok(c !== buf);
  eq(c.detached, false);
  deepEq([...new Uint8Array(c)], [1, 2, 3, 4]);
} };

export const transferredBufferUnderViews = { test() {
  const buf = new ArrayBuffer(8);
  const u16 = new Uint16Array(buf, 2, 2);
  u16[0] = 513;
  const c = structuredClone({ u16, same: u16, dv: new DataView(buf) }, { transfer: [buf] });
  eq(buf.detached, true);
  eq(u16.length, 0, "the original view sees a detached buffer");
  eq(c.u16[0], 513);
  eq(c.u16.byteOffset, 2);
  eq(c.same, c.u16);
  eq(c.dv.buffer, c.u16.buffer);
} };

export const transferListNotReferencedStillDetaches = { test() {
  const buf = new ArrayBuffer(2);
  eq(structuredClone(5, { transfer: [buf] }), 5);
  eq(buf.detached, true);
} };

export const transferKeepsResizability = { test() {
  const buf = new ArrayBuffer(2, { maxByteLength: 8 });
  const c = structuredClone(buf, { transfer: [buf] });
  eq(c.resizable, true);
  eq(c.maxByteLength, 8);
  eq(buf.detached, true);
} };

export const gettersSeeTheBufferStillAttached = { test() {
  const buf = new ArrayBuffer(4);
  let seen;
  structuredClone({ buf, get probe() { seen = buf.byteLength; return 0; } }, { transfer: [buf] });
  eq(seen, 4);
  eq(buf.detached, true);
} };

export const transferListEntriesMustBeArrayBuffers = { test() {
  rejects(1, /transferable/, { transfer: [{}] });
  rejects(1, /transferable/, { transfer: [new Uint8Array(1)] });
  throws(() => structuredClone(1, { transfer: [1] }), TypeError, /object/);
} };

export const transferListDuplicatesAreRejected = { test() {
  const buf = new ArrayBuffer(1);
  rejects(1, /duplicate/, { transfer: [buf, buf] });
  eq(buf.detached, false);
} };

export const transferOfADetachedBufferIsRejected = { test() {
  const buf = new ArrayBuffer(1);
  buf.transfer();
  rejects(1, /detached/, { transfer: [buf] });
} };

export const transferListIsAnyIterable = { test() {
  const a = new ArrayBuffer(1), b = new ArrayBuffer(1);
  structuredClone(0, { transfer: new Set([a]) });
  eq(a.detached, true);
  structuredClone(0, { transfer: (function* () { yield b; })() });
  eq(b.detached, true);
} };

export const optionsAreCheckedLikeWebIdl = { test() {
  eq(structuredClone(1, undefined), 1);
  eq(structuredClone(1, null), 1);
  eq(structuredClone(1, {}), 1);
  eq(structuredClone(1, { transfer: undefined }), 1);
  eq(structuredClone(1, () => {}), 1, "a function is an object: no transfer member");
  throws(() => structuredClone(1, 5), TypeError, /StructuredSerializeOptions/);
  throws(() => structuredClone(1, { transfer: 5 }), TypeError, /sequence/);
  throws(() => structuredClone(1, { transfer: {} }), TypeError, /sequence/);
  throws(() => structuredClone(1, { transfer: "ab" }), TypeError, /sequence/);
  const boom = new Error("from getter");
  let caught;
  try {
    structuredClone(1, { get transfer() { throw boom; } });
  } catch (e) {
    caught = e;
  }
  eq(caught, boom);
} };

export const transferOfAPinnedBufferThrows = { test() {
  // JSC pins a buffer once native code reads its bytes in place; it can no longer be
  // detached, so the transfer fails instead of silently copying.
  const buf = new ArrayBuffer(4);
  new TextDecoder().decode(buf);
  throws(() => structuredClone(buf, { transfer: [buf] }), TypeError, /cannot be detached/);
  eq(buf.detached, false);
  eq(structuredClone(buf).byteLength, 4, "cloning without transfer still works");
} };

export const cloneDoesNotPinTheSource = { test() {
  // Cloning copies bytes without the C API's pointer access, so the source stays
  // transferable afterwards.
  const buf = new ArrayBuffer(4);
  structuredClone(new Uint8Array(buf));
  structuredClone(buf, { transfer: [buf] });
  eq(buf.detached, true);
} };

export const loggingABufferDoesNotPinIt = { test() {
  // console.log reads the bytes it shows without pinning the buffer.
  const buf = new ArrayBuffer(2);
  console.log(buf);
  structuredClone(buf, { transfer: [buf] });
  eq(buf.detached, true);
} };

// ---- Built-ins replaced by user code do not change the clone ---------------------------

export const replacedBuiltInsAreNotUsed = { test() {
  const saved = {
    keys: Object.keys,
    defineProperty: Object.defineProperty,
    setAdd: Set.prototype.add,
    taSet: Object.getPrototypeOf(Uint8Array.prototype).set,
    transfer: ArrayBuffer.prototype.transfer,
  };
  const boom = () => { throw new Error("user code called"); };
  const buf = new ArrayBuffer(2);
  const value = { a: [1], s: new Set([1]), b: new Uint8Array([5, 6]), t: buf };
  Object.keys = boom;
  Set.prototype.add = boom;
  Object.getPrototypeOf(Uint8Array.prototype).set = boom;
  ArrayBuffer.prototype.transfer = boom;
  let c;
  try {
    c = structuredClone(value, { transfer: [buf] });
  } finally {
    Object.keys = saved.keys;
    Set.prototype.add = saved.setAdd;
    Object.getPrototypeOf(Uint8Array.prototype).set = saved.taSet;
    ArrayBuffer.prototype.transfer = saved.transfer;
  }
  eq(c.a[0], 1);
  ok(c.s.has(1));
  eq(c.b[1], 6);
  eq(buf.detached, true);
} };

export const manyObjectsAreClonedCorrectly = { test() {
  const rows = Array.from({ length: 3000 }, (_, i) => ({ id: i, name: "row" + i, tags: ["a", i] }));
  const c = structuredClone(rows);
  eq(c.length, 3000);
  eq(c[2999].name, "row2999");
  eq(c[1234].tags[1], 1234);
  ok(c[0] !== rows[0]);
} };
