// Headers (Fetch Standard §5.2), as workerd exposes it.
import { eq, ok, deepEq, throws } from "./assert.js";

const entries = (h) => [...h];

export const getIsCaseInsensitive = {
  test() {
    const h = new Headers({ "Content-Type": "text/plain" });
    eq(h.get("content-type"), "text/plain");
    eq(h.get("CONTENT-TYPE"), "text/plain");
    eq(h.has("Content-type"), true);
  },
};

export const getMissingIsNull = {
  test() {
    eq(new Headers().get("x"), null);
  },
};

export const namesAreLowerCasedOnOutput = {
  test() {
    const h = new Headers([["X-Mixed-Case", "1"]]);
    deepEq([...h.keys()], ["x-mixed-case"]);
  },
};

export const appendCombinesWithCommaSpace = {
  test() {
    const h = new Headers();
    h.append("Accept", "a");
    h.append("accept", "b");
    eq(h.get("accept"), "a, b");
    deepEq(entries(h), [["accept", "a, b"]]);
  },
};

export const setReplacesAllValues = {
  test() {
    const h = new Headers([["a", "1"], ["b", "2"], ["A", "3"]]);
    h.set("a", "x");
    eq(h.get("a"), "x");
    deepEq(entries(h), [["a", "x"], ["b", "2"]]);
  },
};

export const deleteRemovesEveryValue = {
  test() {
    const h = new Headers([["a", "1"], ["A", "2"], ["b", "3"]]);
    h.delete("A");
    eq(h.has("a"), false);
    eq(h.get("b"), "3");
  },
};

export const valuesAreWhitespaceNormalised = {
  test() {
    const h = new Headers();
    h.append("a", " \t\r\n x y \n\t ");
    eq(h.get("a"), "x y");
    h.set("b", "\t\tz ");
    eq(h.get("b"), "z");
  },
};

export const innerTabIsAllowed = {
  test() {
    const h = new Headers({ a: "x\ty" });
    eq(h.get("a"), "x\ty");
  },
};

export const invalidNameThrows = {
  test() {
    for (const name of ["", "a b", "a:b", "é", "a\n", "(x)", "a/b"]) {
      throws(() => new Headers().append(name, "v"), TypeError, /Invalid header name/);
    }
    throws(() => new Headers().get("a b"), TypeError, /Invalid header name/);
    throws(() => new Headers().has(""), TypeError, /Invalid header name/);
    throws(() => new Headers().delete("a@b"), TypeError, /Invalid header name/);
    throws(() => new Headers({ "bad name": "v" }), TypeError, /Invalid header name/);
  },
};

export const tokenPunctuationIsValid = {
  test() {
    const h = new Headers();
    h.append("!#$%&'*+-.^_`|~09az", "v");
    eq(h.get("!#$%&'*+-.^_`|~09AZ"), "v");
  },
};

export const invalidValueThrows = {
  test() {
    for (const value of ["a\nb", "a\rb", "a\0b"]) {
      throws(() => new Headers().append("x", value), TypeError, /Invalid header value/);
      throws(() => new Headers().set("x", value), TypeError, /Invalid header value/);
    }
  },
};

export const nonByteStringValueThrows = {
  test() {
    throws(() => new Headers({ a: "\u0100" }), TypeError);
    throws(() => new Headers().append("a", "€"), TypeError);
  },
};

export const latin1ValueRoundTrips = {
  test() {
    const h = new Headers({ a: "caf\u00e9" });
    eq(h.get("a"), "caf\u00e9");
  },
};

export const valuesAreStringified = {
  test() {
    const h = new Headers({ n: 42, b: true, o: { toString: () => "obj" } });
    eq(h.get("n"), "42");
    eq(h.get("b"), "true");
    eq(h.get("o"), "obj");
  },
};

export const constructFromPairs = {
  test() {
    const h = new Headers([["b", "2"], ["a", "1"]]);
    deepEq(entries(h), [["a", "1"], ["b", "2"]]);
  },
};

