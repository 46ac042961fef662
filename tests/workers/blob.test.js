// The File API's Blob: constructor (blob parts, options), size, type, slice() and the
// readers.
import { eq, ok, deepEq, throws, rejects } from "./assert.js";

const bytesOf = async (b) => [...new Uint8Array(await b.arrayBuffer())];

export const noArgumentsIsEmpty = {
  async test() {
    const b = new Blob();
    eq(b.size, 0);
    eq(b.type, "");
    eq(await b.text(), "");
    eq(new Blob(undefined).size, 0);
    eq(new Blob([], undefined).size, 0);
    eq(new Blob([], null).type, "");
  },
};

export const webIdlShape = {
  test() {
    eq(Blob.length, 0);
    eq(String(new Blob()), "[object Blob]");
    throws(() => Blob(), TypeError);
    for (const m of ["slice", "stream", "text", "arrayBuffer", "bytes"])
      eq(typeof Object.getOwnPropertyDescriptor(Blob.prototype, m).value, "function", m);
    for (const a of ["size", "type"])
      eq(typeof Object.getOwnPropertyDescriptor(Blob.prototype, a).get, "function", a);
  },
};

export const brandChecks = {
  async test() {
    const get = (name) => Object.getOwnPropertyDescriptor(Blob.prototype, name).get;
    throws(() => get("size").call({}), TypeError);
    throws(() => get("type").call(new Response()), TypeError);
    throws(() => Blob.prototype.slice.call({}), TypeError);
    // Promise-returning operations reject instead of throwing.
    await rejects(Blob.prototype.text.call({}), TypeError);
    await rejects(Blob.prototype.arrayBuffer.call(null), TypeError);
    await rejects(Blob.prototype.bytes.call(1), TypeError);
  },
};

export const blobPartsMustBeASequence = {
  test() {
    for (const v of ["hello", 0, null, true, {}, new Date(), /x/, Symbol.iterator])
      throws(() => new Blob(v), TypeError, undefined, String(v));
    throws(() => new Blob({ [Symbol.iterator]: 1 }), TypeError);
    throws(() => new Blob({ [Symbol.iterator]: () => 1 }), TypeError);
  },
};

export const anyIterableIsASequence = {
  async test() {
    eq(await new Blob(new String("abc")).text(), "abc");
    function* gen() {
      yield "a";
      yield new Uint8Array([98]);
      yield new Blob(["c"]);
    }
    eq(await new Blob(gen()).text(), "abc");
    eq(await new Blob(new Set(["x", "y"])).text(), "xy");
    // A Uint8Array is iterable: its items are numbers, converted to strings.
    eq(await new Blob(new Uint8Array([1, 22])).text(), "122");
  },
};

export const stringsAreUtf8 = {
  async test() {
    const b = new Blob(["h\u00e9llo \u20ac"]);
    eq(b.size, 10);
    eq(await b.text(), "h\u00e9llo \u20ac");
    // Lone surrogates become U+FFFD (USVString).
    deepEq(await bytesOf(new Blob(["\ud800"])), [0xef, 0xbf, 0xbd]);
    deepEq(await bytesOf(new Blob(["\ud83d\ude00"])), [0xf0, 0x9f, 0x98, 0x80]);
  },
};

export const otherValuesAreStringified = {
  async test() {
    eq(await new Blob([12, null, undefined, {}, [1, 2]]).text(), "12nullundefined[object Object]1,2");
    eq(await new Blob([{ toString: () => "custom" }]).text(), "custom");
    const err = new Error("boom");
    const e = throws(() => new Blob([{ toString() { throw err; } }]));
    eq(e, err);
  },
};

export const conversionsHappenInOrder = {
  test() {
    const log = [];
    const part = (name) => ({ toString() { log.push(name); return name; } });
    new Blob([part("a"), part("b")], {
      get endings() { log.push("endings"); return "transparent"; },
      get type() { log.push("type"); return "x/y"; },
    });
    deepEq(log, ["a", "b", "endings", "type"]);
  },
};

