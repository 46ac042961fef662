// The worker runtime: module loading, eval rules, handlers, ctx, env.SELF in memory.
import { eq, ok, throws, rejects } from "./assert.js";
import greeting, { counter, bump, NAME as renamed } from "./fixtures/lib.js";
import * as libns from "./fixtures/lib.js";
import data from "./fixtures/data.json" with { type: "json" };
import text from "./fixtures/hello.txt";

// Code generation from strings works while the module is evaluated at startup.
const evalAtStartup = eval("6 * 7");
const fnAtStartup = new Function("a", "return a + 1")(1);

let waited = 0;
let keptCtx = null;

export default {
  async fetch(request, env, ctx) {
    const path = request.url.replace(/^[a-z]+:\/\/[^/]*/, "");
    if (path === "/throw") throw new Error("boom from handler");
    if (path === "/reject") return Promise.reject(new TypeError("rejected"));
    if (path === "/not-a-response") return { status: 200 };
    if (path === "/response-error") return Response.error();
    if (path === "/eval") {
      try {
        eval("1");
        return new Response("eval allowed");
      } catch (e) {
        return new Response(e.name + ": " + e.message);
      }
    }
    if (path === "/keep-ctx") {
      keptCtx = ctx;
      return new Response(String(ctx instanceof ExecutionContext));
    }
    if (path === "/wait") {
      ctx.waitUntil(new Promise((r) => setTimeout(() => { waited++; r(); }, 20)));
      return new Response("sent before the wait");
    }
    if (path === "/slow") {
      await new Promise((r) => setTimeout(r, 200));
      return new Response("slow");
    }
    if (path === "/echo") {
      return new Response(request.method + " " + (await request.text()), {
        status: 201,
        headers: { "x-seen": request.headers.get("x-test") ?? "none" },
      });
    }
    return new Response("hello " + path);
  },
};

export const evalWorksAtStartup = {
  test() {
    eq(evalAtStartup, 42);
    eq(fnAtStartup, 2);
  },
};

export const evalThrowsEvalErrorAfterStartup = {
  test() {
    throws(() => eval("1 + 1"), EvalError);
    throws(() => new Function("return 1"), EvalError);
  },
};

export const evalThrowsInRequestHandler = {
  async test(ctrl, env) {
    const res = await env.SELF.fetch("http://w/eval");
    eq(await res.text(), "EvalError: Code generation from strings disallowed for this context");
  },
};

export const selfFetchInMemory = {
  async test(ctrl, env) {
    const res = await env.SELF.fetch("http://w/echo", {
      method: "POST",
      body: "payload",
      headers: { "x-test": "yes" },
    });
    eq(res.status, 201);
    eq(res.headers.get("x-seen"), "yes");
    eq(await res.text(), "POST payload");
  },
};

export const selfFetchTakesARequest = {
  async test(ctrl, env) {
    const res = await env.SELF.fetch(new Request("http://w/abc"));
    eq(await res.text(), "hello /abc");
  },
};

export const handlerExceptionIs500WithoutDetail = {
  async test(ctrl, env) {
    for (const p of ["/throw", "/reject", "/not-a-response", "/response-error"]) {
      const res = await env.SELF.fetch("http://w" + p);
      eq(res.status, 500, p);
      const body = await res.text();
      ok(!body.includes("boom") && !body.includes("rejected"), "no internal detail: " + body);
    }
  },
};

export const waitUntilRunsAfterResponse = {
  async test(ctrl, env) {
    const before = waited;
    const res = await env.SELF.fetch("http://w/wait");
    eq(await res.text(), "sent before the wait");
    eq(waited, before, "the response came before the waitUntil work");
    await new Promise((r) => setTimeout(r, 50));
    eq(waited, before + 1);
  },
};

export const slowRequestDoesNotBlockOthers = {
  async test(ctrl, env) {
    const order = [];
    const slow = env.SELF.fetch("http://w/slow").then(() => order.push("slow"));
    const fast = env.SELF.fetch("http://w/fast").then(() => order.push("fast"));
    await Promise.all([slow, fast]);
    eq(order.join(), "fast,slow");
  },
};

export const ctxHasWaitUntilAndPassThrough = {
  test(ctrl, env, ctx) {
    eq(typeof ctx.waitUntil, "function");
    eq(typeof ctx.passThroughOnException, "function");
    eq(ctx.passThroughOnException(), undefined);
    throws(() => ctx.waitUntil(), TypeError);
    throws(() => ExecutionContext.prototype.waitUntil.call({}, 1), TypeError);
  },
};

export const ctxKeptPastItsRequestDoesNothing = {
  async test(ctrl, env, ctx) {
    eq(await (await env.SELF.fetch("http://w/keep-ctx")).text(), "true");
    ok(keptCtx && keptCtx !== ctx, "each request has its own ctx");
    // The request is over: its ctx neither throws nor reaches another request.
    let ran = false;
    eq(keptCtx.waitUntil(Promise.resolve().then(() => { ran = true; })), undefined);
    eq(keptCtx.passThroughOnException(), undefined);
    await null;
    ok(ran, "the promise itself still runs");
    eq(Object.prototype.toString.call(keptCtx), "[object ExecutionContext]");
  },
};

export const executionContextCannotBeForged = {
  test(ctrl, env, ctx) {
    throws(() => new ExecutionContext(), TypeError);
    throws(() => new ctx.constructor({}, 1), TypeError);
    throws(() => ExecutionContext(), TypeError);
    throws(() => ctx.waitUntil.call(Object.create(ExecutionContext.prototype), 1), TypeError);
    eq(ExecutionContext.length, 0);
    eq(Object.keys(ctx).length, 0, "the id is private");
  },
};

export const importsDefaultNamedAndNamespace = {
  test() {
    eq(greeting, "hi");
    eq(renamed, "lib");
    eq(libns.NAME, "lib");
    eq(libns.default, "hi");
    eq(typeof bump, "function");
  },
};

export const importedBindingsAreLive = {
  test() {
    const before = libns.counter;
    bump();
    eq(libns.counter, before + 1);
    eq(counter, before + 1, "the imported binding is live");
  },
};

export const importsJsonAndText = {
  test() {
    eq(data.answer, 42);
    eq(text, "hello text\n");
  },
};

export const importMetaUrl = {
  test() {
    ok(import.meta.url.startsWith("file:///"), import.meta.url);
    ok(import.meta.url.endsWith("/tests/workers/runtime.test.js"), import.meta.url);
  },
};

export const globalsAreSelf = {
  test() {
    eq(self, globalThis);
  },
};

// The errors islet throws come from the realm's own constructors, not from whatever user
// code put on the global since.
export const thrownErrorsIgnoreReplacedGlobals = {
  test() {
    const RealTypeError = TypeError;
    const RealRangeError = RangeError;
    globalThis.TypeError = class Fake extends Error {};
    globalThis.RangeError = class Fake2 extends Error {};
    try {
      let e1, e2;
      try { new Headers([["only-a-name"]]); } catch (e) { e1 = e; }
      try { new Response("", { status: 99 }); } catch (e) { e2 = e; }
      ok(e1 instanceof RealTypeError, "TypeError");
      ok(e2 instanceof RealRangeError, "RangeError");
    } finally {
      globalThis.TypeError = RealTypeError;
      globalThis.RangeError = RealRangeError;
    }
  },
};