export const pairWithWrongLengthThrows = {
  test() {
    throws(() => new Headers([["a"]]), TypeError);
    throws(() => new Headers([["a", "1", "2"]]), TypeError);
    throws(() => new Headers([[]]), TypeError);
  },
};

export const pairMustBeIterable = {
  test() {
    throws(() => new Headers(["ab"]), TypeError);
    throws(() => new Headers([{ 0: "a", 1: "b" }]), TypeError);
  },
};

export const constructFromIterablePairs = {
  test() {
    const pairs = new Map([["x", "1"], ["y", "2"]]);
    const h = new Headers(pairs);
    eq(h.get("x"), "1");
    eq(h.get("y"), "2");
  },
};

export const constructFromRecordUsesOwnEnumerableKeys = {
  test() {
    const proto = { inherited: "no" };
    const o = Object.create(proto);
    o.own = "yes";
    Object.defineProperty(o, "hidden", { value: "no", enumerable: false });
    const h = new Headers(o);
    deepEq(entries(h), [["own", "yes"]]);
  },
};

export const constructFromHeadersCopies = {
  test() {
    const a = new Headers({ x: "1" });
    a.append("set-cookie", "s=1");
    a.append("set-cookie", "t=2");
    const b = new Headers(a);
    a.set("x", "changed");
    eq(b.get("x"), "1");
    deepEq(b.getSetCookie(), ["s=1", "t=2"]);
  },
};

export const constructRejectsPrimitives = {
  test() {
    throws(() => new Headers("a: b"), TypeError);
    throws(() => new Headers(42), TypeError);
    throws(() => new Headers(null), TypeError);
  },
};

export const constructWithUndefinedIsEmpty = {
  test() {
    eq(entries(new Headers(undefined)).length, 0);
  },
};

export const iterationIsSortedAndCombined = {
  test() {
    const h = new Headers();
    h.append("c", "3");
    h.append("A", "1");
    h.append("b", "2");
    h.append("a", "4");
    deepEq(entries(h), [["a", "1, 4"], ["b", "2"], ["c", "3"]]);
    deepEq([...h.keys()], ["a", "b", "c"]);
    deepEq([...h.values()], ["1, 4", "2", "3"]);
  },
};

export const setCookieIsNotCombinedInIteration = {
  test() {
    const h = new Headers();
    h.append("Set-Cookie", "a=1");
    h.append("x", "y");
    h.append("set-cookie", "b=2");
    deepEq(entries(h), [["set-cookie", "a=1"], ["set-cookie", "b=2"], ["x", "y"]]);
    eq(h.get("set-cookie"), "a=1, b=2");
  },
};

export const getSetCookieReturnsEachValue = {
  test() {
    const h = new Headers([["set-cookie", "a=1, b"], ["Set-Cookie", "c=3"]]);
    deepEq(h.getSetCookie(), ["a=1, b", "c=3"]);
    deepEq(new Headers().getSetCookie(), []);
    ok(h.getSetCookie() !== h.getSetCookie(), "a new array each call");
  },
};

export const iteratorSeesLaterChanges = {
  test() {
    const h = new Headers({ a: "1", c: "3" });
    const it = h.keys();
    eq(it.next().value, "a");
    h.append("b", "2");
    eq(it.next().value, "b");
    eq(it.next().value, "c");
    const end = it.next();
    eq(end.done, true);
    eq(end.value, undefined);
  },
};

export const iteratorDeleteDuringIteration = {
  test() {
    const h = new Headers({ a: "1", b: "2", c: "3" });
    const seen = [];
    for (const [k] of h) {
      seen.push(k);
      if (k === "a") h.delete("b");
    }
    deepEq(seen, ["a", "c"]);
  },
};

