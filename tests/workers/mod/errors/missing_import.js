import "./sidefx.js";
import { present, missingName } from "./exporter.js";
export { present, missingName };
