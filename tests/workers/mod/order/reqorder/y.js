import { log } from "./log.js";
log.push("y");
export const y = "y";
