// CountQueuingStrategy and ByteLengthQueuingStrategy (Streams Standard §7): the
// constructor's QueuingStrategyInit, the highWaterMark getter, and the size functions,
// which are one function per realm and kind (the same object from every instance), are not
// methods (no `this` check) and not constructors.
import { eq, ok, throws, deepEq } from "./assert.js";

export const shape = { test() {
  for (const S of [CountQueuingStrategy, ByteLengthQueuingStrategy]) {
    eq(S.length, 1, S.name);
    deepEq(Object.getOwnPropertyNames(S.prototype).sort(), ["constructor", "highWaterMark", "size"]);
    const hwm = Object.getOwnPropertyDescriptor(S.prototype, "highWaterMark");
    eq(typeof hwm.get, "function");
    eq(hwm.set, undefined);
    const size = Object.getOwnPropertyDescriptor(S.prototype, "size");
    eq(typeof size.get, "function", "size is an accessor returning the function");
    throws(() => S(), TypeError);
    throws(() => hwm.get.call({}), TypeError);
    throws(() => size.get.call({}), TypeError);
    const s = new S({ highWaterMark: 1 });
    deepEq(Object.getOwnPropertyNames(s), [], "no own properties");
    eq(Object.prototype.toString.call(s), "[object " + S.name + "]");
  }
} };

export const constructorNeedsHighWaterMark = { test() {
  for (const S of [CountQueuingStrategy, ByteLengthQueuingStrategy]) {
    throws(() => new S(), TypeError);
    throws(() => new S({}), TypeError);
    throws(() => new S(undefined), TypeError);
    throws(() => new S(null), TypeError);
    throws(() => new S(5), TypeError);
    const e = new Error("getter");
    throws(() => new S({ get highWaterMark() { throw e; } }), Error, /getter/);
  }
} };

// The value is converted to a number but not validated: the stream constructors do that.
export const highWaterMarkIsConvertedNotValidated = { test() {
  eq(new CountQueuingStrategy({ highWaterMark: "5" }).highWaterMark, 5);
  eq(new CountQueuingStrategy({ highWaterMark: -1 }).highWaterMark, -1);
  ok(Number.isNaN(new ByteLengthQueuingStrategy({ highWaterMark: {} }).highWaterMark));
  eq(new ByteLengthQueuingStrategy({ highWaterMark: Infinity }).highWaterMark, Infinity);
  eq(new CountQueuingStrategy({ highWaterMark: { valueOf: () => 7 } }).highWaterMark, 7);
  throws(() => new ReadableStream({}, new CountQueuingStrategy({ highWaterMark: -1 })), RangeError);
  throws(() => new WritableStream({}, new ByteLengthQueuingStrategy({ highWaterMark: NaN })), RangeError);
} };

// One size function per realm and kind, whatever the instance.
export const sizeFunctionIdentity = { test() {
  const c1 = new CountQueuingStrategy({ highWaterMark: 1 });
  const c2 = new CountQueuingStrategy({ highWaterMark: 2 });
  const b1 = new ByteLengthQueuingStrategy({ highWaterMark: 1 });
  const b2 = new ByteLengthQueuingStrategy({ highWaterMark: 2 });
  eq(c1.size, c2.size);
  eq(b1.size, b2.size);
  ok(c1.size !== b1.size);
  eq(c1.size, c1.size);
  eq(c1.size.name, "size");
  eq(b1.size.name, "size");
  eq(c1.size.length, 0);
  eq(b1.size.length, 1);
} };

export const sizeFunctionsIgnoreThisAndAreNotConstructors = { test() {
  const count = new CountQueuingStrategy({ highWaterMark: 1 }).size;
  const bytes = new ByteLengthQueuingStrategy({ highWaterMark: 1 }).size;
  eq(count(), 1);
  eq(count.call(null, "anything"), 1);
  eq(bytes({ byteLength: 3 }), 3);
  eq(bytes.call(undefined, new Uint8Array(5)), 5);
  eq(bytes(new ArrayBuffer(8)), 8);
  eq(bytes({}), undefined);
  eq(bytes("abc"), undefined, "GetV on a primitive reads through its wrapper");
  throws(() => bytes(null), TypeError);
  throws(() => bytes(), TypeError);
  const e = new Error("byteLength getter");
  throws(() => bytes({ get byteLength() { throw e; } }), Error, /byteLength getter/);
  throws(() => new count(), TypeError);
  throws(() => new bytes({}), TypeError);
} };

export const subclassing = { test() {
  class Mine extends CountQueuingStrategy {
    get extra() { return this.highWaterMark * 2; }
  }
  const m = new Mine({ highWaterMark: 3 });
  ok(m instanceof CountQueuingStrategy);
  eq(m.extra, 6);
  eq(m.size(), 1);
} };

export const strategiesWithStreams = { async test() {
  let c;
  new ReadableStream({ start(x) { c = x; } }, new ByteLengthQueuingStrategy({ highWaterMark: 10 }));
  c.enqueue(new Uint8Array(4));
  eq(c.desiredSize, 6);
  c.enqueue(new ArrayBuffer(10));
  eq(c.desiredSize, -4);
  const w = new WritableStream({ write() { return new Promise(() => {}); } },
                               new CountQueuingStrategy({ highWaterMark: 3 })).getWriter();
  eq(w.desiredSize, 3);
  w.write("x");
  w.write("y");
  eq(w.desiredSize, 1);
  // A plain object with the same members works the same way.
  let c2;
  new ReadableStream({ start(x) { c2 = x; } }, { highWaterMark: 4, size: (ch) => ch.n });
  c2.enqueue({ n: 3 });
  eq(c2.desiredSize, 1);
} };

// The stream constructors read the strategy once, highWaterMark before size.
export const strategyMembersAreReadOnce = { test() {
  const log = [];
  const strategy = {
    get highWaterMark() { log.push("highWaterMark"); return 1; },
    get size() { log.push("size"); return undefined; },
  };
  new ReadableStream({}, strategy);
  new WritableStream({}, strategy);
  new TransformStream({}, strategy, strategy);
  deepEq(log, ["highWaterMark", "size", "highWaterMark", "size",
               "highWaterMark", "size", "highWaterMark", "size"]);
} };
