// The worker behind the wire-level HTTP suite (tests/wire/test_http.py).
//   /slow?ms=N   answers "slow N" after N ms (graceful-shutdown tests)
//   /big?n=N     answers N bytes of "x" (default 1 MiB)
//   /status?code=N  answers with that status and no body
//   /framing     sets framing headers the server must replace
//   anything else: JSON {method, url, headers: {selected}, body}
// The URL is split by hand so the suite does not depend on the URL API.
function parse(url) {
  const m = /^[a-z]+:\/\/[^/?#]*([^?#]*)(?:\?([^#]*))?/i.exec(url);
  const params = {};
  for (const kv of (m[2] || "").split("&")) {
    const i = kv.indexOf("=");
    if (i > 0) params[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return { pathname: m[1] || "/", params };
}

const ECHOED = ["host", "x-test", "content-type", "content-length", "transfer-encoding", "expect"];

export default {
  async fetch(request) {
    const url = parse(request.url);
    if (url.pathname === "/slow") {
      const ms = Number(url.params.ms ?? "200");
      await new Promise((resolve) => setTimeout(resolve, ms));
      return new Response("slow " + ms);
    }
    if (url.pathname === "/big") {
      const n = Number(url.params.n ?? String(1 << 20));
      return new Response("x".repeat(n));
    }
    if (url.pathname === "/status") {
      return new Response(null, { status: Number(url.params.code) });
    }
    if (url.pathname === "/framing") {
      return new Response("framed", {
        headers: { "Content-Length": "999", "Connection": "keep-alive", "Keep-Alive": "timeout=99",
                   "Transfer-Encoding": "chunked", "X-Kept": "yes" },
      });
    }
    const headers = {};
    for (const name of ECHOED) headers[name] = request.headers.get(name);
    const body = await request.text();
    return new Response(JSON.stringify({ method: request.method, url: request.url, headers, body }),
                        { headers: { "content-type": "application/json" } });
  },
};
