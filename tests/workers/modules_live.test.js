// ES modules: imported bindings are live, read-only views of the exporter's bindings;
// local names that shadow them are unaffected.
import { eq, ok, deepEq, throws } from "./assert.js";
import { count, inc, reset, obj, replaceObj, late, setLate } from "./mod/live/counter.js";
import { count as renamedCount } from "./mod/live/counter.js";
import { reCount, count as starCount } from "./mod/live/reexp.js";
import { relayed } from "./mod/live/via_import_export.js";

export const importedLetFollowsExporterAssignments = {
  test() {
    reset();
    eq(count, 0);
    inc();
    eq(count, 1);
    inc();
    eq(count, 2);
  },
};

export const renamedImportIsLive = {
  test() {
    reset();
    inc();
    eq(renamedCount, 1);
  },
};

export const reexportedBindingIsLive = {
  test() {
    reset();
    inc();
    eq(reCount, 1);
    eq(starCount, 1);
  },
};

export const importThenExportListIsLive = {
  test() {
    reset();
    inc();
    eq(relayed, 1);
  },
};

export const closureReadsCurrentValue = {
  test() {
    reset();
    const read = () => count;
    inc();
    inc();
    eq(read(), 2);
  },
};

export const importedObjectBindingIsReplaced = {
  test() {
    const before = obj;
    eq(before.n, 1);
    replaceObj();
    eq(obj.n, 2);
    ok(obj !== before);
  },
};

export const importedVarStartsUndefinedThenFollows = {
  test() {
    eq(late, undefined);
    setLate("set");
    eq(late, "set");
  },
};

export const typeofImportedBinding = {
  test() {
    eq(typeof count, "number");
    eq(typeof inc, "function");
  },
};

export const assigningImportThrowsTypeError = {
  async test() {
    const m = await import("./mod/live/assign.js");
    reset();
    throws(m.assign, TypeError);
    eq(count, 0, "the failed assignment changed nothing");
  },
};

export const incrementingImportThrowsTypeError = {
  async test() {
    const m = await import("./mod/live/assign.js");
    reset();
    throws(m.increment, TypeError);
    eq(count, 0);
  },
};

export const compoundAssignmentToImportThrowsTypeError = {
  async test() {
    const m = await import("./mod/live/assign.js");
    throws(m.compound, TypeError);
    throws(m.logical, TypeError);
  },
};

export const destructuringAssignmentToImportThrowsTypeError = {
  async test() {
    const m = await import("./mod/live/assign.js");
    throws(m.destructure, TypeError);
    throws(m.objectDestructure, TypeError);
    throws(m.forOfTarget, TypeError);
  },
};

export const assigningImportedFunctionOrNamespaceThrowsTypeError = {
  async test() {
    const m = await import("./mod/live/assign.js");
    throws(m.functionImport, TypeError);
    throws(m.namespaceImport, TypeError);
    eq(typeof inc, "function");
  },
};

export const parametersShadowImport = {
  async test() {
    const s = await import("./mod/live/shadow.js");
    eq(s.param("p"), "p");
    eq(s.arrowParam("a"), "a");
    eq(s.bareArrowParam(21), 42);
    eq(s.destructuredParam({ count: "d" }), "d");
    eq(s.defaultParam(1), "default-param");
  },
};

export const innerDeclarationsShadowImport = {
  async test() {
    const s = await import("./mod/live/shadow.js");
    eq(s.innerLet(), "inner-let");
    eq(s.innerConst(), "block-const");
    eq(s.innerFunction(), "inner-fn");
    eq(s.innerClass(), "inner-class");
  },
};

export const hoistedVarShadowsImportInWholeFunction = {
  async test() {
    const s = await import("./mod/live/shadow.js");
    deepEq(s.innerVarHoisted(), [undefined, "var"]);
  },
};

export const catchParameterShadowsImport = {
  async test() {
    const s = await import("./mod/live/shadow.js");
    eq(s.catchParam(), "caught");
  },
};

export const loopVariablesShadowImport = {
  async test() {
    const s = await import("./mod/live/shadow.js");
    eq(s.forLet(), 3);
    eq(s.forOf(), "x,y");
  },
};

export const keysPropertiesAndMembersAreNotImports = {
  async test() {
    const s = await import("./mod/live/shadow.js");
    eq(s.objectKey(), "key");
    eq(s.propertyName(), 6);
    eq(s.optionalProperty(), 7);
    eq(s.methodName(), "method");
    deepEq(s.classMember(), ["field", "static"]);
  },
};

export const labelNamedLikeImport = {
  async test() {
    const s = await import("./mod/live/shadow.js");
    eq(s.label(), 1);
  },
};

export const shorthandPropertyReadsImport = {
  async test() {
    const s = await import("./mod/live/shadow.js");
    reset();
    s.bump();
    deepEq(s.shorthandUsesImport(), { count: 1 });
    eq(s.templateUsesImport(), "1");
  },
};

export const importVisibleAgainAfterShadowingBlock = {
  async test() {
    const s = await import("./mod/live/shadow.js");
    reset();
    s.bump();
    s.bump();
    eq(s.importAfterShadowScopeEnds(), 2);
  },
};
