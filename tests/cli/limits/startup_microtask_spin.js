// One microtask queued at startup that spins: stopped inside the microtask queue, which
// must leave the loader making no more JS calls (JSC keeps the termination pending).
Promise.resolve().then(() => { for (;;) {} });
export default { fetch() { return new Response("never"); } };
