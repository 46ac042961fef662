// The Body mixin (Fetch Standard §5.3) through Response and Request.
import { eq, ok, deepEq, throws, rejects } from "./assert.js";

export const textDecodesUtf8 = {
  async test() {
    eq(await new Response("héllo €").text(), "héllo €");
  },
};

export const textStripsBom = {
  async test() {
    eq(await new Response(new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0x69])).text(), "hi");
  },
};

export const textReplacesInvalidUtf8 = {
  async test() {
    eq(await new Response(new Uint8Array([0x61, 0xff, 0x62])).text(), "a\ufffdb");
  },
};

export const loneSurrogateBecomesReplacement = {
  async test() {
    deepEq([...(await new Response("\ud800").bytes())], [0xef, 0xbf, 0xbd]);
  },
};

export const jsonParses = {
  async test() {
    deepEq(await new Response('{"a": [1, true, null]}').json(), { a: [1, true, null] });
  },
};

export const jsonParseErrorRejectsWithSyntaxError = {
  async test() {
    await rejects(new Response("{nope").json(), SyntaxError);
    await rejects(new Response(null).json(), SyntaxError);
  },
};

export const arrayBufferReturnsBytes = {
  async test() {
    const ab = await new Response("abc").arrayBuffer();
    ok(ab instanceof ArrayBuffer);
    deepEq([...new Uint8Array(ab)], [97, 98, 99]);
  },
};

export const bytesReturnsUint8Array = {
  async test() {
    const u = await new Response("abc").bytes();
    eq(Object.getPrototypeOf(u), Uint8Array.prototype);
    deepEq([...u], [97, 98, 99]);
  },
};

export const readersReturnPromises = {
  test() {
    const r = new Response("x");
    ok(r.text() instanceof Promise);
    ok(new Response("x").json().catch(() => {}) instanceof Promise);
    ok(new Response("x").arrayBuffer() instanceof Promise);
    ok(new Response("x").bytes() instanceof Promise);
  },
};

export const readingSetsBodyUsed = {
  async test() {
    const r = new Response("x");
    eq(r.bodyUsed, false);
    const p = r.text();
    eq(r.bodyUsed, true, "set synchronously");
    await p;
    eq(r.bodyUsed, true);
  },
};

export const secondReadRejects = {
  async test() {
    const r = new Response("x");
    await r.text();
    const e = await rejects(r.text(), TypeError);
    eq(e.message, "Body has already been used");
    await rejects(r.arrayBuffer(), TypeError);
    await rejects(r.json(), TypeError);
    await rejects(r.bytes(), TypeError);
  },
};

export const nullBodyReadsEmptyAndStaysUnused = {
  async test() {
    const r = new Response(null);
    eq(await r.text(), "");
    eq(r.bodyUsed, false);
    eq(await r.text(), "", "a null body can be read again");
    eq((await r.arrayBuffer()).byteLength, 0);
  },
};

export const arrayBufferBodyIsCopiedAtConstruction = {
  async test() {
    const buf = new Uint8Array([1, 2, 3]);
    const r = new Response(buf.buffer);
    buf[0] = 9;
    deepEq([...(await r.bytes())], [1, 2, 3]);
  },
};

export const typedArrayViewUsesItsRange = {
  async test() {
    const buf = new Uint8Array([1, 2, 3, 4, 5]);
    deepEq([...(await new Response(buf.subarray(1, 3)).bytes())], [2, 3]);
    deepEq([...(await new Response(new Uint16Array([0x0201])).bytes())], [1, 2]);
  },
};

export const dataViewBody = {
  async test() {
    const buf = new Uint8Array([1, 2, 3, 4]).buffer;
    deepEq([...(await new Response(new DataView(buf, 1, 2)).bytes())], [2, 3]);
  },
};

export const otherObjectsAreStringified = {
  async test() {
    eq(await new Response({}).text(), "[object Object]");
    eq(await new Response(42).text(), "42");
    eq(await new Response({ toString: () => "custom" }).text(), "custom");
    eq(new Response({}).headers.get("content-type"), "text/plain;charset=UTF-8");
  },
};

export const bodyToStringErrorPropagates = {
  test() {
    throws(() => new Response(Symbol("s")), TypeError);
    const boom = new Error("boom");
    let caught;
    try {
      new Response({ toString() { throw boom; } });
    } catch (e) {
      caught = e;
    }
    eq(caught, boom);
  },
};

export const urlSearchParamsBodyWhenAvailable = {
  async test() {
    if (typeof URLSearchParams !== "function") return; // installed by a later issue
    const r = new Response(new URLSearchParams("a=1&b=2"));
    eq(r.headers.get("content-type"), "application/x-www-form-urlencoded;charset=UTF-8");
    eq(await r.text(), "a=1&b=2");
  },
};

export const requestBodyReaders = {
  async test() {
    const r = new Request("https://a/", { method: "POST", body: '{"k":1}' });
    deepEq(await r.json(), { k: 1 });
    eq(r.bodyUsed, true);
    await rejects(r.text(), TypeError);
  },
};

export const bodyMethodsAreOnEachPrototype = {
  test() {
    for (const C of [Request, Response]) {
      for (const m of ["text", "json", "arrayBuffer", "bytes", "blob", "formData"]) {
        eq(typeof Object.getOwnPropertyDescriptor(C.prototype, m).value, "function", C.name + "." + m);
      }
    }
  },
};
