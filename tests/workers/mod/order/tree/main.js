// Graph: main → a → c; main → b → (c, d). Post-order, each module once: c a d b main.
import { log } from "./log.js";
import "./a.js";
import "./b.js";
log.push("main");
