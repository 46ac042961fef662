// Local names that shadow an imported binding are the local ones; the import is untouched.
import { count, inc } from "./counter.js";

export function param(count) { return count; }
export const arrowParam = (count) => count;
export const bareArrowParam = count => count * 2;
export function destructuredParam({ count }) { return count; }
export function defaultParam(x, count = "default-param") { return count; }
export function innerLet() { let count = "inner-let"; return count; }
export function innerConst() { { const count = "block-const"; return count; } }
export function innerVarHoisted() { const before = count; var count = "var"; return [before, count]; }
export function innerFunction() { function count() { return "inner-fn"; } return count(); }
export function innerClass() { class count { static v = "inner-class"; } return count.v; }
export function catchParam() { try { throw "caught"; } catch (count) { return count; } }
export function forLet() { let s = 0; for (let count = 0; count < 3; count++) s += count; return s; }
export function forOf() { const out = []; for (const count of ["x", "y"]) out.push(count); return out.join(); }
export function objectKey() { return { count: "key" }.count; }
export function propertyName() { const o = { count: 5 }; o.count = 6; return o.count; }
export function optionalProperty() { const o = { count: 7 }; return o?.count; }
export function methodName() { return { count() { return "method"; } }.count(); }
export function classMember() { class C { count = "field"; static count() { return "static"; } } return [new C().count, C.count()]; }
export function label() { let n = 0; count: for (;;) { n++; break count; } return n; }
export function shorthandUsesImport() { return { count }; }
export function templateUsesImport() { return `${count}`; }
export function importAfterShadowScopeEnds() { { let count = "inner"; } return count; }
export function bump() { inc(); }
