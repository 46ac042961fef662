// The re-exported name is checked at link time even if nobody imports it.
export { nothingHere as something } from "./exporter.js";
