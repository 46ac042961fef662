import { broken } from "./bad_syntax.js";
export { broken };
