import { log } from "./log.js";
log.push("z");
export const z = "z";
