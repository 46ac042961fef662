// Streams through a worker that forwards them untouched: see passthrough.capnp.
import { eq, deepEq, ok } from "assert.js";

const enc = new TextEncoder();
const dec = new TextDecoder();
const delay = (ms) => new Promise((r) => setTimeout(r, ms));

function source(parts, ms = 2) {
  let i = 0;
  return new ReadableStream({
    async pull(c) {
      await delay(ms);
      if (i === parts.length) return c.close();
      c.enqueue(enc.encode(parts[i++]));
    },
  });
}

export const responseStreamPassesThrough = {
  async test(ctrl, env) {
    const r = await env.FRONT.fetch("http://front/produce");
    eq(r.status, 200);
    const reader = r.body.getReader();
    const parts = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(dec.decode(value));
    }
    eq(parts.join(""), "part0;part1;part2;part3;part4;");
    ok(parts.length >= 2, "it came in pieces");
  },
};

export const requestStreamPassesThrough = {
  async test(ctrl, env) {
    const big = new Uint8Array(300000).fill(1);
    const body = new ReadableStream({
      start(c) { c.enqueue(big); c.enqueue(big); c.close(); },
    });
    const r = await env.FRONT.fetch("http://front/count", { method: "POST", body, duplex: "half" });
    eq(await r.text(), "count 600000");
  },
};

export const echoThroughTwoBindings = {
  async test(ctrl, env) {
    const r = await env.FRONT.fetch("http://front/echo", {
      method: "POST", body: source(["a", "b", "c"]),
    });
    eq(await r.text(), "abc");
  },
};

export const cancelReachesTheProducer = {
  async test(ctrl, env) {
    const r = await env.FRONT.fetch("http://front/produce");
    const reader = r.body.getReader();
    eq(dec.decode((await reader.read()).value), "part0;");
    await reader.cancel();
    await delay(20);
    deepEq(await (await env.BACK.fetch("http://back/canceled")).json(), ["AbortError"]);
  },
};
