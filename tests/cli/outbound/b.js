// The target of a's globalOutbound: echoes what reached it. On /try-fetch it calls fetch()
// itself, which goes to its own (default) outbound, not back through a's.
export default {
  async fetch(request) {
    const path = request.url.replace(/^[a-z]+:\/\/[^/]*/, "").replace(/[?#].*/, ""); // no URL class yet
    if (path === "/try-fetch") {
      try {
        await fetch("http://127.0.0.1:9/"); // refused by the default policy (public only)
        return new Response("b reached the network");
      } catch (e) {
        return new Response(`b rejected ${e.name}: ${e.message}`, { headers: { "x-backend": "b" } });
      }
    }
    const body = request.method === "POST" ? await request.text() : "";
    return new Response(`b got ${request.method} ${request.url} x-test=${request.headers.get("x-test")} body=${body}`,
                        { status: 201, headers: { "x-backend": "b" } });
  },
};
