export const a = 1, { b, c: [d] } = o;
export let e; export var f = 2;
export function g() {} export async function h() {} export function* i() {} export async function* j() {}
export class K extends Object {}
let l = 1; export { l as m, l as "string name" };
export { x } from "./x.js"; export { default as y, default } from "./y.js";
export * from "./z.js"; export * as zz from "./z.js";
export default function () { return a; }
