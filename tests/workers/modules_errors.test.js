// Faithful errors: stacks name the user's file, line and column through the transform;
// syntax and link errors reject import() with a SyntaxError naming the module and name;
// a link error evaluates nothing.
import { eq, ok, rejects } from "./assert.js";
import { boom, nullAccess, viaHelper } from "./mod/errors/thrower.js";

function stackOf(fn) {
  try {
    fn();
  } catch (e) {
    return String(e.stack);
  }
  throw new Error("did not throw");
}

export const stackNamesFileAndLineOfThrow = {
  test() {
    const s = stackOf(boom);
    ok(/mod\/errors\/thrower\.js:6:\d+/.test(s), s);
  },
};

export const stackColumnOfThrowIsTheSourceColumn = {
  test() {
    // `throw new Error(` on line 6: JSC reports the column of the call's "(" (col 55) when
    // the source is run as is; the transform must not shift it.
    const s = stackOf(boom);
    ok(/thrower\.js:6:55\b/.test(s), s);
  },
};

export const engineErrorColumnOnLineWithImports = {
  test() {
    // `o.prop` on line 10: JSC reports the column of the "." (col 64).
    const s = stackOf(nullAccess);
    ok(/thrower\.js:10:64\b/.test(s), s);
  },
};

export const stackListsImportedModuleFrames = {
  test() {
    const s = stackOf(viaHelper);
    ok(/mod\/errors\/helper\.js:3:\d+/.test(s), s);
    ok(/mod\/errors\/thrower\.js:14:\d+/.test(s), s);
    ok(s.indexOf("helper.js:3") < s.indexOf("thrower.js:14"), "innermost frame first: " + s);
  },
};

export const topLevelThrowStackNamesModule = {
  async test() {
    const e = await rejects(import("./mod/errors/top_level_throw.js"), Error, /top level 41/);
    ok(/top_level_throw\.js:3:\d+/.test(String(e.stack)), String(e.stack));
  },
};

export const syntaxErrorInImportedModuleRejects = {
  async test() {
    const e = await rejects(import("./mod/errors/imports_bad_syntax.js"), SyntaxError);
    const where = String(e.message) + "\n" + String(e.stack);
    ok(/bad_syntax\.js/.test(where), "names the file with the error: " + where);
  },
};

export const missingNamedExportIsSyntaxError = {
  async test() {
    const e = await rejects(import("./mod/errors/missing_import.js"), SyntaxError, /missingName/);
    ok(/exporter\.js/.test(e.message), "names the module: " + e.message);
  },
};

export const linkErrorEvaluatesNothing = {
  async test() {
    await rejects(import("./mod/errors/missing_import.js"), SyntaxError);
    eq(globalThis.__errorsSideEffectRan, undefined, "modules are linked before any is evaluated");
  },
};

export const missingReexportIsSyntaxError = {
  async test() {
    await rejects(import("./mod/errors/missing_reexport.js"), SyntaxError, /nothingHere/);
  },
};

export const missingDefaultExportIsSyntaxError = {
  async test() {
    await rejects(import("./mod/errors/missing_default.js"), SyntaxError, /default/);
  },
};

export const missingFileNamesFileAndImporter = {
  async test() {
    const e = await rejects(import("./mod/errors/imports_missing_file.js"), Error);
    ok(/not_there\.js/.test(e.message), e.message);
    ok(/imports_missing_file\.js/.test(e.message), e.message);
  },
};

export const unknownBuiltinNamesSpecifier = {
  async test() {
    const e = await rejects(import("./mod/errors/imports_unknown_builtin.js"), Error);
    ok(/nope:thing/.test(e.message), e.message);
  },
};
