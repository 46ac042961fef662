// ES modules: top-level await, dynamic import(), import.meta and import attributes.
import { eq, ok, deepEq, rejects } from "./assert.js";
import * as target from "./mod/async/target.js";
import data from "./mod/async/data.json" with { type: "json" };

export const tlaDelaysImporterAndLetsSiblingRun = {
  async test() {
    await import("./mod/async/tla/main.js");
    const { log } = await import("./mod/async/tla/log.js");
    deepEq(log, ["slow start", "sibling", "slow end", "main sees awaited"]);
  },
};

export const tlaValueVisibleToImporter = {
  async test() {
    eq((await import("./mod/async/tla/deep.js")).deepValue, "deep awaited");
  },
};

export const tlaRejectionRejectsImport = {
  async test() {
    await rejects(import("./mod/async/tla/rejecting.js"), URIError, /rejected at top level/);
  },
};

export const tlaInLoopsTemplatesAndForAwait = {
  async test() {
    const m = await import("./mod/async/tla/awaits_in_loop.js");
    eq(m.total, 6);
    eq(m.inTemplate, "t");
    eq(m.afterForAwait, 7);
  },
};

export const dynamicImportReturnsAPromise = {
  async test() {
    const p = import("./mod/async/target.js");
    ok(p instanceof Promise);
    eq(await p, target);
  },
};

export const dynamicImportGivesTheStaticNamespace = {
  async test() {
    const dyn = await import("./mod/async/target.js");
    eq(dyn, target);
    dyn.bump();
    eq(target.n, 2, "one module instance");
  },
};

export const dynamicImportResolvesAgainstItsModule = {
  async test() {
    const { load, loadComputed } = await import("./mod/async/sub/loader.js");
    eq((await load()).where, "sub/neighbor");
    eq((await loadComputed("neighbor")).where, "sub/neighbor");
  },
};

export const dynamicImportConvertsSpecifierToString = {
  async test() {
    const m = await import({ toString: () => "./mod/async/target.js" });
    eq(m, target);
  },
};

export const dynamicImportOfMissingFileRejects = {
  async test() {
    const p = import("./mod/async/not-there.js");
    ok(p instanceof Promise, "the failure is a rejection, not a synchronous throw");
    const e = await rejects(p, Error);
    ok(/not-there\.js/.test(e.message), "the message names the file: " + e.message);
  },
};

export const dynamicImportOfBuiltin = {
  async test() {
    const cf = await import("cloudflare:workers");
    eq(typeof cf.WorkerEntrypoint, "function");
    eq(cf[Symbol.toStringTag], "Module");
  },
};

export const dynamicImportWithJsonAttribute = {
  async test() {
    const m = await import("./mod/async/data.json", { with: { type: "json" } });
    eq(m.default.name, "data");
  },
};

export const importMetaUrlIsFileUrlOfTheModule = {
  async test() {
    const { url } = await import("./mod/async/meta.js");
    ok(url.startsWith("file:///"), url);
    ok(url.endsWith("/tests/workers/mod/async/meta.js"), url);
  },
};

export const importMetaUrlOfTestFile = {
  test() {
    ok(import.meta.url.startsWith("file:///"), import.meta.url);
    ok(import.meta.url.endsWith("/tests/workers/modules_async.test.js"), import.meta.url);
  },
};

export const importMetaUrlIsPercentEncoded = {
  async test() {
    const { url } = await import("./mod/async/with space/meta.js");
    ok(url.endsWith("/mod/async/with%20space/meta.js"), url);
  },
};

export const importMetaIsOneNullPrototypeObjectPerModule = {
  async test() {
    const m = await import("./mod/async/meta.js");
    eq(m.sameEachTime, true);
    eq(Object.getPrototypeOf(m.meta), null);
    ok(m.meta !== import.meta, "each module has its own import.meta");
  },
};

export const jsonAttributeGivesParsedDefault = {
  test() {
    deepEq(data, { name: "data", list: [1, 2, { deep: true }], nothing: null });
  },
};

export const jsonModuleIsOneValueForEveryImporter = {
  async test() {
    const { data: again } = await import("./mod/async/json_static.js");
    eq(again, data);
  },
};

export const jsonModuleHasNoNamedExports = {
  async test() {
    await rejects(import("./mod/async/json_named.js"), SyntaxError, /name/);
  },
};
