// ES modules: every static import and export form (issue 3). The basic import forms are
// static imports of this file; the more exotic fixtures are loaded with import() inside
// their test so that one unsupported form fails one test, not the whole file.
import { eq, ok, deepEq, rejects } from "./assert.js";
import def from "./mod/forms/exporter.js";
import { renamedA as ra, default as defAgain, c } from "./mod/forms/exporter.js";
import * as ns from "./mod/forms/exporter.js";
import def2, { l } from "./mod/forms/exporter.js";
import def3, * as ns2 from "./mod/forms/exporter.js";
import * as nsViaOtherPath from "./mod/forms/../forms/exporter.js";
import { v, f, af, gen, agen, K, x1, x2, d1, dd2, e1, e3, b } from "./mod/forms/exporter.js";
import "./mod/forms/side.js";
import * as reexp from "./mod/forms/reexp.js";

export const importDefault = {
  test() {
    eq(def, "exporter-default");
  },
};

export const importNamedWithRenameAndDefaultAs = {
  test() {
    eq(ra, "a-val");
    eq(defAgain, "exporter-default");
    eq(c, 1);
  },
};

export const importDefaultAndNamed = {
  test() {
    eq(def2, "exporter-default");
    eq(l, "let");
  },
};

export const importDefaultAndNamespace = {
  test() {
    eq(def3, "exporter-default");
    eq(ns2, ns);
  },
};

export const importNamespaceHasEveryExport = {
  test() {
    deepEq(Object.keys(ns), ["K", "a-b", "af", "agen", "b", "c", "d1", "dd2", "default", "e1", "e3",
      "f", "gen", "l", "renamedA", "v", "x1", "x2"]);
  },
};

export const sameFileThroughAnotherSpecifierIsOneModule = {
  test() {
    eq(nsViaOtherPath, ns);
  },
};

export const importSideEffectOnlyRunsTheModuleOnce = {
  async test() {
    const { ran } = await import("./mod/forms/side_user.js");
    eq(ran, 1);
    eq(globalThis.__formsSideEffectRuns, 1);
  },
};

export const exportConstLetVar = {
  test() {
    eq(ns.c, 1);
    eq(ns.l, "let");
    eq(v, "var");
  },
};

export const exportFunctionKeepsItsName = {
  test() {
    eq(f(), "f");
    eq(f.name, "f");
  },
};

export const exportAsyncFunction = {
  async test() {
    const p = af();
    ok(p instanceof Promise, "an async function returns a promise");
    eq(await p, "af");
  },
};

export const exportGeneratorFunction = {
  test() {
    deepEq([...gen()], [1, 2]);
    eq(Object.getPrototypeOf(gen), Object.getPrototypeOf(function* () {}));
  },
};

export const exportAsyncGeneratorFunction = {
  async test() {
    const it = agen();
    deepEq(await it.next(), { value: "a", done: false });
    deepEq(await it.next(), { done: true });
  },
};

export const exportClass = {
  test() {
    eq(typeof K, "function");
    eq(K.name, "K");
    eq(new K().m(), "K");
  },
};

export const exportConstWithSeveralDeclarators = {
  test() {
    eq(x1, 10);
    eq(x2, 20);
  },
};

export const exportDestructuringDeclarations = {
  test() {
    eq(d1, "d1");
    eq(dd2, "d2");
    eq(e1, 1);
    eq(e3, 3);
    ok(!("d2" in ns), "the property key of a destructuring pattern is not exported");
  },
};

export const exportListWithRename = {
  test() {
    eq(ns.renamedA, "a-val");
    eq(b, "b-val");
    ok(!("a" in ns), "the local name of a renamed export is not exported");
  },
};

export const exportStringName = {
  test() {
    eq(ns["a-b"], "a-val");
  },
};

