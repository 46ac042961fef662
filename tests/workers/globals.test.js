// The global scope: self, navigator and the shape of the global functions.
import { eq, ok, throws } from "./assert.js";

export const selfIsTheGlobalObject = { test() {
  eq(self, globalThis);
  eq(self.self, globalThis);
} };

export const navigatorUserAgentNamesIslet = { test() {
  ok(/^islet\/\d+\.\d+\.\d+/.test(navigator.userAgent), navigator.userAgent);
  ok(navigator instanceof Navigator);
  throws(() => new Navigator(), TypeError);
  const get = Object.getOwnPropertyDescriptor(Navigator.prototype, "userAgent").get;
  throws(() => get.call({}), TypeError, /Illegal invocation/);
  eq(Object.hasOwn(navigator, "userAgent"), false);
} };

export const globalFunctionsHaveWebIdlLengths = { test() {
  const lengths = { atob: 1, btoa: 1, setTimeout: 1, setInterval: 1, clearTimeout: 0,
    clearInterval: 0, queueMicrotask: 1 };
  for (const [name, len] of Object.entries(lengths)) {
    eq(typeof globalThis[name], "function", name);
    eq(globalThis[name].length, len, name + ".length");
    eq(globalThis[name].name, name, name + ".name");
  }
} };

export const classesAreConstructorsOnTheGlobal = { test() {
  for (const name of ["TextEncoder", "TextDecoder", "Crypto", "Performance", "Navigator"]) {
    const d = Object.getOwnPropertyDescriptor(globalThis, name);
    ok(d && typeof d.value === "function", name);
    eq(d.enumerable, false, name + " is not enumerable");
    eq(d.value.name, name);
    eq(d.value.prototype[Symbol.toStringTag], name);
  }
} };
