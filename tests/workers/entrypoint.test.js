// A default export that is a class extending WorkerEntrypoint: one instance per request,
// constructed with (ctx, env), as workerd does.
import { WorkerEntrypoint } from "cloudflare:workers";
import { eq, ok } from "./assert.js";

let constructed = 0;

export default class Handler extends WorkerEntrypoint {
  constructor(ctx, env) {
    super(ctx, env);
    this.serial = ++constructed;
  }
  async fetch(request) {
    return Response.json({
      serial: this.serial,
      hasSelf: this.env && typeof this.env.SELF === "object",
      ctxHasWaitUntil: typeof this.ctx.waitUntil === "function",
      method: request.method,
    });
  }
}

export const classEntrypointGetsCtxAndEnv = {
  async test(ctrl, env) {
    const body = await (await env.SELF.fetch("http://w/")).json();
    eq(body.hasSelf, true);
    eq(body.ctxHasWaitUntil, true);
    eq(body.method, "GET");
  },
};

export const classEntrypointIsInstantiatedPerRequest = {
  async test(ctrl, env) {
    const a = await (await env.SELF.fetch("http://w/")).json();
    const b = await (await env.SELF.fetch("http://w/")).json();
    ok(b.serial === a.serial + 1, `serials ${a.serial} then ${b.serial}`);
  },
};
