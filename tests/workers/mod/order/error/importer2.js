import { log } from "./log.js";
import "./first.js";
import "./thrower.js";
log.push("importer2");
