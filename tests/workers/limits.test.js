// Limits that can be seen from inside a worker under the default settings (README,
// "Limits"): the subrequest limit per request and per test, what work of a finished
// request may still do, and waitUntil() keeping a request's timers alive. The CPU and
// memory limits, and the flags, are tested end to end in tests/cli/limits_test.py.
import { eq, ok } from "./assert.js";

let bumps = 0;
const late = [];

async function fanOut(env, n) {
  const results = await Promise.allSettled(
    Array.from({ length: n }, () => env.SELF.fetch("http://w/leaf")));
  const rejected = results.filter((r) => r.status === "rejected");
  return { ok: results.length - rejected.length, rejected };
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    switch (url.pathname) {
      case "/leaf":
        return new Response("leaf");
      case "/fan-out": {
        const { ok, rejected } = await fanOut(env, Number(url.searchParams.get("n")));
        return new Response(`${ok} ${rejected.length} ${rejected[0]?.reason?.message ?? ""}`);
      }
      case "/orphan-timer":
        setTimeout(() => bumps++, 5);
        return new Response("answered");
      case "/held-timer":
        ctx.waitUntil(new Promise((resolve) => setTimeout(() => { bumps++; resolve(); }, 5)));
        return new Response("answered");
      case "/slow":
        await scheduler.wait(20);
        return new Response("slow");
      case "/late-subrequest":
        // Not awaited: the continuation runs after this request is over.
        env.SELF.fetch("http://w/slow").then(() => env.SELF.fetch("http://w/leaf"))
          .then(() => late.push("sent"), (e) => late.push(e.constructor.name + ": " + e.message));
        return new Response("answered");
    }
    return new Response("not found", { status: 404 });
  },
};

export const aTestMayMake1000Subrequests = {
  async test(ctrl, env) {
    const { ok: n, rejected } = await fanOut(env, 1001);
    eq(n, 1000);
    eq(rejected.length, 1);
    ok(rejected[0].reason instanceof TypeError, String(rejected[0].reason));
    eq(rejected[0].reason.message,
       "Too many subrequests: a request may make at most 1000 (fetch() and service binding calls count)");
  },
};

export const eachTestHasItsOwnSubrequestCount = {
  async test(ctrl, env) {
    const { ok: n, rejected } = await fanOut(env, 10);
    eq(n, 10, "the previous test's calls do not count here");
    eq(rejected.length, 0);
  },
};

export const eachRequestCountsItsOwnSubrequests = {
  async test(ctrl, env) {
    // The test makes 2 calls; each handler makes its own 1001 and gets 1000.
    for (let i = 0; i < 2; i++) {
      const text = await (await env.SELF.fetch("http://w/fan-out?n=1001")).text();
      ok(text.startsWith("1000 1 Too many subrequests"), text);
    }
  },
};

export const aTimerOfAFinishedRequestDoesNotFire = {
  async test(ctrl, env) {
    const before = bumps;
    eq(await (await env.SELF.fetch("http://w/orphan-timer")).text(), "answered");
    await scheduler.wait(50);
    eq(bumps, before, "the request was over before its timer was due");
  },
};

export const waitUntilKeepsARequestsTimersAlive = {
  async test(ctrl, env) {
    const before = bumps;
    eq(await (await env.SELF.fetch("http://w/held-timer")).text(), "answered");
    await scheduler.wait(50);
    eq(bumps, before + 1);
  },
};

export const aFinishedRequestCannotStartSubrequests = {
  async test(ctrl, env) {
    eq(await (await env.SELF.fetch("http://w/late-subrequest")).text(), "answered");
    await scheduler.wait(100);
    eq(late.length, 1, "the continuation ran once the slow call answered");
    eq(late[0], "TypeError: Cannot make a subrequest: the request this code runs for has " +
                "already finished (use ctx.waitUntil() for work after the response)");
  },
};
