import d from "./exporter.js";
export { d };