export const iteratorShape = {
  test() {
    const it = new Headers().entries();
    const proto = Object.getPrototypeOf(it);
    eq(Object.prototype.toString.call(it), "[object Headers Iterator]");
    eq(typeof proto.next, "function");
    eq(Object.hasOwn(it, "next"), false);
    eq(Object.hasOwn(proto, "constructor"), false);
    const iterProto = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));
    eq(Object.getPrototypeOf(proto), iterProto);
    eq(it[Symbol.iterator](), it);
  },
};

export const iteratorNextBrandCheck = {
  test() {
    const next = new Headers().keys().next;
    throws(() => next.call({}), TypeError, /Illegal invocation/);
  },
};

export const symbolIteratorIsEntries = {
  test() {
    eq(Headers.prototype[Symbol.iterator], Headers.prototype.entries);
    eq(Object.getOwnPropertyDescriptor(Headers.prototype, Symbol.iterator).enumerable, false);
  },
};

export const forEachPassesValueNameAndHeaders = {
  test() {
    const h = new Headers({ b: "2", a: "1" });
    const calls = [];
    const self = {};
    h.forEach(function (value, name, obj) {
      calls.push([value, name, obj === h, this === self]);
    }, self);
    deepEq(calls, [["1", "a", true, true], ["2", "b", true, true]]);
  },
};

export const forEachRequiresCallable = {
  test() {
    throws(() => new Headers().forEach(), TypeError);
    throws(() => new Headers().forEach("nope"), TypeError);
  },
};

export const missingArgumentsThrow = {
  test() {
    throws(() => new Headers().append("a"), TypeError, /2 arguments required/);
    throws(() => new Headers().get(), TypeError, /1 argument required/);
  },
};

export const brandCheckOnPlainObject = {
  test() {
    throws(() => Headers.prototype.get.call({}, "a"), TypeError, /Illegal invocation/);
    throws(() => Headers.prototype.append.call({}, "a", "b"), TypeError, /Illegal invocation/);
    throws(() => Headers.prototype.entries.call(new Map()), TypeError, /Illegal invocation/);
  },
};

export const constructorRequiresNew = {
  test() {
    throws(() => Headers(), TypeError);
  },
};

export const webIdlShape = {
  test() {
    const h = new Headers();
    eq(Object.prototype.toString.call(h), "[object Headers]");
    ok(h instanceof Headers);
    eq(Object.keys(h).length, 0, "no own properties");
    eq(typeof Object.getOwnPropertyDescriptor(Headers.prototype, "append").value, "function");
    eq(Headers.prototype.append.length, 2);
    eq(Headers.name, "Headers");
    eq(Headers.length, 0);
  },
};

export const subclassingWorks = {
  test() {
    class MyHeaders extends Headers {
      extra() {
        return this.get("a");
      }
    }
    const h = new MyHeaders({ a: "1" });
    ok(h instanceof MyHeaders);
    ok(h instanceof Headers);
    eq(h.extra(), "1");
  },
};

export const immutableHeadersOfResponseErrorThrow = {
  test() {
    const h = Response.error().headers;
    throws(() => h.append("a", "b"), TypeError, /immutable/);
    throws(() => h.set("a", "b"), TypeError, /immutable/);
    throws(() => h.delete("a"), TypeError, /immutable/);
  },
};

export const immutableHeadersOfRedirectThrow = {
  test() {
    const h = Response.redirect("https://example.com/", 301).headers;
    throws(() => h.set("location", "https://other/"), TypeError, /immutable/);
    eq(h.get("location"), "https://example.com/");
  },
};

// workerd does not apply the browser's forbidden header lists: a worker may set them.
export const forbiddenHeaderNamesAreAllowed = {
  test() {
    const req = new Request("https://example.com/", { headers: { host: "x", "content-length": "3" } });
    eq(req.headers.get("host"), "x");
    const res = new Response("x", { headers: { "set-cookie": "a=1" } });
    eq(res.headers.get("set-cookie"), "a=1");
    res.headers.append("Set-Cookie", "b=2");
    deepEq(res.headers.getSetCookie(), ["a=1", "b=2"]);
  },
};
