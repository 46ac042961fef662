// Requested modules are evaluated in source order, re-export sources included.
import "./x.js";
export * from "./y.js";
export { z } from "./z.js";
import "./w.js";
