// Isolation between workers: see isolation.capnp.
import { eq, deepEq, ok } from "assert.js";

async function ask(peer, what) {
  const r = await peer.fetch("http://peer/" + what);
  eq(r.status, 200, what);
  return r.json();
}

export const globalsAndPrototypesStayPut = {
  async test(ctrl, env) {
    eq(await ask(env.A, "pollute"), "polluted");
    const a = await ask(env.A, "look");
    const b = await ask(env.B, "look");
    // a sees its own marks ...
    eq(a.leaked, "a");
    eq(a.objectProto, "a");
    eq(a.stringProto, "function");
    eq(a.fetchIsNative, false);
    // ... and b none of them.
    deepEq([b.leaked, b.objectProto, b.arrayProto, b.stringProto, b.fetchIsNative],
           [null, null, null, "undefined", true]);
    // Nor does the tester.
    eq(({}).pollutedBy, undefined);
  },
};

export const moduleStateIsPerWorker = {
  async test(ctrl, env) {
    const a = await ask(env.A, "look");
    const b = await ask(env.B, "look");
    ok(a.count >= 2, "a bumped its own counter");
    eq(b.count, 0);
  },
};

export const bindingsArePerWorker = {
  async test(ctrl, env) {
    // (`islet test` gives every worker env.SELF, a binding to itself.)
    deepEq((await ask(env.A, "look")).envKeys, ["NAME", "SECRET", "SELF"]);
    deepEq((await ask(env.B, "look")).envKeys, ["NAME", "SELF"]);
    deepEq(Object.keys(env).sort(), ["A", "B", "SELF"]);
  },
};

export const timersArePerWorker = {
  async test(ctrl, env) {
    await ask(env.A, "startTicking");
    await scheduler.wait(30);
    const before = await ask(env.A, "ticks");
    ok(before > 0, "a's interval runs");
    eq(await ask(env.B, "clearAll"), "cleared"); // b clears every id it could guess
    await scheduler.wait(40);
    ok((await ask(env.A, "ticks")) > before, "a's interval still runs after b cleared ids");
    await ask(env.A, "clearAll");
  },
};

export const nothingBeyondTheBindings = {
  async test(ctrl, env) {
    for (const peer of [env.A, env.B]) {
      const r = await ask(peer, "reach");
      deepEq([r.process, r.require, r.deno, r.bun], ["undefined", "undefined", "undefined", "undefined"]);
      ok(r.nodeFs !== "allowed", "node:fs");
      ok(r.etcPasswd !== "allowed", "/etc/passwd");
      // globalOutbound is a network service that allows nothing.
      eq(r.network, "TypeError");
      eq(r.publicNetwork, "TypeError");
      // Code generation from strings is refused while handling requests.
      eq(r.evalNow, "EvalError");
      eq(r.functionNow, "EvalError");
    }
  },
};
