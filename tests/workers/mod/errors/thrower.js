// Throws from known lines; the lines reference imported bindings, which the transform
// rewrites, so the reported columns must be mapped back to this text.
import { helperValue, helperThrows } from "./helper.js";

export function boom() {
  const x = helperValue + helperValue; throw new Error("boom " + x); // line 6
}

export function nullAccess() {
  const o = null; const y = helperValue + helperValue; return o.prop + y; // line 10
}

export function viaHelper() {
  const r = helperThrows(); // line 14 (not a tail call: JSC drops tail-call frames)
  return r;
}
