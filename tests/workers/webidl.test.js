// The Web IDL shape (https://webidl.spec.whatwg.org/#es-interfaces) of every interface
// islet installs: interface objects, prototypes, operations, attributes, constants, brand
// checks and instances. The classes are found generically, so interfaces added later are
// checked without touching this file: every function on the global whose prototype has its
// own Symbol.toStringTag (Web IDL gives every interface prototype one), minus ECMAScript's
// built-ins. Iterator prototypes (pair-iterable interfaces) are found through instances.
import { eq, ok } from "./assert.js";

// ECMAScript's (and JavaScriptCore's) own constructors: not Web IDL interfaces.
const ECMASCRIPT = new Set([
  "Object", "Function", "Array", "Number", "Boolean", "String", "Symbol", "BigInt", "Date",
  "RegExp", "Error", "AggregateError", "EvalError", "RangeError", "ReferenceError",
  "SyntaxError", "TypeError", "URIError", "SuppressedError", "Promise", "Proxy", "Map", "Set",
  "WeakMap", "WeakSet", "WeakRef", "FinalizationRegistry", "ArrayBuffer", "SharedArrayBuffer",
  "DataView", "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array",
  "Int32Array", "Uint32Array", "Float16Array", "Float32Array", "Float64Array",
  "BigInt64Array", "BigUint64Array", "Iterator", "AsyncIterator", "DisposableStack",
  "AsyncDisposableStack", "ShadowRealm",
]);

// How to get an instance: the constructor's arguments where `new X()` needs some, or where
// the instance comes from when the interface has no constructor.
const CONSTRUCT_ARGS = {
  Request: ["https://example.com/"],
  URL: ["https://example.com/"],
  File: [[], "f"],
  Event: ["x"],
  CustomEvent: ["x"],
  MessageEvent: ["x"],
  ErrorEvent: ["x"],
  CloseEvent: ["x"],
  PromiseRejectionEvent: ["x", { promise: Promise.resolve() }],
  CompressionStream: ["gzip"],
  DecompressionStream: ["gzip"],
};
const OBTAIN = {
  Crypto: () => crypto,
  Performance: () => performance,
  Navigator: () => navigator,
  AbortSignal: () => new AbortController().signal,
};

// Lengths from the IDL, for the interfaces whose IDL is known here ("constructor" is the
// interface object's length). Interfaces not listed still get every other check.
const IDL_LENGTHS = {
  Headers: { constructor: 0, append: 2, delete: 1, get: 1, getSetCookie: 0, has: 1, set: 2,
    forEach: 1, entries: 0, keys: 0, values: 0 },
  Request: { constructor: 1, clone: 0, arrayBuffer: 0, blob: 0, bytes: 0, formData: 0,
    json: 0, text: 0 },
  Response: { constructor: 0, clone: 0, arrayBuffer: 0, blob: 0, bytes: 0, formData: 0,
    json: 0, text: 0, "static error": 0, "static redirect": 1, "static json": 1 },
  TextEncoder: { constructor: 0, encode: 0, encodeInto: 2 },
  TextDecoder: { constructor: 0, decode: 0 },
  Crypto: { constructor: 0, getRandomValues: 1, randomUUID: 0 },
  Performance: { constructor: 0, now: 0, toJSON: 0 },
  Navigator: { constructor: 0 },
  URL: { constructor: 1, toJSON: 0, "static canParse": 1, "static parse": 1 },
  URLSearchParams: { constructor: 0, append: 2, delete: 1, get: 1, getAll: 1, has: 1, set: 2,
    sort: 0, toString: 0, forEach: 1, entries: 0, keys: 0, values: 0 },
  Blob: { constructor: 0, slice: 0, stream: 0, text: 0, arrayBuffer: 0, bytes: 0 },
  File: { constructor: 2 },
  EventTarget: { constructor: 0, addEventListener: 2, removeEventListener: 2, dispatchEvent: 1 },
  Event: { constructor: 1, composedPath: 0, stopPropagation: 0, stopImmediatePropagation: 0,
    preventDefault: 0, initEvent: 1 },
  CustomEvent: { constructor: 1, initCustomEvent: 1 },
  AbortController: { constructor: 0, abort: 0 },
  AbortSignal: { constructor: 0, throwIfAborted: 0, "static abort": 0, "static timeout": 1,
    "static any": 1 },
  DOMException: { constructor: 0 },
  QuotaExceededError: { constructor: 0 },
  FormData: { constructor: 0, append: 2, delete: 1, get: 1, getAll: 1, has: 1, set: 2,
    forEach: 1, entries: 0, keys: 0, values: 0 },
  URLPattern: { constructor: 0, test: 0, exec: 0 },
  ReadableStream: { constructor: 0, cancel: 0, getReader: 0, pipeThrough: 1, pipeTo: 1, tee: 0,
    values: 0, "static from": 1 },
  ReadableStreamDefaultReader: { constructor: 1, read: 0, releaseLock: 0, cancel: 0 },
  ReadableStreamBYOBReader: { constructor: 1, read: 1, releaseLock: 0, cancel: 0 },
  ReadableStreamDefaultController: { constructor: 0, close: 0, enqueue: 0, error: 0 },
  ReadableByteStreamController: { constructor: 0, close: 0, enqueue: 1, error: 0 },
  ReadableStreamBYOBRequest: { constructor: 0, respond: 1, respondWithNewView: 1 },
  WritableStream: { constructor: 0, abort: 0, close: 0, getWriter: 0 },
  WritableStreamDefaultWriter: { constructor: 1, abort: 0, close: 0, releaseLock: 0, write: 0 },
  WritableStreamDefaultController: { constructor: 0, error: 0 },
  TransformStream: { constructor: 0 },
  TransformStreamDefaultController: { constructor: 0, enqueue: 0, error: 0, terminate: 0 },
  ByteLengthQueuingStrategy: { constructor: 1 },
  CountQueuingStrategy: { constructor: 1 },
  TextEncoderStream: { constructor: 0 },
  TextDecoderStream: { constructor: 0 },
  CompressionStream: { constructor: 1 },
  DecompressionStream: { constructor: 1 },
};

