// Strings and comments that contain import/export must not be treated as statements.
export const s1 = "import x from './nope.js'";
export const s2 = 'export default 1; \' import "./nope.js"';
export const s3 = "\"export\" \\";
export const continued = "line \
continued";
// import { nope } from "./nope.js";
/* export const commented = 1;
   import "./nope.js"; */
export const afterComments = "ok";
export function whereAfterContinuation() { return new Error("w").stack; } // line 11
