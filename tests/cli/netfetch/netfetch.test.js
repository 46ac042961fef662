// Outbound fetch() through a network service that allows loopback, against the Python
// upstream of tests/cli/netfetch/upstream.py (env.BASE, and env.TLS with a self-signed
// certificate). env.DEAD is a closed port;
// env.INTERNET is a Fetcher on the implicit "internet" network service.
import { eq, ok, deepEq, rejects } from "assert.js";

const GZIP_TEXT = "hello gzip ".repeat(200);

async function echo(res) {
  eq(res.status, 200, "echo status");
  const j = await res.json();
  j.h = Object.fromEntries(j.headers);
  return j;
}

// ---- requests and responses ------------------------------------------------------------

export const getReachesTheUpstream = {
  async test(ctrl, env) {
    const res = await fetch(env.BASE + "/echo?x=1");
    eq(res.status, 200);
    eq(res.statusText, "OK");
    eq(res.ok, true);
    eq(res.url, env.BASE + "/echo?x=1");
    eq(res.redirected, false);
    eq(res.headers.get("x-upstream"), "py");
    eq(res.headers.get("content-type"), "application/json");
    const j = await echo(res);
    eq(j.method, "GET");
    eq(j.path, "/echo?x=1");
    eq(j.h.host, new URL(env.BASE).host);
    eq(j.h["content-length"], undefined, "a GET has no Content-Length");
  },
};

export const responseHeadersAreImmutableAndKeepEveryField = {
  async test(ctrl, env) {
    const res = await fetch(env.BASE + "/echo");
    deepEq(res.headers.getSetCookie(), ["a=1", "b=2"]);
    let threw = false;
    try {
      res.headers.set("x", "y");
    } catch (e) {
      threw = e instanceof TypeError;
    }
    ok(threw, "a fetched response's headers are immutable");
  },
};

export const postSendsBodyAndHeaders = {
  async test(ctrl, env) {
    const j = await echo(await fetch(env.BASE + "/echo", {
      method: "POST",
      body: "hello upstream",
      headers: { "X-Custom": "v1", "Content-Type": "text/plain", "X-Empty": "" },
    }));
    eq(j.method, "POST");
    eq(j.body, "hello upstream");
    eq(j.h["content-length"], "14");
    eq(j.h["x-custom"], "v1");
    eq(j.h["x-empty"], "", "an empty header value is sent");
    eq(j.h["content-type"], "text/plain");
    eq(j.h.expect, undefined, "no Expect: 100-continue");
  },
};

export const binaryBodiesGoOutByteForByte = {
  async test(ctrl, env) {
    const bytes = new Uint8Array(256).map((_, i) => i);
    const j = await echo(await fetch(env.BASE + "/echo", { method: "PUT", body: bytes }));
    eq(j.method, "PUT");
    eq(j.h["content-length"], "256");
    eq(j.body.length, 256);
    for (let i = 0; i < 256; i++) eq(j.body.charCodeAt(i), i, "byte " + i);
    eq(j.h["content-type"], undefined, "no Content-Type is invented for bytes");
  },
};

export const largeBodiesBothWays = {
  async test(ctrl, env) {
    const big = "x".repeat(3 << 20);
    const j = await echo(await fetch(env.BASE + "/echo", { method: "POST", body: big }));
    eq(j.body.length, big.length);
    eq(j.h["content-length"], String(big.length));
  },
};

export const postAndPutWithoutBodySendContentLengthZero = {
  async test(ctrl, env) {
    for (const method of ["POST", "PUT"]) {
      const j = await echo(await fetch(env.BASE + "/echo", { method }));
      eq(j.method, method);
      eq(j.h["content-length"], "0", method);
      eq(j.h["content-type"], undefined, method + ": no form Content-Type is added");
    }
  },
};

export const otherMethods = {
  async test(ctrl, env) {
    let j = await echo(await fetch(env.BASE + "/echo", { method: "DELETE" }));
    eq(j.method, "DELETE");
    j = await echo(await fetch(env.BASE + "/echo", { method: "PATCH", body: "p" }));
    eq(j.method, "PATCH");
    eq(j.body, "p");
    j = await echo(await fetch(env.BASE + "/echo", { method: "OPTIONS" }));
    eq(j.method, "OPTIONS");
  },
};

export const headHasHeadersAndNoBody = {
  async test(ctrl, env) {
    const res = await fetch(env.BASE + "/echo", { method: "HEAD" });
    eq(res.status, 200);
    eq(res.headers.get("x-upstream"), "py");
    ok(Number(res.headers.get("content-length")) > 0, "Content-Length kept");
    eq(await res.text(), "");
  },
};

