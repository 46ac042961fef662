import { log } from "./log.js";
log.push("w");
export const w = "w";
