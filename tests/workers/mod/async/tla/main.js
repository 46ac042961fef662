// slow.js awaits at top level: its sibling (which does not depend on it) still runs in
// order, and this module's body waits until slow.js has finished.
import { log } from "./log.js";
import { value } from "./slow.js";
import "./sibling.js";
log.push("main sees " + value);
