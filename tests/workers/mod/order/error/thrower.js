import { log } from "./log.js";
log.push("thrower");
globalThis.__orderThrowerRuns = (globalThis.__orderThrowerRuns ?? 0) + 1;
throw new RangeError("thrown at evaluation");