export const iterationStopsAtTheFirstError = {
  test() {
    const log = [];
    const err = new Error("stop");
    const parts = {
      *[Symbol.iterator]() {
        yield { toString() { log.push("0"); return "a"; } };
        log.push("1");
        throw err;
      },
    };
    let optionsRead = false;
    const e = throws(() => new Blob(parts, { get type() { optionsRead = true; return ""; } }));
    eq(e, err);
    deepEq(log, ["0", "1"]);
    eq(optionsRead, false);
  },
};

export const bufferSources = {
  async test() {
    const ab = new Uint8Array([1, 2, 3, 4, 5]).buffer;
    deepEq(await bytesOf(new Blob([ab])), [1, 2, 3, 4, 5]);
    deepEq(await bytesOf(new Blob([new Uint8Array(ab, 1, 2)])), [2, 3]);
    deepEq(await bytesOf(new Blob([new DataView(ab, 3)])), [4, 5]);
    deepEq(await bytesOf(new Blob([new Uint16Array([0x0201])])), [1, 2]);
    eq(new Blob([new Float64Array(2)]).size, 16);
    eq(new Blob([new BigInt64Array(3)]).size, 24);
  },
};

export const bufferBytesAreCopiedAtConstruction = {
  async test() {
    const u = new Uint8Array([1, 2]);
    const b = new Blob([u]);
    u[0] = 9;
    deepEq(await bytesOf(b), [1, 2]);
  },
};

export const bufferBytesAreReadAfterTheOptions = {
  async test() {
    // The spec processes blob parts after converting the options, so a change made by an
    // options getter is in the Blob.
    const u = new Uint8Array([1, 2]);
    const b = new Blob([u], { get type() { u[0] = 7; return ""; } });
    deepEq(await bytesOf(b), [7, 2]);
  },
};

export const blobsAsParts = {
  async test() {
    const inner = new Blob(["ab"], { type: "text/x" });
    const outer = new Blob([inner, "-", inner.slice(1)]);
    eq(await outer.text(), "ab-b");
    eq(outer.type, "", "the parts' types do not carry over");
    const single = new Blob([inner]);
    eq(await single.text(), "ab");
    eq(single.type, "");
  },
};

export const endings = {
  async test() {
    const s = "a\r\nb\nc\rd\n\re";
    eq(await new Blob([s]).text(), s, "transparent by default");
    eq(await new Blob([s], { endings: "transparent" }).text(), s);
    eq(await new Blob([s], { endings: "native" }).text(), "a\nb\nc\nd\n\ne");
    // Only strings are converted, not bytes or Blobs.
    const cr = new Uint8Array([13, 10]);
    deepEq(await bytesOf(new Blob([cr, new Blob(["\r"])], { endings: "native" })), [13, 10, 13]);
    // A CRLF split across two strings is two line breaks.
    eq(await new Blob(["a\r", "\nb"], { endings: "native" }).text(), "a\n\nb");
    throws(() => new Blob([], { endings: "NATIVE" }), TypeError);
    throws(() => new Blob([], { endings: "" }), TypeError);
    throws(() => new Blob([], { endings: null }), TypeError);
  },
};

export const optionsMustBeAnObject = {
  test() {
    throws(() => new Blob([], 123), TypeError);
    throws(() => new Blob([], "text/plain"), TypeError);
    eq(new Blob([], () => {}).type, "", "a function is an object");
  },
};

export const typeIsNormalised = {
  test() {
    eq(new Blob([], { type: "TEXT/HTML" }).type, "text/html");
    eq(new Blob([], { type: "text/plain;charset=UTF-8" }).type, "text/plain;charset=utf-8");
    // Not parsed: anything printable is kept as is (lower-cased).
    eq(new Blob([], { type: " not a / MIME type " }).type, " not a / mime type ");
    eq(new Blob([], { type: "a\u00e9b" }).type, "");
    eq(new Blob([], { type: "a\u0019b" }).type, "");
    eq(new Blob([], { type: "a\u007fb" }).type, "");
    eq(new Blob([], { type: "a\u0000b" }).type, "");
    eq(new Blob([], { type: "\ud800" }).type, "");
    eq(new Blob([], { type: 5 }).type, "5");
    eq(new Blob([], { type: undefined }).type, "");
  },
};

