// The global fetch(): argument checks as for new Request, the default globalOutbound (the
// implicit "internet" network service, whose policy refuses loopback after DNS), and data:
// URLs, which are answered without any network. Requests to a real upstream are covered end
// to end by tests/cli/netfetch_test.py, and WPT's data: URL cases by
// tests/workers/wpt/data-urls.capnp.
import { eq, ok, deepEq, rejects } from "./assert.js";

const REFUSED = /^fetch\(\) to http:\/\/127\.0\.0\.1:1\/x? failed: address 127\.0\.0\.1 is not allowed by network service 'internet'$/;

export const isAGlobalFunctionWithLengthOne = {
  test() {
    eq(typeof fetch, "function");
    eq(fetch.length, 1);
    eq(fetch.name, "fetch");
    const d = Object.getOwnPropertyDescriptor(globalThis, "fetch");
    ok(d.writable && d.enumerable && d.configurable, "property attributes");
  },
};

export const returnsAPromiseRatherThanThrowing = {
  async test() {
    let p;
    try {
      p = fetch("not a url");
    } catch (e) {
      throw new Error("fetch threw synchronously: " + e);
    }
    ok(p instanceof Promise, "a promise");
    await rejects(p, TypeError);
  },
};

export const defaultOutboundRefusesLoopback = {
  async test() {
    const e = await rejects(fetch("http://127.0.0.1:1/x"), TypeError);
    ok(REFUSED.test(e.message), e.message);
  },
};

export const requestObjectInputGoesToTheSameOutbound = {
  async test() {
    const e = await rejects(fetch(new Request("http://127.0.0.1:1/", { method: "POST", body: "x" })), TypeError);
    ok(REFUSED.test(e.message), e.message);
  },
};

export const noArgumentsRejects = {
  async test() {
    const e = await rejects(fetch(), TypeError);
    ok(/1 argument required/.test(e.message), e.message);
  },
};

export const relativeUrlRejectsLikeRequest = {
  async test() {
    const e = await rejects(fetch("/relative"), TypeError);
    ok(!/network/.test(e.message), "a URL error, not the network one: " + e.message);
  },
};

export const bodyWithGetRejectsLikeRequest = {
  async test() {
    const e = await rejects(fetch("https://example.com/", { method: "GET", body: "x" }), TypeError);
    ok(!/network/.test(e.message), e.message);
  },
};

export const forbiddenMethodRejectsLikeRequest = {
  async test() {
    await rejects(fetch("https://example.com/", { method: "CONNECT" }), TypeError);
  },
};

export const usedBodyRejects = {
  async test() {
    const r = new Request("https://example.com/", { method: "POST", body: "x" });
    await r.text();
    const e = await rejects(fetch(r), TypeError);
    ok(!/network/.test(e.message), e.message);
  },
};

export const otherSchemesRejectNamingTheScheme = {
  async test() {
    const e = await rejects(fetch("ftp://example.com/f"), TypeError);
    eq(e.message, "fetch(): cannot fetch 'ftp:' URLs, only http:, https: and data:");
  },
};

export const requestBodyIsConsumedByFetch = {
  async test() {
    const r = new Request("http://127.0.0.1:1/", { method: "POST", body: "x" });
    await rejects(fetch(r), TypeError);
    eq(r.bodyUsed, true);
  },
};

export const badOptionsReject = {
  async test() {
    await rejects(fetch("http://127.0.0.1:1/", { signal: "no" }), TypeError);
    await rejects(fetch("http://127.0.0.1:1/", { encodeResponseBody: "gzip" }), TypeError);
  },
};

export const anAbortedSignalRejectsBeforeSending = {
  async test() {
    const e = await rejects(fetch("http://127.0.0.1:1/", { signal: AbortSignal.abort() }), DOMException);
    eq(e.name, "AbortError");
    const e2 = await rejects(fetch("data:,x", { signal: AbortSignal.abort("why") }));
    eq(e2, "why", "data: URLs too (the signal is checked before the scheme)");
  },
};

// ---- data: URLs (Fetch's scheme fetch and data: URL processor) ---------------------------

export const dataUrlIsAnsweredWithoutTheNetwork = {
  async test() {
    const res = await fetch("data:,hello%20world");
    eq(res.status, 200);
    eq(res.statusText, "OK");
    eq(res.ok, true);
    eq(res.type, "default");
    eq(res.url, "data:,hello%20world");
    eq(res.redirected, false);
    deepEq([...res.headers], [["content-type", "text/plain;charset=US-ASCII"]]);
    eq(await res.text(), "hello world");
  },
};

export const dataUrlMimeTypeIsParsedAndSerialized = {
  async test() {
    let res = await fetch("data:Text/HTML ; Charset=\"utf-8\",<b>x</b>");
    eq(res.headers.get("content-type"), "text/html;charset=utf-8");
    eq(await res.text(), "<b>x</b>");
    res = await fetch("data:;x=y,a");
    eq(res.headers.get("content-type"), "text/plain;x=y");
    res = await fetch("data:not a type,a");
    eq(res.headers.get("content-type"), "text/plain;charset=US-ASCII");
  },
};

export const dataUrlBase64Body = {
  async test() {
    const res = await fetch("data:application/octet-stream;base64,AAEC/w==");
    eq(res.headers.get("content-type"), "application/octet-stream");
    deepEq([...new Uint8Array(await res.arrayBuffer())], [0, 1, 2, 255]);
    eq(await (await fetch("data:;BASE64 ,aGk")).text(), "hi", "';' spaces and any case");
  },
};

export const dataUrlPercentDecodesBytes = {
  async test() {
    eq(await (await fetch("data:,%E2%82%AC")).text(), "\u20ac");
    deepEq([...new Uint8Array(await (await fetch("data:,%FF")).arrayBuffer())], [255]);
  },
};

export const dataUrlFragmentIsDropped = {
  async test() {
    const res = await fetch("data:,a#b");
    eq(await res.text(), "a");
    eq(res.url, "data:,a");
  },
};

export const dataUrlEmptyBody = {
  async test() {
    const res = await fetch("data:,");
    eq((await res.arrayBuffer()).byteLength, 0);
    eq(res.bodyUsed, true, "an empty body is still a body, and reading it uses it");
  },
};

export const invalidDataUrlsReject = {
  async test() {
    let e = await rejects(fetch("data:text/plain"), TypeError);
    eq(e.message, "fetch(): invalid data: URL: data:text/plain");
    e = await rejects(fetch("data:;base64,a"), TypeError);
    ok(/invalid data: URL/.test(e.message), e.message);
  },
};

export const dataUrlsIgnoreTheMethod = {
  async test() {
    const res = await fetch("data:,x", { method: "POST", body: "ignored" });
    eq(await res.text(), "x");
  },
};

export const dataUrlResponsesHaveImmutableHeaders = {
  async test() {
    const res = await fetch("data:,x");
    let threw = false;
    try {
      res.headers.set("x", "y");
    } catch (e) {
      threw = e instanceof TypeError;
    }
    ok(threw);
  },
};
