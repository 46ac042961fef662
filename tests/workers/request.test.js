// Request (Fetch Standard §5.4), as workerd exposes it.
import { eq, ok, deepEq, throws, rejects } from "./assert.js";

export const defaults = {
  test() {
    const r = new Request("https://example.com/a?b#c");
    eq(r.method, "GET");
    eq(r.url, "https://example.com/a?b#c");
    eq(r.redirect, "follow");
    eq(r.body, null);
    eq(r.bodyUsed, false);
    eq(r.cf, undefined);
    deepEq([...r.headers], []);
  },
};

export const urlSchemeAndHostAreLowerCased = {
  test() {
    eq(new Request("HTTPS://EXAMPLE.com/Path").url, "https://example.com/Path");
  },
};

export const urlGetsRootPath = {
  test() {
    eq(new Request("http://example.com").url, "http://example.com/");
    eq(new Request("http://example.com?q").url, "http://example.com/?q");
  },
};

export const urlDropsDefaultPort = {
  test() {
    eq(new Request("http://example.com:80/").url, "http://example.com/");
    eq(new Request("https://example.com:443/").url, "https://example.com/");
    eq(new Request("https://example.com:8443/").url, "https://example.com:8443/");
  },
};

export const urlStripsSurroundingSpaceAndEncodesPath = {
  test() {
    eq(new Request("  http://a.test/x y\u00e9 ").url, "http://a.test/x%20y%C3%A9");
  },
};

export const invalidUrlThrows = {
  test() {
    for (const u of ["/relative", "", "example.com", "http://", "https://a b/",
                     "http://a:99999/", "http://a:x/", "1http://a/"]) {
      throws(() => new Request(u), TypeError, /Invalid URL/);
    }
  },
};

export const urlIsParsedByTheUrlStandard = {
  test() {
    eq(new Request("http:/x").url, "http://x/");
    eq(new Request("HTTP://Ex.com:80/a/../b/./c?q r#f g").url, "http://ex.com/b/c?q%20r#f%20g");
    eq(new Request("http://BÜCHER.de/").url, "http://xn--bcher-kva.de/");
    eq(new Request("http://0x7f.1/").url, "http://127.0.0.1/");
    eq(new Request(new URL("https://a.example/p?x=1")).url, "https://a.example/p?x=1");
    throws(() => new Request("http://xn--a.com/"), TypeError, /Invalid URL/);
  },
};

export const urlSearchParamsBody = {
  async test() {
    const p = new URLSearchParams([["a", "1 2"], ["é", "&"]]);
    const r = new Request("http://x/", { method: "POST", body: p });
    eq(r.headers.get("content-type"), "application/x-www-form-urlencoded;charset=UTF-8");
    eq(await r.text(), "a=1+2&%C3%A9=%26");
    // The serialization is taken when the body is made, not when it is read.
    const q = new URLSearchParams("x=1");
    const res = new Response(q);
    q.append("y", "2");
    eq(await res.text(), "x=1");
    // A user's toString on the object is not consulted.
    const z = new URLSearchParams("k=v");
    z.toString = () => "forged";
    eq(await new Response(z).text(), "k=v");
  },
};

export const otherSchemesAreAccepted = {
  test() {
    eq(new Request("Data:,hi").url, "data:,hi");
  },
};

export const urlWithCredentialsThrows = {
  test() {
    throws(() => new Request("https://user:pw@example.com/"), TypeError, /credentials/);
  },
};

export const inputIsStringified = {
  test() {
    const r = new Request({ toString: () => "https://example.com/x" });
    eq(r.url, "https://example.com/x");
  },
};

export const standardMethodsAreUpperCased = {
  test() {
    for (const m of ["delete", "get", "Head", "options", "post", "pUt"]) {
      eq(new Request("https://a/", { method: m }).method, m.toUpperCase());
    }
  },
};

export const otherMethodsKeepTheirCase = {
  test() {
    eq(new Request("https://a/", { method: "patch" }).method, "patch");
    eq(new Request("https://a/", { method: "PROPFIND" }).method, "PROPFIND");
  },
};

export const invalidMethodThrows = {
  test() {
    for (const m of ["", "GE T", "G(ET", "GET\n", "m\u00e9thode"]) {
      throws(() => new Request("https://a/", { method: m }), TypeError);
    }
  },
};

export const forbiddenMethodsThrow = {
  test() {
    for (const m of ["CONNECT", "trace", "Track"]) {
      throws(() => new Request("https://a/", { method: m }), TypeError, /Forbidden/);
    }
  },
};

export const getOrHeadWithBodyThrows = {
  test() {
    throws(() => new Request("https://a/", { body: "x" }), TypeError, /GET or HEAD/);
    throws(() => new Request("https://a/", { method: "head", body: "x" }), TypeError);
    // A null body is no body.
    eq(new Request("https://a/", { body: null }).body, null);
  },
};

