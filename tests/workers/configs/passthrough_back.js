// The far end of passthrough.capnp: produces, consumes and echoes streams.
const enc = new TextEncoder();
const delay = (ms) => new Promise((r) => setTimeout(r, ms));
const canceled = [];

export default {
  async fetch(request) {
    const path = new URL(request.url).pathname;
    if (path === "/produce") {
      let i = 0;
      return new Response(new ReadableStream({
        async pull(c) {
          await delay(5);
          if (i === 5) return c.close();
          c.enqueue(enc.encode(`part${i++};`));
        },
        cancel(reason) { canceled.push(String(reason && reason.name)); },
      }));
    }
    if (path === "/count") {
      let n = 0;
      const reader = request.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        n += value.byteLength;
      }
      return new Response(`count ${n}`);
    }
    if (path === "/echo") return new Response(request.body);
    if (path === "/canceled") return Response.json(canceled);
    return new Response("?", { status: 404 });
  },
};