export const hopByHopRequestHeadersAreNotForwarded = {
  async test(ctrl, env) {
    const j = await echo(await fetch(env.BASE + "/echo", {
      headers: { "Keep-Alive": "timeout=5", TE: "trailers", Upgrade: "websocket",
                 "Proxy-Authorization": "secret", "Content-Length": "99", "X-Kept": "1" },
    }));
    for (const h of ["keep-alive", "te", "upgrade", "proxy-authorization", "content-length"])
      eq(j.h[h], undefined, h);
    eq(j.h["x-kept"], "1");
  },
};

export const requestObjectsAreSentAsTheyAre = {
  async test(ctrl, env) {
    const req = new Request(env.BASE + "/echo", { method: "POST", body: "from a Request",
                                                  headers: { "x-r": "1" } });
    const j = await echo(await fetch(req));
    eq(j.body, "from a Request");
    eq(j.h["x-r"], "1");
    eq(req.bodyUsed, true);
  },
};

export const chunkedResponsesAndReasonPhrases = {
  async test(ctrl, env) {
    let res = await fetch(env.BASE + "/chunked");
    eq(res.statusText, "Fine Thanks");
    eq(await res.text(), "chunked body");
    res = await fetch(env.BASE + "/status?s=418&reason=Teapot&body=tea");
    eq(res.status, 418);
    eq(res.statusText, "Teapot");
    eq(res.ok, false);
    eq(await res.text(), "tea");
    res = await fetch(env.BASE + "/status?s=500");
    eq(res.status, 500, "an error status is a response, not a network error");
    res = await fetch(env.BASE + "/no-body");
    eq(res.status, 204);
    eq(res.body, null);
  },
};

export const fragmentIsNotSentNorInResponseUrl = {
  async test(ctrl, env) {
    const res = await fetch(env.BASE + "/echo?q#frag");
    eq(res.url, env.BASE + "/echo?q");
    eq((await echo(res)).path, "/echo?q");
  },
};

// ---- content encodings -------------------------------------------------------------------

export const acceptEncodingIsAddedUnlessGiven = {
  async test(ctrl, env) {
    let j = await echo(await fetch(env.BASE + "/echo"));
    eq(j.h["accept-encoding"], "gzip, deflate, br");
    j = await echo(await fetch(env.BASE + "/echo", { headers: { "accept-encoding": "identity" } }));
    eq(j.h["accept-encoding"], "identity");
  },
};

export const gzipIsDecoded = {
  async test(ctrl, env) {
    const res = await fetch(env.BASE + "/gzip");
    eq(res.headers.get("content-encoding"), null, "Content-Encoding described the wire bytes");
    eq(res.headers.get("content-length"), null);
    eq(res.headers.get("content-type"), "text/plain");
    eq(await res.text(), GZIP_TEXT);
  },
};

export const deflateIsDecodedZlibOrRaw = {
  async test(ctrl, env) {
    eq(await (await fetch(env.BASE + "/deflate")).text(), GZIP_TEXT);
    eq(await (await fetch(env.BASE + "/raw-deflate")).text(), GZIP_TEXT);
  },
};

export const encodeResponseBodyManualKeepsTheBytes = {
  async test(ctrl, env) {
    const res = await fetch(env.BASE + "/gzip", { encodeResponseBody: "manual" });
    eq(res.headers.get("content-encoding"), "gzip");
    const b = new Uint8Array(await res.arrayBuffer());
    eq(b[0], 0x1f);
    eq(b[1], 0x8b);
    eq(String(b.length), res.headers.get("content-length"));
    const j = await echo(await fetch(env.BASE + "/echo", { encodeResponseBody: "manual" }));
    eq(j.h["accept-encoding"], undefined, "manual: no Accept-Encoding is added");
    await rejects(fetch(env.BASE + "/echo", { encodeResponseBody: "sometimes" }), TypeError);
  },
};

export const corruptGzipIsANetworkError = {
  async test(ctrl, env) {
    const e = await rejects(fetch(env.BASE + "/bad-gzip"), TypeError);
    ok(/cannot decode the response from 127\.0\.0\.1: invalid gzip data/.test(e.message), e.message);
  },
};

export const unknownCodingsAreLeftAsTheyCame = {
  async test(ctrl, env) {
    const res = await fetch(env.BASE + "/unknown-coding");
    eq(res.headers.get("content-encoding"), "zstd");
    eq(await res.text(), "zzz");
  },
};

// ---- redirects ---------------------------------------------------------------------------

