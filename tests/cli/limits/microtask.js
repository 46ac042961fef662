// Loops made of microtasks, for tests/cli/limits_microtask_test.py. Every piece is far
// shorter than the watchdog's 100 ms slice, so only the request's whole CPU budget can
// stop them (src/jsc/watchdog_clock.c). `hits` counts the requests this isolate has
// served: it starts again at 1 in a new isolate.
let hits = 0;

export default {
  async fetch(request, env) {
    const path = new URL(request.url).pathname;
    hits++;
    switch (path) {
      case "/await": // an async function that awaits in a loop
        for (;;) await null;
      case "/then": { // a reaction that queues itself
        const f = () => { Promise.resolve().then(f); };
        f();
        return new Promise(() => {});
      }
      case "/queue": { // queueMicrotask recursion
        const g = () => queueMicrotask(g);
        g();
        return new Promise(() => {});
      }
      case "/after-timer": // the loop starts in a later run of the request: a timer's
        await scheduler.wait(10);
        for (;;) await null;
      case "/after-response": { // answered first; the loop then runs on its own
        const f = () => { Promise.resolve().then(f); };
        f();
        return new Response("answered");
      }
      case "/timer": // well-behaved: answers once its timer fires
        await new Promise((resolve) => setTimeout(resolve, 1000));
        return new Response("timer " + hits);
      case "/binding": { // well-behaved: answers once the neighbour has
        const r = await env.SLOW.fetch("http://slow/");
        return new Response("binding " + (await r.text()));
      }
    }
    return new Response("ok " + hits);
  },
};
