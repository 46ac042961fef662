import * as again from "./target.js";
export * as starAs from "./target.js";
export { again };
