import "./side.js";
import {} from "./side.js";
export {};
export const ran = globalThis.__formsSideEffectRuns;
