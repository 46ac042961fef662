// Response (Fetch Standard §5.5), as workerd exposes it.
import { eq, ok, deepEq, throws, rejects } from "./assert.js";

export const defaults = {
  test() {
    const r = new Response();
    eq(r.status, 200);
    eq(r.statusText, "");
    eq(r.ok, true);
    eq(r.type, "default");
    eq(r.url, "");
    eq(r.redirected, false);
    eq(r.body, null);
    eq(r.bodyUsed, false);
    eq(r.webSocket, null);
    deepEq([...r.headers], []);
  },
};

export const statusAndStatusText = {
  test() {
    const r = new Response("x", { status: 404, statusText: "Not Here" });
    eq(r.status, 404);
    eq(r.statusText, "Not Here");
    eq(r.ok, false);
  },
};

export const okIsTrueOnlyFor2xx = {
  test() {
    eq(new Response(null, { status: 299 }).ok, true);
    eq(new Response(null, { status: 300 }).ok, false);
    eq(new Response(null, { status: 599 }).ok, false);
  },
};

export const statusOutOfRangeThrowsRangeError = {
  test() {
    for (const status of [0, 100, 199, 600, 999, -1]) {
      throws(() => new Response(null, { status }), RangeError);
    }
  },
};

export const statusIsAnUnsignedShort = {
  test() {
    // Web IDL converts with ToNumber, truncation and modulo 2^16 (no [EnforceRange]).
    eq(new Response(null, { status: 201.9 }).status, 201);
    eq(new Response(null, { status: "202" }).status, 202);
    eq(new Response(null, { status: 65536 + 203 }).status, 203);
    throws(() => new Response(null, { status: NaN }), RangeError);
  },
};

export const invalidStatusTextThrows = {
  test() {
    throws(() => new Response(null, { statusText: "a\nb" }), TypeError);
    throws(() => new Response(null, { statusText: "a\rb" }), TypeError);
    throws(() => new Response(null, { statusText: "\u0100" }), TypeError);
    eq(new Response(null, { statusText: "tab\tand \u00ff" }).statusText, "tab\tand \u00ff");
  },
};

export const nullBodyStatusWithBodyThrows = {
  test() {
    for (const status of [204, 205, 304]) {
      throws(() => new Response("x", { status }), TypeError, /null body status/);
      eq(new Response(null, { status }).status, status);
    }
    // An empty string is still a body.
    throws(() => new Response("", { status: 204 }), TypeError);
  },
};

export const headersFromInit = {
  test() {
    const r = new Response("x", { headers: { "X-A": "1", "Content-Type": "text/html" } });
    eq(r.headers.get("x-a"), "1");
    eq(r.headers.get("content-type"), "text/html");
    eq(r.headers, r.headers, "same object each time");
  },
};

export const stringBodyContentType = {
  test() {
    eq(new Response("x").headers.get("content-type"), "text/plain;charset=UTF-8");
  },
};

export const bytesBodyHasNoContentType = {
  test() {
    eq(new Response(new Uint8Array([1])).headers.get("content-type"), null);
  },
};

export const initMustBeObject = {
  test() {
    throws(() => new Response("x", 200), TypeError);
  },
};

export const headersAreMutable = {
  test() {
    const r = new Response("x");
    r.headers.set("x-late", "1");
    eq(r.headers.get("x-late"), "1");
  },
};

export const jsonStatic = {
  async test() {
    const r = Response.json({ a: [1, "b"] }, { status: 201, headers: { "x-h": "1" } });
    ok(r instanceof Response);
    eq(r.status, 201);
    eq(r.headers.get("content-type"), "application/json");
    eq(r.headers.get("x-h"), "1");
    eq(await r.text(), '{"a":[1,"b"]}');
  },
};

export const jsonKeepsExplicitContentType = {
  test() {
    const r = Response.json(1, { headers: { "content-type": "application/vnd+json" } });
    eq(r.headers.get("content-type"), "application/vnd+json");
  },
};

export const jsonOfUnserialisableThrows = {
  test() {
    throws(() => Response.json(undefined), TypeError);
    throws(() => Response.json(() => 1), TypeError);
    throws(() => Response.json(10n), TypeError);
    const cyclic = {};
    cyclic.self = cyclic;
    throws(() => Response.json(cyclic), TypeError);
  },
};

export const jsonWithNullBodyStatusThrows = {
  test() {
    throws(() => Response.json({}, { status: 204 }), TypeError);
  },
};

