// URLSearchParams (URL Standard §6.2): construction from each init form, the methods,
// Web IDL iteration, and the errors.
import { eq, ok, deepEq, throws } from "./assert.js";

const pairs = (p) => [...p];

export const shape = {
  test() {
    for (const m of ["append", "delete", "get", "getAll", "has", "set", "sort", "forEach",
                     "entries", "keys", "values", "toString"])
      eq(typeof URLSearchParams.prototype[m], "function", m);
    ok(URLSearchParams.prototype[Symbol.iterator] === URLSearchParams.prototype.entries);
    eq(Object.getOwnPropertyDescriptor(URLSearchParams.prototype, Symbol.iterator).enumerable, false);
    const size = Object.getOwnPropertyDescriptor(URLSearchParams.prototype, "size");
    eq(typeof size.get, "function");
    eq(size.set, undefined);
    eq(URLSearchParams.length, 0);
    eq(URLSearchParams.prototype.append.length, 2);
    eq(URLSearchParams.prototype.delete.length, 1);
    eq(Object.prototype.toString.call(new URLSearchParams()), "[object URLSearchParams]");
    throws(() => URLSearchParams(), TypeError);
    throws(() => URLSearchParams.prototype.get.call({}, "a"), TypeError, /Illegal invocation/);
  },
};

export const iteratorShape = {
  test() {
    const it = new URLSearchParams("a=1").entries();
    eq(Object.prototype.toString.call(it), "[object URLSearchParams Iterator]");
    const proto = Object.getPrototypeOf(it);
    const iterProto = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));
    ok(Object.getPrototypeOf(proto) === iterProto);
    ok(!Object.prototype.hasOwnProperty.call(proto, "constructor"));
    ok(it[Symbol.iterator]() === it);
    throws(() => proto.next.call({}), TypeError);
  },
};

export const fromStringDropsOneLeadingQuestionMark = {
  test() {
    deepEq(pairs(new URLSearchParams("?a=1&b")), [["a", "1"], ["b", ""]]);
    deepEq(pairs(new URLSearchParams("??a=1")), [["?a", "1"]]);
    deepEq(pairs(new URLSearchParams("a=b=c&&=d&+%20=%zz")), [["a", "b=c"], ["", "d"], ["  ", "%zz"]]);
    eq(new URLSearchParams().size, 0);
    eq(new URLSearchParams(undefined).size, 0);
    deepEq(pairs(new URLSearchParams(null)), [["null", ""]]);
    deepEq(pairs(new URLSearchParams(42)), [["42", ""]]);
  },
};

export const invalidPercentEncodedUTF8BecomesReplacement = {
  test() {
    eq(new URLSearchParams("a=%FF%E2%82").get("a"), "\uFFFD\uFFFD");
  },
};

export const fromRecord = {
  test() {
    deepEq(pairs(new URLSearchParams({ b: "2", a: 1 })), [["b", "2"], ["a", "1"]]);
    // Keys that become the same USVString: the first key's place, the last value.
    eq(new URLSearchParams({ "\uD835x": "1", xx: "2", "\uD83Dx": "3" }).toString(), "%EF%BF%BDx=3&xx=2");
    const o = Object.create({ inherited: "no" }, { hidden: { value: "no", enumerable: false } });
    o.own = "yes";
    deepEq(pairs(new URLSearchParams(o)), [["own", "yes"]]);
    throws(() => new URLSearchParams({ [Symbol()]: "x" }), TypeError);
  },
};

export const fromSequence = {
  test() {
    deepEq(pairs(new URLSearchParams([["a", "1"], ["a", 2], new Set(["c", "3"])])),
           [["a", "1"], ["a", "2"], ["c", "3"]]);
    throws(() => new URLSearchParams([["a"]]), TypeError, /pair/);
    throws(() => new URLSearchParams([["a", "b", "c"]]), TypeError, /pair/);
    throws(() => new URLSearchParams([1]), TypeError);
    throws(() => new URLSearchParams(["ab"]), TypeError);
    const bad = { [Symbol.iterator]: 1 };
    throws(() => new URLSearchParams(bad), TypeError);
  },
};