function idlLength(name, key) {
  const t = IDL_LENGTHS[name];
  return t && Object.hasOwn(t, key) ? t[key] : undefined;
}

// Operations that return a promise: a failed brand check rejects instead of throwing.
const PROMISE_OPERATIONS = new Set(["arrayBuffer", "blob", "bytes", "formData", "json", "text"]);

function interfaces() {
  const found = new Map();
  for (const name of Object.getOwnPropertyNames(globalThis)) {
    if (ECMASCRIPT.has(name)) continue;
    const d = Object.getOwnPropertyDescriptor(globalThis, name);
    const C = d && d.value;
    if (typeof C !== "function" || !C.prototype) continue;
    if (!Object.getOwnPropertyDescriptor(C.prototype, Symbol.toStringTag)) continue;
    found.set(name, C);
  }
  return found;
}

function tag(C) {
  return Object.getOwnPropertyDescriptor(C.prototype, Symbol.toStringTag).value;
}

// Collects every problem of one check across all interfaces, then fails once with all of
// them, so one run shows the whole picture.
function audit(check) {
  const problems = [];
  const all = interfaces();
  ok(all.size >= 8, "found only " + [...all.keys()].join(", "));
  for (const [name, C] of all) {
    try {
      check(name, C, (msg) => problems.push(name + ": " + msg));
    } catch (e) {
      problems.push(name + ": threw " + e);
    }
  }
  if (problems.length) throw new Error(problems.length + " problem(s):\n  " + problems.join("\n  "));
}

async function auditAsync(check) {
  const problems = [];
  for (const [name, C] of interfaces()) {
    try {
      await check(name, C, (msg) => problems.push(name + ": " + msg));
    } catch (e) {
      problems.push(name + ": threw " + e);
    }
  }
  if (problems.length) throw new Error(problems.length + " problem(s):\n  " + problems.join("\n  "));
}

// "writable,enumerable,configurable" of a data descriptor, "-,enumerable,configurable" of
// an accessor; compared with what Web IDL wants.
function flags(d) {
  return ["writable" in d ? (d.writable ? "W" : "w") : "-", d.enumerable ? "E" : "e",
    d.configurable ? "C" : "c"].join("");
}

function expectFlags(report, what, d, want) {
  if (!d) report(what + " is missing");
  else if (flags(d) !== want) report(what + " is " + flags(d) + ", Web IDL wants " + want);
}

function isConstructor(f) {
  try {
    Reflect.construct(String, [], f);
    return true;
  } catch {
    return false;
  }
}

// Operations, attributes and constants of an interface prototype (own string keys).
function members(C) {
  const ops = [], attrs = [], consts = [];
  for (const key of Object.getOwnPropertyNames(C.prototype)) {
    if (key === "constructor") continue;
    const d = Object.getOwnPropertyDescriptor(C.prototype, key);
    if ("get" in d || "set" in d) attrs.push([key, d]);
    else if (typeof d.value === "function") ops.push([key, d]);
    else consts.push([key, d]);
  }
  return { ops, attrs, consts };
}

