// Re-exporting an imported binding with an export list keeps it live too.
import { count } from "./counter.js";
export { count as relayed };
