import { log } from "./log.js";
import { seen } from "./q.js";
log.push("p");
export default class {}
export { seen };
