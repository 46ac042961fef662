// Keywords as property names, and contextual keywords as identifiers.
import { one } from "./values.js";
const obj = { import: 1, export: 2, default: 3, from: 4, as: 5 };
export const keys = Object.keys(obj).join();
export const member = obj.import + obj.export + obj.default;
export const optional = obj?.import;
export const nestedKey = { export: { import: one } }.export.import;
const { import: destructured } = obj;
export { destructured };
class C { import() { return "method"; } static export = "static"; }
export const method = new C().import();
export const staticField = C.export;
export const contextual = (() => { const as = 1, from = 2, of = 3, get = 4, async = 5; return as + from + of + get + async; })();
export const metaType = typeof import.meta;
let from = "from-binding";
export { from };
export { one as default };
export const dynamicImport = import("./values.js");
