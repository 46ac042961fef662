// ES modules: module namespace objects (ECMAScript 10.4.6): null prototype, not
// extensible, sorted keys, writable-but-unassignable data properties, @@toStringTag,
// one object per module.
import { eq, ok, deepEq, throws } from "./assert.js";
import * as ns from "./mod/namespace/target.js";
import { setMid } from "./mod/namespace/target.js";
import { again, starAs } from "./mod/namespace/other_importer.js";

export const namespaceHasNullPrototype = {
  test() {
    eq(Object.getPrototypeOf(ns), null);
    ok(!(ns instanceof Object));
  },
};

export const namespaceIsNotExtensible = {
  test() {
    eq(Object.isExtensible(ns), false);
  },
};

export const namespaceIsSealedButNotFrozen = {
  test() {
    eq(Object.isSealed(ns), true);
    eq(Object.isFrozen(ns), false, "export properties are writable data properties");
  },
};

export const namespaceKeysAreSorted = {
  test() {
    deepEq(Object.keys(ns), ["$dollar", "Upper", "_under", "alpha", "default", "mid", "setMid", "zeta"]);
  },
};

export const namespaceOwnKeysEndWithToStringTag = {
  test() {
    const keys = Reflect.ownKeys(ns);
    eq(keys.length, 9);
    eq(keys[8], Symbol.toStringTag);
  },
};

// ECMAScript 10.4.6: [[Exports]] is sorted as Array.prototype.sort sorts strings, and
// [[OwnPropertyKeys]] returns it as is (V8 lists "9" first here: it does not follow this).
export const namespaceSortsIntegerLikeNamesAsStrings = {
  async test() {
    deepEq(Object.keys(await import("./mod/namespace/numeric.js")), ["10", "9", "b"]);
  },
};

export const namespaceToStringTagIsModule = {
  test() {
    eq(ns[Symbol.toStringTag], "Module");
    eq(Object.prototype.toString.call(ns), "[object Module]");
    const d = Object.getOwnPropertyDescriptor(ns, Symbol.toStringTag);
    deepEq([d.value, d.writable, d.enumerable, d.configurable], ["Module", false, false, false]);
  },
};

export const namespacePropertyIsWritableNonConfigurableData = {
  test() {
    const d = Object.getOwnPropertyDescriptor(ns, "alpha");
    deepEq(d, { value: 2, writable: true, enumerable: true, configurable: false });
  },
};

export const assigningNamespacePropertyThrowsTypeError = {
  test() {
    throws(() => { ns.alpha = 5; }, TypeError);
    eq(ns.alpha, 2);
  },
};

export const addingNamespacePropertyThrowsTypeError = {
  test() {
    throws(() => { ns.added = 1; }, TypeError);
    ok(!("added" in ns));
  },
};

export const reflectSetOnNamespaceReturnsFalse = {
  test() {
    eq(Reflect.set(ns, "alpha", 9), false);
    eq(Reflect.set(ns, "nope", 9), false);
  },
};

export const deletingExportThrowsTypeError = {
  test() {
    throws(() => { delete ns.alpha; }, TypeError);
    eq(ns.alpha, 2);
  },
};

export const deletingMissingNameSucceeds = {
  test() {
    eq(delete ns.notAnExport, true);
  },
};

export const definePropertyWithOtherValueThrows = {
  test() {
    throws(() => Object.defineProperty(ns, "alpha", { value: 99 }), TypeError);
    eq(Reflect.defineProperty(ns, "alpha", { value: 2, writable: true, enumerable: true, configurable: false }), true);
  },
};

export const setPrototypeOfNamespaceThrows = {
  test() {
    throws(() => Object.setPrototypeOf(ns, {}), TypeError);
    eq(Reflect.setPrototypeOf(ns, null), true);
  },
};

export const hasAndMissingNames = {
  test() {
    ok("alpha" in ns);
    ok("default" in ns);
    ok(!("nope" in ns));
    eq(ns.nope, undefined);
    eq(Object.hasOwn(ns, "then"), false);
  },
};

export const namespaceReadsAreLive = {
  test() {
    eq(ns.mid, 3);
    setMid(30);
    eq(ns.mid, 30);
    eq(Object.getOwnPropertyDescriptor(ns, "mid").value, 30);
    setMid(3);
  },
};

export const everyImporterGetsTheSameNamespace = {
  test() {
    eq(again, ns);
  },
};

export const exportStarAsGivesTheSameNamespace = {
  test() {
    eq(starAs, ns);
  },
};

export const dynamicImportGivesTheSameNamespace = {
  async test() {
    eq(await import("./mod/namespace/target.js"), ns);
  },
};
