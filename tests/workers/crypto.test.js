// crypto.getRandomValues and crypto.randomUUID (Web Crypto API).
import { eq, ok, throws } from "./assert.js";

const domError = (fn, name) => {
  const e = throws(fn);
  eq(e.name, name);
  return e;
};

export const getRandomValuesFillsAndReturnsTheSameArray = { test() {
  const a = new Uint8Array(64);
  const r = crypto.getRandomValues(a);
  eq(r, a);
  ok(a.some((x) => x !== 0), "64 random bytes are not all zero");
} };

export const getRandomValuesAcceptsEveryIntegerArray = { test() {
  for (const C of [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, BigInt64Array, BigUint64Array]) {
    const a = new C(16);
    eq(crypto.getRandomValues(a), a, C.name);
  }
} };

export const getRandomValuesFillsOnlyTheView = { test() {
  const buf = new Uint8Array(48);
  crypto.getRandomValues(new Uint8Array(buf.buffer, 16, 16));
  ok(buf.subarray(0, 16).every((x) => x === 0), "bytes before the view untouched");
  ok(buf.subarray(32).every((x) => x === 0), "bytes after the view untouched");
  ok(buf.subarray(16, 32).some((x) => x !== 0), "the view is filled");
} };

export const getRandomValuesRejectsFloatArrays = { test() {
  domError(() => crypto.getRandomValues(new Float32Array(4)), "TypeMismatchError");
  domError(() => crypto.getRandomValues(new Float64Array(4)), "TypeMismatchError");
  domError(() => crypto.getRandomValues(new DataView(new ArrayBuffer(4))), "TypeMismatchError");
} };

export const getRandomValuesRejectsNonViews = { test() {
  throws(() => crypto.getRandomValues(new ArrayBuffer(4)), TypeError);
  throws(() => crypto.getRandomValues([1, 2]), TypeError);
  throws(() => crypto.getRandomValues(), TypeError);
} };

export const getRandomValuesQuotaIs65536Bytes = { test() {
  const ok64k = new Uint8Array(65536);
  eq(crypto.getRandomValues(ok64k), ok64k);
  domError(() => crypto.getRandomValues(new Uint8Array(65537)), "QuotaExceededError");
  // The limit is in bytes, not elements.
  domError(() => crypto.getRandomValues(new Uint32Array(16385)), "QuotaExceededError");
} };

export const randomUUIDIsVersion4 = { test() {
  const re = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  const seen = new Set();
  for (let i = 0; i < 100; i++) {
    const u = crypto.randomUUID();
    ok(re.test(u), u);
    seen.add(u);
  }
  eq(seen.size, 100);
} };

export const cryptoIsABrandCheckedCryptoInstance = { test() {
  ok(crypto instanceof Crypto);
  eq(Object.prototype.toString.call(crypto), "[object Crypto]");
  throws(() => new Crypto(), TypeError);
  throws(() => Crypto.prototype.randomUUID.call({}), TypeError, /Illegal invocation/);
  throws(() => crypto.getRandomValues.call({}, new Uint8Array(1)), TypeError, /Illegal invocation/);
  eq(Crypto.prototype.getRandomValues.length, 1);
  eq(Object.hasOwn(crypto, "randomUUID"), false);
} };