export const redirectModes = {
  test() {
    eq(new Request("https://a/", { redirect: "manual" }).redirect, "manual");
    eq(new Request("https://a/", { redirect: "error" }).redirect, "error");
    throws(() => new Request("https://a/", { redirect: "nope" }), TypeError);
  },
};

export const initMustBeObject = {
  test() {
    throws(() => new Request("https://a/", "GET"), TypeError);
    eq(new Request("https://a/", null).method, "GET");
  },
};

export const headersFromInit = {
  test() {
    const r = new Request("https://a/", { headers: [["X-A", "1"]] });
    eq(r.headers.get("x-a"), "1");
  },
};

export const headersIsSameObjectEachTime = {
  test() {
    const r = new Request("https://a/");
    eq(r.headers, r.headers);
    r.headers.set("x", "1");
    eq(r.headers.get("x"), "1");
  },
};

export const stringBodySetsContentType = {
  async test() {
    const r = new Request("https://a/", { method: "POST", body: "héllo" });
    eq(r.headers.get("content-type"), "text/plain;charset=UTF-8");
    eq(await r.text(), "héllo");
  },
};

export const explicitContentTypeIsKept = {
  test() {
    const r = new Request("https://a/", {
      method: "POST", body: "x", headers: { "Content-Type": "application/custom" },
    });
    eq(r.headers.get("content-type"), "application/custom");
  },
};

export const copyingCopiesMethodUrlHeaders = {
  test() {
    const a = new Request("https://a/x", { method: "PUT", headers: { h: "1" }, redirect: "manual" });
    const b = new Request(a);
    eq(b.method, "PUT");
    eq(b.url, "https://a/x");
    eq(b.redirect, "manual");
    eq(b.headers.get("h"), "1");
    ok(a.headers !== b.headers);
    b.headers.set("h", "2");
    eq(a.headers.get("h"), "1", "the copy has its own headers");
  },
};

export const copyingWithInitOverrides = {
  test() {
    const a = new Request("https://a/x", { method: "PUT", headers: { h: "1" } });
    const b = new Request(a, { method: "delete", headers: { g: "2" } });
    eq(b.method, "DELETE");
    eq(b.headers.get("h"), null);
    eq(b.headers.get("g"), "2");
  },
};

export const copyingTakesTheSourceBody = {
  async test() {
    const a = new Request("https://a/", { method: "POST", body: "payload" });
    const b = new Request(a);
    eq(a.bodyUsed, true, "source is consumed");
    eq(b.bodyUsed, false);
    eq(await b.text(), "payload");
    await rejects(a.text(), TypeError);
  },
};

export const copyingAUsedRequestThrows = {
  async test() {
    const a = new Request("https://a/", { method: "POST", body: "payload" });
    await a.text();
    throws(() => new Request(a), TypeError);
    // A new body replaces the used one, so that is allowed.
    const b = new Request(a, { body: "new" });
    eq(await b.text(), "new");
  },
};

export const copyingWithBodyToGetThrows = {
  test() {
    const a = new Request("https://a/", { method: "POST", body: "x" });
    throws(() => new Request(a, { method: "GET" }), TypeError);
    eq(a.bodyUsed, false, "a failed copy does not consume the source");
  },
};

export const cloneIsIndependent = {
  async test() {
    const a = new Request("https://a/", { method: "POST", body: "data", headers: { h: "1" } });
    const b = a.clone();
    ok(b instanceof Request);
    eq(b.method, "POST");
    b.headers.set("h", "2");
    eq(a.headers.get("h"), "1");
    eq(await a.text(), "data");
    eq(b.bodyUsed, false);
    eq(await b.text(), "data");
  },
};

export const cloneOfUsedThrows = {
  async test() {
    const a = new Request("https://a/", { method: "POST", body: "data" });
    await a.arrayBuffer();
    throws(() => a.clone(), TypeError);
  },
};

export const cfIsKept = {
  test() {
    const cf = { cacheTtl: 5 };
    const r = new Request("https://a/", { cf });
    eq(r.cf, cf);
    eq(new Request(r).cf, cf);
  },
};

export const bodyGetterThrowsUntilStreamsExist = {
  test() {
    const r = new Request("https://a/", { method: "POST", body: "x" });
    throws(() => r.body, TypeError, /ReadableStream bodies are not supported yet/);
  },
};

export const attributesAreNotOwnProperties = {
  test() {
    const r = new Request("https://a/");
    eq(Object.getOwnPropertyNames(r).length, 0);
    for (const name of ["method", "url", "headers", "redirect", "body", "bodyUsed"]) {
      const d = Object.getOwnPropertyDescriptor(Request.prototype, name);
      eq(typeof d.get, "function", name);
      eq(d.set, undefined, name);
    }
  },
};

