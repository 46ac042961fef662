// `islet test --cpu-limit-ms N`: each microtask loop fails its test on the CPU limit, and
// the next test still runs.
export const awaitsForever = { async test() { for (;;) await null; } };
export const thenForever = { test() {
  const f = () => { Promise.resolve().then(f); };
  f();
  return new Promise(() => {});
} };
export const queuesForever = { test() {
  const g = () => queueMicrotask(g);
  g();
  return new Promise(() => {});
} };
export const runsAfter = { async test() { await null; } };
