import { log } from "./log.js";
import "./c.js";
log.push("a");