function checkFunction(report, what, f, name, length) {
  if (typeof f !== "function") return report(what + " is not a function");
  const n = Object.getOwnPropertyDescriptor(f, "name");
  expectFlags(report, what + ".name", n, "weC");
  if (n && n.value !== name) report(what + ".name is " + JSON.stringify(n.value) + ", not " + JSON.stringify(name));
  const l = Object.getOwnPropertyDescriptor(f, "length");
  expectFlags(report, what + ".length", l, "weC");
  if (l && !(Number.isInteger(l.value) && l.value >= 0)) report(what + ".length is " + l.value);
  if (l && length !== undefined && l.value !== length) report(what + ".length is " + l.value + ", the IDL says " + length);
  if (isConstructor(f)) report(what + " is a constructor; Web IDL operations are not");
  if (Object.hasOwn(f, "prototype")) report(what + " has a prototype property");
}

// ---- Interface objects ---------------------------------------------------------------------

export const interfaceObjectsAreGlobalProperties = { test() {
  audit((name, C, report) => {
    expectFlags(report, "globalThis." + name, Object.getOwnPropertyDescriptor(globalThis, name), "WeC");
  });
} };

export const interfaceObjectNameLengthPrototype = { test() {
  audit((name, C, report) => {
    const n = Object.getOwnPropertyDescriptor(C, "name");
    expectFlags(report, "name", n, "weC");
    if (n && n.value !== name) report("name is " + JSON.stringify(n.value));
    const l = Object.getOwnPropertyDescriptor(C, "length");
    expectFlags(report, "length", l, "weC");
    const want = idlLength(name, "constructor");
    if (l && want !== undefined && l.value !== want) report("length is " + l.value + ", the IDL says " + want);
    expectFlags(report, "prototype", Object.getOwnPropertyDescriptor(C, "prototype"), "wec");
  });
} };

export const interfaceObjectsNeedNew = { test() {
  audit((name, C, report) => {
    try {
      C();
      report("calling it without new did not throw");
    } catch (e) {
      if (!(e instanceof TypeError)) report("calling it without new threw " + e + ", not a TypeError");
    }
    try {
      new C();
    } catch (e) {
      if (!(e instanceof TypeError)) report("new " + name + "() threw " + e + ", not a TypeError");
    }
  });
} };

export const interfaceObjectInheritance = { test() {
  audit((name, C, report) => {
    const parent = Object.getPrototypeOf(C);
    const protoParent = Object.getPrototypeOf(C.prototype);
    if (parent === Function.prototype) {
      // Web IDL makes DOMException.prototype inherit from %Error.prototype%.
      const want = name === "DOMException" ? Error.prototype : Object.prototype;
      if (protoParent !== want) report("prototype does not inherit from the right object");
    } else if (typeof parent !== "function" || protoParent !== parent.prototype) {
      report("interface object and prototype inherit from different interfaces");
    }
  });
} };

export const staticOperations = { test() {
  audit((name, C, report) => {
    for (const key of Object.getOwnPropertyNames(C)) {
      if (["length", "name", "prototype"].includes(key)) continue;
      const d = Object.getOwnPropertyDescriptor(C, key);
      if (typeof d.value === "function") {
        expectFlags(report, "static " + key, d, "WEC");
        const want = idlLength(name, "static " + key);
        checkFunction(report, "static " + key, d.value, key, want);
      } else if (typeof d.value === "number") {
        expectFlags(report, "constant " + key + " on the interface object", d, "wEc");
      }
    }
  });
} };

// ---- Interface prototype objects -------------------------------------------------------------

export const prototypeConstructorAndToStringTag = { test() {
  audit((name, C, report) => {
    const c = Object.getOwnPropertyDescriptor(C.prototype, "constructor");
    expectFlags(report, "prototype.constructor", c, "WeC");
    if (c && c.value !== C) report("prototype.constructor is not the interface object");
    const t = Object.getOwnPropertyDescriptor(C.prototype, Symbol.toStringTag);
    expectFlags(report, "prototype[Symbol.toStringTag]", t, "weC");
    if (t && t.value !== name) report("toStringTag is " + JSON.stringify(t.value));
    eq(Object.prototype.toString.call(C.prototype), "[object " + name + "]");
  });
} };

export const operationsAreMethodsOnThePrototype = { test() {
  audit((name, C, report) => {
    for (const [key, d] of members(C).ops) {
      expectFlags(report, key + "()", d, "WEC");
      const want = idlLength(name, key);
      checkFunction(report, key + "()", d.value, key, want);
    }
  });
} };

