export { count as reCount } from "./counter.js";
export * from "./counter.js";
