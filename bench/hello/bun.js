// Bun peer: same handler as worker.js, served by Bun.serve. Port from $PORT.
const port = Number(process.env.PORT || 18083);
Bun.serve({
  hostname: "127.0.0.1",
  port,
  fetch() { return new Response("Hello World\n") },
});
