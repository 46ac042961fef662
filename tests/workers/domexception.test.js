// DOMException and QuotaExceededError (Web IDL): constructor, accessors, legacy codes,
// the names table, the Error-like shape, and exceptions thrown by islet's own C code.
import { eq, ok, throws, deepEq } from "./assert.js";

const CODES = [
  "INDEX_SIZE_ERR", "DOMSTRING_SIZE_ERR", "HIERARCHY_REQUEST_ERR", "WRONG_DOCUMENT_ERR",
  "INVALID_CHARACTER_ERR", "NO_DATA_ALLOWED_ERR", "NO_MODIFICATION_ALLOWED_ERR",
  "NOT_FOUND_ERR", "NOT_SUPPORTED_ERR", "INUSE_ATTRIBUTE_ERR", "INVALID_STATE_ERR",
  "SYNTAX_ERR", "INVALID_MODIFICATION_ERR", "NAMESPACE_ERR", "INVALID_ACCESS_ERR",
  "VALIDATION_ERR", "TYPE_MISMATCH_ERR", "SECURITY_ERR", "NETWORK_ERR", "ABORT_ERR",
  "URL_MISMATCH_ERR", "QUOTA_EXCEEDED_ERR", "TIMEOUT_ERR", "INVALID_NODE_TYPE_ERR",
  "DATA_CLONE_ERR",
];

export const constructorDefaults = { test() {
  const e = new DOMException();
  eq(e.name, "Error");
  eq(e.message, "");
  eq(e.code, 0);
} };

export const constructorArgumentsAreStrings = { test() {
  const e = new DOMException("msg", "NotFoundError");
  eq(e.message, "msg");
  eq(e.name, "NotFoundError");
  eq(e.code, 8);
  eq(new DOMException(undefined).message, "", "undefined is the default");
  eq(new DOMException(null).message, "null");
  eq(new DOMException({ toString: () => "obj" }).message, "obj");
  eq(new DOMException("m", undefined).name, "Error");
  eq(new DOMException("m", null).name, "null");
  eq(new DOMException(42, 7).name, "7");
  throws(() => new DOMException(Symbol("s")), TypeError);
  throws(() => new DOMException("m", Symbol("s")), TypeError);
} };

export const messageKeepsLoneSurrogates = { test() {
  eq(new DOMException("\uD800x").message, "\uD800x");
  eq(new DOMException("", "\uDC00").name, "\uDC00");
} };

export const argumentConversionOrder = { test() {
  const log = [];
  new DOMException({ toString() { log.push("message"); return "m"; } },
                   { toString() { log.push("name"); return "n"; } });
  deepEq(log, ["message", "name"]);
  const err = new Error("stop");
  throws(() => new DOMException({ toString() { throw err; } },
                                { toString() { log.push("late"); return ""; } }), Error);
  eq(log.length, 2, "a throwing message stops before the name is converted");
} };

export const constructorNeedsNew = { test() {
  throws(() => DOMException(), TypeError);
  throws(() => DOMException.call(new DOMException(), "m"), TypeError);
  eq(DOMException.length, 0);
  eq(DOMException.name, "DOMException");
} };

export const attributesAreAccessorsOnThePrototype = { test() {
  const e = new DOMException("m", "AbortError");
  for (const key of ["name", "message", "code"]) {
    eq(Object.getOwnPropertyDescriptor(e, key), undefined, key + " is not own");
    const d = Object.getOwnPropertyDescriptor(DOMException.prototype, key);
    eq(typeof d.get, "function", key);
    eq(d.set, undefined, key + " is read-only");
    ok(d.enumerable && d.configurable, key);
  }
  // Read-only attributes: assignment is ignored in sloppy code, throws in strict code.
  throws(() => { "use strict"; e.name = "x"; }, TypeError);
  eq(e.name, "AbortError");
} };

export const brandChecks = { test() {
  for (const key of ["name", "message", "code"]) {
    const get = Object.getOwnPropertyDescriptor(DOMException.prototype, key).get;
    throws(() => get.call({}), TypeError, /Illegal invocation/);
    throws(() => get.call(new Error("x")), TypeError);
    throws(() => DOMException.prototype[key], TypeError);
  }
  const fake = Object.create(DOMException.prototype);
  throws(() => fake.message, TypeError);
} };

export const legacyCodeConstants = { test() {
  eq(CODES.length, 25);
  CODES.forEach((name, i) => {
    for (const o of [DOMException, DOMException.prototype]) {
      const d = Object.getOwnPropertyDescriptor(o, name);
      ok(d, name);
      eq(d.value, i + 1, name);
      ok(!d.writable && d.enumerable && !d.configurable, name + " is a constant");
    }
    eq(new DOMException()[name], i + 1, "reachable from instances");
  });
  eq(DOMException.INDEX_SIZE_ERR, 1);
  eq(DOMException.DATA_CLONE_ERR, 25);
} };

