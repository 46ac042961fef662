// A then() that queues itself, started while the module is evaluated: startup is bounded
// by the CPU limit (tests/cli/limits_microtask_test.py).
const f = () => { Promise.resolve().then(f); };
f();
export default { fetch() { return new Response("never"); } };
