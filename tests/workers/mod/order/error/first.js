// Evaluated before thrower.js in importer2's graph: it completes even though a later
// sibling fails.
import { log } from "./log.js";
log.push("first");