export const namesTableGivesCodes = { test() {
  const table = {
    IndexSizeError: 1, HierarchyRequestError: 3, WrongDocumentError: 4,
    InvalidCharacterError: 5, NoModificationAllowedError: 7, NotFoundError: 8,
    NotSupportedError: 9, InUseAttributeError: 10, InvalidStateError: 11, SyntaxError: 12,
    InvalidModificationError: 13, NamespaceError: 14, InvalidAccessError: 15,
    TypeMismatchError: 17, SecurityError: 18, NetworkError: 19, AbortError: 20,
    URLMismatchError: 21, TimeoutError: 23, InvalidNodeTypeError: 24, DataCloneError: 25,
  };
  for (const [name, code] of Object.entries(table)) eq(new DOMException("", name).code, code, name);
  // Names without a legacy code, historical constants without a name, unknown names and
  // near misses all give 0.
  for (const name of ["EncodingError", "NotReadableError", "UnknownError", "ConstraintError",
                      "DataError", "TransactionInactiveError", "ReadOnlyError", "VersionError",
                      "OperationError", "NotAllowedError", "DOMStringSizeError",
                      "NoDataAllowedError", "ValidationError", "QuotaExceededError",
                      "abortError", "AbortError ", "", "Error", "INDEX_SIZE_ERR"])
    eq(new DOMException("", name).code, 0, JSON.stringify(name));
} };

export const isErrorLike = { test() {
  const e = new DOMException("went wrong", "InvalidStateError");
  eq(Object.getPrototypeOf(DOMException.prototype), Error.prototype);
  eq(Object.getPrototypeOf(DOMException), Function.prototype, "the constructor is not Error's child");
  ok(e instanceof DOMException);
  ok(e instanceof Error);
  eq(Object.prototype.toString.call(e), "[object DOMException]");
  eq(String(e), "InvalidStateError: went wrong");
  eq(Error.prototype.toString.call(e), "InvalidStateError: went wrong");
  eq(DOMException.prototype.constructor, DOMException);
  eq(DOMException.prototype[Symbol.toStringTag], "DOMException");
} };

export const hasAStack = { test() {
  function makeIt() { const e = new DOMException("m", "DataError"); return e; }
  const e = makeIt();
  eq(typeof e.stack, "string");
  ok(e.stack.includes("makeIt"), e.stack);
  ok(e.stack.includes("domexception.test.js"), e.stack);
  ok(e.stack.split("\n")[0].startsWith("makeIt@"), "the constructor's own frames are left out: " + e.stack);
  const d = Object.getOwnPropertyDescriptor(e, "stack");
  ok(d && !d.enumerable, "an own, non-enumerable stack");
} };

export const subclassing = { test() {
  class MyError extends DOMException {
    constructor(m) { super(m, "NotSupportedError"); this.extra = 1; }
  }
  const e = new MyError("sub");
  ok(e instanceof MyError && e instanceof DOMException && e instanceof Error);
  eq(e.name, "NotSupportedError");
  eq(e.code, 9);
  eq(e.message, "sub");
  eq(e.extra, 1);
  eq(Object.getPrototypeOf(e), MyError.prototype);
} };

export const thrownFromNativeCode = { test() {
  // Not a tail call: JSC drops the frames of proper tail calls in strict code.
  function decode() { const r = atob("*"); return r; }
  const e = throws(decode, DOMException);
  eq(e.name, "InvalidCharacterError");
  eq(e.code, 5);
  ok(e instanceof Error);
  eq(Object.getOwnPropertyDescriptor(e, "name"), undefined, "name comes from the prototype");
  ok(typeof e.stack === "string" && e.stack.includes("decode"), e.stack);
} };

export const nativeCodeIgnoresAReplacedGlobal = { test() {
  const Original = DOMException;
  let called = false;
  globalThis.DOMException = function () { called = true; return { fake: true }; };
  try {
    const e = throws(() => atob("*"));
    ok(e instanceof Original, "still the real DOMException");
    ok(!called, "the replaced global is never called");
  } finally {
    globalThis.DOMException = Original;
  }
} };

export const quotaExceededError = { test() {
  const e = new QuotaExceededError("full");
  ok(e instanceof QuotaExceededError && e instanceof DOMException && e instanceof Error);
  eq(e.name, "QuotaExceededError");
  eq(e.message, "full");
  eq(e.code, 22);
  eq(e.quota, null);
  eq(e.requested, null);
  eq(Object.getPrototypeOf(QuotaExceededError), DOMException);
  eq(Object.getPrototypeOf(QuotaExceededError.prototype), DOMException.prototype);
  eq(Object.prototype.toString.call(e), "[object QuotaExceededError]");
  const f = new QuotaExceededError("m", { quota: 10, requested: 12.5 });
  eq(f.quota, 10);
  eq(f.requested, 12.5);
  eq(new QuotaExceededError("m", { requested: 3 }).quota, null);
  eq(new QuotaExceededError("m", { quota: 5, requested: 5 }).requested, 5);
  throws(() => new QuotaExceededError("m", { quota: -1 }), RangeError);
  throws(() => new QuotaExceededError("m", { requested: -0.5 }), RangeError);
  throws(() => new QuotaExceededError("m", { quota: 10, requested: 9 }), RangeError);
  throws(() => new QuotaExceededError("m", { quota: NaN }), TypeError);
  throws(() => new QuotaExceededError("m", { requested: Infinity }), TypeError);
  throws(() => new QuotaExceededError("m", 5), TypeError);
  throws(() => QuotaExceededError(), TypeError);
  const get = Object.getOwnPropertyDescriptor(QuotaExceededError.prototype, "quota").get;
  throws(() => get.call(new DOMException()), TypeError, /Illegal invocation/);
} };

export const getRandomValuesThrowsQuotaExceededError = { test() {
  const e = throws(() => crypto.getRandomValues(new Uint8Array(65537)), QuotaExceededError);
  eq(e.code, 22);
  eq(e.name, "QuotaExceededError");
} };