export const sliceSharesBytes = {
  async test() {
    const b = new Blob(["0123456789"], { type: "text/plain" });
    const s = b.slice(2, 5);
    ok(s instanceof Blob);
    eq(s.size, 3);
    eq(s.type, "", "no contentType: empty");
    eq(await s.text(), "234");
    eq(await s.slice(1).text(), "34", "a slice of a slice");
    eq(await b.text(), "0123456789");
  },
};

export const sliceIndexes = {
  async test() {
    const b = new Blob(["0123456789"]);
    const t = (...a) => b.slice(...a).text();
    eq(await t(), "0123456789");
    eq(await t(undefined, undefined), "0123456789");
    eq(await t(-3), "789");
    eq(await t(-3, -1), "78");
    eq(await t(-100, 2), "01");
    eq(await t(8, 100), "89");
    eq(await t(5, 2), "", "end before start: empty");
    eq(await t(100), "");
    eq(await t(NaN, NaN), "");
    eq(await t(0, Infinity), "0123456789");
    eq(await t(-Infinity, 3), "012");
    eq(await t("2", "4"), "23");
    eq(await t(1.5, 3.5), "23", "[Clamp] rounds half to even: 2 and 4");
    eq(await t(2.5, 4.5), "23", "2.5 rounds to 2, 4.5 to 4");
    eq(await t(0.49, 2.51), "012");
  },
};

export const sliceContentType = {
  test() {
    const b = new Blob(["x"], { type: "a/b" });
    eq(b.slice(0, 1, "TEXT/Plain").type, "text/plain");
    eq(b.slice(0, 1, "\u00ff").type, "");
    eq(b.slice(0, 1, undefined).type, "");
    eq(b.slice(0, 1, null).type, "null");
  },
};

export const sliceConvertsArgumentsInOrder = {
  test() {
    const log = [];
    new Blob(["abc"]).slice(
      { valueOf() { log.push("start"); return 0; } },
      { valueOf() { log.push("end"); return 1; } },
      { toString() { log.push("type"); return ""; } },
    );
    deepEq(log, ["start", "end", "type"]);
    const err = new Error("x");
    eq(throws(() => new Blob().slice({ valueOf() { throw err; } })), err);
  },
};

export const sliceOfAFileIsABlob = {
  test() {
    const s = new File(["abc"], "f.txt", { type: "text/plain" }).slice(1);
    eq(Object.getPrototypeOf(s), Blob.prototype);
    eq(s.type, "");
    eq(s.name, undefined);
  },
};

export const readers = {
  async test() {
    const b = new Blob([new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0xff, 0x69])]);
    eq(await b.text(), "h\ufffdi", "a BOM is dropped, invalid bytes become U+FFFD");
    const p = b.text();
    ok(p instanceof Promise);
    const ab = await b.arrayBuffer();
    ok(ab instanceof ArrayBuffer);
    eq(ab.byteLength, 6);
    const u = await b.bytes();
    eq(Object.getPrototypeOf(u), Uint8Array.prototype);
    deepEq([...u], [0xef, 0xbb, 0xbf, 0x68, 0xff, 0x69]);
  },
};

export const readsAreFreshCopies = {
  async test() {
    const b = new Blob(["ab"]);
    const u1 = await b.bytes();
    u1[0] = 0;
    const ab = await b.arrayBuffer();
    ok(ab !== (await b.arrayBuffer()));
    eq(await b.text(), "ab", "writes to a result do not change the Blob");
    // A Blob is readable any number of times.
    eq(await b.text(), "ab");
  },
};

export const subclassingWorks = {
  async test() {
    class TextBlob extends Blob {
      constructor(s) {
        super([s], { type: "text/plain" });
      }
      get kind() {
        return "text:" + this.size;
      }
    }
    const b = new TextBlob("hey");
    ok(b instanceof TextBlob && b instanceof Blob);
    eq(b.kind, "text:3");
    eq(await b.text(), "hey");
  },
};

export const largeBlobs = {
  async test() {
    const chunk = new Uint8Array(1 << 20).fill(7);
    const parts = [];
    for (let i = 0; i < 8; i++) parts.push(chunk);
    const b = new Blob(parts);
    eq(b.size, 8 << 20);
    const s = b.slice((8 << 20) - 3);
    deepEq(await bytesOf(s), [7, 7, 7]);
  },
};