export const attributesAreAccessorsOnThePrototype = { test() {
  audit((name, C, report) => {
    for (const [key, d] of members(C).attrs) {
      expectFlags(report, "attribute " + key, d, "-EC");
      if (typeof d.get !== "function") report("attribute " + key + " has no getter");
      else checkFunction(report, "attribute " + key + " getter", d.get, "get " + key, 0);
      if (d.set !== undefined) checkFunction(report, "attribute " + key + " setter", d.set, "set " + key, 1);
    }
  });
} };

export const constantsAreReadOnlyOnBothObjects = { test() {
  audit((name, C, report) => {
    for (const [key, d] of members(C).consts) {
      expectFlags(report, "constant " + key, d, "wEc");
      const onInterface = Object.getOwnPropertyDescriptor(C, key);
      if (!onInterface || onInterface.value !== d.value) report("constant " + key + " is missing on the interface object");
      else expectFlags(report, "constant " + key + " on the interface object", onInterface, "wEc");
    }
  });
} };

export const iterableInterfacesShareEntries = { test() {
  audit((name, C, report) => {
    const d = Object.getOwnPropertyDescriptor(C.prototype, Symbol.iterator);
    if (!d) return;
    expectFlags(report, "prototype[Symbol.iterator]", d, "WeC");
    if (C.prototype.entries && d.value !== C.prototype.entries)
      report("prototype[Symbol.iterator] is not the entries function");
  });
} };

// ---- Brand checks -------------------------------------------------------------------------------

// Objects that are not instances of C: a plain object and an instance of another interface.
function strangers(C) {
  const list = [{}, Object.create(C.prototype)];
  if (C !== Headers) list.push(new Headers());
  else list.push(new TextEncoder());
  return list;
}

export const operationsCheckTheirThis = { async test() {
  await auditAsync(async (name, C, report) => {
    for (const [key, d] of members(C).ops) {
      for (const self of strangers(C)) {
        let result, thrown;
        try {
          result = d.value.call(self);
        } catch (e) {
          thrown = e;
        }
        if (thrown) {
          if (!(thrown instanceof TypeError) || !/Illegal invocation/.test(thrown.message))
            report(key + "() on a wrong object threw " + thrown + ", not TypeError: Illegal invocation");
          else if (PROMISE_OPERATIONS.has(key))
            report(key + "() returns a promise: a failed brand check must reject, not throw");
          continue;
        }
        if (result && typeof result.then === "function") {
          const e = await result.then(() => null, (err) => err);
          if (!(e instanceof TypeError)) report(key + "() on a wrong object resolved or rejected with " + e);
          continue;
        }
        report(key + "() on a wrong object did not throw");
      }
    }
  });
} };

export const attributesCheckTheirThis = { async test() {
  await auditAsync(async (name, C, report) => {
    for (const [key, d] of members(C).attrs) {
      for (const self of strangers(C)) {
        for (const [what, f, args] of [["getter", d.get, []], ["setter", d.set, [undefined]]]) {
          if (!f) continue;
          let result;
          try {
            result = f.apply(self, args);
          } catch (e) {
            if (!(e instanceof TypeError) || !/Illegal invocation/.test(e.message))
              report(key + " " + what + " on a wrong object threw " + e);
            continue;
          }
          // A promise-typed attribute (a stream reader's closed, a writer's ready): Web IDL
          // turns the failed brand check into a rejected promise.
          if (what === "getter" && result instanceof Promise) {
            const e = await result.then(() => null, (err) => err);
            if (!(e instanceof TypeError)) report(key + " getter on a wrong object resolved or rejected with " + e);
            continue;
          }
          report(key + " " + what + " on a wrong object did not throw");
        }
      }
    }
  });
} };

// ---- Instances -------------------------------------------------------------------------------

function instanceOf(name, C) {
  if (OBTAIN[name]) return OBTAIN[name]();
  try {
    return new C(...(CONSTRUCT_ARGS[name] || []));
  } catch {
    return null; // needs arguments this file does not know, or has no constructor
  }
}