export const brandChecks = {
  async test() {
    const get = Object.getOwnPropertyDescriptor(Request.prototype, "url").get;
    throws(() => get.call({}), TypeError, /Illegal invocation/);
    throws(() => Request.prototype.clone.call(new Response()), TypeError, /Illegal invocation/);
    // Promise-returning operations reject rather than throw.
    await rejects(Request.prototype.text.call({}), TypeError);
  },
};

export const constructorRequiresNewAndInput = {
  test() {
    throws(() => Request("https://a/"), TypeError);
    throws(() => new Request(), TypeError);
  },
};

export const webIdlShape = {
  test() {
    const r = new Request("https://a/");
    eq(Object.prototype.toString.call(r), "[object Request]");
    ok(r instanceof Request);
    eq(Request.length, 1);
    eq(typeof Request.prototype.blob, "function");
    eq(typeof Request.prototype.formData, "function");
  },
};

export const subclassingWorks = {
  async test() {
    class MyRequest extends Request {
      get kind() {
        return "mine:" + this.method;
      }
    }
    const r = new MyRequest("https://a/", { method: "POST", body: "b" });
    ok(r instanceof MyRequest);
    eq(r.kind, "mine:POST");
    eq(await r.text(), "b");
  },
};

export const blobAndFormDataBodies = {
  async test() {
    const file = new File(["abc"], "f.txt", { type: "text/plain" });
    const r = new Request("https://a/", { method: "PUT", body: file });
    eq(r.headers.get("content-type"), "text/plain");
    eq(await r.text(), "abc");
    throws(() => new Request("https://a/", { body: new Blob(["x"]) }), TypeError, /GET or HEAD/);
    throws(() => new Request("https://a/", { method: "HEAD", body: new FormData() }), TypeError);
    const fd = new FormData();
    fd.append("x", "1");
    const q = new Request("https://a/", { method: "POST", body: fd, headers: { "Content-Type": "text/plain" } });
    eq(q.headers.get("content-type"), "text/plain", "an explicit Content-Type is kept");
    await rejects(q.formData(), TypeError, undefined, "and then the body is not a form");
  },
};

export const blobReaderOnARequest = {
  async test() {
    const r = new Request("https://a/", { method: "POST", body: "x=1", headers: { "Content-Type": "Application/X-Thing;A=B" } });
    const b = await r.blob();
    eq(b.type, "application/x-thing;a=B");
    eq(await b.text(), "x=1");
    eq(r.bodyUsed, true);
  },
};

// Request.signal (Fetch §5.4): a signal that follows init.signal (or the input Request's),
// made when first read; never aborted when none was given.
export const signalFollowsInitSignal = {
  test() {
    const c = new AbortController();
    const r = new Request("http://x/", { signal: c.signal });
    ok(r.signal instanceof AbortSignal);
    ok(r.signal !== c.signal); // a dependent signal, not the same object
    eq(r.signal, r.signal); // [SameObject]
    eq(r.signal.aborted, false);
    let fired = 0;
    r.signal.addEventListener("abort", () => fired++);
    c.abort("why");
    eq(r.signal.aborted, true);
    eq(r.signal.reason, "why");
    eq(fired, 1);
  },
};

export const signalWithoutOneIsNeverAborted = {
  test() {
    const r = new Request("http://x/");
    ok(r.signal instanceof AbortSignal);
    eq(r.signal.aborted, false);
    // An aborted source gives an aborted signal at once.
    const r2 = new Request("http://x/", { signal: AbortSignal.abort("gone") });
    eq(r2.signal.aborted, true);
    eq(r2.signal.reason, "gone");
  },
};

export const signalInheritedFromInputAndClone = {
  test() {
    const c = new AbortController();
    const a = new Request("http://x/", { signal: c.signal });
    const b = new Request(a); // input's signal
    const d = a.clone();
    const e = new Request(a, { signal: null }); // null: none, input's not taken
    c.abort();
    eq(b.signal.aborted, true);
    eq(d.signal.aborted, true);
    eq(e.signal.aborted, false);
  },
};

export const signalMustBeAnAbortSignal = {
  test() {
    throws(() => new Request("http://x/", { signal: {} }), TypeError, /AbortSignal/);
    throws(() => new Request("http://x/", { signal: 1 }), TypeError, /AbortSignal/);
  },
};

export const fetchHonoursTheRequestSignal = {
  async test() {
    const c = new AbortController();
    c.abort(new Error("stop"));
    const req = new Request("data:,hi", { signal: c.signal });
    await rejects(() => fetch(req), Error, /stop/);
  },
};
