import { log } from "./log.js";
import "./c.js";
import "./d.js";
log.push("b");
