// The example worker the README's first command serves: a module worker whose fetch
// handler answers every request.
export default {
  async fetch(request, env, ctx) {
    const path = request.url.replace(/^[a-z]+:\/\/[^/]*/, "");
    if (path === "/json") {
      return Response.json({ hello: "world", method: request.method });
    }
    return new Response(`Hello from islet! You asked for ${path}\n`, {
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  },
};