const redirect = (env, status, to) =>
  `${env.BASE}/redirect?status=${status}&to=${encodeURIComponent(to)}`;

export const followsAChainOfRedirects = {
  async test(ctrl, env) {
    const res = await fetch(env.BASE + "/chain/3");
    eq(res.redirected, true);
    eq(res.url, env.BASE + "/chain/0");
    eq((await echo(res)).path, "/chain/0");
  },
};

export const twentyRedirectsAreFollowedButNotTwentyOne = {
  async test(ctrl, env) {
    eq((await fetch(env.BASE + "/chain/20")).status, 200);
    const e = await rejects(fetch(env.BASE + "/chain/21"), TypeError);
    ok(/too many redirects/.test(e.message), e.message);
    const e2 = await rejects(fetch(env.BASE + "/loop"), TypeError);
    ok(/too many redirects/.test(e2.message), e2.message);
  },
};

export const postBecomesGetOn301And302 = {
  async test(ctrl, env) {
    for (const status of [301, 302]) {
      const j = await echo(await fetch(redirect(env, status, "/echo?after"), {
        method: "POST", body: "form=1",
        headers: { "content-type": "application/x-www-form-urlencoded", "content-language": "en",
                   "x-other": "kept" },
      }));
      eq(j.method, "GET", String(status));
      eq(j.body, "", status + ": body dropped");
      eq(j.h["content-type"], undefined, status + ": body header dropped");
      eq(j.h["content-language"], undefined, status + ": body header dropped");
      eq(j.h["x-other"], "kept");
    }
  },
};

export const putStaysPutOn301And302 = {
  async test(ctrl, env) {
    for (const status of [301, 302]) {
      const j = await echo(await fetch(redirect(env, status, "/echo"), { method: "PUT", body: "b" }));
      eq(j.method, "PUT", String(status));
      eq(j.body, "b", status + ": body re-sent");
    }
  },
};

export const see303MakesEverythingButHeadAGet = {
  async test(ctrl, env) {
    let j = await echo(await fetch(redirect(env, 303, "/echo"), { method: "PUT", body: "b",
                                                                  headers: { "content-type": "text/plain" } }));
    eq(j.method, "GET");
    eq(j.body, "");
    eq(j.h["content-type"], undefined);
    j = await echo(await fetch(redirect(env, 303, "/echo"), { method: "DELETE" }));
    eq(j.method, "GET");
    const res = await fetch(redirect(env, 303, "/echo"), { method: "HEAD" });
    eq(res.status, 200);
    eq(res.url, env.BASE + "/echo", "HEAD was redirected, and stayed HEAD");
    eq(await res.text(), "");
  },
};

export const temporaryAndPermanentKeepMethodAndBody = {
  async test(ctrl, env) {
    for (const status of [307, 308]) {
      const j = await echo(await fetch(redirect(env, status, "/echo"), {
        method: "POST", body: "kept body", headers: { "content-type": "text/plain" } }));
      eq(j.method, "POST", String(status));
      eq(j.body, "kept body");
      eq(j.h["content-type"], "text/plain");
    }
  },
};

export const authorizationIsDroppedAcrossOrigins = {
  async test(ctrl, env) {
    const port = new URL(env.BASE).port;
    const init = { headers: { Authorization: "Bearer secret", "X-Keep": "1" } };
    let j = await echo(await fetch(redirect(env, 302, "/echo"), init));
    eq(j.h.authorization, "Bearer secret", "same origin: kept");
    j = await echo(await fetch(redirect(env, 302, `http://localhost:${port}/echo`), init));
    eq(j.h.authorization, undefined, "another origin: dropped");
    eq(j.h["x-keep"], "1");
  },
};

export const manualReturnsTheRedirectItself = {
  async test(ctrl, env) {
    const url = redirect(env, 302, "/echo");
    const res = await fetch(url, { redirect: "manual" });
    eq(res.status, 302);
    eq(res.headers.get("location"), "/echo");
    eq(res.redirected, false);
    eq(res.url, url);
    eq(await res.text(), "redirecting");
  },
};

export const errorModeRejectsOnAnyRedirect = {
  async test(ctrl, env) {
    const e = await rejects(fetch(redirect(env, 301, "/echo"), { redirect: "error" }), TypeError);
    ok(/redirect mode is 'error'/.test(e.message), e.message);
    const plain = await fetch(env.BASE + "/echo", { redirect: "error" });
    eq(plain.status, 200, "no redirect, no error");
  },
};

export const aRedirectWithoutLocationIsTheResponse = {
  async test(ctrl, env) {
    const res = await fetch(env.BASE + "/redirect?status=302");
    eq(res.status, 302);
    eq(res.redirected, false);
  },
};

