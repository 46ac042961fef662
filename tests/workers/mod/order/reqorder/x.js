import { log } from "./log.js";
log.push("x");
export const x = "x";
