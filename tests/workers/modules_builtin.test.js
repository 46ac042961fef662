// Built-in modules: cloudflare:workers (WorkerEntrypoint, DurableObject, RpcTarget, env).
import { eq, ok, throws } from "./assert.js";
import { WorkerEntrypoint, DurableObject, RpcTarget, env } from "cloudflare:workers";
import * as cf from "cloudflare:workers";

export const workerEntrypointSubclassHasCtxAndEnv = {
  test() {
    const ctx = { waitUntil() {} }, e = { KEY: "v" };
    class Entry extends WorkerEntrypoint {
      hello() { return "hello " + this.env.KEY; }
    }
    const inst = new Entry(ctx, e);
    eq(inst.ctx, ctx);
    eq(inst.env, e);
    eq(inst.hello(), "hello v");
    ok(inst instanceof WorkerEntrypoint);
  },
};

export const anonymousWorkerEntrypointSubclass = {
  test() {
    const ctx = {}, e = {};
    const inst = new (class extends WorkerEntrypoint {})(ctx, e);
    eq(inst.ctx, ctx);
    eq(inst.env, e);
  },
};

export const durableObjectSubclassHasCtxAndEnv = {
  test() {
    const state = { id: "x" }, e = {};
    class Counter extends DurableObject {
      get id() { return this.ctx.id; }
    }
    const inst = new Counter(state, e);
    eq(inst.ctx, state);
    eq(inst.env, e);
    eq(inst.id, "x");
    ok(inst instanceof DurableObject);
  },
};

export const rpcTargetSubclass = {
  test() {
    class Target extends RpcTarget {
      twice(n) { return n * 2; }
    }
    const t = new Target();
    ok(t instanceof RpcTarget);
    eq(t.twice(21), 42);
  },
};

export const builtinClassesNeedNew = {
  test() {
    throws(() => WorkerEntrypoint({}, {}), TypeError);
    throws(() => DurableObject({}, {}), TypeError);
    throws(() => RpcTarget(), TypeError);
  },
};

export const envIsTheWorkersEnv = {
  test(controller, testEnv) {
    eq(env, testEnv);
  },
};

export const envHasSelfInTests = {
  async test() {
    ok(env.SELF, "env.SELF exists under islet test");
    eq(typeof env.SELF.fetch, "function");
  },
};

export const builtinNamespaceIsAModuleNamespace = {
  test() {
    eq(cf[Symbol.toStringTag], "Module");
    eq(Object.getPrototypeOf(cf), null);
    eq(Object.isExtensible(cf), false);
    eq(cf.WorkerEntrypoint, WorkerEntrypoint);
    for (const name of ["DurableObject", "RpcTarget", "WorkerEntrypoint", "env"]) ok(name in cf, name);
  },
};

export const builtinDynamicImportIsSameNamespace = {
  async test() {
    eq(await import("cloudflare:workers"), cf);
  },
};
