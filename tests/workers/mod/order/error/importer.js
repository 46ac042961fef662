// Depends on a module whose evaluation throws: this body never runs.
import { log } from "./log.js";
import "./thrower.js";
log.push("importer");