export const importStringNames = {
  async test() {
    const m = await import("./mod/forms/strings_user.js");
    eq(m.ab, "a-val");
    eq(m.cd, "a-val");
    eq(m.party, "party");
    eq(m.plainAgain, "plain-value");
  },
};

export const exportDefaultExpression = {
  async test() {
    eq((await import("./mod/forms/def_expr.js")).default, 42);
  },
};

export const exportDefaultAnonymousFunctionIsNamedDefault = {
  async test() {
    const fn = (await import("./mod/forms/def_fn_anon.js")).default;
    eq(fn(), "anon");
    eq(fn.name, "default");
  },
};

export const exportDefaultNamedFunction = {
  async test() {
    const m = await import("./mod/forms/def_fn_named.js");
    eq(m.default(), "named");
    eq(m.default.name, "named");
    eq(m.localName, "named");
  },
};

export const exportDefaultAnonymousClassIsNamedDefault = {
  async test() {
    const C = (await import("./mod/forms/def_class_anon.js")).default;
    eq(new C().hello(), "anon-class");
    eq(C.name, "default");
  },
};

export const exportDefaultNamedClass = {
  async test() {
    const m = await import("./mod/forms/def_class_named.js");
    eq(m.default.name, "Named");
    eq(m.sameClass(), m.default);
    eq(new m.default().hello(), "named-class");
  },
};

export const exportDefaultArrowIsNamedDefault = {
  async test() {
    const fn = (await import("./mod/forms/def_arrow.js")).default;
    eq(fn(), "arrow");
    eq(fn.name, "default");
  },
};

export const exportDefaultAnonymousAsyncFunction = {
  async test() {
    const fn = (await import("./mod/forms/def_async_anon.js")).default;
    eq(fn.name, "default");
    eq(await fn(), "async-anon");
  },
};

export const exportDefaultAnonymousGenerator = {
  async test() {
    const fn = (await import("./mod/forms/def_generator_anon.js")).default;
    eq(fn.name, "default");
    deepEq([...fn()], ["gen-anon"]);
  },
};

export const exportDefaultExpressionIsNotLive = {
  async test() {
    const m = await import("./mod/forms/def_snapshot.js");
    eq(m.current(), "after");
    eq(m.default, "before");
  },
};

export const exportLocalAsDefaultIsLive = {
  async test() {
    const m = await import("./mod/forms/def_live.js");
    eq(m.default, "before");
    m.set("after");
    eq(m.default, "after");
  },
};

export const exportDefaultObjectLiteral = {
  async test() {
    deepEq((await import("./mod/forms/def_object.js")).default, { export: 1, import: 2, default: 3 });
  },
};

export const reexportNamedWithRename = {
  test() {
    eq(reexp.cc, 1);
    eq(reexp.f, f);
    ok(!("c" in reexp));
  },
};

export const reexportDefaultAsName = {
  test() {
    eq(reexp.exporterDefault, "exporter-default");
  },
};

export const exportStarBringsNamedExports = {
  test() {
    eq(reexp.fromA, "A");
    eq(reexp.fromB, "B");
  },
};

export const exportStarSkipsDefault = {
  test() {
    ok(!("default" in reexp), "export * never re-exports default");
  },
};

export const exportStarAmbiguousNameIsLeftOut = {
  test() {
    ok(!("dup" in reexp), "a name two star exports provide differently is not exported");
    eq(reexp.dup, undefined);
  },
};

export const localExportShadowsStarExport = {
  test() {
    eq(reexp.own, "own");
  },
};

export const exportStarAsNamespace = {
  async test() {
    eq(reexp.nsB.fromB, "B");
    eq(reexp.nsB, await import("./mod/forms/star_b.js"));
  },
};

export const reexportStringNames = {
  test() {
    eq(reexp["c d"], "a-val");
  },
};

export const importOfAmbiguousStarNameIsSyntaxError = {
  async test() {
    await rejects(import("./mod/forms/ambiguous_import.js"), SyntaxError, /dup/);
  },
};
