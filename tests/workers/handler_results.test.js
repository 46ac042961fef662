// What a fetch handler returns, settled the way Promise.resolve would: a Response at once,
// a promise, a thenable (its then read once), and the failures in between.
import { eq } from "./assert.js";

let thenReads = 0;
class MyPromise extends Promise {}

export default {
  fetch(request) {
    const path = new URL(request.url).pathname;
    if (path === "/sync") return new Response("sync");
    if (path === "/promise") return Promise.resolve(new Response("promise"));
    if (path === "/subclass") return MyPromise.resolve(new Response("subclass"));
    if (path === "/thenable")
      return { then(ok) { thenReads++; ok(new Response("thenable")); } };
    if (path === "/counted-then") {
      const o = {};
      Object.defineProperty(o, "then", {
        get() { thenReads++; return (ok) => ok(new Response("counted")); },
      });
      return o;
    }
    if (path === "/then-getter-throws")
      return Object.defineProperty({}, "then", { get() { throw new Error("getter"); } });
    if (path === "/then-throws") return { then() { throw new Error("then threw"); } };
    if (path === "/thenable-rejects") return { then(_, fail) { fail(new Error("no")); } };
    if (path === "/function-thenable") {
      const f = () => {};
      f.then = (ok) => ok(new Response("function"));
      return f;
    }
    if (path === "/null") return null;
    if (path === "/number") return 42;
    if (path === "/plain") return { status: 200 };
    return new Response("?", { status: 404 });
  },
};

async function get(env, path) {
  const r = await env.SELF.fetch("http://w" + path);
  return r.status + " " + (await r.text());
}

export const responseReturnedSynchronously = {
  async test(ctrl, env) { eq(await get(env, "/sync"), "200 sync"); },
};
export const promiseAndSubclass = {
  async test(ctrl, env) {
    eq(await get(env, "/promise"), "200 promise");
    eq(await get(env, "/subclass"), "200 subclass");
  },
};
export const thenablesAreAdoptedAndThenIsReadOnce = {
  async test(ctrl, env) {
    thenReads = 0;
    eq(await get(env, "/thenable"), "200 thenable");
    eq(thenReads, 1);
    thenReads = 0;
    eq(await get(env, "/counted-then"), "200 counted");
    eq(thenReads, 1); // the getter ran once
    eq(await get(env, "/function-thenable"), "200 function");
  },
};
export const failuresAre500 = {
  async test(ctrl, env) {
    for (const p of ["/then-getter-throws", "/then-throws", "/thenable-rejects", "/null", "/number",
                     "/plain"])
      eq((await get(env, p)).slice(0, 3), "500", p);
  },
};
