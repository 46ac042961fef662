// Assertion helpers for worker tests. Each failure throws an Error naming what was
// expected and what was found, plus the caller's message when one is given.

function show(v) {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "bigint") return v + "n";
  if (typeof v === "symbol" || typeof v === "function") return String(v);
  if (Object.is(v, -0)) return "-0";
  if (v instanceof Error) return v.name + ": " + v.message;
  if (v !== null && typeof v === "object") {
    try {
      return JSON.stringify(v) ?? String(v);
    } catch {
      return Object.prototype.toString.call(v);
    }
  }
  return String(v);
}

function fail(what, msg) {
  throw new Error(msg ? msg + ": " + what : what);
}

// Object.is equality.
export function eq(actual, expected, msg) {
  if (!Object.is(actual, expected)) fail("expected " + show(expected) + ", got " + show(actual), msg);
}

export function ok(value, msg) {
  if (!value) fail("expected a truthy value, got " + show(value), msg);
}

// Structural equality through the JSON form (key order matters, as JSON.stringify keeps it).
export function deepEq(actual, expected, msg) {
  const a = JSON.stringify(actual), e = JSON.stringify(expected);
  if (a !== e) fail("expected " + e + ", got " + a, msg);
}

function checkError(e, ErrorCtor, re, where) {
  if (ErrorCtor && !(e instanceof ErrorCtor)) {
    fail(where + " " + show(e) + ", expected a " + ErrorCtor.name);
  }
  if (re && !re.test(String(e && e.message))) {
    fail(where + " " + show(e) + ", expected a message matching " + re);
  }
  return e;
}

// fn() must throw an instance of ErrorCtor (whose message matches re when given).
// Returns the error.
export function throws(fn, ErrorCtor, re) {
  try {
    fn();
  } catch (e) {
    return checkError(e, ErrorCtor, re, "threw");
  }
  fail("expected " + (ErrorCtor ? "a " + ErrorCtor.name : "an exception") + ", but nothing was thrown");
}

// The promise (or what fn returns) must reject with an instance of ErrorCtor. Returns the
// error. A synchronous throw from fn counts as a failure: it is not a rejection.
export async function rejects(promiseOrFn, ErrorCtor, re) {
  const p = typeof promiseOrFn === "function" ? promiseOrFn() : promiseOrFn;
  if (!p || typeof p.then !== "function") fail("expected a promise, got " + show(p));
  let value;
  try {
    value = await p;
  } catch (e) {
    return checkError(e, ErrorCtor, re, "rejected with");
  }
  fail("expected a rejection with " + (ErrorCtor ? "a " + ErrorCtor.name : "an error") + ", but it resolved to " + show(value));
}
