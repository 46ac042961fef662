// A reverse proxy: every request is sent on to the upstream (env.UPSTREAM, an origin such
// as "http://127.0.0.1:8081"), path and query kept; the answer comes back with a few
// headers rewritten. Redirects from the upstream are passed to the client, not followed.
//
// Bodies stream both ways: `request.body` goes up and `upstream.body` comes back as they
// arrive, with back-pressure, so a large upload or download never sits in memory whole.
const HOP_BY_HOP = ["connection", "keep-alive", "proxy-connection", "te", "trailer",
  "transfer-encoding", "upgrade"];

function withoutHopByHop(headers) {
  const out = new Headers(headers);
  // RFC 9110 §7.6.1: the Connection field's own list names more hop-by-hop fields.
  for (const name of (headers.get("connection") ?? "").split(","))
    if (name.trim()) out.delete(name.trim());
  for (const name of HOP_BY_HOP) out.delete(name);
  return out;
}

export default {
  async fetch(request, env) {
    if (!env.UPSTREAM)
      return new Response("set UPSTREAM to the origin to proxy to\n", { status: 500 });
    const incoming = new URL(request.url);
    const target = new URL(incoming.pathname + incoming.search, env.UPSTREAM);

    const headers = withoutHopByHop(request.headers);
    headers.set("x-forwarded-host", incoming.host);
    headers.set("x-forwarded-proto", incoming.protocol.slice(0, -1));
    const hasBody = request.method !== "GET" && request.method !== "HEAD";

    let upstream;
    try {
      upstream = await fetch(target, {
        method: request.method,
        headers,
        body: hasBody ? request.body : null,
        duplex: "half",
        redirect: "manual",
      });
    } catch (e) {
      return new Response(`upstream unreachable: ${e.message}\n`, { status: 502 });
    }

    const out = withoutHopByHop(upstream.headers);
    out.delete("server");
    out.set("via", "1.1 islet");
    // A redirect to the upstream itself points back at the proxy.
    const location = out.get("location");
    if (location) {
      const to = new URL(location, target);
      if (to.origin === target.origin) out.set("location", to.pathname + to.search + to.hash);
    }
    return new Response(request.method === "HEAD" ? null : upstream.body, {
      status: upstream.status,
      statusText: upstream.statusText,
      headers: out,
    });
  },
};
