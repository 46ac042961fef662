// Reaches the disk services through service bindings: /files/... reads from FILES with
// the method and Range/If-None-Match headers of the request; /put/NAME writes the body
// to UPLOADS and reads it back; /del/NAME deletes it. The answer describes the response.
export default {
  async fetch(request, env) {
    // No URL class yet: the path is what follows the authority.
    const path = request.url.replace(/^[a-z]+:\/\/[^/]*/, "").replace(/[?#].*/, "");
    if (path.startsWith("/files/")) {
      const headers = {};
      for (const h of ["range", "if-none-match"]) {
        const v = request.headers.get(h);
        if (v !== null) headers[h] = v;
      }
      const res = await env.FILES.fetch("http://files/" + path.slice(7), { method: request.method, headers });
      return describe(res);
    }
    if (path.startsWith("/put/")) {
      const name = path.slice(5);
      const put = await env.UPLOADS.fetch("http://uploads/" + name, { method: "PUT", body: await request.text() });
      const back = await env.UPLOADS.fetch("http://uploads/" + name);
      return new Response(`${put.status} ${back.status} ${await back.text()}`);
    }
    if (path.startsWith("/del/")) {
      const res = await env.UPLOADS.fetch("http://uploads/" + path.slice(5), { method: "DELETE" });
      const back = await env.UPLOADS.fetch("http://uploads/" + path.slice(5));
      return new Response(`${res.status} ${back.status}`);
    }
    return new Response("not here", { status: 404 });
  },
};

async function describe(res) {
  const h = (n) => res.headers.get(n);
  return Response.json({
    status: res.status,
    type: h("content-type"),
    length: h("content-length"),
    range: h("content-range"),
    etag: h("etag"),
    modified: h("last-modified"),
    body: await res.text(),
  });
}
