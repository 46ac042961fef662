// `islet test --cpu-limit-ms N`: a test that spins fails, and the next one still runs.
export const spins = { test() { for (;;) {} } };
export const spinsAcrossAwaits = { async test() {
  // Each piece runs longer than the watchdog's 100 ms slice (src/jsc/limits.c).
  for (;;) { await null; const t = Date.now(); while (Date.now() - t < 150) {} }
} };
export const runsAfter = { test() {} };
