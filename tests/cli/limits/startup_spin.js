// Spins while the module is evaluated: startup is bounded by the CPU limit too.
while (true) {}
export default { fetch() { return new Response("never"); } };