export const redirectsOnlyToHttp = {
  async test(ctrl, env) {
    const e = await rejects(fetch(redirect(env, 302, "data:,hi")), TypeError);
    ok(/not an http: or https: URL/.test(e.message), e.message);
    const e2 = await rejects(fetch(redirect(env, 302, "http://[::1")), TypeError);
    ok(/invalid Location/.test(e2.message), e2.message);
  },
};

// ---- network errors ----------------------------------------------------------------------

export const connectionRefused = {
  async test(ctrl, env) {
    const dead = new URL(env.DEAD);
    const e = await rejects(fetch(env.DEAD + "/x"), TypeError);
    ok(e.message.includes(`connect ECONNREFUSED 127.0.0.1:${dead.port}`), e.message);
  },
};

export const theDefaultPolicyRefusesLoopback = {
  async test(ctrl, env) {
    const e = await rejects(env.INTERNET.fetch(env.BASE + "/echo"), TypeError);
    ok(/address 127\.0\.0\.1 is not allowed by network service 'internet'/.test(e.message), e.message);
  },
};

export const dnsFailure = {
  async test() {
    const e = await rejects(fetch("http://no-such-host.invalid/"), TypeError);
    ok(/DNS lookup failed for no-such-host\.invalid/.test(e.message), e.message);
  },
};

export const upstreamDyingMidBodyIsAnError = {
  async test(ctrl, env) {
    const e = await rejects(fetch(env.BASE + "/die"), TypeError);
    ok(/ended before the response was complete/.test(e.message), e.message);
    const e2 = await rejects(fetch(env.BASE + "/hangup"), TypeError);
    ok(/127\.0\.0\.1/.test(e2.message), e2.message);
    eq((await fetch(env.BASE + "/echo")).status, 200, "later requests still work");
  },
};

export const tlsIsVerifiedAgainstTheSystemStore = {
  async test(ctrl, env) {
    const e = await rejects(fetch(env.TLS + "/echo"), TypeError);
    ok(/TLS connection to 127\.0\.0\.1 failed: .*certificate/.test(e.message), e.message);
  },
};

// ---- time ----------------------------------------------------------------------------------

export const slowUpstreamsAreWaitedForConcurrently = {
  async test(ctrl, env) {
    const t0 = Date.now();
    const texts = await Promise.all([1, 2, 3].map(() =>
      fetch(env.BASE + "/slow?s=1").then((r) => r.text())));
    const ms = Date.now() - t0;
    deepEq(texts, ["slow answer", "slow answer", "slow answer"]);
    ok(ms >= 900, `took ${ms} ms`);
    ok(ms < 2500, `three 1 s requests in parallel took ${ms} ms`);
  },
};

export const abortCancelsTheTransfer = {
  async test(ctrl, env) {
    const ac = new AbortController();
    const t0 = Date.now();
    const p = fetch(env.BASE + "/slow?s=3", { signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    const e = await rejects(p, DOMException);
    eq(e.name, "AbortError");
    ok(Date.now() - t0 < 2000, "rejected at the abort, not at the answer");
  },
};

export const abortSignalTimeout = {
  async test(ctrl, env) {
    const e = await rejects(fetch(env.BASE + "/slow?s=3", { signal: AbortSignal.timeout(100) }),
                            DOMException);
    eq(e.name, "TimeoutError");
  },
};

export const anAbortedSignalRejectsWithItsReason = {
  async test(ctrl, env) {
    const reason = new Error("mine");
    const e = await rejects(fetch(env.BASE + "/echo", { signal: AbortSignal.abort(reason) }), Error);
    eq(e, reason);
    await rejects(fetch(env.BASE + "/echo", { signal: {} }), TypeError);
  },
};

export const abortAfterTheResponseChangesNothing = {
  async test(ctrl, env) {
    const ac = new AbortController();
    const res = await fetch(env.BASE + "/echo", { signal: ac.signal });
    ac.abort();
    eq(res.status, 200);
    eq((await res.json()).method, "GET");
  },
};

// ---- connections -------------------------------------------------------------------------

export const connectionsAreReused = {
  async test(ctrl, env) {
    const stats = async () => (await (await fetch(env.BASE + "/stats")).json()).connections;
    const before = await stats();
    for (let i = 0; i < 5; i++) eq((await fetch(env.BASE + "/echo?i=" + i)).status, 200);
    await fetch(env.BASE + "/echo", { method: "POST", body: "x" });
    const after = await stats();
    ok(after - before <= 1, `7 sequential requests opened ${after - before} connections`);
  },
};
