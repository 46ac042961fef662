// XHR's FormData: the entry list, Blob/File values, iteration.
import { eq, ok, deepEq, throws } from "./assert.js";

const show = (fd) => [...fd].map(([k, v]) => [k, typeof v === "string" ? v : "File:" + v.name]);

export const constructorTakesNoForm = {
  test() {
    eq([...new FormData()].length, 0);
    eq([...new FormData(undefined)].length, 0);
    eq([...new FormData(undefined, null)].length, 0);
    throws(() => new FormData(null), TypeError, /HTMLFormElement/);
    throws(() => new FormData({}), TypeError);
    throws(() => new FormData("form"), TypeError);
    throws(() => new FormData(undefined, {}), TypeError, /HTMLElement/);
    throws(() => FormData(), TypeError);
  },
};

export const webIdlShape = {
  test() {
    eq(FormData.length, 0);
    eq(String(new FormData()), "[object FormData]");
    const p = FormData.prototype;
    for (const [m, n] of [["append", 2], ["delete", 1], ["get", 1], ["getAll", 1], ["has", 1],
                          ["set", 2], ["entries", 0], ["keys", 0], ["values", 0], ["forEach", 1]]) {
      eq(typeof p[m], "function", m);
      eq(p[m].length, n, m + ".length");
    }
    eq(p[Symbol.iterator], p.entries);
    throws(() => p.get.call({}, "a"), TypeError, /Illegal invocation/);
    throws(() => p.entries.call(new Headers()), TypeError);
  },
};

export const appendGetGetAllHas = {
  test() {
    const fd = new FormData();
    fd.append("a", "1");
    fd.append("b", "2");
    fd.append("a", "3");
    eq(fd.get("a"), "1");
    deepEq(fd.getAll("a"), ["1", "3"]);
    eq(fd.has("b"), true);
    eq(fd.has("c"), false);
    eq(fd.get("c"), null);
    deepEq(fd.getAll("c"), []);
    eq(fd.has("A"), false, "names are case-sensitive");
  },
};

export const argumentsRequired = {
  test() {
    const fd = new FormData();
    throws(() => fd.append("a"), TypeError, /2 arguments required/);
    throws(() => fd.set("a"), TypeError);
    throws(() => fd.get(), TypeError);
    throws(() => fd.getAll(), TypeError);
    throws(() => fd.has(), TypeError);
    throws(() => fd.delete(), TypeError);
  },
};

export const namesAndValuesAreUsvStrings = {
  test() {
    const fd = new FormData();
    fd.append("\ud800", "\udc00x");
    fd.append(1, null);
    fd.append("o", { toString: () => "obj" });
    fd.append("n\u0000ul", "v\u0000");
    deepEq(show(fd), [["\ufffd", "\ufffdx"], ["1", "null"], ["o", "obj"], ["n\u0000ul", "v\u0000"]]);
    eq(fd.get("n\u0000ul"), "v\u0000");
    eq(fd.has("n"), false);
  },
};

export const argumentsConvertInOrder = {
  test() {
    const log = [];
    new FormData().append({ toString() { log.push("name"); return "n"; } },
                          { toString() { log.push("value"); return "v"; } });
    deepEq(log, ["name", "value"]);
  },
};

export const blobBecomesFileNamedBlob = {
  async test() {
    const fd = new FormData();
    const before = Date.now();
    fd.append("b", new Blob(["xyz"], { type: "text/x" }));
    const f = fd.get("b");
    ok(f instanceof File);
    eq(f.name, "blob");
    eq(f.type, "text/x");
    eq(await f.text(), "xyz");
    ok(f.lastModified >= before);
    eq(fd.get("b"), f, "the same object every time");
    eq(fd.getAll("b")[0], f);
  },
};

export const blobWithFilename = {
  test() {
    const fd = new FormData();
    fd.append("b", new Blob(["x"]), "given.txt");
    eq(fd.get("b").name, "given.txt");
    fd.append("c", new Blob(["x"]), undefined);
    eq(fd.get("c").name, "blob", "an undefined filename is no filename");
  },
};

export const fileIsKeptAsIs = {
  test() {
    const file = new File(["q"], "q.txt", { lastModified: 5 });
    const fd = new FormData();
    fd.append("f", file);
    eq(fd.get("f"), file);
  },
};

