// The global fetch(): argument checks as for new Request, and the capability rule: a worker
// with the default globalOutbound (the network, which does not exist yet) gets a clear
// rejection, never a silent request. Sending to another worker through globalOutbound is
// covered end to end by tests/cli/outbound_test.py.
import { eq, ok, rejects } from "./assert.js";

const NO_NETWORK =
  /^fetch\(\): outbound network requests are not supported yet; this worker's globalOutbound is the network service 'internet'$/;

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

export const defaultOutboundRejectsWithNetworkMessage = {
  async test() {
    const e = await rejects(fetch("https://example.com/x"), TypeError);
    ok(NO_NETWORK.test(e.message), e.message);
  },
};

export const requestObjectInputRejectsWithNetworkMessage = {
  async test() {
    const e = await rejects(fetch(new Request("http://example.com/", { method: "POST", body: "x" })), TypeError);
    ok(NO_NETWORK.test(e.message), e.message);
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

export const dataUrlRejectsAsNotSupported = {
  async test() {
    const e = await rejects(fetch("data:,hello"), TypeError);
    eq(e.message, "fetch(): data: URLs are not supported yet");
  },
};

export const otherSchemesRejectNamingTheScheme = {
  async test() {
    const e = await rejects(fetch("ftp://example.com/f"), TypeError);
    eq(e.message, "fetch(): cannot fetch 'ftp:' URLs, only http: and https:");
  },
};

export const requestBodyIsConsumedByFetch = {
  async test() {
    const r = new Request("https://example.com/", { method: "POST", body: "x" });
    await rejects(fetch(r), TypeError);
    eq(r.bodyUsed, true);
  },
};
