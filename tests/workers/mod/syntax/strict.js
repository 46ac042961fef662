// A module body is strict code, and its scope is not the global scope.
export const topLevelThis = this;
export const functionThis = (function () { return this; })();
export function assignUndeclared() { undeclaredModuleVariable = 1; }
export var moduleVar = "module var";
export function moduleFunction() {}
export const argumentsIsUnmapped = (function (a) { arguments[0] = "changed"; return a; })("orig");
