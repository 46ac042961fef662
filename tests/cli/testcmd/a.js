import { runCases } from "harness.js";

const check = (c) => {
  if (c % 2 === 0) throw new Error(`${c} is even`);
};

function mustThrow(fn, part) {
  try {
    fn();
  } catch (e) {
    if (!String(e.message).includes(part)) throw new Error(`wrong message: ${e.message}`);
    return;
  }
  throw new Error("did not throw");
}

export const exactExpectations = {
  test(ctrl, env) {
    runCases("demo", env.cases, check, env.exact);
  },
};
export const newFailure = {
  test(ctrl, env) {
    mustThrow(() => runCases("demo", env.cases, check, env.none), "2 new failures");
  },
};
export const unexpectedPass = {
  test(ctrl, env) {
    mustThrow(() => runCases("demo", env.cases, check, env.extraPass), "1 listed as failing but passed");
  },
};
export const staleEntry = {
  test(ctrl, env) {
    mustThrow(() => runCases("demo", env.cases, check, env.stale), "1 listed cases that do not exist");
  },
};
export const reachesB = {
  async test(ctrl, env) {
    const r = await env.B.fetch("http://b/");
    if ((await r.text()) !== "from b") throw new Error("B answered wrongly");
  },
};
