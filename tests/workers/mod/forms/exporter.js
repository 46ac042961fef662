// Every form of exporting a declaration or a local binding.
export const c = 1;
export let l = "let";
export var v = "var";
export function f() { return "f"; }
export async function af() { return "af"; }
export function* gen() { yield 1; yield 2; }
export async function* agen() { yield "a"; }
export class K { m() { return "K"; } }
export const x1 = 10, x2 = 20;
export const { d1, d2: dd2 } = { d1: "d1", d2: "d2" };
export const [e1, , e3] = [1, 2, 3];
const a = "a-val";
const b = "b-val";
export { a as renamedA, b };
export { a as "a-b" };
export default "exporter-default";