export const redirectStatic = {
  test() {
    const r = Response.redirect("https://Example.com/to");
    eq(r.status, 302);
    eq(r.headers.get("location"), "https://example.com/to");
    eq(r.body, null);
    for (const s of [301, 303, 307, 308]) eq(Response.redirect("https://a/", s).status, s);
  },
};

export const redirectInvalidStatusThrowsRangeError = {
  test() {
    for (const s of [200, 300, 304, 309, 0]) {
      throws(() => Response.redirect("https://a/", s), RangeError);
    }
  },
};

export const redirectInvalidUrlThrowsTypeError = {
  test() {
    throws(() => Response.redirect("/relative"), TypeError, /Invalid URL/);
  },
};

export const errorStatic = {
  test() {
    const r = Response.error();
    eq(r.status, 0);
    eq(r.type, "error");
    eq(r.statusText, "");
    eq(r.ok, false);
    eq(r.body, null);
    throws(() => r.headers.append("a", "b"), TypeError);
  },
};

export const cloneIsIndependent = {
  async test() {
    const a = new Response("data", { status: 202, statusText: "Yes", headers: { h: "1" } });
    const b = a.clone();
    eq(b.status, 202);
    eq(b.statusText, "Yes");
    b.headers.set("h", "2");
    eq(a.headers.get("h"), "1");
    eq(await b.text(), "data");
    eq(a.bodyUsed, false);
    eq(await a.text(), "data");
  },
};

export const cloneOfErrorKeepsTypeAndImmutability = {
  test() {
    const c = Response.error().clone();
    eq(c.type, "error");
    throws(() => c.headers.set("a", "b"), TypeError);
  },
};

export const cloneOfUsedThrows = {
  async test() {
    const a = new Response("x");
    await a.text();
    throws(() => a.clone(), TypeError);
  },
};

export const cloneOfBytesIsIndependent = {
  async test() {
    const a = new Response(new Uint8Array([1, 2, 3]));
    const b = a.clone();
    const ua = await a.bytes();
    ua[0] = 99;
    deepEq([...(await b.bytes())], [1, 2, 3]);
  },
};

export const attributesAreNotOwnProperties = {
  test() {
    const r = new Response("x");
    eq(Object.getOwnPropertyNames(r).length, 0);
    for (const name of ["status", "ok", "statusText", "headers", "type", "url", "body", "bodyUsed"]) {
      eq(typeof Object.getOwnPropertyDescriptor(Response.prototype, name).get, "function", name);
    }
  },
};

export const brandChecks = {
  async test() {
    const get = Object.getOwnPropertyDescriptor(Response.prototype, "status").get;
    throws(() => get.call({}), TypeError, /Illegal invocation/);
    throws(() => get.call(new Request("https://a/")), TypeError, /Illegal invocation/);
    throws(() => Response.prototype.clone.call({}), TypeError, /Illegal invocation/);
    await rejects(Response.prototype.json.call({}), TypeError);
  },
};

export const constructorRequiresNew = {
  test() {
    throws(() => Response("x"), TypeError);
  },
};

export const webIdlShape = {
  test() {
    const r = new Response();
    eq(Object.prototype.toString.call(r), "[object Response]");
    ok(r instanceof Response);
    eq(Response.length, 0);
    eq(typeof Response.json, "function");
    eq(typeof Response.prototype.formData, "function");
    eq(typeof Response.prototype.blob, "function");
  },
};

export const subclassingWorks = {
  async test() {
    class MyResponse extends Response {
      constructor(body) {
        super(body, { status: 418 });
        this.extra = 1;
      }
    }
    const r = new MyResponse("tea");
    ok(r instanceof MyResponse);
    ok(r instanceof Response);
    eq(r.status, 418);
    eq(r.extra, 1);
    const c = r.clone();
    ok(c instanceof Response && !(c instanceof MyResponse), "clone() makes a plain Response");
    eq(await r.text(), "tea");
  },
};

export const clonedFormDataResponseParsesTwice = {
  async test() {
    const fd = new FormData();
    fd.append("f", new File([new Uint8Array([0, 1, 2])], "z.bin"));
    const r = new Response(fd);
    const c = r.clone();
    const [a, b] = [await r.formData(), await c.formData()];
    eq(a.get("f").name, "z.bin");
    eq(b.get("f").size, 3);
    ok(a.get("f") !== b.get("f"), "each read makes its own File");
  },
};

export const staticJsonBlob = {
  async test() {
    const b = await Response.json({ a: 1 }).blob();
    eq(b.type, "application/json");
    eq(await b.text(), '{"a":1}');
  },
};
