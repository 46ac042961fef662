// Import declarations are hoisted: "./a.js" runs before this body although it is
// written after the first statement.
import { log } from "./log.js";
log.push("main");
import "./a.js";
