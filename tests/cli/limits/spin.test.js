// `islet test --cpu-limit-ms N`: a test that spins fails, and the next one still runs.
export const spins = { test() { for (;;) {} } };
export const spinsAcrossAwaits = { async test() {
  for (;;) { await null; const t = Date.now(); while (Date.now() - t < 30) {} }
} };
export const runsAfter = { test() {} };