export const fromAnotherURLSearchParamsCopies = {
  test() {
    const a = new URLSearchParams("x=1&y=2");
    const b = new URLSearchParams(a);
    b.append("z", "3");
    eq(a.toString(), "x=1&y=2");
    eq(b.toString(), "x=1&y=2&z=3");
  },
};

export const iterableInitUsesTheIterator = {
  test() {
    const p = new URLSearchParams("a=1");
    p[Symbol.iterator] = function* () { yield ["own", "iterator"]; };
    eq(new URLSearchParams(p).toString(), "own=iterator");
  },
};

export const appendGetGetAllSet = {
  test() {
    const p = new URLSearchParams();
    p.append("a", "1");
    p.append("b", "2");
    p.append("a", "3");
    eq(p.get("a"), "1");
    eq(p.get("missing"), null);
    deepEq(p.getAll("a"), ["1", "3"]);
    deepEq(p.getAll("missing"), []);
    p.set("a", "4");
    eq(p.toString(), "a=4&b=2", "set keeps the first position and removes the rest");
    p.set("c", "5");
    eq(p.toString(), "a=4&b=2&c=5");
    throws(() => p.append("only-one"), TypeError, /2 arguments required/);
    throws(() => p.get(), TypeError);
  },
};

export const deleteAndHasWithValue = {
  test() {
    const p = new URLSearchParams("a=1&a=2&a=1&b=1");
    eq(p.has("a", "2"), true);
    eq(p.has("a", "9"), false);
    eq(p.has("a", undefined), true, "undefined value is no value");
    p.delete("a", "1");
    eq(p.toString(), "a=2&b=1");
    p.delete("a", undefined);
    eq(p.toString(), "b=1");
    p.delete("b");
    eq(p.size, 0);
  },
};

export const sortIsStableByUTF16CodeUnits = {
  test() {
    const p = new URLSearchParams("z=1&a=2&z=3&a=4&\uFFFD=5&\u{1F600}=6&b=7");
    p.sort();
    deepEq(pairs(p), [["a", "2"], ["a", "4"], ["b", "7"], ["z", "1"], ["z", "3"],
                      ["\u{1F600}", "6"], ["\uFFFD", "5"]]);
  },
};

export const serializationUsesTheFormSet = {
  test() {
    const p = new URLSearchParams();
    p.append("a b", "*-._!'()~+&=\u00e9\0");
    eq(p.toString(), "a+b=*-._%21%27%28%29%7E%2B%26%3D%C3%A9%00");
    eq(String(p), p.toString());
    eq(new URLSearchParams(p.toString()).get("a b"), "*-._!'()~+&=\u00e9\0");
  },
};

export const iterationIsLive = {
  test() {
    const p = new URLSearchParams("a=1&b=2&c=3");
    const seen = [];
    for (const [k] of p) {
      seen.push(k);
      if (k === "a") p.delete("b");
      if (k === "c") p.append("d", "4");
    }
    deepEq(seen, ["a", "c", "d"]);
    const keys = p.keys();
    deepEq(keys.next(), { value: "a", done: false });
    p.delete("a");
    deepEq(keys.next(), { value: "d", done: false });
    deepEq(keys.next(), { value: undefined, done: true });
    deepEq([...p.values()], ["3", "4"]);
  },
};

export const forEachSeesChangesAndPassesThis = {
  test() {
    const p = new URLSearchParams("a=1&b=2");
    const calls = [];
    const self = {};
    p.forEach(function (value, key, obj) {
      calls.push([key, value, obj === p, this === self]);
      if (key === "a") p.append("c", "3");
    }, self);
    deepEq(calls, [["a", "1", true, true], ["b", "2", true, true], ["c", "3", true, true]]);
    throws(() => p.forEach(), TypeError);
    throws(() => p.forEach("nope"), TypeError);
  },
};

export const sizeFollowsTheList = {
  test() {
    const u = new URL("https://h/?a=1&a=2");
    eq(u.searchParams.size, 2);
    u.search = "x";
    eq(u.searchParams.size, 1);
  },
};
