// The front worker: calls "back" through its service binding, in memory.
globalThis.frontSecret = "front only";
Response.prototype.extraFromFront = 1;

export default {
  async fetch(request, env) {
    const path = request.url.replace(/^[a-z]+:\/\/[^/]*/, "");
    if (path === "/bindings") {
      return Response.json({
        greeting: env.GREETING,
        conf: env.CONF,
        blob: [...new Uint8Array(env.BLOB)],
        fromEnv: env.FROM_ENV,
        unset: env.UNSET,
        keys: Object.keys(env).sort(),
      });
    }
    if (path === "/entrypoints") {
      const a = await (await env.ADMIN.fetch("http://back/")).text();
      const p = await (await env.PLAIN.fetch("http://back/")).text();
      return new Response(a + "; " + p);
    }
    if (path === "/isolation") {
      const res = await env.BACK.fetch("http://back/isolation");
      return new Response(await res.text());
    }
    const res = await env.BACK.fetch("http://back" + path, {
      method: request.method,
      body: request.method === "POST" ? await request.text() : undefined,
      headers: { "x-from": "front" },
    });
    return new Response(`front got ${res.status}: ${await res.text()}`);
  },
};
