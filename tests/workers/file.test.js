// The File API's File: a Blob with a name and lastModified.
import { eq, ok, deepEq, throws } from "./assert.js";

export const constructorBasics = {
  async test() {
    const f = new File(["ab", new Uint8Array([99])], "notes.txt", { type: "Text/Plain" });
    ok(f instanceof File);
    ok(f instanceof Blob);
    eq(f.name, "notes.txt");
    eq(f.size, 3);
    eq(f.type, "text/plain");
    eq(await f.text(), "abc");
    eq(String(f), "[object File]");
  },
};

export const webIdlShape = {
  test() {
    eq(File.length, 2);
    eq(Object.getPrototypeOf(File), Blob);
    eq(Object.getPrototypeOf(File.prototype), Blob.prototype);
    for (const a of ["name", "lastModified"])
      eq(typeof Object.getOwnPropertyDescriptor(File.prototype, a).get, "function", a);
    eq(Object.getOwnPropertyDescriptor(File.prototype, "size"), undefined, "size is Blob's");
    throws(() => File([], "x"), TypeError);
    // Blob's accessors work on a File; File's do not work on a Blob.
    eq(Object.getOwnPropertyDescriptor(Blob.prototype, "size").get.call(new File(["xy"], "n")), 2);
    throws(() => Object.getOwnPropertyDescriptor(File.prototype, "name").get.call(new Blob()), TypeError);
  },
};

export const twoArgumentsRequired = {
  test() {
    throws(() => new File(), TypeError);
    throws(() => new File([]), TypeError, /2 arguments required/);
    eq(new File([], undefined).name, "undefined");
    throws(() => new File("abc", "x"), TypeError, undefined, "fileBits must be a sequence");
  },
};

export const lastModifiedDefaultsToNow = {
  test() {
    const before = Date.now();
    const f = new File([], "x");
    const after = Date.now();
    ok(f.lastModified >= before && f.lastModified <= after, `${before} <= ${f.lastModified} <= ${after}`);
    eq(Math.floor(f.lastModified), f.lastModified, "whole milliseconds");
    const g = new File([], "x", { lastModified: undefined });
    ok(g.lastModified >= before);
  },
};

export const lastModifiedIsALongLong = {
  test() {
    const lm = (v) => new File([], "x", { lastModified: v }).lastModified;
    eq(lm(42), 42);
    eq(lm(0), 0);
    eq(lm(-5), -5);
    eq(lm(1.9), 1);
    eq(lm(-1.9), -1);
    eq(lm(-0.5), 0);
    eq(lm(NaN), 0);
    eq(lm(Infinity), 0);
    eq(lm("123"), 123);
    eq(lm(null), 0);
    eq(lm(new Date(1000)), 1000);
    eq(lm(2 ** 53), 2 ** 53);
  },
};

export const nameIsAUsvString = {
  test() {
    eq(new File([], "a/b\\c").name, "a/b\\c", "no path handling");
    eq(new File([], "\ud800x").name, "\ufffdx");
    eq(new File([], "a\u0000b").name, "a\u0000b", "NUL kept");
    eq(new File([], 12).name, "12");
    eq(new File([], "").name, "");
  },
};

export const optionsReadInLexicographicOrder = {
  test() {
    const log = [];
    new File([{ toString() { log.push("bits"); return ""; } }], { toString() { log.push("name"); return "n"; } }, {
      get type() { log.push("type"); return ""; },
      get lastModified() { log.push("lastModified"); return 1; },
      get endings() { log.push("endings"); return "native"; },
    });
    deepEq(log, ["bits", "name", "endings", "lastModified", "type"]);
  },
};

export const endingsAndType = {
  async test() {
    const f = new File(["a\r\nb"], "x", { endings: "native", type: "A/B\u00e9" });
    eq(await f.text(), "a\nb");
    eq(f.type, "");
    throws(() => new File([], "x", { endings: "lf" }), TypeError);
    throws(() => new File([], "x", 5), TypeError);
  },
};

export const fileFromFile = {
  async test() {
    const a = new File(["data"], "a.bin", { type: "x/y", lastModified: 7 });
    const b = new File([a], "b.bin");
    eq(b.name, "b.bin");
    eq(b.type, "", "a part's type does not carry over");
    ok(b.lastModified !== 7);
    eq(await b.text(), "data");
  },
};

export const subclassingWorks = {
  test() {
    class Named extends File {
      get shout() {
        return this.name.toUpperCase();
      }
    }
    const f = new Named(["x"], "quiet");
    ok(f instanceof Named && f instanceof File && f instanceof Blob);
    eq(f.shout, "QUIET");
    eq(f.size, 1);
  },
};
