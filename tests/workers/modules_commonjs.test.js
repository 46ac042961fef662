// CommonJS modules (.cjs): require, module.exports, exports, __filename, __dirname, the
// require cache, and importing CommonJS from an ES module (default = module.exports,
// named exports where they can be found).
import { eq, ok, deepEq } from "./assert.js";
import lib, { named } from "./mod/types/lib.cjs";
import * as libNs from "./mod/types/lib.cjs";
import replaced from "./mod/types/replaced.cjs";

export const commonJsDefaultIsModuleExports = {
  test() {
    eq(lib.named, "named-value");
    eq(lib, lib.self());
  },
};

export const commonJsNamedExportFound = {
  test() {
    eq(named, "named-value");
    eq(libNs.named, "named-value");
    eq(libNs.default, lib);
  },
};

export const commonJsReplacedModuleExports = {
  test() {
    eq(typeof replaced, "function");
    eq(replaced(), "called");
    eq(replaced.extra, "extra");
  },
};

export const requireOfCommonJs = {
  test() {
    eq(lib.fromHelper, 7);
  },
};

export const requireCachesModules = {
  test() {
    eq(lib.helperAgain, lib.helperFirst);
    eq(globalThis.__typesHelperLoads, 1);
  },
};

export const requireOfJson = {
  test() {
    deepEq(lib.json, { port: 8080, tags: ["a", "b"] });
    eq(lib.jsonAgain, lib.json, "cached too");
  },
};

export const requireOfMissingFileThrowsAtCallTime = {
  test() {
    ok(lib.missingError instanceof Error, "got " + lib.missingError);
    ok(/not-there\.cjs/.test(lib.missingError.message), lib.missingError.message);
  },
};

export const commonJsFilenameAndDirname = {
  test() {
    ok(lib.filename.endsWith("/tests/workers/mod/types/lib.cjs"), lib.filename);
    ok(lib.dirname.endsWith("/tests/workers/mod/types"), lib.dirname);
    eq(lib.filename, lib.dirname + "/lib.cjs");
    ok(lib.filename.startsWith("/"), "an absolute path, not a URL");
  },
};

export const commonJsThisAndExports = {
  test() {
    eq(lib.thisIsExports, true);
    eq(lib.exportsIsModuleExports, true);
  },
};

export const commonJsIsSloppyMode = {
  test() {
    eq(lib.sloppy, true);
  },
};
