// One of two identical workers (a and b, told apart by env.NAME): each answers questions
// about what it can see, and changes its own state when asked to.
import { bump, count } from "state.js";

const realFetch = fetch; // taken before "pollute" replaces the global in this worker
let ticks = 0;
let intervalId = null;

async function attempt(fn) {
  try {
    await fn();
    return "allowed";
  } catch (e) {
    return e.name;
  }
}

const actions = {
  // Leaves marks everywhere a careless runtime might share between isolates.
  pollute(env) {
    globalThis.leaked = env.NAME;
    Object.prototype.pollutedBy = env.NAME;
    Array.prototype.pollutedBy = env.NAME;
    String.prototype.shout = function () { return this + "!"; };
    globalThis.fetch = () => "hijacked";
    bump();
    bump();
    return "polluted";
  },
  look(env) {
    return {
      name: env.NAME,
      leaked: globalThis.leaked ?? null,
      objectProto: ({}).pollutedBy ?? null,
      arrayProto: [].pollutedBy ?? null,
      stringProto: typeof "".shout,
      fetchIsNative: String(globalThis.fetch).includes("[native code]"),
      count,
      envKeys: Object.keys(env).sort(),
    };
  },
  // The interval lives as long as this request does (workerd's rule: a finished
  // request's timers never fire), so waitUntil keeps the request open for a while.
  startTicking(env, ctx) {
    if (intervalId === null) intervalId = setInterval(() => ticks++, 5);
    ctx.waitUntil(new Promise((resolve) => setTimeout(resolve, 300)));
    return intervalId;
  },
  ticks() {
    return ticks;
  },
  // Clears every timer id a neighbour might have: only this worker's own can be affected.
  clearAll() {
    for (let id = 0; id < 1000; id++) {
      clearTimeout(id);
      clearInterval(id);
    }
    intervalId = null;
    return "cleared";
  },
  async reach() {
    return {
      process: typeof process,
      require: typeof require,
      deno: typeof Deno,
      bun: typeof Bun,
      nodeFs: await attempt(() => import("node:fs")),
      etcPasswd: await attempt(() => import("/etc/passwd")),
      network: await attempt(() => realFetch("http://127.0.0.1:9/")),
      publicNetwork: await attempt(() => realFetch("https://example.com/")),
      evalNow: await attempt(() => eval("1")),
      functionNow: await attempt(() => new Function("return 1")()),
    };
  },
};

export default {
  async fetch(request, env, ctx) {
    const what = new URL(request.url).pathname.slice(1);
    const act = actions[what];
    if (!act) return new Response("unknown", { status: 404 });
    return Response.json(await act(env, ctx));
  },
};
