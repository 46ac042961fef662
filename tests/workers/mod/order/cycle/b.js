import { log } from "./log.js";
import aDefault, { aValue, aFn } from "./a.js";
import * as aNs from "./a.js";
log.push("b");

const capture = (fn) => { try { fn(); return "no error"; } catch (e) { return e; } };
// a has not been evaluated yet: its hoisted function declarations can be called...
export const hoistedCall = aFn();
export const hoistedDefaultCall = aDefault();
// ...but its `let` binding is uninitialized (TDZ), also through typeof and the namespace.
export const tdzRead = capture(() => aValue);
export const tdzTypeof = capture(() => typeof aValue);
export const tdzNamespaceRead = capture(() => aNs.aValue);
export const tdzObjectKeys = capture(() => Object.keys(aNs));
export const namespaceOwnKeys = Reflect.ownKeys(aNs).filter((k) => typeof k === "string");
export const namespaceHas = "aValue" in aNs;
export let bValue = "b-initialized";
export function bFn() { return "bFn"; }
// Called after a has finished: sees a's values.
export function readA() { return aValue; }
