// Cycle a ⇄ b, entered at a: b evaluates first and sees a before a's body has run.
import { log } from "./log.js";
import { bValue, bFn } from "./b.js";
log.push("a");
export let aValue = "a-initialized";
export function aFn() { return "aFn"; }
export default function () { return "a-default"; }
export function readB() { return [bValue, bFn()]; }