export const instancesHaveNoOwnPropertiesAndTheRightPrototype = { test() {
  let checked = 0;
  audit((name, C, report) => {
    const o = instanceOf(name, C);
    if (o === null) return;
    checked++;
    if (!(o instanceof C)) report("an instance is not instanceof " + name);
    if (Object.getPrototypeOf(o) !== C.prototype) report("an instance's prototype is not " + name + ".prototype");
    // Only [LegacyUnforgeable] attributes (non-configurable accessors, like Event's
    // isTrusted) live on instances, and a DOMException has a stack like any error.
    for (const key of Reflect.ownKeys(o)) {
      const d = Object.getOwnPropertyDescriptor(o, key);
      if (key === "stack" && o instanceof Error) continue;
      if ("get" in d) expectFlags(report, "unforgeable attribute " + String(key), d, "-Ec");
      else report("an instance has an own data property " + String(key) + " (attributes belong on the prototype)");
    }
    eq(Object.prototype.toString.call(o), "[object " + tag(C) + "]");
    for (const [key, d] of members(C).attrs) {
      try {
        d.get.call(o);
      } catch (e) {
        report("getter " + key + " threw on a real instance: " + e);
      }
    }
  });
  ok(checked >= 8, "too few instances checked: " + checked);
} };

export const subclassesGetTheirOwnPrototype = { test() {
  audit((name, C, report) => {
    if (OBTAIN[name]) return;
    class Sub extends C {}
    let o;
    try {
      o = Reflect.construct(C, CONSTRUCT_ARGS[name] || [], Sub);
    } catch {
      return; // not constructible with these arguments
    }
    if (!(o instanceof Sub) || !(o instanceof C)) report("a subclass instance is not instanceof both");
    if (Object.getPrototypeOf(o) !== Sub.prototype) report("new.target's prototype is not used");
  });
} };

// The default iterator objects of pair-iterable interfaces (Web IDL "Iterator prototype
// object"): "X Iterator", inheriting from %IteratorPrototype%, a brand-checked next(), no
// constructor.
export const iteratorPrototypes = { test() {
  const iterProto = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));
  let checked = 0;
  audit((name, C, report) => {
    if (!Object.hasOwn(C.prototype, Symbol.iterator)) return;
    const o = instanceOf(name, C);
    if (o === null) return;
    checked++;
    const it = o[Symbol.iterator]();
    const p = Object.getPrototypeOf(it);
    if (Object.getPrototypeOf(p) !== iterProto) report("the iterator prototype does not inherit from %IteratorPrototype%");
    if (Object.hasOwn(p, "constructor")) report("the iterator prototype has a constructor");
    const t = Object.getOwnPropertyDescriptor(p, Symbol.toStringTag);
    expectFlags(report, "iterator [Symbol.toStringTag]", t, "weC");
    if (t && t.value !== name + " Iterator") report("the iterator's tag is " + JSON.stringify(t.value));
    const next = Object.getOwnPropertyDescriptor(p, "next");
    expectFlags(report, "iterator next()", next, "WEC");
    if (!next) return;
    checkFunction(report, "iterator next()", next.value, "next", 0);
    for (const self of [{}, Object.create(p)]) {
      try {
        next.value.call(self);
        report("next() on a wrong object did not throw");
      } catch (e) {
        if (!(e instanceof TypeError) || !/Illegal invocation/.test(e.message)) report("next() on a wrong object threw " + e);
      }
    }
    const r = it.next();
    if (typeof r !== "object" || !("done" in r) || !("value" in r)) report("next() did not return an iterator result");
  });
  ok(checked >= 1, "no iterable interface was checked");
} };

// Operations of the global scope (WorkerGlobalScope and its mixins) are own properties of
// the global object; ECMAScript's global functions are not enumerable, these are.
const GLOBAL_OPERATION_LENGTHS = { setTimeout: 1, setInterval: 1, clearTimeout: 0,
  clearInterval: 0, queueMicrotask: 1, atob: 1, btoa: 1, fetch: 1, structuredClone: 1,
  reportError: 1, addEventListener: 2, removeEventListener: 2, dispatchEvent: 1 };

export const globalOperations = { test() {
  const problems = [];
  const report = (msg) => problems.push(msg);
  let checked = 0;
  for (const key of Object.getOwnPropertyNames(globalThis)) {
    const d = Object.getOwnPropertyDescriptor(globalThis, key);
    if (!d.enumerable || typeof d.value !== "function" || Object.hasOwn(d.value, "prototype")) continue;
    checked++;
    expectFlags(report, key + "()", d, "WEC");
    checkFunction(report, key + "()", d.value, key, GLOBAL_OPERATION_LENGTHS[key]);
  }
  ok(checked >= 8, "found only " + checked + " global operations");
  if (problems.length) throw new Error(problems.join("\n"));
} };

export const theGenericWalkFindsTheKnownInterfaces = { test() {
  const all = interfaces();
  for (const name of ["Headers", "Request", "Response", "TextEncoder", "TextDecoder", "Crypto",
    "Performance", "Navigator"])
    ok(all.has(name), name + " was not found");
  ok(!all.has("Map") && !all.has("Promise"), "ECMAScript classes are not Web IDL interfaces");
} };
