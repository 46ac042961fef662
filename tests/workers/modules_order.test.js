// ES modules: evaluation order (depth-first, post-order, each module once), cycles with
// hoisted functions and TDZ, and evaluation errors. Every scenario has its own log module;
// each test imports its scenario with import() so that it is evaluated inside the test.
import { eq, ok, deepEq, rejects } from "./assert.js";

// The cycle is always entered at a.js (tests run in any order): b.js evaluates first.
async function cycleB() {
  await import("./mod/order/cycle/a.js");
  return import("./mod/order/cycle/b.js");
}

export const evaluationIsDepthFirstPostOrderOnce = {
  async test() {
    await import("./mod/order/tree/main.js");
    const { log } = await import("./mod/order/tree/log.js");
    deepEq(log, ["c", "a", "d", "b", "main"]);
  },
};

export const importsAreHoistedAboveTheBody = {
  async test() {
    await import("./mod/order/hoist/main.js");
    const { log } = await import("./mod/order/hoist/log.js");
    deepEq(log, ["a", "main"]);
  },
};

export const reexportSourcesAreEvaluatedInSourceOrder = {
  async test() {
    const m = await import("./mod/order/reqorder/main.js");
    const { log } = await import("./mod/order/reqorder/log.js");
    deepEq(log, ["x", "y", "z", "w"]);
    eq(m.y, "y");
    eq(m.z, "z");
  },
};

export const cycleEvaluatesTheDependencyFirst = {
  async test() {
    await cycleB();
    const { log } = await import("./mod/order/cycle/log.js");
    deepEq(log, ["b", "a"]);
  },
};

export const cycleHoistedFunctionCallableBeforeEvaluation = {
  async test() {
    const b = await cycleB();
    eq(b.hoistedCall, "aFn");
  },
};

export const cycleAnonymousDefaultFunctionIsHoisted = {
  async test() {
    const b = await cycleB();
    eq(b.hoistedDefaultCall, "a-default");
  },
};

export const cycleLetBeforeEvaluationIsTDZ = {
  async test() {
    const b = await cycleB();
    ok(b.tdzRead instanceof ReferenceError, "got " + b.tdzRead);
  },
};

export const cycleTypeofInTDZThrows = {
  async test() {
    const b = await cycleB();
    ok(b.tdzTypeof instanceof ReferenceError, "got " + b.tdzTypeof);
  },
};

export const cycleNamespaceReadInTDZThrows = {
  async test() {
    const b = await cycleB();
    ok(b.tdzNamespaceRead instanceof ReferenceError, "got " + b.tdzNamespaceRead);
    ok(b.tdzObjectKeys instanceof ReferenceError, "Object.keys reads every export: got " + b.tdzObjectKeys);
  },
};

export const cycleNamespaceKeysKnownBeforeEvaluation = {
  async test() {
    const b = await cycleB();
    deepEq(b.namespaceOwnKeys, ["aFn", "aValue", "default", "readB"]);
    eq(b.namespaceHas, true);
  },
};

export const cycleFunctionSeesValuesAfterEvaluation = {
  async test() {
    const a = await import("./mod/order/cycle/a.js");
    const b = await cycleB();
    eq(b.readA(), "a-initialized");
    deepEq(a.readB(), ["b-initialized", "bFn"]);
  },
};

export const cycleDefaultClassIsTDZ = {
  async test() {
    const p = await import("./mod/order/cycle_class/p.js");
    ok(p.seen instanceof ReferenceError, "got " + p.seen);
    const { log } = await import("./mod/order/cycle_class/log.js");
    deepEq(log, ["q", "p"]);
  },
};

export const evaluationErrorRejectsImport = {
  async test() {
    await rejects(import("./mod/order/error/thrower.js"), RangeError, /thrown at evaluation/);
  },
};

export const evaluationErrorIsCachedAndTheBodyRunsOnce = {
  async test() {
    const e1 = await rejects(import("./mod/order/error/thrower.js"), RangeError);
    const e2 = await rejects(import("./mod/order/error/importer.js"), RangeError);
    eq(e2, e1, "the same error object");
    eq(globalThis.__orderThrowerRuns, 1);
  },
};

export const importerOfFailedModuleNeverRuns = {
  async test() {
    await rejects(import("./mod/order/error/importer.js"), RangeError);
    await rejects(import("./mod/order/error/importer2.js"), RangeError);
    const { log } = await import("./mod/order/error/log.js");
    deepEq(log, ["thrower", "first"]);
  },
};
