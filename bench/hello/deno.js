// Deno peer: same handler as worker.js, served by Deno.serve. Port from $PORT.
const port = Number(Deno.env.get("PORT") || 18084);
Deno.serve({ hostname: "127.0.0.1", port, onListen() {} },
  () => new Response("Hello World\n"));
