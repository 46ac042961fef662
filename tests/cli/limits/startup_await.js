// Top-level await in a loop: startup is bounded by the CPU limit.
for (;;) await null;
export default { fetch() { return new Response("never"); } };