export const fileWithFilenameBecomesANewFile = {
  async test() {
    const file = new File(["q"], "q.txt", { type: "a/b", lastModified: 5 });
    const fd = new FormData();
    fd.append("f", file, "other.txt");
    const g = fd.get("f");
    ok(g !== file);
    eq(g.name, "other.txt");
    eq(g.type, "a/b");
    eq(g.lastModified, 5);
    eq(await g.text(), "q");
    eq(file.name, "q.txt", "the original is unchanged");
    fd.append("same", file, "q.txt");
    ok(fd.get("same") !== file, "a filename always makes a new File");
  },
};

export const threeArgumentsNeedABlob = {
  test() {
    const fd = new FormData();
    throws(() => fd.append("a", "b", "c"), TypeError, /Blob/);
    throws(() => fd.set("a", {}, "c"), TypeError);
    throws(() => fd.append("a", "b", undefined), TypeError, /Blob/);
    eq(fd.has("a"), false);
    // Two arguments: anything that is not a Blob is a string.
    fd.append("a", new Uint8Array([1, 2]));
    eq(fd.get("a"), "1,2");
  },
};

export const setReplacesTheFirstAndRemovesTheRest = {
  test() {
    const fd = new FormData();
    fd.append("a", "1");
    fd.append("b", "2");
    fd.append("a", "3");
    fd.append("c", "4");
    fd.set("a", "new");
    deepEq(show(fd), [["a", "new"], ["b", "2"], ["c", "4"]]);
    fd.set("d", "5");
    deepEq(show(fd), [["a", "new"], ["b", "2"], ["c", "4"], ["d", "5"]]);
    fd.set("b", new Blob([]), "f");
    deepEq(show(fd), [["a", "new"], ["b", "File:f"], ["c", "4"], ["d", "5"]]);
  },
};

export const deleteRemovesEveryMatch = {
  test() {
    const fd = new FormData();
    fd.append("a", "1");
    fd.append("b", new Blob([]));
    fd.append("a", "2");
    fd.delete("a");
    deepEq(show(fd), [["b", "File:blob"]]);
    fd.delete("b");
    fd.delete("nothing");
    eq([...fd].length, 0);
  },
};

export const iteration = {
  test() {
    const fd = new FormData();
    fd.append("x", "1");
    fd.append("y", new File([], "f"));
    fd.append("x", "2");
    deepEq([...fd.keys()], ["x", "y", "x"]);
    const vals = [...fd.values()];
    eq(vals[0], "1");
    eq(vals[1], fd.get("y"));
    eq(vals[2], "2");
    const it = fd.entries();
    eq(Object.prototype.toString.call(it), "[object FormData Iterator]");
    const iterProto = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));
    eq(Object.getPrototypeOf(Object.getPrototypeOf(it)), iterProto);
    eq(it[Symbol.iterator](), it);
    deepEq(it.next(), { value: ["x", "1"], done: false });
    throws(() => it.next.call({}), TypeError);
  },
};

export const iterationSeesTheLiveList = {
  test() {
    const fd = new FormData();
    fd.append("a", "1");
    fd.append("b", "2");
    const seen = [];
    for (const [k] of fd) {
      seen.push(k);
      if (k === "a") {
        fd.append("c", "3");
        fd.delete("b");
      }
    }
    deepEq(seen, ["a", "c"]);
    const it = fd.keys();
    eq(it.next().value, "a");
    fd.delete("a");
    eq(it.next().done, true, "the index went past the end");
  },
};

export const forEachGetsValueNameAndTheForm = {
  test() {
    const fd = new FormData();
    fd.append("a", "1");
    fd.append("b", "2");
    const calls = [];
    const thisArg = { t: 1 };
    fd.forEach(function (value, name, form) {
      calls.push([value, name, form === fd, this === thisArg]);
    }, thisArg);
    deepEq(calls, [["1", "a", true, true], ["2", "b", true, true]]);
    let seenThis;
    fd.forEach(function () { "use strict"; seenThis = this; }, 5);
    eq(seenThis, 5, "a primitive thisArg is passed as is");
    throws(() => fd.forEach(), TypeError);
    throws(() => fd.forEach({}), TypeError);
    const err = new Error("stop");
    eq(throws(() => fd.forEach(() => { throw err; })), err);
  },
};

export const subclassingWorks = {
  test() {
    class Form extends FormData {
      count() {
        return [...this.keys()].length;
      }
    }
    const f = new Form();
    f.append("a", "1");
    ok(f instanceof FormData);
    eq(f.count(), 1);
  },
};
