// A worker that misbehaves on request, for tests/cli/limits_test.py. `hits` counts the
// requests this isolate has served: it starts again at 1 after the isolate is recycled.
let hits = 0;

function spinFor(ms) {
  const t = Date.now();
  while (Date.now() - t < ms) {}
}

export default {
  async fetch(request, env, ctx) {
    const path = new URL(request.url).pathname;
    hits++;
    switch (path) {
      case "/spin": // one synchronous run
        while (true) {}
      case "/spin-catch": // termination cannot be caught, and finally does not run
        try { while (true) {} } catch (e) { return new Response("caught"); }
        finally { return new Response("finally"); }
      case "/spin-microtask": // inside a microtask of the handler's run
        await null;
        while (true) {}
      case "/spin-awaits": // many microtasks of one run, each longer than the 100 ms slice
        for (;;) { await null; spinFor(150); }
      case "/spin-timers": // across timers: one run per turn of the loop, 30 ms each
        for (;;) { await scheduler.wait(1); spinFor(30); }
      case "/hog": // allocates until stopped
        { const a = []; for (;;) a.push(new Array(1e4).fill(1.5)); }
      case "/hog-global": // keeps what it allocated in a global
        globalThis.kept = [];
        for (;;) globalThis.kept.push(new Array(1e4).fill(1.5));
      case "/subrequests": { // as many calls to the other worker as it may make, plus one
        const n = Number(new URL(request.url).searchParams.get("n"));
        const out = [];
        for (let i = 0; i < n; i++) {
          try { await env.QUIET.fetch("http://quiet/"); out.push("ok"); }
          catch (e) { out.push(e.constructor.name + ": " + e.message); }
        }
        return new Response(out.slice(-2).join("\n") + "\ncount " + out.length);
      }
      case "/wait-forever": // waitUntil work that never settles, with a timer behind it
        ctx.waitUntil(new Promise(() => {}));
        ctx.waitUntil(scheduler.wait(1500).then(() => console.log("late waitUntil timer ran")));
        return new Response("answered");
      case "/orphan-timer": // a timer of a request that is over does not fire
        setTimeout(() => console.log("orphan timer fired"), 50);
        return new Response("answered");
      case "/hits":
        return new Response("hits " + hits);
    }
    return new Response("ok " + hits);
  },
};
