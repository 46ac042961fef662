// Every re-export form.
export { c as cc, f } from "./exporter.js";
export { default as exporterDefault } from "./exporter.js";
export * from "./star_a.js";
export * from "./star_b.js";
export * as nsB from "./star_b.js";
export { "a-b" as "c d" } from "./exporter.js";
export const own = "own";
